package reindex

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/search"
	"marquee/internal/testenv"
	"marquee/lake"
)

// sliceSource is a catalog.ReleaseSource over a slice: a source, not a
// server, so the job's real code paths run against the real search node.
type sliceSource struct {
	mu   sync.Mutex
	rels []catalog.Release
}

func newSliceSource(rels []catalog.Release) *sliceSource {
	s := &sliceSource{}
	s.set(rels)
	return s
}

func (s *sliceSource) set(rels []catalog.Release) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rels = append([]catalog.Release(nil), rels...)
	sort.Slice(s.rels, func(i, j int) bool { return s.rels[i].ID < s.rels[j].ID })
}

func (s *sliceSource) EachRelease(ctx context.Context, since time.Time, fn func(r *catalog.Release) error) error {
	s.mu.Lock()
	rels := append([]catalog.Release(nil), s.rels...)
	s.mu.Unlock()
	for i := range rels {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !since.IsZero() && rels[i].UpdatedAt.Before(since) {
			continue
		}
		r := rels[i]
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

var t0 = time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

var titleWords = []string{"오페라의 유령", "캣츠", "위키드", "시카고", "맘마미아", "지킬앤하이드", "노트르담 드 파리", "헤드윅", "Hamlet", "Concert"}

// genReleases makes n releases with Korean fields, deterministic for a seed.
func genReleases(n int, seed string) []catalog.Release {
	rels := make([]catalog.Release, n)
	for i := range rels {
		sid := fmt.Sprintf("%s-%05d", seed, i)
		rels[i] = catalog.Release{
			ID: catalog.ReleaseID("test", sid), Source: "test", SourceID: sid,
			URL:  "https://tickets.example/p/" + sid,
			Kind: catalog.Kinds[i%len(catalog.Kinds)], Title: fmt.Sprintf("%s %d", titleWords[i%len(titleWords)], i),
			Genres: []string{"뮤지컬"}, Cast: []string{"홍광호", "김소현"}, Venue: "샤롯데씨어터",
			Region: catalog.Regions[i%len(catalog.Regions)], Description: "줄거리 " + sid,
			StartDate: catalog.Date{Year: 2026, Month: 12, Day: 1 + i%28}, EndDate: catalog.Date{Year: 2027, Month: 2, Day: 1 + i%28},
			Tags: []string{"tag" + fmt.Sprint(i%7)}, Locale: "ko-KR",
			FirstSeen: t0, LastSeen: t0, UpdatedAt: t0,
		}
	}
	return rels
}

// fixture is one test's search node, alias and lake.
type fixture struct {
	t       *testing.T
	client  *search.Client
	alias   string
	store   lake.Store
	backoff job.Backoff
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	url := testenv.SearchURL(t)
	c, err := search.New(search.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	alias := "t-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "-" + hex.EncodeToString(b[:])
	alias = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, alias)
	store, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, client: c, alias: alias, store: store,
		backoff: job.Backoff{Attempts: 3, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}}
	t.Cleanup(func() {
		ctx := context.Background()
		infos, err := c.Indices(ctx, alias+"_*")
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		for _, in := range infos {
			if err := c.DeleteIndex(ctx, in.Name); err != nil {
				t.Logf("cleanup %s: %v", in.Name, err)
			}
		}
	})
	return f
}

func (f *fixture) opts() Options {
	return Options{Alias: f.alias, Replicas: 0, Workers: 2, BatchDocs: 100, Backoff: f.backoff,
		Analyzer: AnalyzerStandard, HealthTimeout: 30 * time.Second}
}

func (f *fixture) deps(src catalog.ReleaseSource) Deps {
	return Deps{Cluster: f.client, Source: src, SourceURI: "test://releases", Lake: f.store}
}

func (f *fixture) env() *job.Env {
	return job.TestEnv(JobName, catalog.Date{Year: 2026, Month: 11, Day: 26})
}

// run runs the job and fails the test on error.
func (f *fixture) run(opts Options, deps Deps) *job.Summary {
	f.t.Helper()
	s, err := Run(context.Background(), f.env(), opts, deps)
	if err != nil {
		f.t.Fatalf("reindex-es: %v (summary %+v)", err, s)
	}
	return s
}

func (f *fixture) live() []string {
	f.t.Helper()
	idx, err := f.client.AliasIndices(context.Background(), f.alias)
	if err != nil {
		f.t.Fatal(err)
	}
	return idx
}

func (f *fixture) count(name string) int64 {
	f.t.Helper()
	n, err := f.client.Count(context.Background(), name)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) indices() []string {
	f.t.Helper()
	infos, err := f.client.Indices(context.Background(), f.alias+"_*")
	if err != nil {
		f.t.Fatal(err)
	}
	var names []string
	for _, in := range infos {
		names = append(names, in.Name)
	}
	return names
}
