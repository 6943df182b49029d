package load_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"marquee/etl/load"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/mongo"
	"marquee/lake"
)

var _ load.Sink = (*mongo.ReleaseStore)(nil)

func detail(s *job.Summary, k string) int64 {
	switch v := s.Details[k].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	}
	return -1
}

func TestRun_FixturesThenRerunWritesNothing(t *testing.T) {
	st := fixtureLake(t)
	db := newTestDB(t)
	sink := db.store()

	s, err := run(t, st, sink, day, load.Options{BatchSize: 4, Workers: 3}, false)
	if err != nil {
		t.Fatal(err)
	}
	// 13 raw records; the two 레미제라블 listings (ticketlink, nol) are one
	// release. Into the empty collection the 12 are inserted while reading;
	// the merged one is updated once its second site is read.
	if s.Read != 13 || s.Quarantined != 0 || s.Written != 13 || detail(s, "insert") != 12 || detail(s, "update") != 1 ||
		detail(s, "merged") != 1 || detail(s, "insert_while_reading") != 12 {
		t.Fatalf("first run: %+v", s)
	}
	ex, _ := s.Details["field_issue_examples"].(map[string]string)
	if !strings.Contains(ex["region"], "raw/releases/source=ticketlink/dt=2026-11-22/") || !strings.Contains(ex["region"], "소극장 하늘") {
		t.Errorf("field issue examples do not name file, line and value: %v", ex)
	}
	got := dump(t, sink)
	if len(got) != 12 {
		t.Fatalf("stored %d releases, want 12", len(got))
	}
	var merged *catalog.Release
	for i := range got {
		if len(got[i].Sources) > 1 {
			merged = &got[i]
		}
	}
	if merged == nil || strings.Join(merged.Sources, ",") != "nol:25013344,ticketlink:TL-48211" {
		t.Fatalf("merged release not found or wrong sources: %+v", merged)
	}
	if merged.Runtime != 180 || merged.Poster == nil {
		t.Errorf("merged release not filled from both sites: runtime %d poster %v", merged.Runtime, merged.Poster)
	}

	t.Run("rerun of the same date writes nothing", func(t *testing.T) {
		s2, err := run(t, st, sink, day, load.Options{BatchSize: 4, Workers: 3}, false)
		if err != nil {
			t.Fatal(err)
		}
		if s2.Written != 0 || detail(s2, "unchanged") != 12 {
			t.Fatalf("rerun: %+v", s2)
		}
		sameReleases(t, dump(t, sink), got)
	})

	t.Run("the next day with the same content only moves last_seen", func(t *testing.T) {
		next := day.AddDays(1)
		var lines [][]byte
		for _, l := range readLines(t, "../testdata/raw/cinema.jsonl") {
			var r catalog.RawRecord
			if err := json.Unmarshal(l, &r); err != nil {
				t.Fatal(err)
			}
			r.FetchedAt = r.FetchedAt.Add(24 * time.Hour)
			b, _ := json.Marshal(r)
			lines = append(lines, b)
		}
		writeRaw(t, st, "cinema", next, lines)
		before, err := sink.GetRelease(context.Background(), catalog.ReleaseID("cinema", "M-20261203-01"))
		if err != nil {
			t.Fatal(err)
		}
		s3, err := run(t, st, sink, next, load.Options{}, false)
		if err != nil {
			t.Fatal(err)
		}
		if detail(s3, "touch") != 3 || detail(s3, "update") != 0 || detail(s3, "insert") != 0 {
			t.Fatalf("next day: %+v", s3.Details)
		}
		after, err := sink.GetRelease(context.Background(), before.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !after.FirstSeen.Equal(before.FirstSeen) || !after.LastSeen.Equal(before.LastSeen.Add(24*time.Hour)) ||
			!after.UpdatedAt.Equal(before.UpdatedAt) || after.ContentHash != before.ContentHash {
			t.Errorf("before %v/%v/%v after %v/%v/%v", before.FirstSeen, before.LastSeen, before.UpdatedAt,
				after.FirstSeen, after.LastSeen, after.UpdatedAt)
		}
	})
}

func TestRun_MergeOff(t *testing.T) {
	st := fixtureLake(t)
	db := newTestDB(t)
	s, err := run(t, st, db.store(), day, load.Options{NoMerge: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Written != 13 || detail(s, "merged") != 0 {
		t.Fatalf("merge off: %+v", s)
	}
	t.Run("turning merge on folds the stored duplicate away", func(t *testing.T) {
		s, err := run(t, st, db.store(), day, load.Options{}, false)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.store().CountReleases(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != 12 || detail(s, "delete_merged") != 1 {
			t.Fatalf("after merge on: %d stored, details %v", n, s.Details)
		}
	})
}

func TestRun_DryRunWritesNothing(t *testing.T) {
	st := fixtureLake(t)
	db := newTestDB(t)
	s, err := run(t, st, db.store(), day, load.Options{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Written != 0 || detail(s, "would_insert") != 12 || s.Read != 13 {
		t.Fatalf("dry run: %+v", s)
	}
	n, err := db.store().CountReleases(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("dry run stored %d releases (%v)", n, err)
	}
	if _, err := lake.ReadManifest(context.Background(), st, lake.PartitionPath("quarantine/"+load.JobName, day)); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("dry run committed a quarantine partition: %v", err)
	}
}

func TestRun_NothingToDo(t *testing.T) {
	st := fixtureLake(t)
	db := newTestDB(t)
	_, err := run(t, st, db.store(), day.AddDays(-5), load.Options{}, false)
	if !errors.Is(err, catalog.ErrNothingToDo) || job.ExitCode(err) != job.ExitNothing {
		t.Fatalf("err = %v, want nothing to do (exit 99)", err)
	}
}

func TestRun_UsageErrors(t *testing.T) {
	st := fixtureLake(t)
	for _, opts := range []load.Options{{BatchSize: -1}, {Workers: -2}, {MaxRejects: 5}} {
		if _, err := run(t, st, nil, day, opts, false); !errors.Is(err, catalog.ErrUsage) {
			t.Errorf("%+v: err = %v, want usage error", opts, err)
		}
	}
}

// TestRun_MalformedRecords: 1,000 malformed raw records (bad JSON lines,
// missing fields, absurd dates, 20 MB strings) crash nothing, are all
// quarantined with a reason, the good records are loaded, and the reject
// share ends the run with exit 3.
func TestRun_MalformedRecords(t *testing.T) {
	st, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	good := genRaw("site", 20, time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC))
	huge := strings.Repeat("가", 7<<20) // 21 MB of UTF-8
	var lines [][]byte
	lines = append(lines, good...)
	for i := 0; i < 1000; i++ {
		var l string
		switch i % 10 {
		case 0:
			l = `{"source":"site","source_id":"x` + strconv.Itoa(i) + `","kind":"movie","fields":{"title":"하얼빈"` // truncated JSON
		case 1:
			l = `[1,2,3]`
		case 2:
			l = `{"source":"site","kind":"movie","fields":{"title":"제목"}}` // no source_id
		case 3:
			l = fmt.Sprintf(`{"source":"site","source_id":"n%d","kind":"movie","fields":{}}`, i) // no title
		case 4:
			l = fmt.Sprintf(`{"source":"site","source_id":"k%d","fields":{"title":"제목"}}`, i) // no kind
		case 5:
			l = fmt.Sprintf(`{"source":"site","source_id":"d%d","kind":"performance","fields":{"title":"연극","start_date":"2026.13.45"}}`, i)
		case 6:
			l = fmt.Sprintf(`{"source":"site","source_id":"y%d","kind":"performance","fields":{"title":"연극","start_date":"9999-12-31"}}`, i)
		case 7:
			l = fmt.Sprintf(`{"source":"other","source_id":"o%d","kind":"movie","fields":{"title":"남의 것"}}`, i) // wrong partition
		case 8:
			l = "null"
		case 9:
			if i == 9 {
				l = fmt.Sprintf(`{"source":"site","source_id":"h%d","kind":"movie","fields":{"title":"긴 글","description":"%s"}}`, i, huge)
			} else {
				l = fmt.Sprintf(`{"source":"site","source_id":"e%d","kind":"movie","fields":{"title":"날짜","release_date":"2026-02-30"}}`, i)
			}
		}
		lines = append(lines, []byte(l))
	}
	writeRaw(t, st, "site", day, lines)
	db := newTestDB(t)

	s, err := run(t, st, db.store(), day, load.Options{BatchSize: 7}, false)
	if !errors.Is(err, catalog.ErrRejectThreshold) || job.ExitCode(err) != job.ExitRejected {
		t.Fatalf("err = %v, want reject threshold (exit 3)", err)
	}
	if s.Read != 1020 || s.Quarantined != 1000 || s.Written != 20 {
		t.Fatalf("summary %+v", s)
	}
	n, _ := db.store().CountReleases(context.Background())
	if n != 20 {
		t.Errorf("stored %d good releases, want 20", n)
	}
	// Every reject is in the committed quarantine partition with a reason.
	qdir := lake.PartitionPath("quarantine/"+load.JobName, day)
	reasons := map[string]int{}
	rows := 0
	err = lake.ScanPartition(context.Background(), st, qdir, func(o lake.Origin, line []byte, lerr error) error {
		if lerr != nil {
			return lerr
		}
		var r lake.Rejected
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		if r.Reason == "" || !strings.Contains(r.Origin, "raw/releases/source=site/dt=2026-11-22/") {
			t.Errorf("reject without reason or origin: %+v", r.Origin)
		}
		if len(r.Record) == 0 && r.Raw == "" {
			t.Errorf("reject %s lost its record", r.Origin)
		}
		key := r.Reason
		if i := strings.IndexAny(key, ":\"0123456789"); i > 0 {
			key = key[:i]
		}
		reasons[strings.TrimSpace(key)]++
		rows++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != 1000 {
		t.Fatalf("quarantine holds %d rows, want 1000 (%v)", rows, reasons)
	}
	for _, want := range []string{"bad JSON", "missing source_id", "missing title", "missing kind", "absurd date in start_date", "field description is", "source"} {
		found := false
		for k := range reasons {
			if strings.HasPrefix(k, want) || strings.HasPrefix(want, k) {
				found = true
			}
		}
		if !found {
			t.Errorf("no reject with reason %q (reasons %v)", want, reasons)
		}
	}

	t.Run("a higher threshold lets the same day pass", func(t *testing.T) {
		if _, err := run(t, st, db.store(), day, load.Options{MaxRejects: 0.99}, false); err != nil {
			t.Errorf("err = %v", err)
		}
	})
}

// countingSink stops the proxy (the server goes down) after n successful
// bulk writes.
type countingSink struct {
	load.Sink
	n      int64
	writes atomic.Int64
	stop   func()
}

func (c *countingSink) WriteReleaseBatch(ctx context.Context, ins, ups, touches []*catalog.Release) error {
	if err := c.Sink.WriteReleaseBatch(ctx, ins, ups, touches); err != nil {
		return err
	}
	if c.writes.Add(1) == c.n {
		c.stop()
	}
	return nil
}

// TestRun_ServerDownMidLoad: the server stops after two batches; the job
// retries, then fails with exit 4; the batches written stay written; when
// the server is back a rerun gives the same collection as one clean run.
func TestRun_ServerDownMidLoad(t *testing.T) {
	st, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeRaw(t, st, "site", day, genRaw("site", 500, time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)))
	db := newTestDB(t)

	// Reference: one clean run into another database.
	ref := newTestDB(t)
	if _, err := run(t, st, ref.store(), day, load.Options{BatchSize: 50}, false); err != nil {
		t.Fatal(err)
	}
	want := dump(t, ref.store())

	p := newProxy(t, db.uri)
	cl := connect(t, p.uri())
	viaProxy := mongo.NewReleaseStore(cl.Database(db.name), "")
	viaProxy.OpTimeout = 3 * time.Second
	sink := &countingSink{Sink: viaProxy, n: 2, stop: p.stop}
	start := time.Now()
	_, err = run(t, st, sink, day, load.Options{BatchSize: 50, Workers: 1}, false)
	if !errors.Is(err, catalog.ErrUnavailable) || job.ExitCode(err) != job.ExitUnavailable {
		t.Fatalf("err = %v, want unavailable (exit 4)", err)
	}
	if !strings.Contains(err.Error(), "batch 2") {
		t.Errorf("error does not name the batch: %v", err)
	}
	t.Logf("failed after %v: %v", time.Since(start), err)
	n, err := db.store().CountReleases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Fatalf("after the outage %d releases stored, want the 2 written batches (100)", n)
	}

	p.start()
	cl2 := connect(t, p.uri())
	s, err := run(t, st, mongo.NewReleaseStore(cl2.Database(db.name), ""), day, load.Options{BatchSize: 50}, false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Written != 400 || detail(s, "unchanged") != 100 {
		t.Errorf("rerun: %+v", s)
	}
	sameReleases(t, dump(t, db.store()), want)
}

// slowSink delays every bulk write, so a kill lands mid-load.
type slowSink struct {
	load.Sink
	delay time.Duration
}

func (s slowSink) WriteReleaseBatch(ctx context.Context, ins, ups, touches []*catalog.Release) error {
	time.Sleep(s.delay)
	return s.Sink.WriteReleaseBatch(ctx, ins, ups, touches)
}

// TestHelperLoadProcess is the child of TestRun_KillMidLoad, not a test.
func TestHelperLoadProcess(t *testing.T) {
	if os.Getenv("MARQUEE_LOAD_HELPER") != "1" {
		return
	}
	st, err := lake.NewLocalStore(os.Getenv("MARQUEE_LOAD_LAKE"))
	if err != nil {
		t.Fatal(err)
	}
	cl := connect(t, os.Getenv("MARQUEE_LOAD_URI"))
	sink := slowSink{Sink: mongo.NewReleaseStore(cl.Database(os.Getenv("MARQUEE_LOAD_DB")), ""), delay: 100 * time.Millisecond}
	_, err = run(t, st, sink, day, load.Options{BatchSize: 20, Workers: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
}

// TestRun_KillMidLoad: kill -9 of a load mid-way, then a rerun, gives the
// same collection as one clean run.
func TestRun_KillMidLoad(t *testing.T) {
	dir := t.TempDir()
	st, err := lake.NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	const total = 600
	writeRaw(t, st, "site", day, genRaw("site", total, time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)))
	ref := newTestDB(t)
	if _, err := run(t, st, ref.store(), day, load.Options{}, false); err != nil {
		t.Fatal(err)
	}
	want := dump(t, ref.store())

	db := newTestDB(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLoadProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MARQUEE_LOAD_HELPER=1", "MARQUEE_LOAD_LAKE="+dir,
		"MARQUEE_LOAD_URI="+db.uri, "MARQUEE_LOAD_DB="+db.name)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	store := db.store()
	deadline := time.Now().Add(60 * time.Second)
	var n int64
	for {
		n, _ = store.CountReleases(context.Background())
		if n >= 60 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling the collection, with a deadline
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	n, _ = store.CountReleases(context.Background())
	if n == 0 || n >= total {
		t.Fatalf("killed load left %d of %d releases; the kill did not land mid-load", n, total)
	}
	t.Logf("killed after %d of %d releases", n, total)

	s, err := run(t, st, store, day, load.Options{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Written != total-n {
		t.Errorf("rerun wrote %d, want the %d missing", s.Written, total-n)
	}
	sameReleases(t, dump(t, store), want)
}

var _ load.StampScanner = (*mongo.ReleaseStore)(nil)

// lookupSink hides the StampScanner feature, so the job looks ids up.
type lookupSink struct{ load.Sink }

func TestRun_LookupsAndScanAgree(t *testing.T) {
	st := fixtureLake(t)
	db := newTestDB(t)
	if _, err := run(t, st, db.store(), day, load.Options{}, false); err != nil {
		t.Fatal(err)
	}
	for name, sink := range map[string]load.Sink{"scan": db.store(), "lookups": lookupSink{db.store()}} {
		t.Run(name, func(t *testing.T) {
			s, err := run(t, st, sink, day, load.Options{BatchSize: 3}, true)
			if err != nil {
				t.Fatal(err)
			}
			if detail(s, "unchanged") != 12 || detail(s, "would_insert") != 0 {
				t.Errorf("%s: %v", name, s.Details)
			}
		})
	}
}

// TestRun_EarlyInsertsSameAsPlain: a first load that inserts while reading
// (an empty StampScanner sink) ends with the same collection as one that
// plans everything first, with merges and same-source duplicates in play.
func TestRun_EarlyInsertsSameAsPlain(t *testing.T) {
	st := fixtureLake(t)
	// A second crawl of two items later the same day: one changed, one not.
	var lines [][]byte
	for i, l := range readLines(t, "../testdata/raw/ticketlink.jsonl")[:2] {
		var r catalog.RawRecord
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatal(err)
		}
		r.FetchedAt = r.FetchedAt.Add(3 * time.Hour)
		if i == 0 {
			r.Fields["price"] = "VIP석 180,000원 / R석 150,000원"
		}
		b, _ := json.Marshal(r)
		lines = append(lines, b)
	}
	writeRaw(t, st, "zz-recrawl", day, nil) // an empty partition of another source
	all := append(readLines(t, "../testdata/raw/ticketlink.jsonl"), lines...)
	writeRaw(t, st, "ticketlink", day, all)

	early, plain := newTestDB(t), newTestDB(t)
	s1, err := run(t, st, early.store(), day, load.Options{BatchSize: 2, Workers: 3}, false)
	if err != nil {
		t.Fatal(err)
	}
	if detail(s1, "insert_while_reading") == 0 {
		t.Fatalf("no early inserts: %v", s1.Details)
	}
	s2, err := run(t, st, lookupSink{plain.store()}, day, load.Options{BatchSize: 2, Workers: 3}, false)
	if err != nil {
		t.Fatal(err)
	}
	if detail(s2, "insert_while_reading") != -1 {
		t.Fatalf("plain run inserted early: %v", s2.Details)
	}
	if detail(s1, "duplicates") != 2 || detail(s1, "merged") != 1 || detail(s1, "insert") != detail(s2, "insert") {
		t.Errorf("early %v\nplain %v", s1.Details, s2.Details)
	}
	// Early inserts are counted once, as inserts: the two paths report the
	// same counts (nothing was stored before, so nothing is "unchanged").
	if s1.Skipped != s2.Skipped || detail(s1, "unchanged") != 0 || detail(s2, "unchanged") != 0 {
		t.Errorf("early run: skipped %d unchanged %d; plain run: skipped %d unchanged %d",
			s1.Skipped, detail(s1, "unchanged"), s2.Skipped, detail(s2, "unchanged"))
	}
	got := dump(t, early.store())
	sameReleases(t, got, dump(t, plain.store()))
	for _, r := range got {
		if r.Source == "nol" && r.SourceID == "25013344" && (len(r.Prices) == 0 || r.Prices[0].Amount != 170000) {
			t.Errorf("merged primary keeps nol's prices: %+v", r.Prices)
		}
	}
}

// TestRun_EarlyInsertOfARecrawlStillPending: the same item crawled again
// while its first copy still waits for its insert batch is inserted as the
// dedup keeps it (no update after the load), with the same collection as a
// load that plans everything first.
func TestRun_EarlyInsertOfARecrawlStillPending(t *testing.T) {
	st, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fetched := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	lines := genRaw("site", 10, fetched)
	recrawl := func(i int, d time.Duration, price, title string) []byte {
		var r catalog.RawRecord
		if err := json.Unmarshal(lines[i], &r); err != nil {
			t.Fatal(err)
		}
		r.FetchedAt = r.FetchedAt.Add(d)
		r.Fields["price"] = price
		if title != "" {
			r.Fields["title"] = title
		}
		b, _ := json.Marshal(r)
		return b
	}
	// Item 2 again, later and changed; item 5 again, earlier (the first
	// copy wins, first_seen moves); item 7 again, later, retitled (a new
	// merge key).
	later, earlier := recrawl(2, 3*time.Hour, "R석 99,000원", ""), recrawl(5, -time.Hour, "R석 11,000원", "")
	retitled := recrawl(7, time.Hour, "R석 77,000원", "새 제목 7")
	lines = append(lines[:4:4], append([][]byte{later}, lines[4:]...)...)
	lines = append(lines, earlier, retitled)
	writeRaw(t, st, "site", day, lines)

	early, plain := newTestDB(t), newTestDB(t)
	s1, err := run(t, st, early.store(), day, load.Options{BatchSize: 100, Workers: 2}, false)
	if err != nil {
		t.Fatal(err)
	}
	if detail(s1, "duplicates") != 3 || detail(s1, "update") != 0 || detail(s1, "insert_while_reading") != 10 {
		t.Errorf("early: %v", s1.Details)
	}
	if _, err := run(t, st, lookupSink{plain.store()}, day, load.Options{BatchSize: 100, Workers: 2}, false); err != nil {
		t.Fatal(err)
	}
	got := dump(t, early.store())
	sameReleases(t, got, dump(t, plain.store()))
	for _, r := range got {
		switch r.SourceID {
		case "site-000002":
			if len(r.Prices) != 1 || r.Prices[0].Amount != 99000 || !r.FirstSeen.Equal(fetched) {
				t.Errorf("recrawled later: %+v %v", r.Prices, r.FirstSeen)
			}
		case "site-000005":
			if len(r.Prices) == 0 || r.Prices[0].Amount == 11000 || !r.FirstSeen.Equal(fetched.Add(-time.Hour)) {
				t.Errorf("recrawled earlier: %+v %v", r.Prices, r.FirstSeen)
			}
		case "site-000007":
			if r.Title != "새 제목 7" {
				t.Errorf("retitled: %q", r.Title)
			}
		}
	}
	// And the rerun writes nothing.
	s2, err := run(t, st, early.store(), day, load.Options{BatchSize: 100, Workers: 2}, false)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Written != 0 {
		t.Errorf("rerun wrote %d", s2.Written)
	}
}

// TestRun_PosterURLChangeDropsStoredImage: ingest-posters' image stays while
// the poster URL stays; a new URL resets the poster to {url} so the image is
// fetched again.
func TestRun_PosterURLChangeDropsStoredImage(t *testing.T) {
	st := fixtureLake(t)
	db := newTestDB(t)
	sink := db.store()
	if _, err := run(t, st, sink, day, load.Options{}, false); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	harbin := catalog.ReleaseID("cinema", "M-20261203-01")
	img := catalog.Poster{URL: "https://img.example.kr/m/harbin2.jpg", Object: "posters/ab/abcd.jpg", SHA256: "abcd", Width: 640, Height: 960, Bytes: 1234}
	if err := sink.SetPoster(ctx, harbin, img); err != nil {
		t.Fatal(err)
	}
	next := day.AddDays(1)
	var lines [][]byte
	for _, l := range readLines(t, "../testdata/raw/cinema.jsonl") {
		var r catalog.RawRecord
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatal(err)
		}
		r.FetchedAt = r.FetchedAt.Add(24 * time.Hour)
		if r.SourceID == "M-20261203-01" {
			r.Fields["poster_url"] = "https://img.example.kr/m/harbin2-v2.jpg"
			r.Fields["runtime"] = "135분"
		}
		b, _ := json.Marshal(r)
		lines = append(lines, b)
	}

	t.Run("same url keeps the image", func(t *testing.T) {
		if _, err := run(t, st, sink, day, load.Options{}, false); err != nil {
			t.Fatal(err)
		}
		got, err := sink.GetRelease(ctx, harbin)
		if err != nil {
			t.Fatal(err)
		}
		if got.Poster == nil || *got.Poster != img {
			t.Errorf("poster = %+v, want %+v", got.Poster, img)
		}
	})
	t.Run("new url resets the poster", func(t *testing.T) {
		writeRaw(t, st, "cinema", next, lines)
		s, err := run(t, st, sink, next, load.Options{Sources: []string{"cinema"}}, false)
		if err != nil {
			t.Fatal(err)
		}
		if s.Read != 3 || detail(s, "update") != 1 || detail(s, "touch") != 2 || detail(s, "poster_resets") != 1 {
			t.Errorf("summary %+v", s.Details)
		}
		got, err := sink.GetRelease(ctx, harbin)
		if err != nil {
			t.Fatal(err)
		}
		want := catalog.Poster{URL: "https://img.example.kr/m/harbin2-v2.jpg"}
		if got.Poster == nil || *got.Poster != want || got.Runtime != 135 {
			t.Errorf("poster = %+v runtime %d, want %+v and 135", got.Poster, got.Runtime, want)
		}
	})
}
