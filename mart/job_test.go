package mart

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

func day(s string) catalog.Date {
	d, err := catalog.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func fromDays(days int32) catalog.Date {
	return catalog.Date{Year: 1970, Month: 1, Day: 1}.AddDays(int(days))
}

func readMart[P, R any](t *testing.T, s lake.Store, name string, d catalog.Date, f func(P) R) []R {
	t.Helper()
	rows, err := readParquetRows[P](context.Background(), s, MartPartition(name, d))
	if err != nil {
		t.Fatalf("read %s dt=%s: %v", name, d, err)
	}
	out := make([]R, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// testGenres gives every item one to three genres (Korean names), some none.
func testGenres(items int) StaticGenres {
	names := []string{"뮤지컬", "콘서트", "드라마", "액션", "전시"}
	m := StaticGenres{}
	for i := 0; i < items; i++ {
		if i%11 == 0 {
			continue
		}
		var g []string
		for j := 0; j < 1+i%3; j++ {
			g = append(g, names[(i+j*2)%len(names)])
		}
		m[fmt.Sprintf("item-%04d", i)] = g
	}
	return m
}

type fakePopular struct {
	mu   sync.Mutex
	days map[catalog.Date][]catalog.PopularItem
	fail int // transient failures before success
}

func (f *fakePopular) ReplacePopular(_ context.Context, d catalog.Date, items []catalog.PopularItem) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return catalog.Transient(errors.New("connection reset"))
	}
	if f.days == nil {
		f.days = map[catalog.Date][]catalog.PopularItem{}
	}
	f.days[d] = items
	return nil
}

func TestRunAllMartsEqualReference(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Seoul")
	s, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const items = 300
	genres := testGenres(items)
	byDay := map[catalog.Date][]catalog.Event{}
	first, last := day("2026-11-14"), day("2026-11-20")
	for d := first; !last.Before(d); d = d.AddDays(1) {
		evs := genEvents(uint64(d.Day), d, loc, 6000, 800, items, d.Day%2 == 0)
		byDay[d] = evs
		writeEvents(t, s, d, evs, []string{"dict", "opt", "lake"}[d.Day%3], 2500, 1000)
	}
	opts := Options{Top: 10, Window: 5, HalfLife: 2, Weights: Weights{View: 1, Click: 2, Like: 3, Book: 5}, Drift: -1}
	pop := &fakePopular{fail: 1}
	deps := Deps{Lake: s, Genres: genres, Popular: pop, PopularURI: "mongodb://127.0.0.1/marquee.popular"}

	// Two runs: the second continues item_stats from the first's last day.
	for _, rng := range [][2]string{{"2026-11-16", "2026-11-17"}, {"2026-11-18", "2026-11-20"}} {
		o := opts
		o.From, o.To = day(rng[0]), day(rng[1])
		env := job.TestEnv(JobName, o.To)
		sum, err := Run(ctx, env, o, deps)
		if err != nil {
			t.Fatalf("run %v: %v", rng, err)
		}
		if len(sum.Warnings) != 0 {
			t.Errorf("run %v: warnings %v", rng, sum.Warnings)
		}
		if want := int(daysBetween(o.From, o.To)+1) * len(Names); len(sum.Outputs) != want+1 {
			t.Errorf("run %v: %d outputs, want %d + popular: %v", rng, len(sum.Outputs), want, sum.Outputs)
		}
	}

	var all []catalog.Event
	for d := first; !last.Before(d); d = d.AddDays(1) {
		all = append(all, byDay[d]...)
		if d.Before(day("2026-11-16")) {
			continue
		}
		t.Run(d.String(), func(t *testing.T) {
			evs := byDay[d]
			gotPop := readMart(t, s, PopularDaily, d, func(p popularPq) PopularRow {
				return PopularRow{fromDays(p.DT), p.Rank, p.ItemID, p.Views, p.Viewers}
			})
			wantPop := refPopular(evs, d, 10)
			diffRows(t, "popular_daily", gotPop, wantPop)
			diffRows(t, "ranking_age_daily", readMart(t, s, RankingAgeDaily, d, func(p ageRankPq) AgeRankRow {
				return AgeRankRow{fromDays(p.DT), p.AgeGroup, p.Rank, p.ItemID, p.Views, p.Viewers}
			}), refAgeRank(evs, d, 10))
			diffRows(t, "search_keywords_daily", readMart(t, s, SearchKeywordsDaily, d, func(p keywordPq) KeywordRow {
				return KeywordRow{fromDays(p.DT), p.Keyword, p.Searches, p.Users, p.ZeroResultRate, p.CTR}
			}), refKeywords(evs, d, 10))
			diffRows(t, "item_stats", readMart(t, s, ItemStats, d, func(p itemStatPq) ItemStatRow { return ItemStatRow(p) }),
				refItemStats(all))
			clicks, err := ItemStatsClicks{Store: s, Date: d}.ClickCounts(ctx)
			if err != nil {
				t.Fatalf("click counts: %v", err)
			}
			for _, r := range refItemStats(all) {
				if clicks[r.ItemID] != r.Clicks {
					t.Fatalf("click count of %s = %d, want %d", r.ItemID, clicks[r.ItemID], r.Clicks)
				}
			}

			got := readMart(t, s, GenrePreference, d, func(p genrePq) GenreRow { return GenreRow(p) })
			want := refGenre(byDay, d, 5, 2, opts.Weights, genres)
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("genre_preference: %d rows, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.UserID != w.UserID || g.Genre != w.Genre || math.Abs(g.Score-w.Score) > 1e-9*math.Max(1, w.Score) {
					t.Fatalf("genre_preference row %d: got %+v, want %+v", i, g, w)
				}
			}

			published := pop.days[d]
			if len(published) != len(wantPop) {
				t.Fatalf("popular published %d items, want %d", len(published), len(wantPop))
			}
			for i, p := range published {
				if p.ItemID != wantPop[i].ItemID || p.Rank != int(wantPop[i].Rank) || p.Views != wantPop[i].Views {
					t.Errorf("published popular %d = %+v, want %+v", i, p, wantPop[i])
				}
			}
		})
	}
}

