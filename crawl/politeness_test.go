package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"marquee/crawl/fetch"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

func TestHostGateSlowsDownAndRecovers(t *testing.T) {
	g := newHostGate(Rate{Delay: 0, Parallelism: 1}, time.Second)
	g.slowDown()
	if d := g.currentDelay(); d != 250*time.Millisecond {
		t.Fatalf("after one 429: delay %v, want 250ms", d)
	}
	for range 5 {
		g.slowDown()
	}
	if d := g.currentDelay(); d != time.Second {
		t.Fatalf("delay %v, want the 1s cap", d)
	}
	for range 200 {
		g.speedUp()
	}
	if d := g.currentDelay(); d != 0 {
		t.Fatalf("delay %v after successes, want back to 0", d)
	}
}

func TestHostGateSpacesRequests(t *testing.T) {
	g := newHostGate(Rate{Delay: 40 * time.Millisecond, Parallelism: 4}, time.Second)
	ctx := context.Background()
	start := time.Now()
	for range 4 {
		if err := g.acquire(ctx); err != nil {
			t.Fatal(err)
		}
		g.release()
	}
	if d := time.Since(start); d < 110*time.Millisecond {
		t.Errorf("4 starts 40ms apart took %v, want ≥ 120ms", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.acquire(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire on a cancelled context = %v", err)
	}
}

func TestBreakerOpensAfterThresholdAndHalfOpens(t *testing.T) {
	b := &breaker{threshold: 3, cooldown: time.Minute}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !b.allow(now) {
			t.Fatalf("closed breaker refused page %d", i)
		}
		opened := b.failure(now)
		if opened != (i == 2) {
			t.Fatalf("failure %d: opened = %v", i+1, opened)
		}
	}
	if b.allow(now.Add(time.Second)) {
		t.Fatal("open breaker let a page through")
	}
	if !b.allow(now.Add(2*time.Minute)) || b.allow(now.Add(2*time.Minute)) {
		t.Fatal("after cooldown exactly one trial page must pass")
	}
	b.success()
	if !b.allow(now.Add(2 * time.Minute)) {
		t.Fatal("a successful trial did not close the breaker")
	}
}

func TestRobotsCrawlDelayIsHonoured(t *testing.T) {
	c := newRobotsCache("marquee-test/1.0", func(ctx context.Context, u string) (*fetch.Page, error) {
		return &fetch.Page{URL: u, Status: 200, Body: []byte("User-agent: *\nCrawl-delay: 2\n")}, nil
	})
	u, _ := url.Parse("http://r.test/a")
	if d := c.crawlDelay(context.Background(), u); d != 2*time.Second {
		t.Fatalf("crawl delay = %v, want 2s", d)
	}
	g := newHostGate(Rate{Delay: 500 * time.Millisecond, Parallelism: 1}, time.Minute)
	g.atLeast(2 * time.Second)
	for range 100 {
		g.speedUp()
	}
	if d := g.currentDelay(); d != 2*time.Second {
		t.Errorf("delay = %v, want the 2s Crawl-delay kept", d)
	}
}

func TestRobotsUnreachableDisallowsAllMissingAllowsAll(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		path   string
		want   bool
	}{
		{"404 allows all", 404, "", "/a", true},
		{"5xx disallows all", 503, "", "/a", false},
		{"rules apply", 200, "User-agent: *\nDisallow: /private/\n", "/private/x", false},
		{"other paths allowed", 200, "User-agent: *\nDisallow: /private/\n", "/public", true},
		{"agent group wins", 200, "User-agent: marquee-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "/a", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			c := newRobotsCache("marquee-test/1.0", func(ctx context.Context, u string) (*fetch.Page, error) {
				calls++
				if tc.status >= 500 {
					return nil, catalog.Transient(&fetch.StatusError{URL: u, Status: tc.status})
				}
				return &fetch.Page{URL: u, Status: tc.status, Body: []byte(tc.body)}, nil
			})
			u, _ := url.Parse("http://r.test" + tc.path)
			for range 2 {
				if got := c.allowed(context.Background(), u); got != tc.want {
					t.Errorf("allowed(%s) = %v, want %v", tc.path, got, tc.want)
				}
			}
			if calls != 1 {
				t.Errorf("robots.txt fetched %d times, want once per host", calls)
			}
		})
	}
}

// TestRunCancelledKeepsCheckpointAndResumes shows the SIGINT path: nothing
// is committed, the checkpoint stays, the next run resumes from it.
func TestRunCancelledKeepsCheckpointAndResumes(t *testing.T) {
	f := newFixture(t)
	f.bigDelay.Store(int64(15 * time.Millisecond))
	store := newStore(t)
	opts := bigOptions(t, f.srv.Listener.Addr().String())
	ctx, cancel := context.WithCancel(context.Background())
	prefix := statePrefix("big", testDate)
	go func() {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if objs, _ := store.List(context.Background(), prefix+"/"); len(objs) >= 2 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := Run(ctx, job.TestEnv("crawl", testDate), opts, store)
	if job.ExitCode(err) != job.ExitInterrupted {
		t.Fatalf("err = %v, want interrupted (130)", err)
	}
	rawDir := lake.PartitionPath(lake.ZoneRawReleases+"/source=big", testDate)
	if _, err := lake.ReadManifest(context.Background(), store, rawDir); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("a cancelled run committed: %v", err)
	}
	stored, _, _ := loadCheckpoint(context.Background(), store, prefix, siteFingerprint(&opts.Sites[0]))
	if len(stored) == 0 {
		t.Fatal("no checkpoint kept")
	}
	changed := opts.Sites[0]
	changed.Exclude = []string{"취소"}
	if other, ignored, _ := loadCheckpoint(context.Background(), store, prefix, siteFingerprint(&changed)); len(other) != 0 || ignored == 0 {
		t.Errorf("a changed site definition replays %d stored pages (ignored %d segments)", len(other), ignored)
	}
	sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), opts, store)
	if err != nil {
		t.Fatal(err)
	}
	st := sum.Details["sites"].(map[string]*SiteStats)["big"]
	if st.PagesResumed < int64(len(stored)) || sum.Written != 72 {
		t.Errorf("resumed %d of %d stored, written %d", st.PagesResumed, len(stored), sum.Written)
	}
}

