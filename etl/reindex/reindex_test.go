package reindex

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

func TestRebuildMovesAliasAndPrunes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	src := newSliceSource(genReleases(250, "a"))
	opts := f.opts()

	s1 := f.run(opts, f.deps(src))
	first := s1.Details["index"].(string)
	if got := f.live(); !slices.Equal(got, []string{first}) {
		t.Fatalf("alias points to %v, want [%s]", got, first)
	}
	if n := f.count(f.alias); n != 250 {
		t.Fatalf("alias has %d documents, want 250", n)
	}
	if s1.Read != 250 || s1.Written != 250 || s1.Quarantined != 0 {
		t.Fatalf("summary read=%d written=%d quarantined=%d, want 250/250/0", s1.Read, s1.Written, s1.Quarantined)
	}
	if !slices.Equal(s1.Outputs, []string{"search://" + f.alias}) || !slices.Equal(s1.Inputs, []string{"test://releases"}) {
		t.Fatalf("outputs %v inputs %v", s1.Outputs, s1.Inputs)
	}

	// Settings restored after loading: refresh on, the configured replicas.
	var settings map[string]struct {
		Settings struct {
			Index struct {
				Refresh  string `json:"refresh_interval"`
				Replicas string `json:"number_of_replicas"`
				Translog struct {
					Durability string `json:"durability"`
				} `json:"translog"`
			} `json:"index"`
		} `json:"settings"`
	}
	getJSON(t, f, "/"+first+"/_settings", &settings)
	if st := settings[first].Settings.Index; st.Refresh != "1s" || st.Replicas != "0" || st.Translog.Durability != "request" {
		t.Fatalf("settings after rebuild: refresh %q replicas %q translog %q, want 1s, 0, request", st.Refresh, st.Replicas, st.Translog.Durability)
	}

	src.set(genReleases(260, "a"))
	s2 := f.run(opts, f.deps(src))
	second := s2.Details["index"].(string)
	if second == first {
		t.Fatal("second rebuild reused the index name")
	}
	if got := f.live(); !slices.Equal(got, []string{second}) {
		t.Fatalf("alias points to %v, want [%s]", got, second)
	}
	if n := f.count(f.alias); n != 260 {
		t.Fatalf("alias has %d documents after the second rebuild, want 260", n)
	}
	if got := f.indices(); len(got) != 2 {
		t.Fatalf("indices after two rebuilds %v, want 2 (keep 2)", got)
	}

	s3 := f.run(opts, f.deps(src))
	third := s3.Details["index"].(string)
	got := f.indices()
	slices.Sort(got)
	want := []string{second, third}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("indices after three rebuilds %v, want %v (the first pruned)", got, want)
	}
	if p, _ := s3.Details["pruned"].([]string); !slices.Equal(p, []string{first}) {
		t.Fatalf("pruned %v, want [%s]", s3.Details["pruned"], first)
	}
}

func TestRollback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	src := newSliceSource(genReleases(40, "r"))
	first := f.run(f.opts(), f.deps(src)).Details["index"].(string)
	src.set(genReleases(55, "r"))
	second := f.run(f.opts(), f.deps(src)).Details["index"].(string)

	s, err := Rollback(context.Background(), f.env(), RollbackOptions{Alias: f.alias, Backoff: f.backoff}, f.client)
	if err != nil {
		t.Fatal(err)
	}
	if s.Details["from"] != second || s.Details["to"] != first {
		t.Fatalf("rollback details %v, want from %s to %s", s.Details, second, first)
	}
	if got := f.live(); !slices.Equal(got, []string{first}) {
		t.Fatalf("alias points to %v after rollback, want [%s]", got, first)
	}
	if n := f.count(f.alias); n != 40 {
		t.Fatalf("alias has %d documents after rollback, want 40", n)
	}

	t.Run("nothing older to roll back to", func(t *testing.T) {
		_, err := Rollback(context.Background(), f.env(), RollbackOptions{Alias: f.alias, Backoff: f.backoff}, f.client)
		if err == nil || !strings.Contains(err.Error(), "no complete index") {
			t.Fatalf("second rollback: %v, want no complete index", err)
		}
		if got := f.live(); !slices.Equal(got, []string{first}) {
			t.Fatalf("alias moved by a failed rollback: %v", got)
		}
	})
	t.Run("explicit target", func(t *testing.T) {
		if _, err := Rollback(context.Background(), f.env(), RollbackOptions{Alias: f.alias, To: second, Backoff: f.backoff}, f.client); err != nil {
			t.Fatal(err)
		}
		if got := f.live(); !slices.Equal(got, []string{second}) {
			t.Fatalf("alias points to %v, want [%s]", got, second)
		}
	})
}

