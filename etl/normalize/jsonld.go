package normalize

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"marquee/internal/catalog"
)

// ldKinds maps schema.org types to release kinds.
var ldKinds = map[string]catalog.Kind{
	"Movie": catalog.KindMovie, "ScreeningEvent": catalog.KindMovie,
	"TheaterEvent": catalog.KindPerformance, "MusicEvent": catalog.KindPerformance, "DanceEvent": catalog.KindPerformance,
	"ComedyEvent": catalog.KindPerformance, "Event": catalog.KindPerformance, "Festival": catalog.KindPerformance,
	"ChildrensEvent": catalog.KindPerformance, "PerformingArtsEvent": catalog.KindPerformance,
	"SportsEvent": catalog.KindSports, "ExhibitionEvent": catalog.KindExhibition, "VisualArtsEvent": catalog.KindExhibition,
}

// LD is what a schema.org object says about a release, as field texts with
// the raw record's field names, plus structured offers and its kind.
type LD struct {
	Kind   catalog.Kind
	Fields map[string]string
	Prices []catalog.Price
}

// ParseJSONLD reads the first schema.org Event, Movie or similar object of
// objs (objects, arrays and @graph wrappers). It returns a nil *LD when none
// is found; a JSON-LD block that is not JSON is an error (the caller records
// it and goes on).
func ParseJSONLD(objs []json.RawMessage) (*LD, error) {
	var firstErr error
	for _, raw := range objs {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%w: jsonld: %v", ErrUnparsed, err)
			}
			continue
		}
		if obj := findLD(v, 0); obj != nil {
			return ldFromObject(obj), firstErr
		}
	}
	return nil, firstErr
}

func findLD(v any, depth int) map[string]any {
	if depth > 4 {
		return nil
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if o := findLD(e, depth+1); o != nil {
				return o
			}
		}
	case map[string]any:
		if _, ok := ldKind(x); ok {
			return x
		}
		if g, ok := x["@graph"]; ok {
			return findLD(g, depth+1)
		}
	}
	return nil
}

func ldKind(o map[string]any) (catalog.Kind, bool) {
	for _, t := range ldStrings(o["@type"]) {
		t = strings.TrimPrefix(strings.TrimPrefix(t, "http://schema.org/"), "https://schema.org/")
		if k, ok := ldKinds[t]; ok {
			return k, true
		}
	}
	return "", false
}

func ldFromObject(o map[string]any) *LD {
	ld := &LD{Fields: map[string]string{}}
	ld.Kind, _ = ldKind(o)
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" && ld.Fields[k] == "" {
			ld.Fields[k] = v
		}
	}
	set("title", ldString(o["name"]))
	set("original_title", ldString(o["alternateName"]))
	set("start_date", ldString(o["startDate"]))
	set("end_date", ldString(o["endDate"]))
	if ld.Kind == catalog.KindMovie {
		set("release_date", ldString(o["datePublished"]))
		set("release_date", ldString(o["dateCreated"]))
	}
	set("description", ldString(o["description"]))
	set("genres", strings.Join(ldStrings(o["genre"]), ", "))
	set("runtime", ldString(o["duration"]))
	set("age_rating", ldString(o["contentRating"]))
	set("age_rating", ldString(o["typicalAgeRange"]))
	set("poster_url", ldURL(o["image"]))
	set("url", ldString(o["url"]))
	set("cast", strings.Join(ldNames(o["actor"]), ", "))
	set("cast", strings.Join(ldNames(o["actors"]), ", "))
	set("artists", strings.Join(ldNames(o["performer"]), ", "))
	set("artists", strings.Join(append(ldNames(o["homeTeam"]), ldNames(o["awayTeam"])...), ", "))
	set("locale", ldString(o["inLanguage"]))
	if w, ok := o["workPresented"].(map[string]any); ok { // ScreeningEvent → Movie
		set("title", ldString(w["name"]))
		set("genres", strings.Join(ldStrings(w["genre"]), ", "))
		set("runtime", ldString(w["duration"]))
		set("cast", strings.Join(ldNames(w["actor"]), ", "))
	}
	for _, loc := range ldObjects(o["location"]) {
		set("venue", ldString(loc["name"]))
		switch a := loc["address"].(type) {
		case string:
			set("address", a)
		case map[string]any:
			parts := []string{ldString(a["addressRegion"]), ldString(a["addressLocality"]), ldString(a["streetAddress"])}
			if c := ldString(a["addressCountry"]); c != "" && !strings.EqualFold(c, "KR") && !strings.Contains(c, "Korea") && c != "대한민국" {
				parts = append(parts, c)
			}
			set("address", strings.Join(nonEmpty(parts), " "))
		}
		break
	}
	if s, ok := o["location"].(string); ok {
		set("venue", s)
	}
	for _, of := range ldObjects(o["offers"]) {
		cur := strings.ToUpper(ldString(of["priceCurrency"]))
		if cur == "" {
			cur = "KRW"
		}
		grade := Text(ldString(of["name"]))
		if grade == "" {
			grade = Text(ldString(of["category"]))
		}
		if p, ok := ldNumber(of["price"]); ok {
			if grade == "" {
				grade = "전석"
			}
			ld.Prices = append(ld.Prices, catalog.Price{Grade: grade, Amount: p, Currency: cur})
			continue
		}
		lo, okLo := ldNumber(of["lowPrice"])
		hi, okHi := ldNumber(of["highPrice"])
		if okLo {
			ld.Prices = append(ld.Prices, catalog.Price{Grade: strings.TrimSpace(grade + " 최저"), Amount: lo, Currency: cur})
		}
		if okHi && hi != lo {
			ld.Prices = append(ld.Prices, catalog.Price{Grade: strings.TrimSpace(grade + " 최고"), Amount: hi, Currency: cur})
		}
	}
	return ld
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	case map[string]any:
		if s := ldString(x["name"]); s != "" {
			return s
		}
		return ldString(x["@value"])
	}
	return ""
}

func ldStrings(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			if s := ldString(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	default:
		if s := ldString(v); s != "" {
			return []string{s}
		}
	}
	return nil
}

func ldObjects(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func ldNames(v any) []string { return ldStrings(v) }

func ldURL(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		for _, e := range x {
			if u := ldURL(e); u != "" {
				return u
			}
		}
	case map[string]any:
		if u := ldString(x["url"]); u != "" {
			return u
		}
		return ldString(x["contentUrl"])
	}
	return ""
}

func ldNumber(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x < 0 || x > 1e8 {
			return 0, false
		}
		return int64(x + 0.5), true
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(x), ",", "")
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 1e8 {
			return int64(f + 0.5), true
		}
	}
	return 0, false
}
