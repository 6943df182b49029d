package mongo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/internal/catalog"
	"marquee/internal/testenv"
)

// testReleaseStore returns a ReleaseStore on a fresh database of the test
// server, dropped when the test ends.
func testReleaseStore(t *testing.T) *ReleaseStore {
	t.Helper()
	uri := testenv.MongoURI(t)
	cl, err := driver.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t_rel_%s_%d", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")), time.Now().UnixNano()%1e9)
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	db := cl.Database(name)
	t.Cleanup(func() {
		ctx := context.Background()
		_ = db.Drop(ctx)
		_ = cl.Disconnect(ctx)
	})
	return NewReleaseStore(db, "")
}

func sampleRelease(i int) *catalog.Release {
	seen := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	sid := fmt.Sprintf("P%05d", i)
	return &catalog.Release{
		ID: catalog.ReleaseID("interpark", sid), Source: "interpark", SourceID: sid,
		Sources: []string{"interpark:" + sid, "yes24:Y" + sid},
		URL:     "https://tickets.example/" + sid, Kind: catalog.KindPerformance,
		Title: fmt.Sprintf("뮤지컬 〈레미제라블〉 %d", i), OriginalTitle: "Les Misérables",
		Genres: []string{"musical"}, Cast: []string{"민우혁", "최재림"},
		Venue: "블루스퀘어 신한카드홀", Region: "서울특별시",
		StartDate: catalog.Date{Year: 2026, Month: 11, Day: 1}, EndDate: catalog.Date{Year: 2027, Month: 2, Day: 28},
		Prices:    []catalog.Price{{Grade: "VIP석", Amount: 170000, Currency: "KRW"}, {Grade: "R석", Amount: 140000, Currency: "KRW"}},
		AgeRating: catalog.Rating7, Runtime: 180,
		Poster:      &catalog.Poster{URL: "https://img.example/" + sid + ".jpg"},
		Description: "빅토르 위고 원작", Tags: []string{"단독판매"}, Locale: "ko",
		FirstSeen: seen, LastSeen: seen, ContentHash: fmt.Sprintf("h%d", i),
		UpdatedAt: seen.Add(time.Hour),
	}
}

func TestReleaseStore_RoundTrip(t *testing.T) {
	s := testReleaseStore(t)
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatalf("second EnsureIndexes: %v", err)
	}
	want := sampleRelease(1)
	if err := s.WriteReleaseBatch(ctx, nil, []*catalog.Release{want}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRelease(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}

	t.Run("dates are BSON dates at UTC midnight", func(t *testing.T) {
		var raw bson.M
		if err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: want.ID}}).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		dt, ok := raw["start_date"].(bson.DateTime)
		if !ok {
			t.Fatalf("start_date is %T, want bson.DateTime", raw["start_date"])
		}
		if got := dt.Time().UTC(); !got.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("start_date = %v", got)
		}
		if raw["release_date"] != nil {
			t.Errorf("unknown release_date stored as %v, want null", raw["release_date"])
		}
	})

	t.Run("unknown id is ErrNotFound", func(t *testing.T) {
		if _, err := s.GetRelease(ctx, "nope"); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("err = %v", err)
		}
		if err := s.SetPoster(ctx, "nope", catalog.Poster{URL: "x"}); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("SetPoster err = %v", err)
		}
	})
}