func TestIncremental(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rels := genReleases(120, "i")
	src := newSliceSource(rels)
	built := f.run(f.opts(), f.deps(src)).Details["index"].(string)

	since := t0.Add(time.Hour)
	changed := slices.Clone(rels)
	changed[3].Title = "뮤지컬 레베카"
	changed[3].UpdatedAt = since.Add(time.Minute)
	removed := changed[7].ID
	changed = slices.Delete(changed, 7, 8)
	added := genReleases(1, "new")[0]
	added.UpdatedAt = since.Add(2 * time.Minute)
	changed = append(changed, added)
	src.set(changed)

	opts := f.opts()
	opts.Incremental, opts.Since = true, since
	s := f.run(opts, f.deps(src))
	if s.Read != 2 || s.Written != 2 || s.Details["deleted"] != int64(1) {
		t.Fatalf("incremental read=%d written=%d deleted=%v, want 2, 2, 1", s.Read, s.Written, s.Details["deleted"])
	}
	if got := f.live(); !slices.Equal(got, []string{built}) {
		t.Fatalf("incremental moved the alias: %v", got)
	}
	if n := f.count(f.alias); n != 120 {
		t.Fatalf("%d documents after incremental, want 120 (120 - 1 + 1)", n)
	}
	docs, err := f.client.Docs(context.Background(), built, []string{changed[3].ID, removed, added.ID})
	if err != nil {
		t.Fatal(err)
	}
	var d Document
	if err := json.Unmarshal(docs[changed[3].ID], &d); err != nil || d.Title != "뮤지컬 레베카" {
		t.Fatalf("changed release not updated: %s (%v)", docs[changed[3].ID], err)
	}
	if _, ok := docs[removed]; ok {
		t.Fatal("removed release still indexed")
	}
	if _, ok := docs[added.ID]; !ok {
		t.Fatal("added release not indexed")
	}

	t.Run("needs since", func(t *testing.T) {
		o := f.opts()
		o.Incremental = true
		_, err := Run(context.Background(), f.env(), o, f.deps(src))
		if job.ExitCode(err) != job.ExitUsage {
			t.Fatalf("err %v, want a usage error", err)
		}
	})
	t.Run("refuses to delete most of the index", func(t *testing.T) {
		src.set(changed[:10])
		o := opts
		o.MinRatio = 0.5
		_, err := Run(context.Background(), f.env(), o, f.deps(src))
		if err == nil || !strings.Contains(err.Error(), "refusing to delete") {
			t.Fatalf("err %v, want refusing to delete", err)
		}
		if n := f.count(f.alias); n != 120 {
			t.Fatalf("%d documents, want 120 untouched", n)
		}
	})
}

func TestBadDocumentsAreQuarantined(t *testing.T) {
	t.Parallel()
	rels := genReleases(100, "q")
	// Mapping conflicts the node refuses per item: a date its yyyy-MM-dd
	// format cannot parse, and a keyword longer than Lucene's term limit.
	rels[10].StartDate = catalog.Date{Year: 12026, Month: 1, Day: 1}
	rels[20].Tags = []string{strings.Repeat("태그", 6000)}
	bad := []string{rels[10].ID, rels[20].ID}
	slices.Sort(bad)

	t.Run("under the threshold: quarantined and swapped", func(t *testing.T) {
		f := newFixture(t)
		opts := f.opts()
		opts.MaxRejects = 0.05
		s := f.run(opts, f.deps(newSliceSource(rels)))
		if s.Quarantined != 2 || s.Written != 98 || s.Read != 100 {
			t.Fatalf("read=%d written=%d quarantined=%d, want 100/98/2", s.Read, s.Written, s.Quarantined)
		}
		if n := f.count(f.alias); n != 98 {
			t.Fatalf("alias has %d documents, want 98", n)
		}
		got := quarantinedIDs(t, f.store)
		if !slices.Equal(got, bad) {
			t.Fatalf("quarantined %v, want %v", got, bad)
		}
	})
	t.Run("over the threshold: exit 3, alias untouched", func(t *testing.T) {
		f := newFixture(t)
		good := f.run(f.opts(), f.deps(newSliceSource(genReleases(30, "q")))).Details["index"].(string)
		opts := f.opts()
		opts.MaxRejects = -1
		s, err := Run(context.Background(), f.env(), opts, f.deps(newSliceSource(rels)))
		if job.ExitCode(err) != job.ExitRejected {
			t.Fatalf("err %v, want exit 3", err)
		}
		if got := f.live(); !slices.Equal(got, []string{good}) {
			t.Fatalf("alias moved to %v", got)
		}
		if got := f.indices(); !slices.Equal(got, []string{good}) {
			t.Fatalf("indices %v: the refused build was not deleted", got)
		}
		if s.Quarantined != 2 || !slices.Equal(quarantinedIDs(t, f.store), bad) {
			t.Fatalf("quarantined %d: %v", s.Quarantined, quarantinedIDs(t, f.store))
		}
	})
}

