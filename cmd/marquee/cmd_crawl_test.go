package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCrawlCommand runs `marquee crawl` in-process against a small site:
// argv → job → summary line, lake partition and exit codes.
func TestCrawlCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/list.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<ul><li><a href="/s/1.html">뮤지컬 〈영웅〉</a></li><li><a href="/s/2.html">연극 〈햄릿〉</a></li></ul>`)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<h1>공연 %s</h1><p class="v">예술의전당</p>`, r.URL.Path)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	sites := filepath.Join(dir, "sites.yaml")
	def := `
- name: mini
  kind: performance
  start_urls: ["` + srv.URL + `/list.html"]
  source_id: {from: url, regex: '/s/(\d+)'}
  rate: {delay: 0s}
  list: {items: li, fields: {title: a}, link: a@href}
  detail: {fields: {title: h1, venue: .v}}
`
	if err := os.WriteFile(sites, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MARQUEE_CONFIG", "/nonexistent")
	data := filepath.Join(dir, "data")
	run := func(args ...string) (int, map[string]any, string) {
		var out, errb bytes.Buffer
		all := append([]string{"crawl", "--data-dir", data, "--date", "2026-11-26"}, args...)
		code := Main(all, &out, &errb)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var s map[string]any
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
		return code, s, errb.String()
	}

	t.Run("crawls the site into its raw partition", func(t *testing.T) {
		code, s, stderr := run("--sites", sites)
		if code != 0 || s["written"] != float64(2) {
			t.Fatalf("exit %d, summary %v\n%s", code, s, stderr)
		}
		part := filepath.Join(data, "lake", "raw", "releases", "source=mini", "dt=2026-11-26", "_manifest.json")
		if _, err := os.Stat(part); err != nil {
			t.Errorf("no committed partition: %v", err)
		}
	})
	t.Run("sites file from the environment", func(t *testing.T) {
		t.Setenv("MARQUEE_SITES", sites)
		if code, s, stderr := run(); code != 0 || s["written"] != float64(2) {
			t.Fatalf("exit %d, summary %v\n%s", code, s, stderr)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"unknown site is a usage error", []string{"--sites", sites, "--site", "nope"}, 2},
		{"missing sites file is a usage error", []string{"--sites", filepath.Join(dir, "none.yaml")}, 2},
		{"no sites configured is a usage error", nil, 2},
		{"bad shard is a usage error", []string{"--sites", sites, "--shard", "3/2"}, 2},
		{"an empty shard has nothing to do", []string{"--sites", sites, "--shard", "1/2"}, 99},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, s, stderr := run(tc.args...); code != tc.code {
				t.Errorf("exit %d, want %d; summary %v\n%s", code, tc.code, s, stderr)
			}
		})
	}
}
