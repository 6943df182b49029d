package crawl

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestExtractHTMLFieldSpecs(t *testing.T) {
	nfd := norm.NFD.String("뮤지컬 〈영웅〉")
	page := `<html><body><ul>
<li data-id="7"><a class="t" href="../show/7.html">  ` + nfd + `
  </a><span class="p">R석 90,000원</span><span class="p">S석 70,000원</span><img src="/p/7.jpg"></li>
</ul></body></html>`
	s := &Site{Name: "x", Kind: "performance", StartURLs: []string{"http://x.test/a/list.html"},
		List: &PageRules{Items: "li", Fields: map[string]FieldSpec{
			"title":      {CSS: "a.t"},
			"price":      {CSS: ".p", All: true, Sep: " / "},
			"low":        {CSS: ".p", Regex: `S석 ([\d,]+)`},
			"poster_url": {CSS: "img", Attr: "src"},
			"self_id":    {CSS: "li", Attr: "data-id"},
			"page":       {From: "url"},
			"fixed":      {Const: "고정"},
		}, Link: &FieldSpec{CSS: "a.t", Attr: "href"}},
		Detail: &PageRules{Fields: map[string]FieldSpec{"title": {CSS: "h1"}}},
	}
	if err := s.validate(); err != nil {
		t.Fatal(err)
	}
	ex, err := extractHTML(s, s.List, roleList, "http://x.test/a/list.html", []byte(page))
	if err != nil || len(ex.Items) != 1 {
		t.Fatalf("items %+v, err %v", ex.Items, err)
	}
	got := ex.Items[0].Fields
	want := map[string]string{
		"title":      "뮤지컬 〈영웅〉", // NFC, whitespace collapsed
		"price":      "R석 90,000원 / S석 70,000원",
		"low":        "70,000",
		"poster_url": "http://x.test/p/7.jpg",
		"self_id":    "7",
		"page":       "http://x.test/show/7.html",
		"fixed":      "고정",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if !norm.NFC.IsNormalString(got["title"]) {
		t.Error("title is not NFC")
	}
	if len(ex.Links) != 1 || ex.Links[0] != "http://x.test/show/7.html" {
		t.Errorf("links = %v", ex.Links)
	}
}

func TestJSONPaths(t *testing.T) {
	var doc any
	_ = json.Unmarshal([]byte(`{"data":{"items":[{"n":"가","tags":["a","b"]},{"n":"나","tags":[]}]},"x":[[1,2],[3]]}`), &doc)
	tests := []struct {
		path string
		want string
	}{
		{"data.items[0].n", "가"},
		{"$.data.items[1].n", "나"},
		{"data.items[*].n", "가|나"},
		{"data.items[0].tags", "a, b"},
		{"x[1][0]", "3"},
		{"data.missing", ""},
		{"data.items[5].n", ""},
	}
	for _, tc := range tests {
		p, err := parsePath(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		var parts []string
		for _, v := range p.eval(doc) {
			parts = append(parts, jsonString(v, ", "))
		}
		if got := strings.Join(parts, "|"); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.path, got, tc.want)
		}
	}
	for _, bad := range []string{"a[", "a[x]", "a..b", "a[0]b"} {
		if _, err := parsePath(bad); err == nil {
			t.Errorf("parsePath(%q) accepted", bad)
		}
	}
}

func TestJSONLDFieldsAndTypes(t *testing.T) {
	raw := json.RawMessage(`{"@type":["Event","TheaterEvent"],"name":"햄릿","startDate":"2026-12-10",
		"location":{"name":"국립극장","address":{"addressRegion":"서울특별시","addressLocality":"중구","streetAddress":"장충단로 59"}},
		"offers":{"lowPrice":30000,"highPrice":60000,"priceCurrency":"KRW"},"performer":[{"name":"강필석"},"이자람"],
		"image":{"url":"https://img.test/h.jpg"},"duration":"PT150M","typicalAgeRange":"14-"}`)
	f, _ := fieldsFromJSONLD(raw)
	want := map[string]string{"title": "햄릿", "start_date": "2026-12-10", "venue": "국립극장", "region": "서울특별시",
		"address": "서울특별시 중구 장충단로 59", "price": "30000-60000 KRW", "artists": "강필석, 이자람",
		"poster_url": "https://img.test/h.jpg", "runtime": "PT150M", "age_rating": "14-"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	for typ, want := range map[string]bool{`"SportsEvent"`: true, `"Movie"`: true, `"https://schema.org/ScreeningEvent"`: true, `"Organization"`: false, `["WebPage"]`: false} {
		var v any
		_ = json.Unmarshal([]byte(typ), &v)
		if isEventType(v) != want {
			t.Errorf("isEventType(%s) = %v", typ, !want)
		}
	}
}

// A detail page that holds only JSON-LD is keyed by the site's source_id
// rule (so it merges with the list entry that linked to it), and its image
// is resolved against the page.
func TestJSONLDOnlyPageTakesSiteSourceID(t *testing.T) {
	page := `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"SportsEvent","name":"K리그1 개막전","startDate":"2027-03-01T14:00:00+09:00","image":"/posters/501.png","location":{"@type":"Place","name":"울산문수축구경기장"}}</script></head><body><div id="app"></div></body></html>`
	s := &Site{Name: "games", Kind: "sports", StartURLs: []string{"http://g.test/list.html"},
		SourceID: &FieldSpec{From: "url", Regex: `game-(\d+)\.html$`},
		List: &PageRules{Items: "li", Fields: map[string]FieldSpec{"title": {CSS: "a"}},
			Link: &FieldSpec{CSS: "a", Attr: "href"}},
		Detail: &PageRules{Fields: map[string]FieldSpec{"heading": {CSS: "h1"}}},
	}
	if err := s.validate(); err != nil {
		t.Fatal(err)
	}
	ex, err := extractHTML(s, s.Detail, roleDetail, "http://g.test/sports/game-501.html", []byte(page))
	if err != nil || len(ex.Items) != 1 {
		t.Fatalf("items %+v, err %v", ex.Items, err)
	}
	it := ex.Items[0]
	if it.SourceID != "501" {
		t.Errorf("source_id = %q, want 501 (the site's rule)", it.SourceID)
	}
	if got := it.Fields["poster_url"]; got != "http://g.test/posters/501.png" {
		t.Errorf("poster_url = %q, want it resolved against the page", got)
	}
	if it.Fields["title"] != "K리그1 개막전" {
		t.Errorf("title = %q", it.Fields["title"])
	}
}
