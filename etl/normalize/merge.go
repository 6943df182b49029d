package normalize

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"marquee/internal/catalog"
)

// DedupBySource keeps one release per id (the same source item seen twice
// in a day: two part files, a re-crawl): the one seen last, with the
// earliest first_seen of all. Order of first appearance is kept. It returns
// the kept releases and how many were dropped.
func DedupBySource(rs []*catalog.Release) ([]*catalog.Release, int) {
	idx := make(map[string]int, len(rs))
	out := rs[:0:0]
	dropped := 0
	for _, r := range rs {
		i, ok := idx[r.ID]
		if !ok {
			idx[r.ID] = len(out)
			out = append(out, r)
			continue
		}
		dropped++
		old := out[i]
		first := old.FirstSeen
		if r.FirstSeen.Before(first) {
			first = r.FirstSeen
		}
		if !r.LastSeen.Before(old.LastSeen) {
			out[i] = r
		}
		out[i].FirstSeen = first
	}
	return out, dropped
}

// genrePrefixes are leading words that sites add to titles inconsistently.
var genrePrefixes = []string{"뮤지컬", "연극", "콘서트", "오페라", "발레", "무용", "전시", "영화", "musical", "concert"}

// MatchTitle is the title as cross-source matching sees it: lower case,
// letters and digits only, without a leading genre word ("뮤지컬 〈레미제라블〉"
// and "레미제라블" match).
func MatchTitle(title string) string {
	return string(appendMatchTitle(nil, title))
}

// appendMatchTitle appends MatchTitle(title) to b.
func appendMatchTitle(b []byte, title string) []byte {
	t := Text(title)
	if simpleRunes(t) {
		// ASCII, Hangul syllables and caseless punctuation only: lower
		// case changes ASCII letters alone and keeps every length, so the
		// title is read in place.
		for _, p := range genrePrefixes {
			if len(t) > len(p) && asciiLowerHasPrefix(t, p) {
				t = t[len(p):]
				break
			}
		}
		for i := 0; i < len(t); {
			c := t[i]
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				b = append(b, c)
			case 'A' <= c && c <= 'Z':
				b = append(b, c+'a'-'A')
			case c >= utf8.RuneSelf:
				r, n := utf8.DecodeRuneInString(t[i:])
				if r >= 0xAC00 && r <= 0xD7A3 {
					b = append(b, t[i:i+n]...)
				}
				i += n
				continue
			}
			i++
		}
		return b
	}
	t = strings.ToLower(t)
	for _, p := range genrePrefixes {
		if strings.HasPrefix(t, p) && len(t) > len(p) {
			t = t[len(p):]
			break
		}
	}
	for _, r := range t {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// simpleRunes reports whether s has only ASCII, Hangul syllables and the
// caseless punctuation of U+2010–U+2027 and U+3008–U+3011.
func simpleRunes(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !(r >= 0xAC00 && r <= 0xD7A3 || r >= 0x2010 && r <= 0x2027 || r >= 0x3008 && r <= 0x3011) {
			return false
		}
		i += n
	}
	return true
}

