package mart

import (
	"strings"
	"testing"

	"marquee/internal/catalog"
)

func TestDataTestsCatchBrokenPartitions(t *testing.T) {
	d := catalog.Date{Year: 2026, Month: 11, Day: 20}
	cases := []struct {
		name string
		got  []string
		want string
	}{
		{"rank gap", testPopular(d, []PopularRow{{d, 1, "a", 5, 2}, {d, 3, "b", 4, 1}}), "out of sequence"},
		{"duplicate item in a ranking", testAgeRank(d, []AgeRankRow{{d, "20s", 1, "a", 5, 2}, {d, "20s", 2, "a", 4, 1}}), "duplicate item_id"},
		{"null item", testPopular(d, []PopularRow{{d, 1, "", 5, 2}}), "null item_id"},
		{"negative count", testItemStats(d, []ItemStatRow{{"a", 1, -1, 0, 0}}), "negative"},
		{"viewers over views", testPopular(d, []PopularRow{{d, 1, "a", 2, 3}}), "viewers 3 > views 2"},
		{"rate over one", testKeywords(d, []KeywordRow{{d, "뮤지컬", 2, 1, 1.5, 0}}), "outside [0, 1]"},
		{"duplicate keyword", testKeywords(d, []KeywordRow{{d, "k", 2, 1, 0, 0}, {d, "k", 1, 1, 0, 0}}), "duplicate keyword"},
		{"duplicate genre cell", testGenre(d, []GenreRow{{1, "액션", 1}, {1, "액션", 2}}), "duplicate (user_id, genre)"},
		{"unsorted item_stats", testItemStats(d, []ItemStatRow{{"b", 1, 0, 0, 0}, {"a", 1, 0, 0, 0}}), "not in item_id order"},
		{"negative score", testGenre(d, []GenreRow{{1, "액션", -1}}), "score -1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.got) != 1 || !strings.Contains(tc.got[0], tc.want) {
				t.Errorf("warnings %q, want one containing %q", tc.got, tc.want)
			}
		})
	}
	t.Run("a good partition passes", func(t *testing.T) {
		if w := testPopular(d, []PopularRow{{d, 1, "a", 5, 2}, {d, 2, "b", 5, 5}}); len(w) != 0 {
			t.Errorf("warnings %q", w)
		}
	})
	t.Run("drift", func(t *testing.T) {
		if w := driftWarning(PopularDaily, d, 40, 100, 0.5); !strings.Contains(w, "drift 60%") {
			t.Errorf("drift warning %q", w)
		}
		if w := driftWarning(PopularDaily, d, 60, 100, 0.5); w != "" {
			t.Errorf("40%% drift under a 50%% threshold warned: %q", w)
		}
	})
}
