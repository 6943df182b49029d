package crawl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var testDate = catalog.Date{Year: 2026, Month: 11, Day: 26}

func fixtureSites(t testing.TB) []Site {
	t.Helper()
	sites, err := LoadSites(filepath.Join("testdata", "sites.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sites
}

func site(t testing.TB, sites []Site, name string) Site {
	t.Helper()
	for _, s := range sites {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no site %q", name)
	return Site{}
}

// testOptions are fast retry settings against the fixture.
func testOptions(f *fixture, sites ...Site) Options {
	return Options{
		Sites: sites, HTTPClient: f.client(), UserAgent: "marquee-test/1.0",
		Backoff:         job.Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		BreakerCooldown: time.Hour,
	}
}

func newStore(t testing.TB) *lake.LocalStore {
	t.Helper()
	s, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readRaw returns the committed records of a site's partition.
func readRaw(t testing.TB, s lake.Store, site string) []catalog.RawRecord {
	t.Helper()
	dir := lake.PartitionPath(lake.ZoneRawReleases+"/source="+site, testDate)
	var out []catalog.RawRecord
	err := lake.ScanPartition(context.Background(), s, dir, func(o lake.Origin, line []byte, lerr error) error {
		if lerr != nil {
			return lerr
		}
		var r catalog.RawRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return out
}

func encodeRecords(recs []catalog.RawRecord) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		_ = enc.Encode(r)
	}
	return b.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n got: %s\nwant: %s", name, got, want)
	}
}

func TestRunFixtureSitesMatchGolden(t *testing.T) {
	f := newFixture(t)
	store := newStore(t)
	env := job.TestEnv("crawl", testDate)
	sum, err := Run(context.Background(), env, testOptions(f, fixtureSites(t)...), store)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, name := range []string{"tickets", "legacy", "exhibitions", "games"} {
		t.Run(name, func(t *testing.T) {
			recs := readRaw(t, store, name)
			if len(recs) == 0 {
				t.Fatal("no records")
			}
			checkGolden(t, name+".jsonl", encodeRecords(recs))
		})
	}
	stats := sum.Details["sites"].(map[string]*SiteStats)

	t.Run("robots disallow is counted and never fetched", func(t *testing.T) {
		if got := stats["tickets"].PagesDisallowed; got != 1 {
			t.Errorf("tickets pages_disallowed = %d, want 1", got)
		}
		if n := f.count("tickets/private/107.html"); n != 0 {
			t.Errorf("disallowed page fetched %d times", n)
		}
		if n := f.count("tickets/robots.txt"); n != 1 {
			t.Errorf("robots.txt fetched %d times, want once per run", n)
		}
	})
	t.Run("duplicates across list pages merge into one record", func(t *testing.T) {
		recs := readRaw(t, store, "tickets")
		n := 0
		for _, r := range recs {
			if r.SourceID == "102" {
				n++
				if r.Fields["cast"] == "" || r.Fields["title"] != "연극 〈햄릿〉" {
					t.Errorf("102 not merged with its detail page: %v", r.Fields)
				}
			}
		}
		if n != 1 {
			t.Errorf("source_id 102 appears %d times, want 1", n)
		}
		if stats["tickets"].Duplicates == 0 {
			t.Error("no duplicates counted")
		}
		if n := f.count("tickets/show/102.html"); n != 1 {
			t.Errorf("detail 102 fetched %d times, want 1", n)
		}
	})
	t.Run("malformed HTML still extracts", func(t *testing.T) {
		for _, r := range readRaw(t, store, "tickets") {
			if r.SourceID == "105" {
				if r.Fields["venue"] != "광림아트센터 BBCH홀" || r.Fields["description"] == "" {
					t.Errorf("105 fields = %v", r.Fields)
				}
				return
			}
		}
		t.Error("no record 105")
	})
	t.Run("EUC-KR pages are decoded from meta and header", func(t *testing.T) {
		for _, r := range readRaw(t, store, "legacy") {
			if r.SourceID == "2" {
				if r.Fields["title"] != "파묘: 두 번째 무덤" || r.Fields["age_rating"] != "청소년관람불가" || r.Fields["cast"] != "최민식, 김고은" {
					t.Errorf("legacy 2 fields = %v", r.Fields)
				}
				return
			}
		}
		t.Error("no legacy record 2")
	})
	t.Run("API paging stops at the first empty page and excludes keywords", func(t *testing.T) {
		recs := readRaw(t, store, "exhibitions")
		if len(recs) != 4 {
			t.Errorf("exhibitions records = %d, want 4 (5 minus the excluded 취소)", len(recs))
		}
		if stats["exhibitions"].Filtered != 1 {
			t.Errorf("filtered = %d, want 1", stats["exhibitions"].Filtered)
		}
		if n := f.count("api/page-5.json"); n != 0 {
			t.Errorf("paged past the empty page")
		}
	})
	t.Run("JSON-LD-only pages give records", func(t *testing.T) {
		recs := readRaw(t, store, "games")
		if len(recs) != 3 {
			t.Fatalf("games records = %d, want 3", len(recs))
		}
		for _, r := range recs {
			if r.Fields["title"] == "" || r.Fields["start_date"] == "" || len(r.JSONLD) != 1 {
				t.Errorf("record %s: fields %v, %d jsonld", r.URL, r.Fields, len(r.JSONLD))
			}
		}
	})
	t.Run("summary counts", func(t *testing.T) {
		if sum.Written == 0 || sum.Read < sum.Written || len(sum.Outputs) != 4 {
			t.Errorf("summary = %+v", sum)
		}
	})
	t.Run("checkpoints are cleared after commit", func(t *testing.T) {
		objs, err := store.List(context.Background(), StateZone+"/")
		if err != nil || len(objs) != 0 {
			t.Errorf("state left: %v %v", objs, err)
		}
	})
}

func TestRunEdgeCases(t *testing.T) {
	f := newFixture(t)
	store := newStore(t)
	sites, err := ParseSites([]byte(`
- name: edge
  kind: performance
  start_urls: ["http://edge.test/list.html"]
  rate: {delay: 0s, parallelism: 2}
  max_bytes: 1048576
  retries: 3
  list:
    items: li
    fields: {title: a}
    link: a@href
  detail:
    fields: {title: h1, date_text: .when}
`), "edge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(f, sites...)
	start := time.Now()
	sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), opts, store)
	if err != nil {
		t.Fatalf("Run: %v (a site with some good pages must not fail)", err)
	}
	st := sum.Details["sites"].(map[string]*SiteStats)["edge"]
	recs := readRaw(t, store, "edge")
	byTitle := map[string]catalog.RawRecord{}
	for _, r := range recs {
		byTitle[r.Fields["title"]] = r
	}
	t.Run("503 then success is retried", func(t *testing.T) {
		if _, ok := byTitle["503 뒤 성공"]; !ok {
			t.Errorf("no record from the retried 503 page: %v", recs)
		}
	})
	t.Run("429 waits for Retry-After", func(t *testing.T) {
		if _, ok := byTitle["429 뒤 성공"]; !ok {
			t.Fatal("no record from the retried 429 page")
		}
		f.mu.Lock()
		ts := f.times["edge/retry429.html"]
		f.mu.Unlock()
		if len(ts) != 2 || ts[1].Sub(ts[0]) < 900*time.Millisecond {
			t.Errorf("429 retried after %v (hits %d), want ≥ 1s", ts[len(ts)-1].Sub(ts[0]), len(ts))
		}
	})
	t.Run("redirect inside the domain is followed, outside is refused", func(t *testing.T) {
		if _, ok := byTitle["이동한 페이지"]; !ok {
			t.Error("internal redirect not followed")
		}
		if _, ok := byTitle["외부 이동"]; !ok {
			t.Error("the list item of the refused redirect is lost")
		}
		if f.count("elsewhere/steal.html") != 0 {
			t.Error("followed an off-domain redirect")
		}
	})
	t.Run("50 MB response is cut at the cap", func(t *testing.T) {
		deadline := time.Now().Add(10 * time.Second)
		for !f.hugeDone.Load() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // the handler notices the closed connection
		}
		if w := f.hugeWritten.Load(); !f.hugeDone.Load() || w >= 50<<20 {
			t.Errorf("server wrote %d bytes (handler done: %v), want the read cut off before 50 MB", w, f.hugeDone.Load())
		}
		found := false
		for _, e := range st.Errors {
			found = found || strings.Contains(e, "byte cap")
		}
		if !found {
			t.Errorf("no byte-cap failure in %v", st.Errors)
		}
	})
	t.Run("failed pages are counted, duplicates merged", func(t *testing.T) {
		if st.PagesFailed != 3 { // redirect-off, huge, gone
			t.Errorf("pages_failed = %d, want 3: %v", st.PagesFailed, st.Errors)
		}
		if len(recs) != 6 {
			t.Errorf("records = %d, want 6", len(recs))
		}
		if f.count("edge/gone.html") != 1 {
			t.Errorf("404 retried: %d hits", f.count("edge/gone.html"))
		}
		if len(sum.Warnings) == 0 {
			t.Error("no warning about failed pages")
		}
	})
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("edge crawl took %v", d)
	}
}

