package crawl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"marquee/internal/catalog"
)

var trackingParams = map[string]bool{"fbclid": true, "gclid": true, "yclid": true, "mc_cid": true, "mc_eid": true}

// canonicalURL normalises a URL for identity: lower-case scheme and host,
// no default port, "/" for an empty path, query parameters sorted, tracking
// parameters (utm_*, fbclid, gclid) dropped. keepFragment keeps the
// fragment (items without a page of their own are keyed by one).
func canonicalURL(raw string, keepFragment bool) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.HasPrefix(strings.ToLower(k), "utm_") || trackingParams[strings.ToLower(k)] {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode() // sorted by key
	}
	if !keepFragment {
		u.Fragment, u.RawFragment = "", ""
	}
	u.User = nil
	return u.String()
}

// urlID is the fallback source_id: a hash of the canonical URL.
func urlID(raw string) string {
	h := sha256.Sum256([]byte(canonicalURL(raw, true)))
	return hex.EncodeToString(h[:16])
}

// found is an item with the time its page was fetched.
type found struct {
	item
	FetchedAt time.Time
}

func roleRank(r string) int {
	if r == roleDetail {
		return 0
	}
	return 1
}

// mergeItems dedups items by source_id and merges the copies: detail pages
// first, then by URL; the first copy's values win, the others fill missing
// fields. The result does not depend on the order pages were fetched in.
// It returns the records sorted by source_id and how many copies merged.
func mergeItems(site *Site, items []found) ([]catalog.RawRecord, int) {
	groups := map[string][]found{}
	for _, it := range items {
		id := it.SourceID
		if id == "" {
			id = urlID(it.URL)
		}
		it.SourceID = id
		groups[id] = append(groups[id], it)
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	dups := 0
	out := make([]catalog.RawRecord, 0, len(ids))
	for _, id := range ids {
		g := groups[id]
		dups += len(g) - 1
		sort.SliceStable(g, func(i, j int) bool {
			a, b := g[i], g[j]
			if ra, rb := roleRank(a.Role), roleRank(b.Role); ra != rb {
				return ra < rb
			}
			if a.URL != b.URL {
				return a.URL < b.URL
			}
			return fieldsKey(a.Fields) < fieldsKey(b.Fields)
		})
		base := g[0]
		rec := catalog.RawRecord{
			Source: site.Name, SourceID: id, Kind: site.Kind,
			URL:       stripFragment(base.URL),
			FetchedAt: base.FetchedAt.UTC(),
			Render:    site.Render,
			Fields:    map[string]string{},
		}
		seenLD := map[string]bool{}
		for _, it := range g {
			for k, v := range it.Fields {
				if _, ok := rec.Fields[k]; !ok {
					rec.Fields[k] = v
				}
			}
			for _, ld := range it.JSONLD {
				if !seenLD[string(ld)] {
					seenLD[string(ld)] = true
					rec.JSONLD = append(rec.JSONLD, ld)
				}
			}
		}
		rec.ContentHash = contentHash(rec.Fields, rec.JSONLD)
		out = append(out, rec)
	}
	return out, dups
}

func fieldsKey(f map[string]string) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func stripFragment(raw string) string {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		return raw[:i]
	}
	return raw
}

// contentHash is the hex SHA-256 of the record's fields and JSON-LD, so a
// changed item is seen as changed and a refetch of the same one is not.
func contentHash(fields map[string]string, ld []json.RawMessage) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(fields) // map keys are sorted
	for _, l := range ld {
		b.Write(l)
		b.WriteByte('\n')
	}
	h := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(h[:])
}

// keywordFilter keeps records that contain an include keyword (when any are
// set) and none of the exclude keywords, case-insensitively, in any field.
type keywordFilter struct {
	include, exclude []string
}

func newKeywordFilter(include, exclude []string) keywordFilter {
	f := keywordFilter{}
	for _, k := range include {
		f.include = append(f.include, strings.ToLower(norm.NFC.String(strings.TrimSpace(k))))
	}
	for _, k := range exclude {
		f.exclude = append(f.exclude, strings.ToLower(norm.NFC.String(strings.TrimSpace(k))))
	}
	return f
}

func (f keywordFilter) keep(fields map[string]string) bool {
	if len(f.include) == 0 && len(f.exclude) == 0 {
		return true
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(strings.ToLower(fields[k]))
		sb.WriteByte('\n')
	}
	text := sb.String()
	for _, k := range f.exclude {
		if strings.Contains(text, k) {
			return false
		}
	}
	if len(f.include) == 0 {
		return true
	}
	for _, k := range f.include {
		if strings.Contains(text, k) {
			return true
		}
	}
	return false
}