func TestReleaseStore_UpsertKeepsFirstSeenAndPoster(t *testing.T) {
	s := testReleaseStore(t)
	ctx := context.Background()
	r := sampleRelease(2)
	if err := s.WriteReleaseBatch(ctx, []*catalog.Release{r}, nil, nil); err != nil {
		t.Fatal(err)
	}
	poster := catalog.Poster{URL: r.Poster.URL, Object: "posters/ab/abcd.jpg", SHA256: "abcd", ContentType: "image/jpeg", Width: 640, Height: 960, Bytes: 12345}
	if err := s.SetPoster(ctx, r.ID, poster); err != nil {
		t.Fatal(err)
	}

	// A later day: new content, later seen time.
	r2 := *r
	r2.Title = "뮤지컬 〈레미제라블〉 앵콜"
	r2.Cast = nil
	r2.FirstSeen = r.FirstSeen.Add(24 * time.Hour)
	r2.LastSeen = r.LastSeen.Add(24 * time.Hour)
	r2.ContentHash = "h2b"
	if err := s.WriteReleaseBatch(ctx, nil, []*catalog.Release{&r2}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRelease(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != r2.Title || got.ContentHash != "h2b" {
		t.Errorf("content not updated: %q %q", got.Title, got.ContentHash)
	}
	if got.Cast != nil {
		t.Errorf("cast not cleared: %v", got.Cast)
	}
	if !got.FirstSeen.Equal(r.FirstSeen) {
		t.Errorf("first_seen = %v, want kept %v", got.FirstSeen, r.FirstSeen)
	}
	if !got.LastSeen.Equal(r2.LastSeen) {
		t.Errorf("last_seen = %v, want %v", got.LastSeen, r2.LastSeen)
	}
	if got.Poster == nil || *got.Poster != poster {
		t.Errorf("poster = %+v, want kept %+v", got.Poster, poster)
	}

	t.Run("touch only moves the seen stamps", func(t *testing.T) {
		touch := &catalog.Release{ID: r.ID, FirstSeen: r.FirstSeen.Add(-48 * time.Hour), LastSeen: r2.LastSeen.Add(-time.Hour)}
		if err := s.WriteReleaseBatch(ctx, nil, nil, []*catalog.Release{touch}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetRelease(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.FirstSeen.Equal(touch.FirstSeen) || !got.LastSeen.Equal(r2.LastSeen) || got.Title != r2.Title {
			t.Errorf("after touch: first %v last %v title %q", got.FirstSeen, got.LastSeen, got.Title)
		}
	})

	t.Run("lookup returns the stamps", func(t *testing.T) {
		m, err := s.LookupReleases(ctx, []string{r.ID, "missing"})
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 1 || m[r.ID].ContentHash != "h2b" || m[r.ID].Poster == nil || m[r.ID].Poster.URL != poster.URL {
			t.Errorf("lookup = %+v", m[r.ID])
		}
	})
}

func TestReleaseStore_InsertOfExistingBecomesUpsert(t *testing.T) {
	s := testReleaseStore(t)
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := sampleRelease(10), sampleRelease(11)
	if err := s.WriteReleaseBatch(ctx, []*catalog.Release{a}, nil, nil); err != nil {
		t.Fatal(err)
	}
	// A retry of a half-done call: a is stored already, b is new.
	a2 := *a
	a2.Title = "바뀐 제목"
	a2.FirstSeen = a.FirstSeen.Add(time.Hour)
	if err := s.WriteReleaseBatch(ctx, []*catalog.Release{&a2, b}, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRelease(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "바뀐 제목" || !got.FirstSeen.Equal(a.FirstSeen) {
		t.Errorf("existing insert not upserted: title %q first_seen %v", got.Title, got.FirstSeen)
	}
	if n, _ := s.CountReleases(ctx); n != 2 {
		t.Errorf("%d releases stored, want 2", n)
	}
}

func TestReleaseStore_EachRelease(t *testing.T) {
	s := testReleaseStore(t)
	ctx := context.Background()
	var rs []*catalog.Release
	for i := 30; i > 0; i-- {
		r := sampleRelease(i)
		r.UpdatedAt = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		rs = append(rs, r)
	}
	if err := s.WriteReleaseBatch(ctx, rs, nil, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		since time.Time
		want  int
	}{
		{"all releases with zero since", time.Time{}, 30},
		{"only those updated at or after since", time.Date(2026, 11, 1, 21, 0, 0, 0, time.UTC), 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ids []string
			err := s.EachRelease(ctx, tc.since, func(r *catalog.Release) error {
				if r.Title == "" || r.StartDate.IsZero() {
					t.Errorf("release %s not filled: %+v", r.ID, r)
				}
				ids = append(ids, r.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != tc.want {
				t.Fatalf("got %d releases, want %d", len(ids), tc.want)
			}
			for i := 1; i < len(ids); i++ {
				if ids[i-1] >= ids[i] {
					t.Fatalf("not in id order at %d: %s >= %s", i, ids[i-1], ids[i])
				}
			}
		})
	}
	t.Run("an error from fn stops the scan", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.EachRelease(ctx, time.Time{}, func(*catalog.Release) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("err = %v after %d calls", err, n)
		}
	})
}

func TestReleaseStore_UniqueSourceKey(t *testing.T) {
	s := testReleaseStore(t)
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	a := sampleRelease(5)
	b := sampleRelease(5)
	b.ID = "another-id-same-source-key"
	if err := s.WriteReleaseBatch(ctx, []*catalog.Release{a}, nil, nil); err != nil {
		t.Fatal(err)
	}
	err := s.WriteReleaseBatch(ctx, nil, []*catalog.Release{b}, nil)
	if err == nil || !IsDuplicateKey(err) {
		t.Fatalf("err = %v, want a duplicate key error", err)
	}
	if catalog.IsTransient(err) {
		t.Errorf("duplicate key classified transient: %v", err)
	}
}

func TestReleaseStore_UnreachableIsTransient(t *testing.T) {
	cl, err := driver.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1").SetServerSelectionTimeout(300 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Disconnect(context.Background())
	s := NewReleaseStore(cl.Database("x"), "")
	err = s.WriteReleaseBatch(context.Background(), []*catalog.Release{sampleRelease(1)}, nil, nil)
	if !catalog.IsTransient(err) {
		t.Errorf("err = %v, want transient", err)
	}
}

func TestReleaseDocument_SameAsUpsert(t *testing.T) {
	s := testReleaseStore(t)
	ctx := context.Background()
	r := sampleRelease(7)
	if _, err := s.coll.InsertOne(ctx, ReleaseDocument(r)); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRelease(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("ReleaseDocument round trip:\n got %+v\nwant %+v", got, r)
	}
}

func TestReleaseStore_InsertsOverSeveralCommands(t *testing.T) {
	s := testReleaseStore(t)
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	var rs []*catalog.Release
	for i := 0; i < 6; i++ {
		r := sampleRelease(100 + i)
		r.Description = strings.Repeat("가", 30000) // 90 KB: two a command of at most maxInsertBytes
		rs = append(rs, r)
	}
	// The last one is stored already: its duplicate-key error comes from
	// the third command and must become an upsert of that release.
	stored := *rs[5]
	stored.Title = "옛 제목"
	if err := s.WriteReleaseBatch(ctx, []*catalog.Release{&stored}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteReleaseBatch(ctx, rs, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountReleases(ctx); n != 6 {
		t.Errorf("%d releases stored, want 6", n)
	}
	got, err := s.GetRelease(ctx, rs[5].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != rs[5].Title {
		t.Errorf("title %q: the existing release was not upserted", got.Title)
	}
}