func TestRunEdges(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Seoul")
	newStore := func(t *testing.T, days ...string) lake.Store {
		s, err := lake.NewLocalStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for i, ds := range days {
			d := day(ds)
			writeEvents(t, s, d, genEvents(uint64(i), d, loc, 3000, 300, 100, false), "lake", 3000, 1000)
		}
		return s
	}
	daily := []string{PopularDaily, RankingAgeDaily, SearchKeywordsDaily}

	t.Run("no events for the range is nothing to do", func(t *testing.T) {
		s := newStore(t, "2026-11-01")
		sum, err := Run(ctx, job.TestEnv(JobName, day("2026-11-05")), Options{Marts: daily}, Deps{Lake: s})
		if !errors.Is(err, catalog.ErrNothingToDo) {
			t.Fatalf("err = %v, want ErrNothingToDo", err)
		}
		if len(sum.Warnings) != 1 {
			t.Errorf("warnings = %v, want one about the missing partition", sum.Warnings)
		}
	})

	t.Run("dry run writes nothing", func(t *testing.T) {
		s := newStore(t, "2026-11-01")
		env := job.TestEnv(JobName, day("2026-11-01"))
		env.DryRun = true
		sum, err := Run(ctx, env, Options{Marts: daily}, Deps{Lake: s})
		if err != nil {
			t.Fatal(err)
		}
		objs, _ := s.List(ctx, lake.ZoneMart+"/")
		if len(objs) != 0 || sum.Written != 0 || sum.Read != 3000 {
			t.Errorf("dry run: %d objects in mart/, written %d, read %d", len(objs), sum.Written, sum.Read)
		}
	})

	t.Run("a missing day in the range warns and the rest is built", func(t *testing.T) {
		s := newStore(t, "2026-11-01", "2026-11-03")
		sum, err := Run(ctx, job.TestEnv(JobName, day("2026-11-03")),
			Options{Marts: []string{PopularDaily}, From: day("2026-11-01"), To: day("2026-11-03")}, Deps{Lake: s})
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Outputs) != 2 || len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0], "2026-11-02") {
			t.Errorf("outputs %v warnings %v", sum.Outputs, sum.Warnings)
		}
	})

	t.Run("row-count drift warns, and with strict exits 3", func(t *testing.T) {
		s := newStore(t, "2026-11-01", "2026-11-02")
		// Day one with top 50, day two with top 10: popular_daily shrinks 80%.
		if _, err := Run(ctx, job.TestEnv(JobName, day("2026-11-01")), Options{Marts: []string{PopularDaily}, Top: 50}, Deps{Lake: s}); err != nil {
			t.Fatal(err)
		}
		o := Options{Marts: []string{PopularDaily}, Top: 10}
		sum, err := Run(ctx, job.TestEnv(JobName, day("2026-11-02")), o, Deps{Lake: s})
		if err != nil || len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0], "drift") {
			t.Fatalf("err %v warnings %v", err, sum.Warnings)
		}
		o.Strict = true
		_, err = Run(ctx, job.TestEnv(JobName, day("2026-11-02")), o, Deps{Lake: s})
		if job.ExitCode(err) != job.ExitRejected {
			t.Fatalf("strict: err %v, want exit 3", err)
		}
	})

	t.Run("rerun replaces the partition", func(t *testing.T) {
		s := newStore(t, "2026-11-01")
		for i := 0; i < 2; i++ {
			if _, err := Run(ctx, job.TestEnv(JobName, day("2026-11-01")), Options{Marts: []string{PopularDaily}}, Deps{Lake: s}); err != nil {
				t.Fatal(err)
			}
		}
		objs, _ := s.List(ctx, MartPartition(PopularDaily, day("2026-11-01"))+"/")
		if len(objs) != 2 { // one part file + the manifest
			t.Errorf("partition holds %d objects after a rerun, want 2", len(objs))
		}
	})

	t.Run("genre_preference without a genre source is a usage error", func(t *testing.T) {
		s := newStore(t, "2026-11-01")
		_, err := Run(ctx, job.TestEnv(JobName, day("2026-11-01")), Options{Marts: []string{GenrePreference}}, Deps{Lake: s})
		if !errors.Is(err, catalog.ErrUsage) {
			t.Fatalf("err = %v, want ErrUsage", err)
		}
	})
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"all", Names, true},
		{"item_stats,popular_daily", []string{PopularDaily, ItemStats}, true},
		{"popular_daily,popular_daily", []string{PopularDaily}, true},
		{"nope", nil, false},
		{"", nil, false},
	} {
		got, err := ParseMarts(tc.in)
		if (err == nil) != tc.ok || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("ParseMarts(%q) = %v, %v", tc.in, got, err)
		}
	}
	for in, want := range map[string]int{"28d": 28, "4w": 28, "672h": 28, "0d": -1, "25h": -1, "x": -1} {
		got, err := ParseWindow(in)
		if (want < 0) != (err != nil) || (want > 0 && got != want) {
			t.Errorf("ParseWindow(%q) = %d, %v", in, got, err)
		}
	}
	w, err := ParseWeights("view=0.5, book=10")
	if err != nil || w != (Weights{View: 0.5, Click: 2, Like: 3, Book: 10}) {
		t.Errorf("ParseWeights = %+v, %v", w, err)
	}
	if _, err := ParseWeights("share=1"); !errors.Is(err, catalog.ErrUsage) {
		t.Errorf("ParseWeights(share=1) err = %v", err)
	}
}