func TestRunCaps(t *testing.T) {
	f := newFixture(t)
	t.Run("max_pages stops the crawl and warns", func(t *testing.T) {
		opts := bigOptions(t, f.srv.Listener.Addr().String())
		opts.Sites[0].MaxPages = 10
		sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), opts, newStore(t))
		if err != nil {
			t.Fatal(err)
		}
		st := sum.Details["sites"].(map[string]*SiteStats)["big"]
		if st.PagesFetched != 10 || len(sum.Warnings) == 0 {
			t.Errorf("fetched %d pages, warnings %v; want 10 and a warning", st.PagesFetched, sum.Warnings)
		}
	})
	t.Run("run time cap commits what was found", func(t *testing.T) {
		f.bigDelay.Store(int64(30 * time.Millisecond))
		defer f.bigDelay.Store(0)
		opts := bigOptions(t, f.srv.Listener.Addr().String())
		opts.MaxRunTime = 500 * time.Millisecond
		store := newStore(t)
		sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), opts, store)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Written == 0 || sum.Written >= 72 || len(sum.Warnings) == 0 {
			t.Errorf("written %d, warnings %v; want a partial commit with a warning", sum.Written, sum.Warnings)
		}
		if n := len(readRaw(t, store, "big")); int64(n) != sum.Written {
			t.Errorf("partition has %d records, summary says %d", n, sum.Written)
		}
	})
}

func TestFetchRetryGivesUpOnPermanentStatus(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		http.Error(w, "gone", http.StatusGone)
	}))
	defer srv.Close()
	s := Site{Name: "x", Kind: catalog.KindMovie, StartURLs: []string{srv.URL}, List: &PageRules{Fields: map[string]FieldSpec{"t": {CSS: "h1"}}}}
	if err := s.validate(); err != nil {
		t.Fatal(err)
	}
	opts := Options{Backoff: job.Backoff{Base: time.Millisecond, Max: time.Millisecond}}
	opts.defaults()
	r := newSiteRun(context.Background(), job.TestEnv("crawl", testDate), &opts, &s, newStore(t), nil)
	g, _ := r.gate("h")
	_, err := r.fetchRetry(context.Background(), r.http, g, fetch.Request{URL: srv.URL}, 4)
	var se *fetch.StatusError
	if !errors.As(err, &se) || se.Status != 410 || hits != 1 {
		t.Errorf("err = %v after %d hits, want one try and HTTP 410", err, hits)
	}
}

func TestRunPaginationIsNotDepthButLinksAre(t *testing.T) {
	f := newFixture(t)
	opts := bigOptions(t, f.srv.Listener.Addr().String())
	opts.Sites[0].MaxDepth = 1 // 13 list pages at depth 0, details at 1
	sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), opts, newStore(t))
	if err != nil {
		t.Fatal(err)
	}
	if st := sum.Details["sites"].(map[string]*SiteStats)["big"]; st.PagesFetched != 85 || st.PagesTooDeep != 0 {
		t.Errorf("max_depth 1: fetched %d, too deep %d; want 85 and 0", st.PagesFetched, st.PagesTooDeep)
	}
	opts = bigOptions(t, f.srv.Listener.Addr().String())
	opts.Sites[0].MaxDepth = 0 // (validation would default it; set after)
	sum, err = Run(context.Background(), job.TestEnv("crawl", testDate), opts, newStore(t))
	if err != nil {
		t.Fatal(err)
	}
	st := sum.Details["sites"].(map[string]*SiteStats)["big"]
	if st.PagesFetched != 13 || st.PagesTooDeep != 72 || len(sum.Warnings) == 0 || sum.Written != 72 {
		t.Errorf("max_depth 0: fetched %d, too deep %d, written %d, warnings %v; want 13, 72, 72 (list items) and a warning",
			st.PagesFetched, st.PagesTooDeep, sum.Written, sum.Warnings)
	}
}

func TestRunCircuitBreakerStopsHammeringADeadHost(t *testing.T) {
	f := newFixture(t)
	var urls []string
	for i := range 10 {
		urls = append(urls, fmt.Sprintf("%q", fmt.Sprintf("http://dead.test/p%d.html", i)))
	}
	sites, err := ParseSites([]byte(`
- name: dead
  kind: sports
  start_urls: [`+strings.Join(urls, ", ")+`]
  robots: false
  retries: 2
  rate: {delay: 0s, parallelism: 1}
  list: {fields: {title: h1}}
`), "dead.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(f, sites...)
	opts.BreakerThreshold = 3
	sum, err := Run(context.Background(), job.TestEnv("crawl", testDate), opts, newStore(t))
	if job.ExitCode(err) != job.ExitUnavailable {
		t.Fatalf("err = %v, want exit 4", err)
	}
	hits := 0
	for i := range 10 {
		hits += f.count(fmt.Sprintf("dead/p%d.html", i))
	}
	if hits != 6 { // 3 pages × 2 tries, then the breaker is open
		t.Errorf("dead host hit %d times, want 6", hits)
	}
	if st := sum.Details["sites"].(map[string]*SiteStats)["dead"]; st.PagesFailed != 10 {
		t.Errorf("pages_failed = %d, want 10", st.PagesFailed)
	}
}
