package mart

import (
	"fmt"
	"math"

	"marquee/internal/catalog"
)

// Data tests (dbt-style) run on every built mart partition: keys not null
// (non-empty), keys unique, ranks 1..N per group, counts non-negative,
// rates in [0, 1], scores finite and non-negative. A failure is a warning
// in the summary; --strict turns warnings into exit 3.

type testLog struct {
	mart string
	date catalog.Date
	out  []string
}

func (l *testLog) failf(format string, args ...any) {
	if len(l.out) < 20 {
		l.out = append(l.out, fmt.Sprintf("data test %s dt=%s: ", l.mart, l.date)+fmt.Sprintf(format, args...))
	}
}

type rankGroup struct {
	next  int32
	items map[string]bool
}

func checkRank(l *testLog, groups map[string]*rankGroup, group string, rank int32, item string) {
	g := groups[group]
	if g == nil {
		g = &rankGroup{next: 1, items: map[string]bool{}}
		groups[group] = g
	}
	if rank != g.next {
		l.failf("rank %d of group %q out of sequence (want %d)", rank, group, g.next)
	}
	g.next = rank + 1
	if item == "" {
		l.failf("null item_id at rank %d of group %q", rank, group)
	}
	if g.items[item] {
		l.failf("duplicate item_id %q in group %q", item, group)
	}
	g.items[item] = true
}

func testPopular(d catalog.Date, rows []PopularRow) []string {
	l := &testLog{mart: PopularDaily, date: d}
	groups := map[string]*rankGroup{}
	for _, r := range rows {
		if r.Date != d {
			l.failf("dt %s in partition", r.Date)
		}
		checkRank(l, groups, "", r.Rank, r.ItemID)
		checkCounts(l, r.ItemID, r.Views, r.Viewers)
		if r.Viewers > r.Views {
			l.failf("item %q: viewers %d > views %d", r.ItemID, r.Viewers, r.Views)
		}
	}
	return l.out
}

func testAgeRank(d catalog.Date, rows []AgeRankRow) []string {
	l := &testLog{mart: RankingAgeDaily, date: d}
	groups := map[string]*rankGroup{}
	for _, r := range rows {
		if r.Date != d {
			l.failf("dt %s in partition", r.Date)
		}
		if r.AgeGroup == "" {
			l.failf("null age_group")
		}
		checkRank(l, groups, r.AgeGroup, r.Rank, r.ItemID)
		checkCounts(l, r.ItemID, r.Views, r.Viewers)
	}
	return l.out
}

func testKeywords(d catalog.Date, rows []KeywordRow) []string {
	l := &testLog{mart: SearchKeywordsDaily, date: d}
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Keyword == "" {
			l.failf("null keyword")
		}
		if seen[r.Keyword] {
			l.failf("duplicate keyword %q", r.Keyword)
		}
		seen[r.Keyword] = true
		checkCounts(l, r.Keyword, r.Searches, r.Users)
		for _, x := range []float64{r.ZeroResultRate, r.CTR} {
			if !(x >= 0 && x <= 1) {
				l.failf("keyword %q: rate %v outside [0, 1]", r.Keyword, x)
			}
		}
	}
	return l.out
}

// testGenre checks rows sorted by (user_id, genre), which makes unique
// keys a comparison of neighbours.
func testGenre(d catalog.Date, rows []GenreRow) []string {
	l := &testLog{mart: GenrePreference, date: d}
	for i, r := range rows {
		if r.Genre == "" {
			l.failf("user %d: null genre", r.UserID)
		}
		if i > 0 {
			p := rows[i-1]
			switch {
			case p.UserID == r.UserID && p.Genre == r.Genre:
				l.failf("duplicate (user_id, genre) (%d, %q)", r.UserID, r.Genre)
			case p.UserID > r.UserID || (p.UserID == r.UserID && p.Genre > r.Genre):
				l.failf("rows not in (user_id, genre) order at (%d, %q)", r.UserID, r.Genre)
			}
		}
		if !(r.Score >= 0) || math.IsInf(r.Score, 0) {
			l.failf("user %d genre %q: score %v", r.UserID, r.Genre, r.Score)
		}
	}
	return l.out
}

// testItemStats checks rows sorted by item_id (unique keys by neighbours).
func testItemStats(d catalog.Date, rows []ItemStatRow) []string {
	l := &testLog{mart: ItemStats, date: d}
	for i, r := range rows {
		if r.ItemID == "" {
			l.failf("null item_id")
		}
		if i > 0 {
			switch p := rows[i-1].ItemID; {
			case p == r.ItemID:
				l.failf("duplicate item_id %q", r.ItemID)
			case p > r.ItemID:
				l.failf("rows not in item_id order at %q", r.ItemID)
			}
		}
		checkCounts(l, r.ItemID, r.Views, r.Clicks, r.Likes, r.Books)
	}
	return l.out
}

func checkCounts(l *testLog, key string, counts ...int64) {
	for _, c := range counts {
		if c < 0 {
			l.failf("%q: negative count %d", key, c)
			return
		}
	}
}

// driftWarning compares a partition's row count with the previous day's.
func driftWarning(name string, d catalog.Date, rows, prev int64, threshold float64) string {
	if prev <= 0 || threshold <= 0 {
		return ""
	}
	drift := math.Abs(float64(rows-prev)) / float64(prev)
	if drift > threshold {
		return fmt.Sprintf("data test %s dt=%s: row count %d vs %d the day before (drift %.0f%% > %.0f%%)",
			name, d, rows, prev, drift*100, threshold*100)
	}
	return ""
}
