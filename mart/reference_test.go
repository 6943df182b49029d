package mart

import (
	"math"
	"sort"
	"strings"

	"marquee/internal/catalog"
)

// The reference implementation: the mart definitions of docs/build-mart.md
// written the obvious way, over []catalog.Event, to check the engine.

func refRank[K comparable](views map[K]int64, name func(K) string, top int) []K {
	var ks []K
	for k := range views {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if views[ks[i]] != views[ks[j]] {
			return views[ks[i]] > views[ks[j]]
		}
		return name(ks[i]) < name(ks[j])
	})
	if top > 0 && len(ks) > top {
		ks = ks[:top]
	}
	return ks
}

func refPopular(evs []catalog.Event, d catalog.Date, top int) []PopularRow {
	views := map[string]int64{}
	viewers := map[string]map[int64]bool{}
	for _, e := range evs {
		if e.Event != catalog.EventView || e.ItemID == "" {
			continue
		}
		views[e.ItemID]++
		if viewers[e.ItemID] == nil {
			viewers[e.ItemID] = map[int64]bool{}
		}
		viewers[e.ItemID][e.UserID] = true
	}
	var out []PopularRow
	for i, it := range refRank(views, func(s string) string { return s }, top) {
		out = append(out, PopularRow{Date: d, Rank: int32(i + 1), ItemID: it, Views: views[it], Viewers: int64(len(viewers[it]))})
	}
	return out
}

func refAgeRank(evs []catalog.Event, d catalog.Date, top int) []AgeRankRow {
	byAge := map[string][]catalog.Event{}
	for _, e := range evs {
		if e.AgeGroup != "" {
			byAge[e.AgeGroup] = append(byAge[e.AgeGroup], e)
		}
	}
	var ages []string
	for a := range byAge {
		ages = append(ages, a)
	}
	sort.Strings(ages)
	var out []AgeRankRow
	for _, a := range ages {
		for _, p := range refPopular(byAge[a], d, top) {
			out = append(out, AgeRankRow{Date: d, AgeGroup: a, Rank: p.Rank, ItemID: p.ItemID, Views: p.Views, Viewers: p.Viewers})
		}
	}
	return out
}

func refKeywords(evs []catalog.Event, d catalog.Date, top int) []KeywordRow {
	clicks := map[string][]int64{} // session → click ts (µs)
	for _, e := range evs {
		if e.Event == catalog.EventClick && e.SessionID != "" {
			clicks[e.SessionID] = append(clicks[e.SessionID], e.TS.UnixMicro())
		}
	}
	type acc struct {
		searches, zero, clicked int64
		users                   map[int64]bool
	}
	by := map[string]*acc{}
	for _, e := range evs {
		if e.Event != catalog.EventSearch {
			continue
		}
		k := NormalizeKeyword(e.Keyword)
		if k == "" {
			continue
		}
		a := by[k]
		if a == nil {
			a = &acc{users: map[int64]bool{}}
			by[k] = a
		}
		a.searches++
		a.users[e.UserID] = true
		if e.ResultCount == 0 {
			a.zero++
		}
		for _, c := range clicks[e.SessionID] {
			if e.SessionID != "" && c >= e.TS.UnixMicro() {
				a.clicked++
				break
			}
		}
	}
	var out []KeywordRow
	for k, a := range by {
		out = append(out, KeywordRow{Date: d, Keyword: k, Searches: a.searches, Users: int64(len(a.users)),
			ZeroResultRate: float64(a.zero) / float64(a.searches), CTR: float64(a.clicked) / float64(a.searches)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Searches != out[j].Searches {
			return out[i].Searches > out[j].Searches
		}
		return out[i].Keyword < out[j].Keyword
	})
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out
}

func refItemStats(evs []catalog.Event) []ItemStatRow {
	by := map[string]*ItemStatRow{}
	for _, e := range evs {
		if e.ItemID == "" {
			continue
		}
		r := by[e.ItemID]
		if r == nil {
			r = &ItemStatRow{ItemID: e.ItemID}
		}
		switch e.Event {
		case catalog.EventView:
			r.Views++
		case catalog.EventClick:
			r.Clicks++
		case catalog.EventLike:
			r.Likes++
		case catalog.EventBook:
			r.Books++
		default:
			continue
		}
		by[e.ItemID] = r
	}
	var out []ItemStatRow
	for _, r := range by {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ItemID < out[j].ItemID })
	return out
}

// refGenre scores every (user, genre) over the window days ending at d:
// Σ weight(event) × 0.5^(age/halfLife) over the events of items carrying
// the genre, age = days between the event's partition and d.
func refGenre(byDay map[catalog.Date][]catalog.Event, d catalog.Date, window int, halfLife float64, w Weights, genres map[string][]string) []GenreRow {
	type key struct {
		u int64
		g string
	}
	score := map[key]float64{}
	for age := 0; age < window; age++ {
		decay := math.Pow(0.5, float64(age)/halfLife)
		for _, e := range byDay[d.AddDays(-age)] {
			var wt float64
			switch e.Event {
			case catalog.EventView:
				wt = w.View
			case catalog.EventClick:
				wt = w.Click
			case catalog.EventLike:
				wt = w.Like
			case catalog.EventBook:
				wt = w.Book
			default:
				continue
			}
			if e.ItemID == "" || wt == 0 {
				continue
			}
			for _, g := range genres[e.ItemID] {
				score[key{e.UserID, g}] += wt * decay
			}
		}
	}
	var out []GenreRow
	for k, s := range score {
		out = append(out, GenreRow{UserID: k.u, Genre: k.g, Score: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UserID != out[j].UserID {
			return out[i].UserID < out[j].UserID
		}
		return strings.Compare(out[i].Genre, out[j].Genre) < 0
	})
	return out
}
