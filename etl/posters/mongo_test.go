package posters

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
	"marquee/internal/testenv"
	"marquee/lake"
)

// TestIngestPostersFromMongo reads releases lacking a stored poster from the
// real MongoDB-wire server through internal/mongo's ReleaseStore (what
// cmd/marquee wires), and sets their poster fields.
func TestIngestPostersFromMongo(t *testing.T) {
	ctx := context.Background()
	c, err := mongo.Connect(ctx, testenv.MongoURI(t))
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database(fmt.Sprintf("t_posters_%d", time.Now().UnixNano()%1e9))
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = c.Close(context.Background())
	})
	rs := mongo.NewReleaseStore(db, "")
	st := newSite(t)
	a := genJPEG(t, 300, 450, 21)
	urlA := st.add("/a.jpg", &served{body: a, etag: true})
	urlB := st.add("/b.png", &served{body: genPNG(t, 200, 300, 22)})
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	mk := func(sid string, p *catalog.Poster) *catalog.Release {
		return &catalog.Release{ID: catalog.ReleaseID("mg", sid), Source: "mg", SourceID: sid, Kind: catalog.Kind("movie"),
			Title: "영화 " + sid, Poster: p, FirstSeen: now, LastSeen: now, UpdatedAt: now}
	}
	rels := []*catalog.Release{
		mk("1", &catalog.Poster{URL: urlA}),
		mk("2", &catalog.Poster{URL: urlB}),
		mk("3", nil), // no poster at all
		mk("4", &catalog.Poster{URL: urlA, Object: "posters/xx/stored.jpg", SHA256: "stored"}), // already stored
		mk("5", &catalog.Poster{URL: st.URL + "/gone.jpg"}),
	}
	if err := rs.WriteReleases(ctx, rels, nil); err != nil {
		t.Fatal(err)
	}
	// Writes keep only poster.url; a stored poster is set the way this job sets it.
	if err := rs.SetPoster(ctx, rels[3].ID, *rels[3].Poster); err != nil {
		t.Fatal(err)
	}
	s, _ := lake.NewLocalStore(t.TempDir())
	opts := fastOpts()
	opts.From = FromMongo
	opts.Input = "mongodb://test/" + rs.Name()
	opts.Output = opts.Input
	sum, err := Run(ctx, testEnv("m1"), opts, Deps{Lake: s, Releases: rs, Posters: rs})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 3 || sum.Skipped != 2 || sum.Written != 2 || sum.Quarantined != 1 || sum.Details["mongo_updated"] != int64(2) {
		t.Fatalf("summary = %+v", sum)
	}
	if len(sum.Inputs) != 1 || sum.Inputs[0] != opts.Input {
		t.Fatalf("inputs = %v", sum.Inputs)
	}
	got, err := rs.GetRelease(ctx, catalog.ReleaseID("mg", "1"))
	if err != nil {
		t.Fatal(err)
	}
	p := got.Poster
	if p == nil || p.URL != urlA || p.SHA256 != shaHex(a) || p.Object != ObjectKey(shaHex(a), "jpg") ||
		p.Width != 300 || p.Height != 450 || p.Bytes != int64(len(a)) || p.ContentType != TypeJPEG {
		t.Fatalf("release 1 poster = %+v", p)
	}
	if _, err := s.Stat(ctx, p.Object); err != nil {
		t.Fatalf("poster object: %v", err)
	}
	if idx := checkIndex(t, s, testDate); len(idx) != 2 {
		t.Fatalf("index has %d entries", len(idx))
	}
	// Every release now has a stored poster or none that works: the gone
	// one is retried, everything else is done.
	sum, err = Run(ctx, testEnv("m2"), opts, Deps{Lake: s, Releases: rs, Posters: rs})
	if err != nil || sum.Read != 1 || sum.Quarantined != 1 {
		t.Fatalf("second run: %+v %v", sum, err)
	}
	// With the gone one removed there is nothing left to do (exit 99).
	if err := rs.DeleteReleases(ctx, []string{catalog.ReleaseID("mg", "5")}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, testEnv("m3"), opts, Deps{Lake: s, Releases: rs, Posters: rs}); !errors.Is(err, catalog.ErrNothingToDo) {
		t.Fatalf("third run: %v, want ErrNothingToDo", err)
	}
}

// A raw run with a poster sink sets the poster of releases MongoDB knows and
// counts the ones it does not know yet.
func TestIngestPostersRawSetsPosterInMongo(t *testing.T) {
	ctx := context.Background()
	c, err := mongo.Connect(ctx, testenv.MongoURI(t))
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database(fmt.Sprintf("t_posters_raw_%d", time.Now().UnixNano()%1e9))
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = c.Close(context.Background())
	})
	rs := mongo.NewReleaseStore(db, "")
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if err := rs.WriteReleases(ctx, []*catalog.Release{{ID: catalog.ReleaseID("tickets", "1"), Source: "tickets", SourceID: "1",
		Kind: catalog.Kind("performance"), Title: "레미제라블", FirstSeen: now, LastSeen: now, UpdatedAt: now}}, nil); err != nil {
		t.Fatal(err)
	}
	s, _ := lake.NewLocalStore(t.TempDir())
	st := newSite(t)
	writeRaw(t, s, "tickets", testDate,
		rawRec("tickets", "1", "레미제라블", st.add("/1.jpg", &served{body: genJPEG(t, 100, 150, 31)})),
		rawRec("tickets", "2", "아직 없음", st.add("/2.jpg", &served{body: genJPEG(t, 100, 150, 32)})))
	sum, err := Run(ctx, testEnv("r"), fastOpts(), Deps{Lake: s, Posters: rs})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Details["mongo_updated"] != int64(1) || sum.Details["mongo_missing"] != int64(1) {
		t.Fatalf("details = %v", sum.Details)
	}
	got, err := rs.GetRelease(ctx, catalog.ReleaseID("tickets", "1"))
	if err != nil || got.Poster == nil || got.Poster.Width != 100 || got.Poster.SHA256 == "" {
		t.Fatalf("poster = %+v, %v", got, err)
	}
}
