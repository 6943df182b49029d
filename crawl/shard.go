package crawl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"marquee/internal/catalog"
)

// Shard is one of Count workers (Index 0-based); the zero value is "all".
type Shard struct {
	Index, Count int
}

// ParseShard parses "i/n" with 0 ≤ i < n; "" is the whole set.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, catalog.Usagef("--shard %q: want i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// String is "i/n", or "" for all.
func (s Shard) String() string {
	if s.Count <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// selectSites applies --site and --shard: sites sorted by name, the k-th
// going to shard k mod n, so n workers with the same file split the sites
// between them without overlap.
func selectSites(all []Site, only []string, sh Shard) ([]Site, error) {
	byName := map[string]Site{}
	for _, s := range all {
		byName[s.Name] = s
	}
	var picked []Site
	if len(only) > 0 {
		seen := map[string]bool{}
		for _, n := range only {
			s, ok := byName[n]
			if !ok {
				names := make([]string, 0, len(all))
				for _, s := range all {
					names = append(names, s.Name)
				}
				sort.Strings(names)
				return nil, catalog.Usagef("crawl: --site %q: no such site (have: %s)", n, strings.Join(names, ", "))
			}
			if !seen[n] {
				seen[n] = true
				picked = append(picked, s)
			}
		}
	} else {
		picked = append(picked, all...)
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].Name < picked[j].Name })
	if sh.Count <= 1 {
		return picked, nil
	}
	var out []Site
	for k, s := range picked {
		if k%sh.Count == sh.Index {
			out = append(out, s)
		}
	}
	return out, nil
}
