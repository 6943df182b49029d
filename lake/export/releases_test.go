package export

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// memReleases is a catalog.ReleaseSource over a slice (sorted by id on read).
type memReleases struct {
	rs    []catalog.Release
	fails int // transient failures before the scan works
	calls int
}

func (m *memReleases) EachRelease(_ context.Context, since time.Time, fn func(r *catalog.Release) error) error {
	m.calls++
	sort.Slice(m.rs, func(i, j int) bool { return m.rs[i].ID < m.rs[j].ID })
	for i := range m.rs {
		if m.fails > 0 && i == 1 {
			m.fails--
			return catalog.Transient(errors.New("connection reset"))
		}
		if !since.IsZero() && m.rs[i].UpdatedAt.Before(since) {
			continue
		}
		r := m.rs[i]
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

func release(i int, updated time.Time) catalog.Release {
	src := "interpark"
	r := catalog.Release{
		ID: catalog.ReleaseID(src, fmt.Sprint(i)), Source: src, SourceID: fmt.Sprint(i),
		URL: fmt.Sprintf("https://example.kr/p/%d", i), Kind: catalog.KindPerformance,
		Title: fmt.Sprintf("뮤지컬 레미제라블 %d", i), Genres: []string{"뮤지컬", "드라마"},
		Cast: []string{"홍길동", "김철수"}, Venue: "블루스퀘어 신한카드홀", Region: "서울특별시",
		StartDate: catalog.Date{Year: 2026, Month: 12, Day: 1 + i%28}, EndDate: catalog.Date{Year: 2027, Month: 2, Day: 28},
		Prices:    []catalog.Price{{Grade: "VIP", Amount: 170000, Currency: "KRW"}, {Grade: "R", Amount: 140000 + int64(i), Currency: "KRW"}},
		AgeRating: catalog.Rating7, Runtime: 170,
		Poster:    &catalog.Poster{URL: "https://example.kr/poster.jpg", SHA256: "ab", Width: 640, Height: 960, Bytes: 12345},
		FirstSeen: time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC), LastSeen: updated, UpdatedAt: updated,
	}
	if i%3 == 0 { // a movie with no prices, poster or dates
		r.Kind, r.Prices, r.Poster, r.StartDate, r.EndDate = catalog.KindMovie, nil, nil, catalog.Date{}, catalog.Date{}
		r.ReleaseDate = catalog.Date{Year: 2026, Month: 12, Day: 24}
		r.Platforms = []string{"CGV", "메가박스"}
	}
	return r
}

func runReleasesJob(t *testing.T, s lake.Store, src catalog.ReleaseSource, d catalog.Date, incremental bool) (*job.Summary, error) {
	t.Helper()
	env := job.TestEnv(JobName, d)
	return Run(context.Background(), env, Options{Dataset: DatasetReleases, Incremental: incremental},
		Deps{Lake: s, Releases: src, ReleasesURI: "mongodb://db/marquee.releases"})
}

func collect(t *testing.T, src catalog.ReleaseSource, since time.Time) []catalog.Release {
	t.Helper()
	var out []catalog.Release
	if err := src.EachRelease(context.Background(), since, func(r *catalog.Release) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReleasesExport(t *testing.T) {
	s := newStore(t)
	t0 := time.Date(2026, 11, 20, 1, 2, 3, 456789000, time.UTC)
	src := &memReleases{fails: 1}
	for i := 0; i < 50; i++ {
		src.rs = append(src.rs, release(i, t0.Add(time.Duration(i)*time.Minute)))
	}
	d1 := date("2026-11-21")
	sum, err := runReleasesJob(t, s, src, d1, false)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a transient source failure restarts the scan; every release is written once", func(t *testing.T) {
		if src.calls != 2 || sum.Written != 50 {
			t.Errorf("calls=%d written=%d", src.calls, sum.Written)
		}
	})
	t.Run("the lake reader returns the releases exactly, in id order", func(t *testing.T) {
		rs, err := lake.OpenReleases(context.Background(), s, d1)
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, rs, time.Time{})
		want := collect(t, &memReleases{rs: src.rs}, time.Time{})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip differs:\n got %+v\nwant %+v", got[0], want[0])
		}
	})
	t.Run("DuckDB reads lists, structs, dates and Korean text", func(t *testing.T) {
		glob := filepath.Join(s.URI(), lake.ReleasesPartition(d1), "*.parquet")
		res := duckdbQuery(t, fmt.Sprintf(`SELECT count(*) AS n,
			sum(len(genres)) AS genres, sum(list_sum([p.amount for p in prices])) AS amounts,
			count(start_date) AS starts, min(release_date)::VARCHAR AS rel,
			count(poster) AS posters, count(*) FILTER (WHERE list_contains("cast", '홍길동')) AS hong,
			any_value(typeof(prices)) AS ptype, any_value(typeof(updated_at)) AS utype
			FROM read_parquet('%s')`, glob))
		var amounts int64
		var starts, posters int
		for _, r := range src.rs {
			for _, p := range r.Prices {
				amounts += p.Amount
			}
			if !r.StartDate.IsZero() {
				starts++
			}
			if r.Poster != nil {
				posters++
			}
		}
		want := map[string]string{"n": "50", "genres": "100", "amounts": fmt.Sprint(amounts), "starts": fmt.Sprint(starts),
			"rel": "2026-12-24", "posters": fmt.Sprint(posters), "hong": "50",
			"ptype": "STRUCT(grade VARCHAR, amount BIGINT, currency VARCHAR)[]", "utype": "TIMESTAMP WITH TIME ZONE"}
		for k, v := range want {
			if got := fmt.Sprint(res[0][k]); got != v {
				t.Errorf("%s = %s, want %s", k, got, v)
			}
		}
	})

	// Day 2: five releases change, one is new.
	t1 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		src.rs[i*7].Title += " (앵콜)"
		src.rs[i*7].UpdatedAt = t1.Add(time.Duration(i) * time.Second)
	}
	src.rs = append(src.rs, release(99, t1))
	d2 := d1.AddDays(1)
	t.Run("incremental exports the releases changed at or after the previous watermark", func(t *testing.T) {
		sum, err := runReleasesJob(t, s, src, d2, true)
		if err != nil {
			t.Fatal(err)
		}
		// 6 changed, plus release 49 whose updated_at is the watermark itself (inclusive bound).
		if sum.Written != 7 || sum.Details["mode"] != lake.ReleasesModeIncremental {
			t.Errorf("written=%d details=%v", sum.Written, sum.Details)
		}
		again, err := runReleasesJob(t, s, src, d2, true)
		if err != nil || again.Written != 7 {
			t.Errorf("rerun of the same date: written=%d err=%v, want the same 7", again.Written, err)
		}
	})
	t.Run("the lake source merges snapshot and increments, newest version wins", func(t *testing.T) {
		rs, err := lake.OpenReleases(context.Background(), s, d2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs.Partitions) != 2 {
			t.Fatalf("partitions %v", rs.Partitions)
		}
		got := collect(t, rs, time.Time{})
		want := collect(t, &memReleases{rs: src.rs}, time.Time{})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("merged %d releases, want %d (or contents differ)", len(got), len(want))
		}
		if n := len(collect(t, rs, t1)); n != 6 {
			t.Errorf("since %s: %d releases, want 6", t1, n)
		}
		old, err := lake.OpenReleases(context.Background(), s, d1)
		if err != nil || len(collect(t, old, time.Time{})) != 50 {
			t.Errorf("as of %s: %v", d1, err)
		}
	})
	t.Run("incremental with no change writes only the releases at the watermark", func(t *testing.T) {
		sum, err := runReleasesJob(t, s, src, d2.AddDays(1), true)
		if err != nil || sum.Written != 1 {
			t.Errorf("written=%d err=%v", sum.Written, err)
		}
	})
	t.Run("an empty source is nothing to do, and no source is a usage error", func(t *testing.T) {
		if _, err := runReleasesJob(t, newStore(t), &memReleases{}, d1, false); !errors.Is(err, catalog.ErrNothingToDo) {
			t.Errorf("err = %v", err)
		}
		if _, err := runReleasesJob(t, newStore(t), nil, d1, false); !errors.Is(err, catalog.ErrUsage) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestReleasesOptionalNullsExact(t *testing.T) {
	s := newStore(t)
	src := &memReleases{}
	want := 0
	for i := 0; i < 128; i++ {
		r := release(i, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
		if i%64 != 1 { // null, set, null×62: the pattern parquet-go v0.32.0 mis-wrote
			r.Venue, r.URL, r.Runtime, r.Poster = "", "", 0, nil
		} else {
			want++
		}
		src.rs = append(src.rs, r)
	}
	d := date("2026-11-21")
	if _, err := runReleasesJob(t, s, src, d, false); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(s.URI(), lake.ReleasesPartition(d), "*.parquet")
	res := duckdbQuery(t, fmt.Sprintf(`SELECT count(venue) AS v, count(url) AS u, count(runtime) AS r, count(poster) AS p FROM read_parquet('%s')`, glob))
	for k, v := range res[0] {
		if fmt.Sprint(v) != fmt.Sprint(want) {
			t.Errorf("count(%s) = %v, want %d", k, v, want)
		}
	}
}
