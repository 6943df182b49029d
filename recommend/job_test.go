package recommend

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
	"marquee/recommend/releasegen"
)

var testDay = catalog.Date{Year: 2026, Month: time.November, Day: 26}

// memSink is a catalog.SimilarSink in memory.
type memSink struct {
	lists map[string]catalog.SimilarList
}

func (m *memSink) WriteSimilar(_ context.Context, ls []catalog.SimilarList) error {
	if m.lists == nil {
		m.lists = map[string]catalog.SimilarList{}
	}
	for _, l := range ls {
		m.lists[l.ID] = l
	}
	return nil
}

func (m *memSink) DeleteSimilarExcept(_ context.Context, keep map[string]struct{}) (int64, error) {
	var n int64
	for id := range m.lists {
		if _, ok := keep[id]; !ok {
			delete(m.lists, id)
			n++
		}
	}
	return n, nil
}

func readMart(t *testing.T, st lake.Store, d catalog.Date) map[string][]lake.SimilarRow {
	t.Helper()
	out := map[string][]lake.SimilarRow{}
	err := lake.ReadSimilarParquet(context.Background(), st, lake.SimilarPartition(d), func(rows []lake.SimilarRow) error {
		for _, r := range rows {
			out[r.ItemID] = append(out[r.ItemID], r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newLake(t *testing.T) lake.Store {
	t.Helper()
	st, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRunKoreanFixtures(t *testing.T) {
	st := newLake(t)
	sink := &memSink{}
	env := job.TestEnv(JobName, testDay)
	sum, err := Run(context.Background(), env, Options{K: 3},
		Deps{Source: FileSource{Path: "testdata/releases.jsonl"}, Lake: st, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 9 || sum.Skipped != 1 || sum.Written != 8 {
		t.Errorf("read/skipped/written = %d/%d/%d, want 9/1/8", sum.Read, sum.Skipped, sum.Written)
	}
	mart := readMart(t, st, testDay)
	model := Options{}.withDefaults().Model()
	for _, tc := range []struct{ id, want string }{
		{"lesmis-seoul", "lesmis-busan"},
		{"lesmis-busan", "lesmis-seoul"},
		{"phantom-seoul", "phantom-daegu"},
		{"phantom-daegu", "phantom-seoul"},
		{"iu-concert", "iu-concert-busan"},
	} {
		t.Run(tc.id+" is most like "+tc.want, func(t *testing.T) {
			rows := mart[tc.id]
			if len(rows) == 0 || rows[0].SimilarID != tc.want || rows[0].Rank != 1 {
				t.Fatalf("mart rows %+v", rows)
			}
			if got := sink.lists[tc.id]; len(got.Items) == 0 || got.Items[0].ID != tc.want || got.Model != model {
				t.Fatalf("mongo list %+v", got)
			}
		})
	}
	if _, ok := mart["lesmis-ended"]; ok {
		t.Error("an ended release got a list")
	}
	for id, rows := range mart {
		for i, r := range rows {
			if r.SimilarID == "lesmis-ended" || r.SimilarID == id {
				t.Errorf("%s lists %s", id, r.SimilarID)
			}
			if int(r.Rank) != i+1 || (i > 0 && r.Score > rows[i-1].Score) {
				t.Errorf("%s: rows out of rank order: %+v", id, rows)
			}
		}
	}
}

func (o Options) withDefaults() Options {
	_ = o.normalize()
	return o
}

func TestRunSameKindAndDryRun(t *testing.T) {
	st := newLake(t)
	env := job.TestEnv(JobName, testDay)
	env.DryRun = true
	sink := &memSink{}
	sum, err := Run(context.Background(), env, Options{K: 5, SameKind: true},
		Deps{Source: FileSource{Path: "testdata/releases.jsonl"}, Lake: st, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Written != 8 || len(sink.lists) != 0 {
		t.Errorf("dry run: written %d, mongo lists %d", sum.Written, len(sink.lists))
	}
	if objs, _ := st.List(context.Background(), ""); len(objs) != 0 {
		t.Errorf("dry run wrote %v", objs)
	}
	env.DryRun = false
	if _, err := Run(context.Background(), env, Options{K: 5, SameKind: true},
		Deps{Source: FileSource{Path: "testdata/releases.jsonl"}, Lake: st}); err != nil {
		t.Fatal(err)
	}
	for _, r := range readMart(t, st, testDay)["movie-harbin"] {
		t.Errorf("the only movie has a same-kind neighbour: %+v", r)
	}
}

func TestRunNothingToDoAndBadInput(t *testing.T) {
	env := job.TestEnv(JobName, catalog.Date{Year: 2030, Month: 1, Day: 1})
	ended := filepath.Join(t.TempDir(), "ended.jsonl")
	if err := os.WriteFile(ended, []byte(`{"id":"a","title":"지난 공연","end_date":"2026-01-01"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), env, Options{}, Deps{Source: FileSource{Path: ended}})
	if !errors.Is(err, catalog.ErrNothingToDo) || sum.Skipped != 1 {
		t.Errorf("all ended: %v (skipped %d), want ErrNothingToDo", err, sum.Skipped)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"id\":\"a\",\"title\":\"가\"}\n{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), job.TestEnv(JobName, testDay), Options{}, Deps{Source: FileSource{Path: bad}})
	if err == nil || !strings.Contains(err.Error(), "bad.jsonl:2") {
		t.Errorf("bad line: %v", err)
	}
	if _, err := Run(context.Background(), env, Options{K: -1}, Deps{Source: FileSource{Path: bad}}); !errors.Is(err, catalog.ErrUsage) {
		t.Errorf("k=-1: %v", err)
	}
}

// sliceSource serves releases from memory.
type sliceSource []catalog.Release

func (s sliceSource) EachRelease(_ context.Context, _ time.Time, fn func(*catalog.Release) error) error {
	for i := range s {
		r := s[i]
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

func TestRunShardsCoverTheWholeResult(t *testing.T) {
	rs := releasegen.Generate(releasegen.Options{N: 800, Seed: 5, Date: testDay})
	full, sharded := newLake(t), newLake(t)
	env := job.TestEnv(JobName, testDay)
	if _, err := Run(context.Background(), env, Options{K: 5}, Deps{Source: sliceSource(rs), Lake: full}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		env := job.TestEnv(JobName, testDay)
		if _, err := Run(context.Background(), env, Options{K: 5, Shard: Shard{i, 3}}, Deps{Source: sliceSource(rs), Lake: sharded}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := readMart(t, full, testDay), readMart(t, sharded, testDay)
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("full run %d lists, shards %d", len(a), len(b))
	}
	for id, rows := range a {
		ja, _ := json.Marshal(rows)
		jb, _ := json.Marshal(b[id])
		if string(ja) != string(jb) {
			t.Fatalf("%s: full %s, sharded %s", id, ja, jb)
		}
	}
}

func TestRunOnlyChanged(t *testing.T) {
	rs := releasegen.Generate(releasegen.Options{N: 1200, Seed: 9, Date: testDay})
	st := newLake(t)
	sink := &memSink{}
	ctx := context.Background()
	if _, err := Run(ctx, job.TestEnv(JobName, testDay), Options{K: 5}, Deps{Source: sliceSource(rs), Lake: st, Sink: sink}); err != nil {
		t.Fatal(err)
	}
	// Change a few releases: one becomes a copy of another show.
	next := testDay.AddDays(1)
	later := next.Time(time.UTC)
	rs[10].Title, rs[10].Cast, rs[10].UpdatedAt = rs[500].Title, rs[500].Cast, later
	rs[20].Description, rs[20].UpdatedAt = "완전히 새로운 설명 "+rs[20].Description, later
	env := job.TestEnv(JobName, next)
	sum, err := Run(ctx, env, Options{K: 5, OnlyChanged: true}, Deps{Source: sliceSource(rs), Lake: st, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	n := sum.Details["releases"].(int)
	if sum.Written == 0 || sum.Written >= int64(n)/2 {
		t.Fatalf("only-changed recomputed %d of %d lists", sum.Written, n)
	}
	inc := readMart(t, st, next)
	fullLake := newLake(t)
	if _, err := Run(ctx, job.TestEnv(JobName, next), Options{K: 5}, Deps{Source: sliceSource(rs), Lake: fullLake}); err != nil {
		t.Fatal(err)
	}
	full := readMart(t, fullLake, next)
	if len(inc) != len(full) {
		t.Fatalf("incremental mart has %d lists, full %d", len(inc), len(full))
	}
	// Lists that name the changed releases must match a full run's ids.
	ids := func(rows []lake.SimilarRow) []string {
		var s []string
		for _, r := range rows {
			s = append(s, r.SimilarID)
		}
		return s
	}
	checked := 0
	for id, rows := range full {
		names := map[string]bool{}
		for _, r := range rows {
			names[r.SimilarID] = true
		}
		if id == rs[10].ID || id == rs[20].ID || names[rs[10].ID] || names[rs[20].ID] {
			checked++
			if a, b := ids(inc[id]), ids(rows); !equalStrings(a, b) {
				t.Errorf("%s: incremental %v, full %v", id, a, b)
			}
		}
	}
	if checked < 2 {
		t.Fatalf("checked %d lists", checked)
	}
	if got := ids(inc[rs[10].ID]); len(got) == 0 {
		t.Fatalf("changed release has no list")
	}
	if l := sink.lists[rs[10].ID]; l.ComputedAt != env.Now().UTC() {
		t.Errorf("mongo list of the changed release not rewritten: %v", l.ComputedAt)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	sa, sb := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(sa)
	sort.Strings(sb)
	for i := range sa {
		if sa[i] != sb[i] {
			return false
		}
	}
	return true
}

// TestRunFromLakeReleases reads parquet/releases (as export-parquet writes
// it) through lake.OpenReleases: the same lists as from the JSONL file.
func TestRunFromLakeReleases(t *testing.T) {
	ctx := context.Background()
	st := newLake(t)
	var rels []catalog.Release
	err := FileSource{Path: "testdata/releases.jsonl"}.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error {
		rels = append(rels, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(rels, func(i, j int) bool { return rels[i].ID < rels[j].ID })
	pw := lake.NewPartitionWriter(st, lake.ReleasesPartition(testDay), "export-parquet", "r1", time.Now)
	w := lake.NewReleasesWriter(ctx, pw, lake.ParquetOptions{})
	for i := range rels {
		if err := w.Write(&rels[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(ctx, lake.CommitOptions{Meta: map[string]string{lake.ReleasesMetaMode: lake.ReleasesModeSnapshot}}); err != nil {
		t.Fatal(err)
	}
	src, err := lake.OpenReleases(ctx, st, testDay)
	if err != nil {
		t.Fatal(err)
	}
	fromLake, fromFile := &memSink{}, &memSink{}
	if _, err := Run(ctx, job.TestEnv(JobName, testDay), Options{K: 3}, Deps{Source: src, Sink: fromLake}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, job.TestEnv(JobName, testDay), Options{K: 3}, Deps{Source: FileSource{Path: "testdata/releases.jsonl"}, Sink: fromFile}); err != nil {
		t.Fatal(err)
	}
	if len(fromLake.lists) != 8 {
		t.Fatalf("%d lists from the lake", len(fromLake.lists))
	}
	for id, l := range fromFile.lists {
		a, _ := json.Marshal(l.Items)
		b, _ := json.Marshal(fromLake.lists[id].Items)
		if string(a) != string(b) {
			t.Errorf("%s: file %s, lake %s", id, a, b)
		}
	}
}

// The file decoder reads only the model's fields, as leniently as
// encoding/json: any letter case in names, the last of a repeated name, and
// a wrong type in a field the model does not read.
func TestRunFileDecodeIsLenient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "loose.jsonl")
	lines := []string{
		`{"id":"a","kind":"performance","TITLE":"레미제라블","genres":["뮤지컬"],"cast":["홍광호"],"venue":"서울 블루스퀘어","prices":"문의"}`,
		`{"id":"b","kind":"performance","title":"레미제라블","Genres":["뮤지컬"],"cast":["홍광호"],"venue":"대구","venue":"부산 드림씨어터","runtime":"160분"}`,
		`{"id":"c","kind":"movie","title":"하얼빈","genres":["드라마"],"cast":["현빈"],"venue":"서울 CGV"}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := newLake(t)
	sum, err := Run(context.Background(), job.TestEnv(JobName, testDay), Options{K: 1}, Deps{Source: FileSource{Path: path}, Lake: st})
	if err != nil || sum.Written != 3 {
		t.Fatalf("run: %v, written %d", err, sum.Written)
	}
	mart := readMart(t, st, testDay)
	for id, want := range map[string]string{"a": "b", "b": "a"} {
		if got := mart[id]; len(got) != 1 || got[0].SimilarID != want {
			t.Errorf("%s's neighbour: %+v, want %s", id, got, want)
		}
	}
}
