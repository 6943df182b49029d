package mart

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"marquee/internal/catalog"
)

// Weights are the genre_preference weights of each event type.
type Weights struct {
	View, Click, Like, Book float64
}

// DefaultWeights: a booking says more than a like, a like more than a
// click, a click more than a view.
var DefaultWeights = Weights{View: 1, Click: 2, Like: 3, Book: 5}

// ParseWeights parses "view=1,click=2,like=3,book=5"; names left out keep
// their DefaultWeights value. Weights must be finite and non-negative.
func ParseWeights(s string) (Weights, error) {
	w := DefaultWeights
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return w, catalog.Usagef("--weights: bad entry %q (want event=number ≥ 0)", f)
		}
		switch strings.TrimSpace(k) {
		case catalog.EventView:
			w.View = x
		case catalog.EventClick:
			w.Click = x
		case catalog.EventLike:
			w.Like = x
		case catalog.EventBook:
			w.Book = x
		default:
			return w, catalog.Usagef("--weights: unknown event %q (view, click, like, book)", k)
		}
	}
	return w, nil
}

func (w Weights) of(ev uint8) float64 {
	switch ev {
	case evView:
		return w.View
	case evClick:
		return w.Click
	case evLike:
		return w.Like
	case evBook:
		return w.Book
	}
	return 0
}

// ItemGenres gives the genres of items (from parquet/releases or a release
// source). Genres returns item id → genres; items it does not know have
// no genres and do not contribute to genre_preference.
type ItemGenres interface {
	Genres(ctx context.Context) (map[string][]string, error)
}

// ReleaseGenres is ItemGenres over a catalog.ReleaseSource (MongoDB, a
// JSONL file of releases, the releases Parquet snapshot).
type ReleaseGenres struct {
	Source catalog.ReleaseSource
}

// Genres implements ItemGenres: every release's id → its genres.
func (r ReleaseGenres) Genres(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	err := r.Source.EachRelease(ctx, timeZero, func(rel *catalog.Release) error {
		if len(rel.Genres) > 0 {
			out[rel.ID] = slices.Clone(rel.Genres)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("item genres: %w", err)
	}
	return out, nil
}

// genreKey is one (user, genre) cell.
type genreKey struct {
	user  int64
	genre uint32
}

// genreIndex maps item ids to genre ids.
type genreIndex struct {
	byName map[string][]string
	genres *dict
	byItem [][]uint32 // by item id; filled lazily
	known  []bool
}

func newGenreIndex(m map[string][]string) *genreIndex {
	return &genreIndex{byName: m, genres: newDict("genre", math.MaxUint32-1, nil)}
}

func (gi *genreIndex) of(item uint32, names []string) []uint32 {
	for int(item) >= len(gi.known) {
		gi.known = append(gi.known, false)
		gi.byItem = append(gi.byItem, nil)
	}
	if !gi.known[item] {
		gi.known[item] = true
		var ids []uint32
		for _, g := range gi.byName[names[item]] {
			id, err := gi.genres.mapOne(g)
			if err == nil && id != none && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		gi.byItem[item] = ids
	}
	return gi.byItem[item]
}

// genreDay reduces a day's (user, item, event) counter to weighted sums per
// (user, genre). Weighted sums of integral weights are exact.
func (e *engine) genreDay(g *groupCounter, w Weights, gi *genreIndex) map[genreKey]float64 {
	names := e.items.snapshot()
	out := map[genreKey]float64{}
	for i, k := range g.keys {
		ev := uint8(k & (1<<evBits - 1))
		item := uint32(k>>evBits) & (1<<itemBits - 1)
		wt := w.of(ev)
		if wt == 0 {
			continue
		}
		gs := gi.of(item, names)
		if len(gs) == 0 {
			continue
		}
		u := e.userOf(k >> (itemBits + evBits))
		for _, gid := range gs {
			out[genreKey{u, gid}] += wt * float64(g.counts[i])
		}
	}
	return out
}

// genreScores combines the daily sums of the window ending at d:
// score = Σ_days sum_day × 0.5^((d − day)/halfLife), days oldest first.
func genreScores(days []catalog.Date, sums []map[genreKey]float64, d catalog.Date, halfLife float64, gi *genreIndex) []GenreRow {
	acc := map[genreKey]float64{}
	for i, day := range days {
		age := float64(daysBetween(day, d))
		decay := math.Pow(0.5, age/halfLife)
		for k, v := range sums[i] {
			acc[k] += v * decay
		}
	}
	names := gi.genres.snapshot()
	rows := make([]GenreRow, 0, len(acc))
	for k, v := range acc {
		rows = append(rows, GenreRow{UserID: k.user, Genre: names[k.genre], Score: v})
	}
	slices.SortFunc(rows, func(a, b GenreRow) int {
		if a.UserID != b.UserID {
			if a.UserID < b.UserID {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Genre, b.Genre)
	})
	return rows
}

// daysBetween is b − a in days.
func daysBetween(a, b catalog.Date) int {
	return int(b.Time(utc).Sub(a.Time(utc)).Hours() / 24)
}
