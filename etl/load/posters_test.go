package load_test

import (
	"context"
	"testing"
	"time"

	"marquee/etl/load"
	"marquee/etl/posters"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// writePosterIndex commits entries as posters/index/dt=d, as ingest-posters does.
func writePosterIndex(t *testing.T, st lake.Store, d catalog.Date, entries []posters.IndexEntry) {
	t.Helper()
	ctx := context.Background()
	pw := lake.NewPartitionWriter(st, posters.IndexPartition(d), "ingest-posters", job.NewRunID(time.Now()), time.Now)
	w := lake.NewJSONLWriter(ctx, pw)
	for _, e := range entries {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
}

// In the daily chain ingest-posters runs before load-mongo: the images it
// stored for the date are attached to releases loaded for the first time,
// and a rerun writes nothing.
func TestRun_AttachesIngestedPosters(t *testing.T) {
	st := fixtureLake(t)
	db := newTestDB(t)
	sink := db.store()

	// Find two fixture releases with a poster URL.
	var withPoster []catalog.Release
	if _, err := run(t, st, sink, day, load.Options{}, false); err != nil {
		t.Fatal(err)
	}
	for _, r := range dump(t, sink) {
		if r.Poster != nil && r.Poster.URL != "" {
			withPoster = append(withPoster, r)
		}
	}
	if len(withPoster) < 2 {
		t.Fatalf("fixtures have %d releases with a poster URL, want ≥ 2", len(withPoster))
	}
	// Start again from an empty collection, now with a poster index for the day.
	db2 := newTestDB(t)
	sink = db2.store()
	entries := []posters.IndexEntry{
		{ReleaseID: withPoster[0].ID, URL: withPoster[0].Poster.URL, Object: "posters/ab/ab01.png", SHA256: "ab01", ContentType: "image/png", Width: 300, Height: 420, Bytes: 1234},
		// An entry whose URL is not the release's current poster is ignored.
		{ReleaseID: withPoster[1].ID, URL: "http://elsewhere.test/old.png", Object: "posters/cd/cd02.png", SHA256: "cd02", ContentType: "image/png", Width: 1, Height: 1, Bytes: 1},
	}
	writePosterIndex(t, st, day, entries)

	s, err := run(t, st, sink, day, load.Options{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := detail(s, "posters_attached"); got != 1 {
		t.Fatalf("posters_attached = %d, want 1 (%+v)", got, s.Details)
	}
	byID := map[string]catalog.Release{}
	for _, r := range dump(t, sink) {
		byID[r.ID] = r
	}
	p := byID[withPoster[0].ID].Poster
	if p == nil || p.SHA256 != "ab01" || p.Object != "posters/ab/ab01.png" || p.Width != 300 || p.URL != withPoster[0].Poster.URL {
		t.Errorf("attached poster = %+v", p)
	}
	if p := byID[withPoster[1].ID].Poster; p == nil || p.SHA256 != "" {
		t.Errorf("poster of a mismatched URL = %+v, want the URL only", p)
	}

	s, err = run(t, st, sink, day, load.Options{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Written != 0 || detail(s, "posters_attached") != -1 {
		t.Fatalf("rerun wrote %d, attached %d; want nothing", s.Written, detail(s, "posters_attached"))
	}
}
