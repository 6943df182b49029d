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

// genreCell is one (user, genre) weighted sum: key = packed user << 28 |
// genre id. Genre ids follow genre name order, so cells sorted by key are
// sorted by (user, genre name) whenever packed users follow user_id order.
type genreCell struct {
	key uint64
	w   float64
}

const genreBits = 28

// genreIndex maps item ids to genre ids.
type genreIndex struct {
	byName map[string][]string
	names  []string          // by genre id, sorted
	ids    map[string]uint32 // genre name → id
	byItem [][]uint32        // by item id; filled lazily
	known  []bool
}

func newGenreIndex(m map[string][]string) (*genreIndex, error) {
	gi := &genreIndex{byName: m, ids: map[string]uint32{}}
	for _, gs := range m {
		for _, g := range gs {
			if g != "" {
				gi.ids[g] = 0
			}
		}
	}
	if len(gi.ids) >= 1<<genreBits {
		return nil, fmt.Errorf("mart: more than %d genres", 1<<genreBits)
	}
	for g := range gi.ids {
		gi.names = append(gi.names, g)
	}
	slices.Sort(gi.names)
	for i, g := range gi.names {
		gi.ids[g] = uint32(i)
	}
	return gi, nil
}

func (gi *genreIndex) of(item uint32, names []string) []uint32 {
	if int(item) >= len(gi.known) {
		gi.known = grow(gi.known, int(item)+1, false)
		gi.byItem = grow(gi.byItem, int(item)+1, nil)
	}
	if !gi.known[item] {
		gi.known[item] = true
		var ids []uint32
		for _, g := range gi.byName[names[item]] {
			if id, ok := gi.ids[g]; ok && g != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		gi.byItem[item] = ids
	}
	return gi.byItem[item]
}

// genreDay reduces a day's (user, item, event) counter to weighted sums per
// (user, genre), sorted by key. Weighted sums of integral weights are exact.
func (e *engine) genreDay(g *groupCounter, w Weights, gi *genreIndex) []genreCell {
	names := e.items.snapshot()
	var out []genreCell
	acc := make([]float64, len(gi.names))
	var touched []uint32
	flush := func(user uint64) {
		slices.Sort(touched)
		for _, gid := range touched {
			out = append(out, genreCell{key: user<<genreBits | uint64(gid), w: acc[gid]})
			acc[gid] = 0
		}
		touched = touched[:0]
	}
	cur := uint64(math.MaxUint64)
	for i, k := range g.keys {
		user := k >> (itemBits + evBits)
		if user != cur {
			if cur != math.MaxUint64 {
				flush(cur)
			}
			cur = user
		}
		wt := w.of(uint8(k & (1<<evBits - 1)))
		if wt == 0 {
			continue
		}
		item := uint32(k>>evBits) & (1<<itemBits - 1)
		for _, gid := range gi.of(item, names) {
			if acc[gid] == 0 {
				touched = append(touched, gid)
			}
			acc[gid] += wt * float64(g.counts[i])
		}
	}
	if cur != math.MaxUint64 {
		flush(cur)
	}
	return out
}

// genreScores combines the daily sums of the window ending at d:
// score = Σ_days sum_day × 0.5^((d − day)/halfLife), days oldest first,
// by merging the sorted day lists.
func (e *engine) genreScores(days []catalog.Date, sums [][]genreCell, d catalog.Date, halfLife float64, gi *genreIndex) []GenreRow {
	var acc, next []genreCell
	for i, day := range days {
		decay := math.Pow(0.5, float64(daysBetween(day, d))/halfLife)
		next = next[:0]
		a, b := acc, sums[i]
		for len(a) > 0 || len(b) > 0 {
			switch {
			case len(b) == 0 || (len(a) > 0 && a[0].key < b[0].key):
				next = append(next, a[0])
				a = a[1:]
			case len(a) == 0 || b[0].key < a[0].key:
				next = append(next, genreCell{b[0].key, b[0].w * decay})
				b = b[1:]
			default:
				next = append(next, genreCell{a[0].key, a[0].w + b[0].w*decay})
				a, b = a[1:], b[1:]
			}
		}
		acc, next = next, acc
	}
	rows := make([]GenreRow, len(acc))
	for i, c := range acc {
		rows[i] = GenreRow{UserID: e.userOf(c.key >> genreBits), Genre: gi.names[c.key&(1<<genreBits-1)], Score: c.w}
	}
	if e.userDense {
		slices.SortFunc(rows, func(a, b GenreRow) int {
			if a.UserID != b.UserID {
				if a.UserID < b.UserID {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Genre, b.Genre)
		})
	}
	return rows
}

// daysBetween is b − a in days.
func daysBetween(a, b catalog.Date) int {
	return int(b.Time(utc).Sub(a.Time(utc)).Hours() / 24)
}
