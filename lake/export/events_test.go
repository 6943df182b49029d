package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
	"marquee/lake/export/gen"
)

var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return loc
}()

func date(s string) catalog.Date {
	d, err := catalog.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// genFile writes generated events to dir/name and returns its path.
func genFile(t *testing.T, dir, name string, cfg gen.Config) string {
	t.Helper()
	var b bytes.Buffer
	if err := gen.Write(&b, cfg); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// stats are what an independent reader computes per event date.
type stats struct {
	Rows, UserIDs, ResultCounts, Searches int64
}

// expected computes per-day stats with encoding/json, independently of the
// job's scanner: valid lines only, dates in loc, within [from, to].
func expected(t *testing.T, paths []string, from, to catalog.Date) (map[string]stats, int64) {
	t.Helper()
	out := map[string]stats{}
	var bad int64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte{'\n'}) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var e struct {
				TS          *time.Time `json:"ts"`
				UserID      *int64     `json:"user_id"`
				AgeGroup    string     `json:"age_group"`
				Event       string     `json:"event"`
				ResultCount *int32     `json:"result_count"`
			}
			if err := json.Unmarshal(line, &e); err != nil || e.TS == nil || e.UserID == nil {
				bad++
				continue
			}
			valid := false
			for _, v := range catalog.EventTypes {
				valid = valid || v == e.Event
			}
			okAge := false
			for _, a := range gen.AgeGroups {
				okAge = okAge || a == e.AgeGroup
			}
			d := catalog.DateOf(e.TS.In(seoul))
			if !valid || !okAge || d.Before(from) || to.Before(d) {
				bad++
				continue
			}
			s := out[d.String()]
			s.Rows++
			s.UserIDs += *e.UserID
			if e.ResultCount != nil {
				s.ResultCounts += int64(*e.ResultCount)
				s.Searches++
			}
			out[d.String()] = s
		}
	}
	return out, bad
}