func TestRunUnavailableSiteExits4AfterOthersCommit(t *testing.T) {
	f := newFixture(t)
	store := newStore(t)
	dead, err := ParseSites([]byte(`
- name: dead
  kind: sports
  start_urls: ["http://dead.test/a.html", "http://dead.test/b.html"]
  robots: false
  retries: 2
  rate: {delay: 0s}
  list: {fields: {title: h1}}
`), "dead.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sites := append(dead, site(t, fixtureSites(t), "legacy"))
	_, err = Run(context.Background(), job.TestEnv("crawl", testDate), testOptions(f, sites...), store)
	if !errors.Is(err, catalog.ErrUnavailable) || job.ExitCode(err) != job.ExitUnavailable {
		t.Fatalf("err = %v, want ErrUnavailable (exit 4)", err)
	}
	if !strings.Contains(err.Error(), "dead") {
		t.Errorf("error does not name the site: %v", err)
	}
	if got := f.count("dead/a.html"); got != 2 {
		t.Errorf("dead page tried %d times, want 2 (retries)", got)
	}
	if len(readRaw(t, store, "legacy")) != 3 {
		t.Error("the healthy site was not committed")
	}
	if _, err := lake.ReadManifest(context.Background(), store, lake.PartitionPath(lake.ZoneRawReleases+"/source=dead", testDate)); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("dead site partition committed: %v", err)
	}
}

func TestRunDryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	store := newStore(t)
	env := job.TestEnv("crawl", testDate)
	env.DryRun = true
	sum, err := Run(context.Background(), env, testOptions(f, site(t, fixtureSites(t), "legacy")), store)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Written != 3 {
		t.Errorf("dry run would write %d, want 3", sum.Written)
	}
	objs, _ := store.List(context.Background(), "")
	if len(objs) != 0 {
		t.Errorf("dry run wrote %v", objs)
	}
}

func TestRunSelectsSitesAndShards(t *testing.T) {
	f := newFixture(t)
	sites := fixtureSites(t)
	tests := []struct {
		name    string
		only    []string
		shard   string
		want    []string
		wantErr error
	}{
		{"--site picks one", []string{"legacy"}, "", []string{"legacy"}, nil},
		{"unknown --site is a usage error", []string{"nope"}, "", nil, catalog.ErrUsage},
		{"shard 0/2 takes every other site by name", nil, "0/2", []string{"exhibitions", "legacy"}, nil},
		{"shard 1/2 takes the rest", nil, "1/2", []string{"games", "tickets"}, nil},
		{"an empty shard has nothing to do", []string{"legacy"}, "1/2", nil, catalog.ErrNothingToDo},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, err := ParseShard(tc.shard)
			if err != nil {
				t.Fatal(err)
			}
			got, err := selectSites(sites, tc.only, sh)
			if tc.wantErr != nil {
				if err == nil && len(got) == 0 && errors.Is(tc.wantErr, catalog.ErrNothingToDo) {
					opts := testOptions(f, sites...)
					opts.Only, opts.Shard = tc.only, sh
					_, err = Run(context.Background(), job.TestEnv("crawl", testDate), opts, newStore(t))
				}
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.want, ",") {
				t.Errorf("sites = %v, want %v", names, tc.want)
			}
		})
	}
	for _, bad := range []string{"2/2", "-1/3", "a/b", "1"} {
		if _, err := ParseShard(bad); !errors.Is(err, catalog.ErrUsage) {
			t.Errorf("ParseShard(%q) = %v, want usage error", bad, err)
		}
	}
}

func TestRunQuarantinesMalformedJSON(t *testing.T) {
	f := newFixture(t)
	store := newStore(t)
	sites, err := ParseSites([]byte(`
- name: brokenapi
  kind: exhibition
  render: api
  start_urls: ["http://api.test/broken.json", "http://api.test/page-1.json"]
  rate: {delay: 0s}
  list: {items: data.items, fields: {title: title}}
`), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), testOptions(f, sites...), store)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Quarantined != 1 || sum.Written != 2 {
		t.Fatalf("quarantined %d written %d, want 1 and 2", sum.Quarantined, sum.Written)
	}
	qdir := lake.PartitionPath(lake.ZoneQuarantine+"/crawl/source=brokenapi", testDate)
	var rej lake.Rejected
	err = lake.ScanPartition(context.Background(), store, qdir, func(o lake.Origin, line []byte, _ error) error {
		return json.Unmarshal(line, &rej)
	})
	if err != nil || !strings.HasSuffix(rej.Origin, "/broken.json") || !strings.Contains(rej.Raw, "잘린 응답") {
		t.Errorf("quarantine = %+v, %v", rej, err)
	}
}

func TestRunAPIListToDetail(t *testing.T) {
	f := newFixture(t)
	store := newStore(t)
	sites, err := ParseSites([]byte(`
- name: apidetail
  kind: exhibition
  render: api
  start_urls: ["http://api.test/page-1.json"]
  source_id: "id"
  rate: {delay: 0s}
  list:
    items: data.items
    fields: {title: title, venue: venue.name}
    link: links.detail
  detail:
    fields:
      description: event.hours
      artists: "event.artists[*].name"
      id_check: {path: event.id}
`), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// the detail has no "id" at its root: its source_id comes from the URL
	// hash, the list item's from "id"; merging needs the same id, so key
	// both by URL here
	sites[0].SourceID = nil
	if _, err := Run(context.Background(), job.TestEnv("crawl", testDate), testOptions(f, sites...), store); err != nil {
		t.Fatal(err)
	}
	recs := readRaw(t, store, "apidetail")
	if len(recs) != 2 {
		t.Fatalf("records = %d, want 2", len(recs))
	}
	r := recs[0]
	if recs[1].Fields["id_check"] == "EX-2026-002" {
		r = recs[1]
	}
	if r.Fields["artists"] != "구스타프 클림트, 에곤 실레" || r.Fields["venue"] != "빛의 벙커" || r.URL != "http://api.test/detail/EX-2026-002.json" {
		t.Errorf("merged list+detail record = %+v", r)
	}
}
