package mart

import (
	"fmt"
	"strings"
	"time"

	"marquee/internal/catalog"
)

// Mart names (DESIGN.md §5a). Each is written to mart/<name>/dt=D.
const (
	PopularDaily        = "popular_daily"
	RankingAgeDaily     = "ranking_age_daily"
	SearchKeywordsDaily = "search_keywords_daily"
	GenrePreference     = "genre_preference"
	ItemStats           = "item_stats"
)

// Names lists every mart build-mart knows, in build order.
var Names = []string{PopularDaily, RankingAgeDaily, SearchKeywordsDaily, ItemStats, GenrePreference}

// Definitions gives each mart's columns, in file order (DESIGN.md §5a).
var Definitions = map[string][]string{
	PopularDaily:        {"dt", "rank", "item_id", "views", "viewers"},
	RankingAgeDaily:     {"dt", "age_group", "rank", "item_id", "views", "viewers"},
	SearchKeywordsDaily: {"dt", "keyword", "searches", "users", "zero_result_rate", "ctr"},
	GenrePreference:     {"user_id", "genre", "score"},
	ItemStats:           {"item_id", "views", "clicks", "likes", "books"},
}

// ParseMarts parses --mart: a comma-separated list of names or "all". The
// result is deduplicated and in Names order. Unknown names wrap catalog.ErrUsage.
func ParseMarts(s string) ([]string, error) {
	want := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case f == "all":
			for _, n := range Names {
				want[n] = true
			}
		case Definitions[f] != nil:
			want[f] = true
		default:
			return nil, catalog.Usagef("--mart: unknown mart %q (known: %s, all)", f, strings.Join(Names, ", "))
		}
	}
	var out []string
	for _, n := range Names {
		if want[n] {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, catalog.Usagef("--mart: no mart named")
	}
	return out, nil
}

// PopularRow is one row of popular_daily: the rank-th most viewed item of
// the day. Views counts view events; Viewers counts distinct user_ids with
// at least one view of the item that day.
type PopularRow struct {
	Date    catalog.Date
	Rank    int32
	ItemID  string
	Views   int64
	Viewers int64
}

// AgeRankRow is one row of ranking_age_daily: PopularRow restricted to the
// view events of one age_group.
type AgeRankRow struct {
	Date     catalog.Date
	AgeGroup string
	Rank     int32
	ItemID   string
	Views    int64
	Viewers  int64
}

// KeywordRow is one row of search_keywords_daily for a normalised keyword
// (NormalizeKeyword). Searches counts search events; Users distinct
// user_ids among them; ZeroResultRate is the share of those searches with
// result_count 0; CTR the share followed by a click in the same session
// (a click event with the same session_id, in the same day partition, whose
// ts is at or after the search's ts).
type KeywordRow struct {
	Date           catalog.Date
	Keyword        string
	Searches       int64
	Users          int64
	ZeroResultRate float64
	CTR            float64
}

// GenreRow is one row of genre_preference: a user's decayed, weighted
// interest in a genre over the trailing window ending on the build date.
type GenreRow struct {
	UserID int64
	Genre  string
	Score  float64
}

// ItemStatRow is one row of item_stats: an item's cumulative counts of
// view, click, like and book events over every event partition up to and
// including the build date.
type ItemStatRow struct {
	ItemID string
	Views  int64
	Clicks int64
	Likes  int64
	Books  int64
}

func checkName(n string) error {
	if Definitions[n] == nil {
		return fmt.Errorf("mart: unknown mart %q", n)
	}
	return nil
}

var (
	utc      = time.UTC
	timeZero time.Time
)