// lakeStats reads every committed events partition back with the lake reader.
func lakeStats(t *testing.T, s lake.Store) map[string]stats {
	t.Helper()
	ctx := context.Background()
	days, err := lake.ListPartitions(ctx, s, lake.ZoneParquetEvents, catalog.Date{}, catalog.Date{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]stats{}
	for _, d := range days {
		var st stats
		err := lake.ReadEventsParquet(ctx, s, lake.EventsPartition(d), func(rows []lake.EventRow) error {
			for _, r := range rows {
				if got := catalog.DateOf(r.Time().In(seoul)); got != d {
					return fmt.Errorf("row of %s in partition %s", got, d)
				}
				st.Rows++
				st.UserIDs += r.UserID
				if r.ResultCount != nil {
					st.ResultCounts += int64(*r.ResultCount)
					st.Searches++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if st.Rows > 0 { // a partition emptied by a batch rerun stays committed, empty
			out[d.String()] = st
		}
	}
	return out
}

func newStore(t *testing.T) *lake.LocalStore {
	t.Helper()
	s, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, s lake.Store, d catalog.Date, opts Options) (*job.Summary, error) {
	t.Helper()
	env := job.TestEnv(JobName, d)
	opts.Dataset = DatasetEvents
	if opts.ChunkBytes == 0 {
		opts.ChunkBytes = 64 << 10 // many chunks: exercises the in-order merge
	}
	return Run(context.Background(), env, opts, Deps{Lake: s})
}

// partitionFiles returns the bytes of every file of every events partition, in order.
func partitionFiles(t *testing.T, s lake.Store) map[string][][]byte {
	t.Helper()
	ctx := context.Background()
	days, _ := lake.ListPartitions(ctx, s, lake.ZoneParquetEvents, catalog.Date{}, catalog.Date{})
	out := map[string][][]byte{}
	for _, d := range days {
		m, err := lake.ReadManifest(ctx, s, lake.EventsPartition(d))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range m.Keys() {
			b, err := lake.ReadAll(ctx, s, k)
			if err != nil {
				t.Fatal(err)
			}
			out[d.String()] = append(out[d.String()], b)
		}
	}
	return out
}

func TestEventsExport(t *testing.T) {
	dir := t.TempDir()
	end := date("2026-11-22")
	cfg := gen.Default()
	cfg.Events, cfg.Items, cfg.Users, cfg.End, cfg.Days = 20_000, 500, 2000, end, 3
	cfg.BadEvery, cfg.LateEvery = 997, 101
	in := genFile(t, dir, "events.jsonl", cfg)
	s := newStore(t)

	sum, err := run(t, s, end, Options{Input: in, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	want, bad := expected(t, []string{in}, end.AddDays(-7), end.AddDays(1))

	t.Run("counts match an independent encoding/json reader per event date", func(t *testing.T) {
		got := lakeStats(t, s)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("per-day stats:\n got %v\nwant %v", got, want)
		}
		if sum.Read != cfg.Events || sum.Quarantined != bad || sum.Written != cfg.Events-bad {
			t.Errorf("summary read=%d written=%d quarantined=%d; want %d, %d, %d",
				sum.Read, sum.Written, sum.Quarantined, cfg.Events, cfg.Events-bad, bad)
		}
		if len(want) < 4 { // 3 days plus late events a few days back
			t.Errorf("only %d event dates; the generator should spread late events", len(want))
		}
	})

	t.Run("malformed lines are quarantined with file and line number", func(t *testing.T) {
		var origins []string
		reasons := map[string]int{}
		err := lake.ScanPartition(context.Background(), s, lake.PartitionPath(lake.ZoneQuarantine+"/"+JobName, end),
			func(o lake.Origin, line []byte, _ error) error {
				var r lake.Rejected
				if err := json.Unmarshal(line, &r); err != nil {
					return err
				}
				origins = append(origins, r.Origin)
				reasons[strings.SplitN(r.Reason, ":", 2)[0]]++
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(origins)) != bad {
			t.Fatalf("%d rejects in quarantine, want %d", len(origins), bad)
		}
		if origins[0] != in+":997" || origins[1] != in+":1994" {
			t.Errorf("first origins %v, want %s:997 and :1994", origins[:2], in)
		}
		for _, r := range []string{"malformed JSON", "event", "ts", "age_group"} {
			if reasons[r] == 0 {
				t.Errorf("no reject for %q in %v", r, reasons)
			}
		}
	})

	t.Run("a rerun of the same input and date writes byte-identical files, whatever the workers", func(t *testing.T) {
		first := partitionFiles(t, s)
		if _, err := run(t, s, end, Options{Input: in, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		second := partitionFiles(t, s)
		if len(first) != len(second) {
			t.Fatalf("%d partitions, then %d", len(first), len(second))
		}
		for d, files := range first {
			if len(files) != len(second[d]) {
				t.Fatalf("%s: %d files, then %d", d, len(files), len(second[d]))
			}
			for i := range files {
				if !bytes.Equal(files[i], second[d][i]) {
					t.Errorf("%s file %d differs after rerun", d, i)
				}
			}
		}
		if got := lakeStats(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("rerun changed rows: %v", got)
		}
	})
}

func TestEventsLateBatches(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t)
	d1, d2 := date("2026-11-21"), date("2026-11-22")
	cfg := gen.Default()
	cfg.Items, cfg.Users, cfg.Days = 100, 100, 1
	cfg.Events, cfg.End = 3000, d1
	a := genFile(t, dir, "a.jsonl", cfg)
	cfg.Events, cfg.End, cfg.Seed, cfg.LateEvery = 4000, d2, 7, 10 // some of d2's log is late d1 events
	b := genFile(t, dir, "b.jsonl", cfg)

	if _, err := run(t, s, d1, Options{Input: a}); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, s, d2, Options{Input: b}); err != nil {
		t.Fatal(err)
	}
	want, _ := expected(t, []string{a, b}, d1.AddDays(-7), d2.AddDays(1))

	t.Run("late events land in their event-date partition next to the earlier batch", func(t *testing.T) {
		m, err := lake.ReadManifest(context.Background(), s, lake.EventsPartition(d1))
		if err != nil {
			t.Fatal(err)
		}
		batches := map[string]bool{}
		for _, f := range m.Files {
			batches[f.Batch] = true
		}
		if !batches[d1.String()] || !batches[d2.String()] {
			t.Errorf("partition %s has batches %v, want both %s and %s", d1, batches, d1, d2)
		}
		if got := lakeStats(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v\nwant %v", got, want)
		}
	})
	t.Run("rerunning the later batch replaces only its own files", func(t *testing.T) {
		if _, err := run(t, s, d2, Options{Input: b}); err != nil {
			t.Fatal(err)
		}
		if got := lakeStats(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after rerun: got %v\nwant %v", got, want)
		}
	})
	t.Run("a rerun whose input lost a day drops that batch's old files there", func(t *testing.T) {
		cfg.LateEvery = 0
		b2 := genFile(t, dir, "b2.jsonl", cfg)
		if _, err := run(t, s, d2, Options{Input: b2}); err != nil {
			t.Fatal(err)
		}
		want, _ := expected(t, []string{a, b2}, d1.AddDays(-7), d2.AddDays(1))
		if got := lakeStats(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v\nwant %v", got, want)
		}
	})
}

func TestEventsEdgeCases(t *testing.T) {
	d := date("2026-11-22")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := `{"ts":"2026-11-21T15:30:00Z","user_id":7,"age_group":"20s","gender":"F","event":"view","item_id":"r1","session_id":"s1","platform":"ios"}`
	search := `{"ts":"2026-11-22T09:00:00.5+09:00","user_id":8,"age_group":"60s+","gender":"M","event":"search","keyword":"\uc624\ud398\ub77c \"유령\"","result_count":0,"session_id":"s2","platform":"web","extra":{"a":[1,2]}}`

	tests := []struct {
		name    string
		body    string
		opts    Options
		wantErr error
		rows    int64
		rejects int64
	}{
		{name: "no trailing newline, CRLF and blank lines are fine", body: good + "\r\n\n" + search, rows: 2},
		{name: "an empty file is nothing to do", body: "", wantErr: catalog.ErrNothingToDo},
		{name: "rejects over --max-rejects commit and exit 3", body: good + "\n{oops\n", wantErr: catalog.ErrRejectThreshold, rows: 1, rejects: 1},
		{name: "max-rejects 1 accepts any rejects", body: good + "\n{oops\n", opts: Options{MaxRejects: 1}, rows: 1, rejects: 1},
		{name: "negative max-rejects allows none", body: strings.Repeat(good+"\n", 99) + "{oops\n", opts: Options{MaxRejects: -1}, wantErr: catalog.ErrRejectThreshold, rows: 99, rejects: 1},
		{name: "search with item_id, view without item_id are rejected", body: strings.Repeat(good+"\n", 40) +
			`{"ts":"2026-11-21T15:30:00Z","user_id":7,"age_group":"20s","gender":"F","event":"view","session_id":"s1","platform":"ios"}` + "\n" +
			`{"ts":"2026-11-21T15:30:00Z","user_id":7,"age_group":"20s","gender":"F","event":"search","item_id":"x","keyword":"k","result_count":1,"session_id":"s1","platform":"ios"}`,
			rows: 40, rejects: 2},
		{name: "invalid UTF-8 is rejected", body: strings.Repeat(good+"\n", 30) + strings.Replace(good, `"s1"`, "\"s\xff1\"", 1), rows: 30, rejects: 1},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			tc.opts.Input = write(fmt.Sprintf("t%d.jsonl", i), tc.body)
			sum, err := run(t, s, d, tc.opts)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if sum.Written != tc.rows || sum.Quarantined != tc.rejects {
				t.Errorf("written=%d quarantined=%d, want %d, %d", sum.Written, sum.Quarantined, tc.rows, tc.rejects)
			}
		})
	}

	t.Run("a glob matching nothing is nothing to do", func(t *testing.T) {
		_, err := run(t, newStore(t), d, Options{Input: filepath.Join(dir, "none-*.jsonl")})
		if !errors.Is(err, catalog.ErrNothingToDo) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("dry run validates and writes nothing", func(t *testing.T) {
		s := newStore(t)
		env := job.TestEnv(JobName, d)
		env.DryRun = true
		sum, err := Run(context.Background(), env, Options{Dataset: DatasetEvents, Input: write("dry.jsonl", good+"\n"+search+"\nbad\n"), MaxRejects: 1}, Deps{Lake: s})
		if err != nil || sum.Written != 2 || sum.Quarantined != 1 {
			t.Fatalf("sum=%+v err=%v", sum, err)
		}
		objs, _ := s.List(context.Background(), "")
		if len(objs) != 0 {
			t.Errorf("dry run wrote %d objects", len(objs))
		}
	})
	t.Run("escapes and Korean keywords survive, search result 0 is not null", func(t *testing.T) {
		s := newStore(t)
		if _, err := run(t, s, d, Options{Input: write("k.jsonl", search+"\n")}); err != nil {
			t.Fatal(err)
		}
		var got []lake.EventRow
		_ = lake.ReadEventsParquet(context.Background(), s, lake.EventsPartition(d), func(rows []lake.EventRow) error {
			got = append(got, rows...)
			return nil
		})
		if len(got) != 1 || got[0].Keyword != `오페라 "유령"` || got[0].ResultCount == nil || *got[0].ResultCount != 0 ||
			got[0].ItemID != "" || got[0].TS != time.Date(2026, 11, 22, 0, 0, 0, 500e6, time.UTC).UnixMicro() {
			t.Errorf("got %+v", got)
		}
	})
}

func TestScannerTimestamps(t *testing.T) {
	for _, s := range []string{
		"2026-11-21T15:30:00Z", "2026-11-21T15:30:00.123456789+09:00", "2024-02-29T23:59:59.1-05:30",
		"1999-12-31T00:00:00Z", "2026-01-01T00:00:00+00:00",
	} {
		want, err := time.Parse(time.RFC3339Nano, s)
		got, ok := parseTS([]byte(s))
		if err != nil || !ok || got != want.UnixMicro() {
			t.Errorf("%s: got %d,%v want %d (%v)", s, got, ok, want.UnixMicro(), err)
		}
	}
	for _, s := range []string{"2026-02-30T00:00:00Z", "2026-11-21 15:30:00", "2026-11-21T25:00:00Z", "2026-11-21T15:30:00", ""} {
		if _, ok := parseTS([]byte(s)); ok {
			t.Errorf("%q parsed", s)
		}
	}
	_ = sort.Strings
}

func TestEventsIdlePartitionFlushed(t *testing.T) {
	dir := t.TempDir()
	day := func(d string, from, n int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, `{"ts":"%sT12:00:00+09:00","user_id":%d,"age_group":"10s","gender":"F","event":"book","item_id":"r%d","session_id":"s%d","platform":"web"}`+"\n", d, i, i, i)
		}
		return b.String()
	}
	// 2026-11-20 gets rows, then stays idle for many chunks, then gets more.
	body := day("2026-11-20", 0, 500) + day("2026-11-21", 500, 6000) + day("2026-11-20", 6500, 500)
	p := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newStore(t)
	d := date("2026-11-21")
	if _, err := run(t, s, d, Options{Input: p, ChunkBytes: 16 << 10}); err != nil {
		t.Fatal(err)
	}
	st := lakeStats(t, s)
	if st["2026-11-20"].Rows != 1000 || st["2026-11-21"].Rows != 6000 {
		t.Fatalf("rows per day %v", st)
	}
	glob := filepath.Join(s.URI(), lake.EventsPartition(date("2026-11-20")), "*.parquet")
	res := duckdbQuery(t, fmt.Sprintf(`SELECT count(DISTINCT row_group_id) AS rgs FROM parquet_metadata('%s')`, glob))
	if fmt.Sprint(res[0]["rgs"]) != "2" {
		t.Errorf("the idle partition has %v row groups, want 2 (flushed while idle, then the rest)", res[0]["rgs"])
	}
	first := partitionFiles(t, s)
	if _, err := run(t, s, d, Options{Input: p, ChunkBytes: 16 << 10, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(partitionFiles(t, s)) != fmt.Sprint(first) {
		t.Error("rerun with another worker count wrote different bytes")
	}
}

func TestScannerStrings(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		nonASCI bool
		bad     bool
	}{
		{in: `"abc"`, want: "abc"},
		{in: `"abcdefghijklmnopqrstuvwxyz0123"`, want: "abcdefghijklmnopqrstuvwxyz0123"},
		{in: `"abcdefghij\"klm"`, want: `abcdefghij"klm`, nonASCI: true},
		{in: `"오페라의 유령 2026"`, want: "오페라의 유령 2026", nonASCI: true},
		{in: `"abcdefgh오"`, want: "abcdefgh오", nonASCI: true},
		{in: "\"abcdefgh\x01\"", bad: true},
		{in: "\"abcdefghijklmn\xff\"", want: "abcdefghijklmn\xff", nonASCI: true},
		{in: `"abcdefgh`, bad: true},
		{in: `"\ud55c\uae00 \u0041"`, want: "한글 A", nonASCI: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			s := scanner{buf: []byte(tc.in)}
			b, hi, err := s.str()
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v", err)
			}
			if !tc.bad && (string(b) != tc.want || hi != tc.nonASCI) {
				t.Errorf("got %q nonASCII=%v, want %q %v", b, hi, tc.want, tc.nonASCI)
			}
		})
	}
}

func TestEventsRerunAfterKill(t *testing.T) {
	dir := t.TempDir()
	cfg := gen.Default()
	cfg.Events, cfg.Items, cfg.Users, cfg.Days = 3000, 50, 50, 2
	in := genFile(t, dir, "e.jsonl", cfg)
	s := newStore(t)
	d := cfg.End
	// What a run killed with -9 leaves: part files no manifest lists, and a
	// half-written temporary object.
	part := lake.EventsPartition(d)
	if err := lake.PutBytes(context.Background(), s, part+"/part-20261122T000000-dead0000-00000.parquet", []byte("PAR1 half")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.URI(), part, ".part-x.parquet.tmp-123"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, s, d, Options{Input: in}); err != nil {
		t.Fatal(err)
	}
	want, _ := expected(t, []string{in}, d.AddDays(-7), d.AddDays(1))
	if got := lakeStats(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v want %v", got, want)
	}
	objs, err := s.List(context.Background(), part+"/")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if strings.Contains(o.Key, "dead0000") {
			t.Errorf("the killed run's file %s survived the rerun's commit", o.Key)
		}
	}
}