// asciiLowerHasPrefix reports whether strings.ToLower(s) starts with p,
// for s of simpleRunes.
func asciiLowerHasPrefix(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

func matchVenue(v string) string { return MatchTitle(v) }

// venuesMatch is true when either venue is unknown or one normalised name
// starts with the other ("블루스퀘어 신한카드홀" ~ "블루스퀘어신한카드홀(구 인터파크홀)").
func venuesMatch(a, b string) bool {
	a, b = matchVenue(a), matchVenue(b)
	return a == "" || b == "" || strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// MergeKey is the cross-source match key of r: kind, MatchTitle, start
// date and region; "" when r cannot be matched (no start date, or neither
// a region nor a venue).
func MergeKey(r *catalog.Release) string {
	if r.StartDate.IsZero() || (r.Region == "" && r.Venue == "") {
		return ""
	}
	b := make([]byte, 0, 64+len(r.Title)+len(r.Region))
	b = append(append(b, r.Kind...), 0)
	n := len(b)
	b = appendMatchTitle(b, r.Title)
	if len(b) == n {
		return ""
	}
	b = r.StartDate.Time(time.UTC).AppendFormat(append(b, 0), time.DateOnly) // StartDate.String()
	b = append(append(b, 0), r.Region...)
	return string(b)
}

// MergeCrossSource folds releases of different sources that are the same
// thing (same MergeKey and matching venues) into one release whose Sources
// lists every "source:source_id". The primary, whose id and fields win, is
// the first member for which preferred returns true (already stored: its id
// stays stable), else the first by (source, source_id). Empty fields of the
// primary are filled from the others; lists are united; first_seen is the
// earliest and last_seen the latest. It returns the merged list (primaries
// in input order) and the ids that were folded into another release.
func MergeCrossSource(rs []*catalog.Release, preferred func(id string) bool) (out []*catalog.Release, folded []string) {
	// Most keys have one release: only groups of two or more get a list,
	// under the index of their first member.
	firstOf := make(map[string]int, len(rs))
	groups := map[int][]int{}
	var firsts []int
	for i, r := range rs {
		k := MergeKey(r)
		if k == "" {
			continue
		}
		f, ok := firstOf[k]
		if !ok {
			firstOf[k] = i
			continue
		}
		if groups[f] == nil {
			groups[f] = []int{f}
			firsts = append(firsts, f)
		}
		groups[f] = append(groups[f], i)
	}
	sort.Ints(firsts) // groups in order of first appearance
	drop := make([]bool, len(rs))
	replace := map[int]*catalog.Release{}
	for _, f := range firsts {
		members := groups[f]
		// Split the group by venue compatibility, greedily.
		var clusters [][]int
		for _, i := range members {
			placed := false
			for c := range clusters {
				if venuesMatch(rs[clusters[c][0]].Venue, rs[i].Venue) && !hasSource(rs, clusters[c], rs[i].Source) {
					clusters[c] = append(clusters[c], i)
					placed = true
					break
				}
			}
			if !placed {
				clusters = append(clusters, []int{i})
			}
		}
		for _, c := range clusters {
			if len(c) < 2 {
				continue
			}
			sort.Slice(c, func(a, b int) bool {
				ra, rb := rs[c[a]], rs[c[b]]
				if pa, pb := preferred != nil && preferred(ra.ID), preferred != nil && preferred(rb.ID); pa != pb {
					return pa
				}
				if ra.Source != rb.Source {
					return ra.Source < rb.Source
				}
				return ra.SourceID < rb.SourceID
			})
			merged := mergeInto(rs, c)
			first := c[0]
			for _, i := range c {
				if i < first {
					first = i
				}
			}
			for _, i := range c {
				drop[i] = true
				if rs[i].ID != merged.ID {
					folded = append(folded, rs[i].ID)
				}
			}
			replace[first] = merged
		}
	}
	for i, r := range rs {
		if m, ok := replace[i]; ok {
			out = append(out, m)
			continue
		}
		if !drop[i] {
			out = append(out, r)
		}
	}
	sort.Strings(folded)
	return out, folded
}

func hasSource(rs []*catalog.Release, idx []int, source string) bool {
	for _, i := range idx {
		if rs[i].Source == source {
			return true
		}
	}
	return false
}

// mergeInto builds the merged release of rs[c...], c[0] being the primary.
func mergeInto(rs []*catalog.Release, c []int) *catalog.Release {
	m := *rs[c[0]]
	m.Sources = nil
	m.ContentHash = "" // the merged content needs its own hash
	for _, i := range c {
		o := rs[i]
		for _, s := range o.Sources {
			m.Sources = appendUnique(m.Sources, s)
		}
		fill(&m.URL, o.URL)
		fill(&m.OriginalTitle, o.OriginalTitle)
		fill(&m.Venue, o.Venue)
		fill(&m.Region, o.Region)
		fill(&m.AgeRating, o.AgeRating)
		fill(&m.Description, o.Description)
		fill(&m.Locale, o.Locale)
		if m.Locale == "en" && o.Locale == "ko" {
			m.Locale = "ko"
		}
		if m.EndDate.IsZero() {
			m.EndDate = o.EndDate
		}
		if m.ReleaseDate.IsZero() {
			m.ReleaseDate = o.ReleaseDate
		}
		if m.Runtime == 0 {
			m.Runtime = o.Runtime
		}
		if len(m.Prices) == 0 {
			m.Prices = o.Prices
		}
		if m.Poster == nil && o.Poster != nil {
			m.Poster = o.Poster
		}
		m.Genres = union(m.Genres, o.Genres)
		m.Cast = union(m.Cast, o.Cast)
		m.Artists = union(m.Artists, o.Artists)
		m.Platforms = union(m.Platforms, o.Platforms)
		m.Tags = union(m.Tags, o.Tags)
		if o.FirstSeen.Before(m.FirstSeen) {
			m.FirstSeen = o.FirstSeen
		}
		if o.LastSeen.After(m.LastSeen) {
			m.LastSeen = o.LastSeen
		}
	}
	sort.Strings(m.Sources)
	return &m
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func union(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append([]string(nil), a...)
	for _, v := range b {
		out = appendUnique(out, v)
	}
	return out
}
