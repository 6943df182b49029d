package reindex

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/search"
	"marquee/internal/testenv"
	"marquee/recommend"
)

func getJSON(t *testing.T, f *fixture, path string, out any) {
	t.Helper()
	resp, err := http.Get(f.client.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestNodeDiesMidLoad points the job at a reverse proxy in front of the
// real node and makes the proxy drop every connection once loading has
// started, as if the node had been killed. Killing the shared test node
// itself would break every other test using it; through the proxy the job
// still talks to the real node until the "kill", then sees exactly what a
// dead node gives: connection resets and refused requests.
func TestNodeDiesMidLoad(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	good := f.run(f.opts(), f.deps(newSliceSource(genReleases(50, "k")))).Details["index"].(string)

	target, err := url.Parse(f.client.URL())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	var dead atomic.Bool
	var bulks atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/_bulk") && bulks.Add(1) > 2 {
			dead.Store(true) // the node dies during the third bulk request
		}
		if dead.Load() {
			hj, ok := w.(http.Hijacker)
			if !ok {
				t.Error("proxy cannot hijack")
				return
			}
			conn, _, err := hj.Hijack()
			if err == nil {
				conn.Close() // connection reset, like a killed node
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	viaProxy, err := search.New(search.Config{URL: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}

	deps := f.deps(newSliceSource(genReleases(1500, "k")))
	deps.Cluster = viaProxy
	s, err := Run(context.Background(), f.env(), f.opts(), deps)
	if code := job.ExitCode(err); code != job.ExitUnavailable {
		t.Fatalf("exit %d (%v), want 4", code, err)
	}
	if !dead.Load() {
		t.Fatal("the proxy never dropped the node")
	}
	// Straight to the node: the alias still points to the good index, whole.
	if got := f.live(); !slices.Equal(got, []string{good}) {
		t.Fatalf("alias points to %v, want [%s]", got, good)
	}
	if n := f.count(f.alias); n != 50 {
		t.Fatalf("alias has %d documents, want 50", n)
	}
	// The job could not delete its half-built index through a dead node: it
	// says so, and the next rebuild deletes it.
	half := s.Details["index"].(string)
	if !slices.Contains(f.indices(), half) {
		t.Fatalf("half-built %s is not on the node (indices %v)", half, f.indices())
	}
	if !slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, half) }) {
		t.Fatalf("warnings %v do not name the half-built index %s", s.Warnings, half)
	}
	next := f.run(f.opts(), f.deps(newSliceSource(genReleases(60, "k"))))
	if slices.Contains(f.indices(), half) {
		t.Fatalf("the next rebuild left the half-built %s (pruned %v)", half, next.Details["pruned"])
	}

	t.Run("bulk refused but node up: half-built index deleted", func(t *testing.T) {
		before := f.live()
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/_bulk") {
				http.Error(w, `{"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}`, http.StatusTooManyRequests)
				return
			}
			rp.ServeHTTP(w, r)
		}))
		defer failing.Close()
		c, _ := search.New(search.Config{URL: failing.URL})
		deps := f.deps(newSliceSource(genReleases(30, "k")))
		deps.Cluster = c
		s, err := Run(context.Background(), f.env(), f.opts(), deps)
		if job.ExitCode(err) != job.ExitUnavailable {
			t.Fatalf("err %v, want exit 4", err)
		}
		if slices.Contains(f.indices(), s.Details["index"].(string)) {
			t.Fatalf("half-built %s not deleted", s.Details["index"])
		}
		if got := f.live(); !slices.Equal(got, before) {
			t.Fatalf("alias moved: %v → %v", before, got)
		}
	})
}

// TestSearchersNeverSeeAnEmptyAlias queries the alias in a loop while a
// rebuild runs: the swap is one atomic _aliases call, so every answer has
// hits.
func TestSearchersNeverSeeAnEmptyAlias(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.run(f.opts(), f.deps(newSliceSource(genReleases(200, "c"))))

	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg                     sync.WaitGroup
		queries, empty, failed atomic.Int64
		firstErrMu             sync.Mutex
		firstErr               error
	)
	q := json.RawMessage(`{"size":1,"query":{"match":{"title":"캣츠"}}}`)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				r, err := f.client.Search(context.Background(), f.alias, q)
				queries.Add(1)
				switch {
				case err != nil:
					failed.Add(1)
					firstErrMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					firstErrMu.Unlock()
				case r.Total == 0:
					empty.Add(1)
				}
			}
		}()
	}
	for i := 0; i < 2; i++ {
		before := queries.Load()
		f.run(f.opts(), f.deps(newSliceSource(genReleases(1500, "c"))))
		// Keep searching a little past the swap, polling for progress.
		deadline := time.Now().Add(10 * time.Second)
		for queries.Load() < before+20 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	cancel()
	wg.Wait()
	if queries.Load() < 40 {
		t.Fatalf("only %d queries ran during the rebuilds", queries.Load())
	}
	if failed.Load() > 0 || empty.Load() > 0 {
		t.Fatalf("%d queries: %d failed (first: %v), %d saw zero hits", queries.Load(), failed.Load(), firstErr, empty.Load())
	}
	t.Logf("%d queries during two rebuilds, none empty or failed", queries.Load())
}

