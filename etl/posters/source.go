package posters

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"marquee/internal/catalog"
	"marquee/lake"
)

// want is one release whose poster is to be ingested.
type want struct {
	ReleaseID string
	Source    string
	URL       string // absolute
	Origin    string // file:line or "mongodb release <id>"
}

// rawPartitions returns the committed raw/releases/source=S/dt=D partitions
// of d (only the given sources when any), sorted.
func rawPartitions(ctx context.Context, s lake.Store, d catalog.Date, sources []string) ([]string, error) {
	objs, err := s.List(ctx, lake.ZoneRawReleases+"/source=")
	if err != nil {
		return nil, err
	}
	only := map[string]bool{}
	for _, src := range sources {
		only[src] = true
	}
	suffix := "/dt=" + d.String() + "/" + lake.ManifestName
	var out []string
	for _, o := range objs {
		rest, ok := strings.CutSuffix(o.Key, suffix)
		if !ok {
			continue
		}
		src, ok := strings.CutPrefix(rest, lake.ZoneRawReleases+"/source=")
		if !ok || strings.Contains(src, "/") || (len(only) > 0 && !only[src]) {
			continue
		}
		out = append(out, strings.TrimSuffix(o.Key, "/"+lake.ManifestName))
	}
	sort.Strings(out)
	return out, nil
}

// posterURL finds a record's poster: Fields["poster_url"], else the first
// JSON-LD image (a string, a list, or an ImageObject's url/contentUrl),
// resolved against the page URL.
func posterURL(r *catalog.RawRecord) string {
	u := strings.TrimSpace(r.Fields["poster_url"])
	if u == "" {
		for _, ld := range r.JSONLD {
			var m map[string]json.RawMessage
			if json.Unmarshal(ld, &m) != nil {
				continue
			}
			if u = ldImage(m["image"]); u != "" {
				break
			}
		}
	}
	if u == "" {
		return ""
	}
	return resolve(r.URL, u)
}

func ldImage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		for _, it := range list {
			if u := ldImage(it); u != "" {
				return u
			}
		}
		return ""
	}
	var obj struct {
		URL        string `json:"url"`
		ContentURL string `json:"contentUrl"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		if obj.ContentURL != "" {
			return strings.TrimSpace(obj.ContentURL)
		}
		return strings.TrimSpace(obj.URL)
	}
	return ""
}

// resolve makes ref absolute against base; ref as is when it cannot.
func resolve(base, ref string) string {
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	if r.IsAbs() {
		return r.String()
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return ref
	}
	return b.ResolveReference(r).String()
}
