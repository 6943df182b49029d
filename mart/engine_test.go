package mart

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/lake"
)

func diffRows[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the reference has no rows; the test data is too thin", what)
	}
	if reflect.DeepEqual(got, want) {
		return
	}
	t.Errorf("%s: got %d rows, want %d", what, len(got), len(want))
	n := 0
	for i := 0; i < max(len(got), len(want)) && n < 10; i++ {
		var g, w any = "<none>", "<none>"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("  row %d:\n   got  %+v\n   want %+v", i, g, w)
			n++
		}
	}
}

func TestEngineDailyMartsEqualReference(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Seoul")
	d := catalog.Date{Year: 2026, Month: 11, Day: 20}
	cases := []struct {
		name              string
		layout            string
		bigUsers          bool
		perFile, perGroup int
		workers           int
	}{
		{"dictionary columns, packed user ids, many row groups", "dict", false, 7000, 1500, 2},
		{"optional plain columns, dense user ids", "opt", true, 20000, 5000, 3},
		{"one row group, one worker", "dict", true, 1 << 30, 1 << 30, 1},
		{"the export-parquet writer's files", "lake", false, 0, 3000, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := lake.NewLocalStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			evs := genEvents(7, d, loc, 20000, 1500, 400, tc.bigUsers)
			writeEvents(t, s, d, evs, tc.layout, tc.perFile, tc.perGroup)
			files, _, err := openPartition(ctx, s, lake.PartitionPath(lake.ZoneParquetEvents, d))
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll(files)
			e := newEngine(tc.workers)
			e.userDense = !files[0].userRangeOK()
			if e.userDense != tc.bigUsers {
				t.Fatalf("userDense = %v, want %v", e.userDense, tc.bigUsers)
			}
			a, err := e.scanPartition(ctx, files, scanNeeds{views: true, ages: true, search: true, items: true, genre: true})
			if err != nil {
				t.Fatal(err)
			}
			if a.rows != int64(len(evs)) {
				t.Fatalf("rows = %d, want %d", a.rows, len(evs))
			}
			for _, top := range []int{10, 0} {
				t.Run(fmt.Sprintf("top %d", top), func(t *testing.T) {
					// dailyViews and keywordRows filter the key sets in place:
					// give each call its own copy.
					c := *a
					c.views = keySet{keys: slices.Clone(a.views.keys)}
					c.kwUsers = keySet{keys: slices.Clone(a.kwUsers.keys)}
					pop, rank := e.dailyViews(d, &c, top, true, true)
					diffRows(t, "popular_daily", pop, refPopular(evs, d, top))
					diffRows(t, "ranking_age_daily", rank, refAgeRank(evs, d, top))
					diffRows(t, "search_keywords_daily", e.keywordRows(d, &c, top), refKeywords(evs, d, top))
				})
			}
		})
	}
}