// TestKoreanCompoundTitle: 레미제라블 must find 뮤지컬레미제라블 (one token
// for the standard analyzer) with cjk bigrams and with marquee's own bigram
// field; the standard analyzer shows why they are needed.
func TestKoreanCompoundTitle(t *testing.T) {
	t.Parallel()
	rels := genReleases(30, "ko")
	rels[5].Title = "뮤지컬레미제라블"
	rels[6].Title = "레미 마틴 콘서트" // shares 레미 only
	rels[7].Title = "미제라블 전시"   // shares 미제 제라 라블 only
	want := rels[5].ID
	tok := recommend.NewTokenizer(recommend.DefaultStopWords)

	// scripts/es8.sh runs this suite on Elasticsearch 8's integ-test-zip,
	// which has no analysis-common; it says so with this variable.
	noCJK := testenv.Lookup("MARQUEE_TEST_SEARCH_NO_CJK") == "1"
	for _, tc := range []struct {
		analyzer string
		found    bool
	}{
		{AnalyzerCJK, true},
		{AnalyzerBigram, true},
		{AnalyzerStandard, false},
	} {
		t.Run(tc.analyzer, func(t *testing.T) {
			f := newFixture(t)
			opts := f.opts()
			opts.Analyzer = tc.analyzer
			deps := f.deps(newSliceSource(rels))
			deps.Tokenizer = tok
			if tc.analyzer == AnalyzerCJK && noCJK {
				_, err := Run(context.Background(), f.env(), opts, deps)
				if job.ExitCode(err) != job.ExitUsage || len(f.indices()) != 0 {
					t.Fatalf("cjk on a cluster without it: %v (indices %v), want a usage error and nothing built", err, f.indices())
				}
				return
			}
			s := f.run(opts, deps)
			if s.Details["analyzer"] != tc.analyzer {
				t.Fatalf("analyzer %v, want %s", s.Details["analyzer"], tc.analyzer)
			}
			r, err := f.client.Search(context.Background(), f.alias, Query(tc.analyzer, tok, "레미제라블", 10))
			if err != nil {
				t.Fatal(err)
			}
			found := slices.Equal(r.IDs, []string{want})
			if found != tc.found {
				t.Fatalf("레미제라블 → %v (total %d); want only %s: %v", r.IDs, r.Total, want, tc.found)
			}
		})
	}
	t.Run("auto picks the best the cluster has", func(t *testing.T) {
		f := newFixture(t)
		opts := f.opts()
		opts.Analyzer = AnalyzerAuto
		deps := f.deps(newSliceSource(rels[:10]))
		deps.Tokenizer = tok
		want := AnalyzerCJK // services.sh adds analysis-common
		if noCJK {
			want = AnalyzerBigram
		}
		if s := f.run(opts, deps); s.Details["analyzer"] != want {
			t.Fatalf("auto chose %v, want %s", s.Details["analyzer"], want)
		}
	})
}

// TestAliasSwapAnswerLost: the node applies the _aliases call but the
// answer never arrives (the proxy drops the connection after forwarding
// it). The job must see the alias moved, report success, and never delete
// the index the alias now points to.
func TestAliasSwapAnswerLost(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	old := f.run(f.opts(), f.deps(newSliceSource(genReleases(20, "s")))).Details["index"].(string)
	target, _ := url.Parse(f.client.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	var dropped atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_aliases" {
			rp.ServeHTTP(w, r)
			return
		}
		req, _ := http.NewRequest(r.Method, f.client.URL()+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		dropped.Add(1)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer proxy.Close()
	c, _ := search.New(search.Config{URL: proxy.URL})
	deps := f.deps(newSliceSource(genReleases(30, "s")))
	deps.Cluster = c
	s, err := Run(context.Background(), f.env(), f.opts(), deps)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if dropped.Load() == 0 {
		t.Fatal("no _aliases answer was dropped")
	}
	idx := s.Details["index"].(string)
	if got := f.live(); !slices.Equal(got, []string{idx}) {
		t.Fatalf("alias points to %v, want [%s]", got, idx)
	}
	if n := f.count(f.alias); n != 30 {
		t.Fatalf("%d documents behind the alias, want 30", n)
	}
	if !slices.Contains(f.indices(), old) {
		t.Fatalf("the previous index %s was pruned (keep 2)", old)
	}
}

// cancellingSource cancels the run after n releases, like Ctrl-C mid-load.
type cancellingSource struct {
	*sliceSource
	n      int
	cancel context.CancelFunc
}

func (s cancellingSource) EachRelease(ctx context.Context, since time.Time, fn func(r *catalog.Release) error) error {
	i := 0
	return s.sliceSource.EachRelease(ctx, since, func(r *catalog.Release) error {
		if i++; i == s.n {
			s.cancel()
		}
		return fn(r)
	})
}

func TestInterruptedMidLoad(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	good := f.run(f.opts(), f.deps(newSliceSource(genReleases(20, "x")))).Details["index"].(string)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := cancellingSource{sliceSource: newSliceSource(genReleases(800, "x")), n: 300, cancel: cancel}
	s, err := Run(ctx, f.env(), f.opts(), f.deps(src))
	if job.ExitCode(err) != job.ExitInterrupted {
		t.Fatalf("err %v, want exit 130", err)
	}
	if got := f.live(); !slices.Equal(got, []string{good}) {
		t.Fatalf("alias points to %v, want [%s]", got, good)
	}
	if slices.Contains(f.indices(), s.Details["index"].(string)) {
		t.Fatalf("interrupted build %s not deleted", s.Details["index"])
	}
}
