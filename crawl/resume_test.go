package crawl

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"marquee/internal/job"
	"marquee/lake"
)

const childEnv = "MARQUEE_CRAWL_TEST_CHILD"

const bigSite = `
- name: big
  kind: performance
  start_urls: ["http://big.test/list?page={page}"]
  source_id: {from: url, regex: '/item/(\d+)'}
  rate: {delay: 0s, parallelism: 2}
  list:
    items: "ul.items li"
    fields: {title: a, venue: .v}
    link: a@href
  detail:
    fields: {title: h1, date_text: .d, price: .p}
`

type childConfig struct {
	Lake string `json:"lake"`
	Addr string `json:"addr"`
}

func bigOptions(t testing.TB, addr string) Options {
	sites, err := ParseSites([]byte(bigSite), "big.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return Options{
		Sites: sites, HTTPClient: &http.Client{Transport: tr}, CheckpointEvery: 4,
		Backoff: job.Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond},
	}
}

// TestResumeChild is the crawl that TestResumeAfterKill runs in a
// subprocess and kills; it does nothing in a normal test run.
func TestResumeChild(t *testing.T) {
	v := os.Getenv(childEnv)
	if v == "" {
		return
	}
	var cfg childConfig
	if err := json.Unmarshal([]byte(v), &cfg); err != nil {
		t.Fatal(err)
	}
	store, err := lake.NewLocalStore(cfg.Lake)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), job.TestEnv("crawl", testDate), bigOptions(t, cfg.Addr), store)
	if err != nil {
		t.Fatal(err)
	}
}

func TestResumeAfterKill(t *testing.T) {
	f := newFixture(t)
	f.bigDelay.Store(int64(25 * time.Millisecond)) // ~1s of crawl after the kill point
	addr := f.srv.Listener.Addr().String()
	dir := t.TempDir()
	store, err := lake.NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(childConfig{Lake: dir, Addr: addr})
	cmd := exec.Command(os.Args[0], "-test.run=^TestResumeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+string(cfg))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	prefix := statePrefix("big", testDate)
	deadline := time.Now().Add(30 * time.Second)
	for {
		objs, _ := store.List(context.Background(), prefix+"/")
		if len(objs) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the child stored no checkpoint within 30s")
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: kill -9
		t.Fatal(err)
	}
	_ = cmd.Wait()

	rawDir := lake.PartitionPath(lake.ZoneRawReleases+"/source=big", testDate)
	if _, err := lake.ReadManifest(context.Background(), store, rawDir); err == nil {
		t.Fatal("the killed run committed its partition: the kill came too late to test resume")
	}
	fp := siteFingerprint(&bigOptions(t, addr).Sites[0])
	stored, _, err := loadCheckpoint(context.Background(), store, prefix, fp)
	if err != nil || len(stored) == 0 {
		t.Fatalf("checkpoint: %d entries, %v", len(stored), err)
	}

	f.resetHits()
	sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), bigOptions(t, addr), store)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	st := sum.Details["sites"].(map[string]*SiteStats)["big"]
	if st.PagesResumed != int64(len(stored)) || st.PagesFetched == 0 {
		t.Errorf("resumed %d (stored %d), fetched %d", st.PagesResumed, len(stored), st.PagesFetched)
	}
	for _, e := range stored {
		u, _ := url.Parse(e.Task.URL)
		key := "big" + u.Path
		if u.Path == "/list" {
			continue // list pages share a path; checked by count below
		}
		if n := f.count(key); n != 0 {
			t.Errorf("stored page %s fetched again (%d times)", e.Task.URL, n)
		}
	}
	total := 13 + 72
	if got := st.PagesFetched + st.PagesResumed; got != int64(total) {
		t.Errorf("fetched+resumed = %d, want %d pages", got, total)
	}

	// an uninterrupted run gives the same partition
	clean := newStore(t)
	f.bigDelay.Store(0)
	if _, err := Run(context.Background(), job.TestEnv("crawl", testDate), bigOptions(t, addr), clean); err != nil {
		t.Fatal(err)
	}
	got, want := readRaw(t, store, "big"), readRaw(t, clean, "big")
	if len(want) != 72 || !reflect.DeepEqual(got, want) {
		t.Errorf("resumed partition (%d records) differs from a clean run's (%d)", len(got), len(want))
	}
	if objs, _ := store.List(context.Background(), prefix+"/"); len(objs) != 0 {
		t.Errorf("checkpoint not cleared after commit: %d objects", len(objs))
	}
}