func quarantinedIDs(t *testing.T, store lake.Store) []string {
	t.Helper()
	ctx := context.Background()
	dir := lake.PartitionPath(lake.ZoneQuarantine+"/"+JobName, catalog.Date{Year: 2026, Month: 11, Day: 26})
	m, err := lake.ReadManifest(ctx, store, dir)
	if err != nil {
		t.Fatalf("quarantine manifest: %v", err)
	}
	var ids []string
	for _, key := range m.Keys() {
		err := lake.ScanJSONL(ctx, store, key, func(_ lake.Origin, line []byte, lerr error) error {
			if lerr != nil {
				return lerr
			}
			var r lake.Rejected
			if err := json.Unmarshal(line, &r); err != nil {
				return err
			}
			var d Document
			if err := json.Unmarshal(r.Record, &d); err != nil {
				return err
			}
			if !strings.HasPrefix(r.Origin, "test://releases#") || r.Reason == "" {
				t.Errorf("rejected record origin %q reason %q", r.Origin, r.Reason)
			}
			ids = append(ids, d.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestEmptySourceIsNothingToDo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := Run(context.Background(), f.env(), f.opts(), f.deps(newSliceSource(nil)))
	if job.ExitCode(err) != job.ExitNothing {
		t.Fatalf("err %v, want exit 99", err)
	}
	if got := f.indices(); len(got) != 0 {
		t.Fatalf("indices %v left behind", got)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	env := f.env()
	env.DryRun = true
	s, err := Run(context.Background(), env, f.opts(), f.deps(newSliceSource(genReleases(20, "d"))))
	if err != nil {
		t.Fatal(err)
	}
	if s.Read != 20 {
		t.Fatalf("dry run read %d, want 20", s.Read)
	}
	if got := f.indices(); len(got) != 0 {
		t.Fatalf("dry run created %v", got)
	}
	if got := f.live(); len(got) != 0 {
		t.Fatalf("dry run created the alias: %v", got)
	}
}

func TestMinRatioKeepsLiveIndex(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	good := f.run(f.opts(), f.deps(newSliceSource(genReleases(100, "m")))).Details["index"].(string)
	opts := f.opts()
	opts.MinRatio = 0.5
	_, err := Run(context.Background(), f.env(), opts, f.deps(newSliceSource(genReleases(10, "m"))))
	if err == nil || !strings.Contains(err.Error(), "min-ratio") {
		t.Fatalf("err %v, want the min-ratio guard", err)
	}
	if got := f.live(); !slices.Equal(got, []string{good}) {
		t.Fatalf("alias moved to %v", got)
	}
	if got := f.indices(); !slices.Equal(got, []string{good}) {
		t.Fatalf("indices %v: the refused build was not deleted", got)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"bad alias", Options{Alias: "Releases!"}},
		{"bad analyzer", Options{Analyzer: "kuromoji"}},
		{"since without incremental", Options{Since: t0}},
		{"incremental without since", Options{Incremental: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), job.TestEnv(JobName, catalog.Date{Year: 2026, Month: 1, Day: 1}), tc.opts, Deps{})
			if !errors.Is(err, catalog.ErrUsage) {
				t.Fatalf("err %v, want ErrUsage", err)
			}
		})
	}
}

type clickMap struct {
	m   map[string]int64
	err error
}

func (c clickMap) ClickCounts(context.Context) (map[string]int64, error) { return c.m, c.err }

func TestClickCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rels := genReleases(20, "cl")
	t.Run("from item_stats", func(t *testing.T) {
		deps := f.deps(newSliceSource(rels))
		deps.Clicks, deps.ClicksURI = clickMap{m: map[string]int64{rels[3].ID: 17}}, "lake/mart/item_stats/dt=2026-11-25"
		s := f.run(f.opts(), deps)
		if !slices.Contains(s.Inputs, deps.ClicksURI) {
			t.Fatalf("inputs %v lack %s", s.Inputs, deps.ClicksURI)
		}
		docs, err := f.client.Docs(context.Background(), f.alias, []string{rels[3].ID, rels[4].ID})
		if err != nil {
			t.Fatal(err)
		}
		var d3, d4 Document
		_ = json.Unmarshal(docs[rels[3].ID], &d3)
		_ = json.Unmarshal(docs[rels[4].ID], &d4)
		if d3.ClickCount != 17 || d4.ClickCount != 0 {
			t.Fatalf("click_count %d and %d, want 17 and 0", d3.ClickCount, d4.ClickCount)
		}
	})
	t.Run("missing mart: zero counts and a warning", func(t *testing.T) {
		deps := f.deps(newSliceSource(rels))
		deps.Clicks = clickMap{err: catalog.ErrNotFound}
		s := f.run(f.opts(), deps)
		if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "item_stats") {
			t.Fatalf("warnings %v", s.Warnings)
		}
	})
	t.Run("a failing mart read fails the run", func(t *testing.T) {
		deps := f.deps(newSliceSource(rels))
		deps.Clicks = clickMap{err: errors.New("disk on fire")}
		if _, err := Run(context.Background(), f.env(), f.opts(), deps); err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("err %v", err)
		}
	})
}
