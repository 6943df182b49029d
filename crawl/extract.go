package crawl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/text/unicode/norm"
)

// Roles of a page or item: list pages (start pages and their pagination)
// and detail pages.
const (
	roleList   = "list"
	roleDetail = "detail"
)

// item is one extracted item before dedup and merge.
type item struct {
	SourceID string            `json:"source_id"`
	URL      string            `json:"url"`
	Role     string            `json:"role"`
	Fields   map[string]string `json:"fields,omitempty"`
	JSONLD   []json.RawMessage `json:"jsonld,omitempty"`
}

// extraction is what one page yielded.
type extraction struct {
	Items []item
	Links []string // detail pages
	Next  []string // further list pages
}

func checkSelector(sel string) error {
	_, err := cascadia.ParseGroup(sel)
	return err
}

// clean collapses whitespace and NFC-normalises.
func clean(s string, trim bool) string {
	if trim {
		s = strings.Join(strings.Fields(s), " ")
	}
	return norm.NFC.String(s)
}

var urlAttrs = map[string]bool{"href": true, "src": true, "data-src": true, "data-href": true, "data-url": true, "content": false}

// resolve makes ref absolute against base; "" when it is not a usable URL.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "javascript:") || strings.HasPrefix(ref, "#") {
		return ""
	}
	u, err := base.Parse(ref)
	if err != nil {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// finish applies the regex, trimming and All/first to raw matches.
func (f *FieldSpec) finish(vals []string) string {
	trim := f.Trim == nil || *f.Trim
	var out []string
	for _, v := range vals {
		if f.re != nil {
			m := f.re.FindStringSubmatch(v)
			if m == nil {
				continue
			}
			v = m[0]
			if len(m) > 1 {
				v = m[1]
			}
		}
		v = clean(v, trim)
		if v == "" {
			continue
		}
		out = append(out, v)
		if !f.All {
			break
		}
	}
	return strings.Join(out, f.Sep)
}

// html extracts the field from sel; itemURL serves from: url.
func (f *FieldSpec) html(sel *goquery.Selection, base *url.URL, itemURL string) string {
	var vals []string
	switch {
	case f.Const != "":
		vals = []string{f.Const}
	case f.From == "url":
		vals = []string{itemURL}
	default:
		m := sel.Find(f.CSS)
		if sel.Is(f.CSS) { // the item itself matches (e.g. a.item@href)
			m = sel.AddSelection(m)
		}
		m.EachWithBreak(func(_ int, s *goquery.Selection) bool {
			var v string
			if f.Attr != "" {
				a, ok := s.Attr(f.Attr)
				if !ok {
					return true
				}
				v = a
				if urlAttrs[strings.ToLower(f.Attr)] {
					v = resolve(base, a)
				}
			} else {
				v = s.Text()
			}
			vals = append(vals, v)
			return f.All || f.re != nil || strings.TrimSpace(v) == ""
		})
	}
	return f.finish(vals)
}

// extractHTML applies rules to an HTML page.
func extractHTML(s *Site, rules *PageRules, role, pageURL string, body []byte) (extraction, error) {
	var ex extraction
	base, err := url.Parse(pageURL)
	if err != nil {
		return ex, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return ex, fmt.Errorf("parse HTML: %w", err)
	}
	ld := jsonLD(doc)
	link := func(sel *goquery.Selection, f *FieldSpec) string {
		if f == nil {
			return ""
		}
		v := f.html(sel, base, pageURL)
		if v == "" {
			return ""
		}
		return resolve(base, v)
	}
	one := func(sel *goquery.Selection, itemURL string) item {
		it := item{URL: itemURL, Role: role, Fields: map[string]string{}}
		for name, f := range rules.Fields {
			if v := f.html(sel, base, itemURL); v != "" {
				it.Fields[name] = v
			}
		}
		if s.SourceID != nil {
			it.SourceID = s.SourceID.html(sel, base, itemURL)
		}
		return it
	}
	if rules.Items != "" {
		doc.Find(rules.Items).Each(func(i int, sel *goquery.Selection) {
			l := link(sel, rules.Link)
			itemURL := l
			if itemURL == "" {
				itemURL = pageURL
			}
			it := one(sel, itemURL)
			if len(it.Fields) == 0 {
				return
			}
			if l == "" && it.SourceID == "" {
				// no page of its own: key it by page and title (or position)
				key := it.Fields["title"]
				if key == "" {
					key = strconv.Itoa(i)
				}
				it.URL = pageURL + "#" + url.PathEscape(key)
			}
			ex.Items = append(ex.Items, it)
			if l != "" && s.Detail != nil {
				ex.Links = append(ex.Links, l)
			}
		})
	} else {
		it := one(doc.Selection, pageURL)
		if len(it.Fields) > 0 {
			it.JSONLD = ld
			if len(ld) > 0 {
				fillFromJSONLD(it.Fields, ld[0])
			}
			ex.Items = append(ex.Items, it)
			if l := link(doc.Selection, rules.Link); l != "" && s.Detail != nil {
				ex.Links = append(ex.Links, l)
			}
		}
	}
	if len(ex.Items) == 0 && len(ld) > 0 {
		ex.Items = itemsFromJSONLD(s, ld, base, role)
		// A JSON-LD-only page is keyed like any other item of the site, so
		// it merges with the list entry that linked to it.
		if s.SourceID != nil {
			for i := range ex.Items {
				ex.Items[i].SourceID = s.SourceID.html(doc.Selection, base, ex.Items[i].URL)
			}
		}
	} else if rules.Items != "" && len(ld) > 0 && len(ex.Items) == 1 {
		ex.Items[0].JSONLD = ld
		fillFromJSONLD(ex.Items[0].Fields, ld[0])
	}
	for i := range ex.Items {
		if p := ex.Items[i].Fields["poster_url"]; p != "" {
			if abs := resolve(base, p); abs != "" {
				ex.Items[i].Fields["poster_url"] = abs
			}
		}
	}
	if rules.Next != nil {
		f := *rules.Next
		f.All = true
		for _, v := range strings.Split(f.html(doc.Selection, base, pageURL), f.Sep) {
			if u := resolve(base, v); u != "" {
				ex.Next = append(ex.Next, u)
			}
		}
	}
	return ex, nil
}

// extractJSON applies rules (JSON paths) to an API response.
func extractJSON(s *Site, rules *PageRules, role, pageURL string, body []byte) (extraction, error) {
	var ex extraction
	base, err := url.Parse(pageURL)
	if err != nil {
		return ex, err
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var root any
	if err := d.Decode(&root); err != nil {
		return ex, fmt.Errorf("%w: %v", errBadJSON, err)
	}
	var elems []any
	if rules.Items == "" {
		elems = []any{root}
	} else {
		p, _ := parsePath(rules.Items)
		for _, v := range p.eval(root) {
			if a, ok := v.([]any); ok {
				elems = append(elems, a...)
			} else if v != nil {
				elems = append(elems, v)
			}
		}
	}
	for i, el := range elems {
		l := ""
		if rules.Link != nil {
			l = resolve(base, rules.Link.json(el, pageURL))
		}
		itemURL := l
		if itemURL == "" {
			itemURL = pageURL
		}
		it := item{URL: itemURL, Role: role, Fields: map[string]string{}}
		for name, f := range rules.Fields {
			if v := f.json(el, itemURL); v != "" {
				it.Fields[name] = v
			}
		}
		if len(it.Fields) == 0 {
			continue
		}
		if s.SourceID != nil {
			it.SourceID = s.SourceID.json(el, itemURL)
		}
		if l == "" && it.SourceID == "" && rules.Items != "" {
			key := it.Fields["title"]
			if key == "" {
				key = strconv.Itoa(i)
			}
			it.URL = pageURL + "#" + url.PathEscape(key)
		}
		ex.Items = append(ex.Items, it)
		if l != "" && s.Detail != nil {
			ex.Links = append(ex.Links, l)
		}
	}
	if rules.Next != nil {
		if u := resolve(base, rules.Next.json(root, pageURL)); u != "" {
			ex.Next = append(ex.Next, u)
		}
	}
	return ex, nil
}

var errBadJSON = errors.New("malformed JSON")

func (f *FieldSpec) json(v any, itemURL string) string {
	var vals []string
	switch {
	case f.Const != "":
		vals = []string{f.Const}
	case f.From == "url":
		vals = []string{itemURL}
	default:
		p, _ := parsePath(f.Path)
		for _, x := range p.eval(v) {
			vals = append(vals, jsonString(x, f.Sep))
		}
	}
	return f.finish(vals)
}

// jsonString renders a JSON value as a raw string: scalars as written,
// arrays of scalars joined with sep, objects as compact JSON.
func jsonString(v any, sep string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := jsonString(e, sep); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, sep)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// jsonPath is a parsed path: a.b[0].c, a[*].b, with an optional "$." prefix.
type jsonPath []pathSeg

type pathSeg struct {
	key   string
	index int // -1: none, -2: [*]
}

func parsePath(p string) (jsonPath, error) {
	p = strings.TrimPrefix(strings.TrimPrefix(p, "$"), ".")
	if p == "" {
		return jsonPath{}, nil
	}
	var out jsonPath
	for _, part := range strings.Split(p, ".") {
		key := part
		var idx []int
		for {
			i := strings.IndexByte(key, '[')
			if i < 0 {
				break
			}
			j := strings.IndexByte(key[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("%q: unclosed [", p)
			}
			in := key[i+1 : i+j]
			rest := key[i+j+1:]
			n := -2
			if in != "*" {
				v, err := strconv.Atoi(in)
				if err != nil || v < 0 {
					return nil, fmt.Errorf("%q: bad index [%s]", p, in)
				}
				n = v
			}
			if len(idx) == 0 {
				out = append(out, pathSeg{key: key[:i], index: -1})
			}
			idx = append(idx, n)
			key = rest
			if key != "" && key[0] != '[' {
				return nil, fmt.Errorf("%q: text after ]", p)
			}
		}
		if len(idx) == 0 {
			if key == "" {
				return nil, fmt.Errorf("%q: empty segment", p)
			}
			out = append(out, pathSeg{key: key, index: -1})
			continue
		}
		for _, n := range idx {
			out = append(out, pathSeg{index: n})
		}
	}
	return out, nil
}

// eval returns every value the path reaches from v.
func (p jsonPath) eval(v any) []any {
	cur := []any{v}
	for _, s := range p {
		var next []any
		for _, c := range cur {
			switch {
			case s.key != "":
				if m, ok := c.(map[string]any); ok {
					if x, ok := m[s.key]; ok {
						next = append(next, x)
					}
				}
			case s.index == -2:
				if a, ok := c.([]any); ok {
					next = append(next, a...)
				}
			case s.index >= 0:
				if a, ok := c.([]any); ok && s.index < len(a) {
					next = append(next, a[s.index])
				}
			default:
				next = append(next, c)
			}
		}
		cur = next
	}
	return cur
}
