package crawl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/internal/job"
	"marquee/internal/testenv"
)

func TestRunBrowserRendersJavaScriptList(t *testing.T) {
	chromium := testenv.Chromium(t)
	f := newFixture(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	sites, err := ParseSites([]byte(`
- name: jsapp
  kind: movie
  render: browser
  start_urls: ["`+f.srv.URL+`/jsapp/never.html", "`+f.srv.URL+`/jsapp/index.html"]
  wait_for: "#list li"
  timeout: 3s
  retries: 1
  source_id: {css: li, attr: data-id}
  rate: {delay: 0s, parallelism: 1}
  list:
    items: "#list li"
    fields: {title: .t, release_date: .d, age_rating: .r}
`), "js.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(f, sites...)
	opts.ChromiumPath, opts.Tabs = chromium, 1
	store := newStore(t)
	sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), opts, store)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	recs := readRaw(t, store, "jsapp")
	t.Run("the list built after a delay is extracted", func(t *testing.T) {
		if len(recs) != 3 {
			t.Fatalf("records = %d, want 3: %+v", len(recs), recs)
		}
		if recs[0].SourceID != "M1001" || recs[0].Fields["title"] != "노량: 죽음의 바다 2" || recs[0].Render != "browser" {
			t.Errorf("first record = %+v", recs[0])
		}
	})
	t.Run("a tab that timed out is replaced", func(t *testing.T) {
		st := sum.Details["sites"].(map[string]*SiteStats)["jsapp"]
		if st.PagesFailed != 1 || st.PagesFetched != 1 {
			t.Errorf("failed %d fetched %d, want 1 and 1 (one tab)", st.PagesFailed, st.PagesFetched)
		}
	})
	t.Run("the browser's temporary profile is removed", func(t *testing.T) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			m, _ := filepath.Glob(filepath.Join(tmp, "marquee-chromium-*"))
			if len(m) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("left behind: %v", m)
			}
			time.Sleep(20 * time.Millisecond)
		}
		entries, _ := os.ReadDir(tmp)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "marquee-chromium-") {
				t.Errorf("left behind: %s", e.Name())
			}
		}
	})
}

func TestRunWithoutChromiumFailsOnlyBrowserSites(t *testing.T) {
	f := newFixture(t)
	sites, err := ParseSites([]byte(`
- name: jsapp
  kind: movie
  render: browser
  start_urls: ["`+f.srv.URL+`/jsapp/index.html"]
  wait_for: "#list li"
  list: {items: "#list li", fields: {title: .t}}
`), "js.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(f, append(sites, site(t, fixtureSites(t), "legacy"))...)
	opts.ChromiumPath = filepath.Join(t.TempDir(), "no-chromium")
	store := newStore(t)
	_, err = Run(context.Background(), job.TestEnv("crawl", testDate), opts, store)
	if job.ExitCode(err) != job.ExitUnavailable || !strings.Contains(err.Error(), "jsapp") {
		t.Fatalf("err = %v, want exit 4 naming jsapp", err)
	}
	if len(readRaw(t, store, "legacy")) != 3 {
		t.Error("the static site was not committed")
	}
}