func TestNormalizeKeyword(t *testing.T) {
	for in, want := range map[string]string{
		" 뮤지컬 ":              "뮤지컬",
		"뮤지컬\u3000 레미제라블":    "뮤지컬 레미제라블",
		"BTS\t콘서트\n":         "bts 콘서트",
		"\u1100\u1161\u11a8": "각", // NFD jamo → NFC syllable
		"   ":                "",
		"Ａ\u00a0B":           "ａ b",
	} {
		if got := NormalizeKeyword(in); got != want {
			t.Errorf("NormalizeKeyword(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestItemStatsRebuildsAfterLateEvents(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Seoul")
	s, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	byDay := map[catalog.Date][]catalog.Event{}
	for _, ds := range []string{"2026-11-01", "2026-11-02", "2026-11-03"} {
		d := day(ds)
		byDay[d] = genEvents(uint64(d.Day), d, loc, 1500, 200, 80, false)
		writeEvents(t, s, d, byDay[d], "lake", 0, 1000)
	}
	o := Options{Marts: []string{ItemStats}}
	if _, err := Run(ctx, job.TestEnv(JobName, day("2026-11-02")), o, Deps{Lake: s}); err != nil {
		t.Fatal(err)
	}
	// Late events for 11-01 arrive after item_stats of 11-02 was built.
	d1 := day("2026-11-01")
	byDay[d1] = append(byDay[d1], genEvents(99, d1, loc, 700, 200, 80, false)...)
	writeEventsAt(t, s, d1, byDay[d1], "lake", 0, 1000, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))

	d3 := day("2026-11-03")
	if _, err := Run(ctx, job.TestEnv(JobName, d3), o, Deps{Lake: s}); err != nil {
		t.Fatal(err)
	}
	var all []catalog.Event
	for _, evs := range byDay {
		all = append(all, evs...)
	}
	diffRows(t, "item_stats", readMart(t, s, ItemStats, d3, func(p itemStatPq) ItemStatRow { return ItemStatRow(p) }), refItemStats(all))
}

func TestItemStatsClicksNone(t *testing.T) {
	s, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ItemStatsClicks{Store: s, Date: catalog.Date{Year: 2026, Month: 11, Day: 1}}.ClickCounts(context.Background())
	if !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("no item_stats: %v, want ErrNotFound", err)
	}
}
