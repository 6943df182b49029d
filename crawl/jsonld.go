package crawl

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// jsonLD returns the schema.org event and movie objects of the page's
// <script type="application/ld+json"> blocks, compacted but otherwise
// verbatim. Blocks that are not valid JSON are ignored.
func jsonLD(doc *goquery.Document) []json.RawMessage {
	var out []json.RawMessage
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		collectLD(json.RawMessage(strings.TrimSpace(s.Text())), &out, 0)
	})
	return out
}

func collectLD(raw json.RawMessage, out *[]json.RawMessage, depth int) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || depth > 4 {
		return
	}
	switch raw[0] {
	case '[':
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			for _, e := range list {
				collectLD(e, out, depth+1)
			}
		}
	case '{':
		var head struct {
			Type  any               `json:"@type"`
			Graph []json.RawMessage `json:"@graph"`
		}
		if json.Unmarshal(raw, &head) != nil {
			return
		}
		for _, g := range head.Graph {
			collectLD(g, out, depth+1)
		}
		if isEventType(head.Type) {
			var b bytes.Buffer
			if json.Compact(&b, raw) == nil {
				*out = append(*out, json.RawMessage(b.Bytes()))
			}
		}
	}
}

// isEventType accepts Event and its subtypes (TheaterEvent, SportsEvent,
// ScreeningEvent, MusicEvent, ExhibitionEvent, ...), Festival and Movie.
func isEventType(t any) bool {
	switch v := t.(type) {
	case string:
		v = strings.TrimPrefix(strings.TrimPrefix(v, "http://schema.org/"), "https://schema.org/")
		v = strings.TrimPrefix(v, "schema:")
		return v == "Event" || strings.HasSuffix(v, "Event") || v == "Festival" || v == "Movie"
	case []any:
		for _, e := range v {
			if isEventType(e) {
				return true
			}
		}
	}
	return false
}

// fieldsFromJSONLD maps one schema.org object to Release field names,
// keeping the raw values.
func fieldsFromJSONLD(raw json.RawMessage) (map[string]string, string) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if d.Decode(&m) != nil {
		return nil, ""
	}
	f := map[string]string{}
	set := func(k, v string) {
		if v = clean(v, true); v != "" && f[k] == "" {
			f[k] = v
		}
	}
	set("title", ldText(m["name"]))
	set("original_title", ldText(m["alternateName"]))
	set("start_date", ldText(m["startDate"]))
	set("end_date", ldText(m["endDate"]))
	set("release_date", ldText(m["datePublished"]))
	set("description", ldText(m["description"]))
	set("genres", ldText(m["genre"]))
	set("age_rating", ldText(m["contentRating"]))
	set("age_rating", ldText(m["typicalAgeRange"]))
	set("runtime", ldText(m["duration"]))
	set("poster_url", ldURL(m["image"]))
	set("cast", ldNames(m["actor"]))
	set("artists", ldNames(m["performer"]))
	if loc, ok := first(m["location"]).(map[string]any); ok {
		set("venue", ldText(loc["name"]))
		switch a := loc["address"].(type) {
		case string:
			set("address", a)
		case map[string]any:
			set("region", ldText(a["addressRegion"]))
			parts := []string{ldText(a["addressRegion"]), ldText(a["addressLocality"]), ldText(a["streetAddress"])}
			set("address", strings.Join(parts, " "))
		}
	} else {
		set("venue", ldText(m["location"]))
	}
	set("price", ldPrice(m["offers"]))
	return f, ldText(m["url"])
}

func first(v any) any {
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return nil
		}
		return a[0]
	}
	return v
}

func ldText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case []any:
		var parts []string
		for _, e := range x {
			if s := ldText(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if n := ldText(x["name"]); n != "" {
			return n
		}
		return ldText(x["@value"])
	}
	return ""
}

func ldURL(v any) string {
	switch x := first(v).(type) {
	case string:
		return x
	case map[string]any:
		if u := ldText(x["url"]); u != "" {
			return u
		}
		return ldText(x["contentUrl"])
	}
	return ""
}

func ldNames(v any) string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if n := ldText(x["name"]); n != "" {
				out = append(out, n)
			}
		case string:
			out = append(out, x)
		}
	}
	walk(v)
	return strings.Join(out, ", ")
}

func ldPrice(v any) string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			p := ldText(x["price"])
			if p == "" {
				if lo, hi := ldText(x["lowPrice"]), ldText(x["highPrice"]); lo != "" || hi != "" {
					p = strings.Trim(lo+"-"+hi, "-")
				}
			}
			if p == "" {
				return
			}
			if c := ldText(x["priceCurrency"]); c != "" {
				p += " " + c
			}
			if n := ldText(x["name"]); n != "" {
				p = n + " " + p
			}
			out = append(out, p)
		}
	}
	walk(v)
	return strings.Join(out, ", ")
}

// fillFromJSONLD adds the fields that CSS rules did not find.
func fillFromJSONLD(fields map[string]string, raw json.RawMessage) {
	ld, _ := fieldsFromJSONLD(raw)
	for k, v := range ld {
		if fields[k] == "" {
			fields[k] = v
		}
	}
}

// itemsFromJSONLD makes one item per schema.org object of a page whose
// rules found nothing (JSON-LD-only pages).
func itemsFromJSONLD(s *Site, ld []json.RawMessage, base *url.URL, role string) []item {
	var out []item
	for _, raw := range ld {
		fields, u := fieldsFromJSONLD(raw)
		if len(fields) == 0 {
			continue
		}
		itemURL := base.String()
		if r := resolve(base, u); r != "" {
			itemURL = r
		} else if len(ld) > 1 {
			itemURL = base.String() + "#" + url.PathEscape(fields["title"]+"|"+fields["start_date"])
		}
		it := item{URL: itemURL, Role: role, Fields: fields, JSONLD: []json.RawMessage{raw}}
		out = append(out, it)
	}
	return out
}
