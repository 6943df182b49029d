package crawl

import (
	"errors"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
)

func TestParseSitesRejectsBadDefinitionsNamingSiteAndKey(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"unknown key", `
- name: a
  kind: movie
  start_urls: [http://a.test/]
  list: {fields: {title: h1}}
  colour: red`, []string{`site "a"`, "colour", "unknown key"}},
		{"bad kind", `
- name: b
  kind: opera
  start_urls: [http://b.test/]
  list: {fields: {title: h1}}`, []string{`site "b"`, "kind"}},
		{"missing start URLs", `
- name: c
  kind: movie
  list: {fields: {title: h1}}`, []string{`site "c"`, "start_urls"}},
		{"relative start URL", `
- name: d
  kind: movie
  start_urls: [/list.html]
  list: {fields: {title: h1}}`, []string{`site "d"`, "start_urls[0]"}},
		{"bad regex", `
- name: e
  kind: movie
  start_urls: [http://e.test/]
  list: {fields: {title: {css: h1, regex: "("}}}`, []string{`site "e"`, "list.fields.title.regex"}},
		{"bad CSS selector", `
- name: f
  kind: movie
  start_urls: [http://f.test/]
  list:
    fields:
      title: "h1[["`, []string{`site "f"`, "list.fields.title.css"}},
		{"browser without wait_for", `
- name: g
  kind: movie
  render: browser
  start_urls: [http://g.test/]
  list: {fields: {title: h1}}`, []string{`site "g"`, "wait_for"}},
		{"bad render", `
- name: h
  kind: movie
  render: pdf
  start_urls: [http://h.test/]
  list: {fields: {title: h1}}`, []string{`site "h"`, "render"}},
		{"link without detail", `
- name: i
  kind: movie
  start_urls: [http://i.test/]
  list: {fields: {title: h1}, link: a@href}`, []string{`site "i"`, "detail"}},
		{"bad duration", `
- name: j
  kind: movie
  start_urls: [http://j.test/]
  timeout: soon
  list: {fields: {title: h1}}`, []string{`site "j"`, "soon"}},
		{"duplicate names", `
- {name: k, kind: movie, start_urls: [http://k.test/], list: {fields: {title: h1}}}
- {name: k, kind: movie, start_urls: [http://k.test/], list: {fields: {title: h1}}}`, []string{`site "k"`, "duplicate"}},
		{"unnamed site", `
- kind: movie
  start_urls: [http://k.test/]
  list: {fields: {title: h1}}`, []string{"site #1", "name"}},
		{"bad api path", `
- name: l
  kind: exhibition
  render: api
  start_urls: [http://l.test/]
  list: {items: "data[x]", fields: {title: title}}`, []string{`site "l"`, "list.items"}},
		{"empty keyword", `
- name: m
  kind: movie
  start_urls: [http://m.test/]
  include: [" "]
  list: {fields: {title: h1}}`, []string{`site "m"`, "include[0]"}},
		{"not a list", `sites: {name: x}`, []string{"list"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSites([]byte(tc.yaml), "sites.yaml")
			if !errors.Is(err, catalog.ErrUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "sites.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestParseSitesDefaultsAndShorthands(t *testing.T) {
	sites, err := ParseSites([]byte(`
sites:
  - name: cgv
    kind: movie
    start_urls: ["https://www.cgv.test/movies?date={date_compact}", "https://m.cgv.test/list"]
    rate: {delay: 1500ms, jitter: 500ms}
    list:
      items: li.movie
      fields:
        title: strong.title
        poster_url: img@src
`), "x")
	if err != nil {
		t.Fatal(err)
	}
	s := sites[0]
	if s.Render != RenderStatic || !*s.Robots || s.Rate.Parallelism != 2 || s.Rate.Delay != 1500*time.Millisecond ||
		s.Timeout != 30*time.Second || s.MaxPages != 10000 || s.Retries != 4 || *s.PageStart != 1 {
		t.Errorf("defaults not applied: %+v", s)
	}
	if got := strings.Join(s.AllowedDomains, ","); got != "www.cgv.test,m.cgv.test" {
		t.Errorf("allowed domains = %s", got)
	}
	if f := s.List.Fields["poster_url"]; f.CSS != "img" || f.Attr != "src" {
		t.Errorf("shorthand img@src = %+v", f)
	}
	if got := expandTemplate(s.StartURLs[0], testDate, 1); got != "https://www.cgv.test/movies?date=20261126" {
		t.Errorf("template = %s", got)
	}
}

func TestCanonicalURLAndIDs(t *testing.T) {
	tests := []struct{ a, b string }{
		{"HTTP://Tickets.TEST:80/show?b=2&a=1&utm_source=x#top", "http://tickets.test/show?a=1&b=2"},
		{"https://t.test", "https://t.test/"},
		{"https://t.test:443/a?fbclid=1", "https://t.test/a"},
	}
	for _, tc := range tests {
		if got := canonicalURL(tc.a, false); got != tc.b {
			t.Errorf("canonicalURL(%q) = %q, want %q", tc.a, got, tc.b)
		}
	}
	if urlID("http://T.test/a?x=1&utm_medium=y") != urlID("http://t.test/a?x=1") {
		t.Error("urlID differs for the same canonical URL")
	}
	if urlID("http://t.test/a#1") == urlID("http://t.test/a#2") {
		t.Error("urlID ignores the fragment that keys page-less items")
	}
}

func TestKeywordFilter(t *testing.T) {
	f := newKeywordFilter([]string{"뮤지컬", "Opera"}, []string{"취소"})
	tests := []struct {
		fields map[string]string
		keep   bool
	}{
		{map[string]string{"title": "뮤지컬 〈영웅〉"}, true},
		{map[string]string{"title": "La Traviata", "genres": "OPERA"}, true},
		{map[string]string{"title": "연극 〈햄릿〉"}, false},
		{map[string]string{"title": "뮤지컬 〈영웅〉 공연 취소"}, false},
		// NFD input (decomposed Hangul) still matches the NFC keyword
		{map[string]string{"title": "\u1106\u1172\u110c\u1175\u11a8\u1112\u1165\u11af"}, false},
	}
	for _, tc := range tests {
		if got := f.keep(tc.fields); got != tc.keep {
			t.Errorf("keep(%v) = %v, want %v", tc.fields, got, tc.keep)
		}
	}
}
