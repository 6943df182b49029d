package mart

import (
	"math"
	"slices"
	"strings"

	"marquee/internal/catalog"
)

// topItems returns the ids of cand with views > 0 ordered by views desc,
// then item_id asc, cut to top (0 = all).
func topItems(cand []uint32, views []int64, names []string, top int) []uint32 {
	cmp := func(a, b uint32) int {
		if views[a] != views[b] {
			if views[a] > views[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(names[a], names[b])
	}
	if top > 0 && len(cand) > 4*top {
		// Keep a sorted window of the best top ids; most candidates lose
		// against the current last place after one comparison.
		best := make([]uint32, 0, top+1)
		for _, id := range cand {
			if len(best) == top && cmp(id, best[top-1]) >= 0 {
				continue
			}
			i, _ := slices.BinarySearchFunc(best, id, cmp)
			best = slices.Insert(best, i, id)
			if len(best) > top {
				best = best[:top]
			}
		}
		return best
	}
	slices.SortFunc(cand, cmp)
	if top > 0 && len(cand) > top {
		cand = cand[:top]
	}
	return cand
}

// dailyViews turns a day's view counts into popular_daily and
// ranking_age_daily rows. Ranks depend on views only, so the top N per
// group are chosen first; distinct viewers are then counted for those items
// alone, from the (item, user, age) key set filtered to them.
func (e *engine) dailyViews(d catalog.Date, a *dayAgg, top int, wantPop, wantAge bool) ([]PopularRow, []AgeRankRow) {
	names := e.items.snapshot()
	ages := e.ages.snapshot()
	nItems := len(a.viewCounts) >> ageBits
	views := make([]int64, nItems)
	var cand []uint32
	for id := 0; id < nItems; id++ {
		var v int64
		for _, c := range a.viewCounts[id<<ageBits : (id+1)<<ageBits] {
			v += c
		}
		views[id] = v
		if v > 0 {
			cand = append(cand, uint32(id))
		}
	}
	need := make([]bool, nItems)
	var popIDs []uint32
	if wantPop {
		popIDs = topItems(cand, views, names, top)
		for _, id := range popIDs {
			need[id] = true
		}
	}
	order := make([]int, len(ages))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ages[a], ages[b]) })
	ageIDs := make([][]uint32, len(ages))
	ageViews := make([][]int64, len(ages))
	if wantAge {
		for _, age := range order {
			av := make([]int64, nItems)
			var c []uint32
			for id := 0; id < nItems; id++ {
				if v := a.viewCounts[id<<ageBits|age]; v > 0 {
					av[id] = v
					c = append(c, uint32(id))
				}
			}
			ageViews[age] = av
			ageIDs[age] = topItems(c, av, names, top)
			for _, id := range ageIDs[age] {
				need[id] = true
			}
		}
	}
	a.views.filter(func(k uint64) bool { return need[k>>(userBits+ageBits)] })
	a.views.compact()
	viewers := make(map[uint32]int64)
	ageViewers := make(map[uint32]int64) // item<<ageBits | age
	prevIU := uint64(math.MaxUint64)
	for _, k := range a.views.keys {
		item := uint32(k >> (userBits + ageBits))
		if iu := k >> ageBits; iu != prevIU {
			viewers[item]++
			prevIU = iu
		}
		ageViewers[item<<ageBits|uint32(k&ageNone)]++
	}
	var pop []PopularRow
	for r, id := range popIDs {
		pop = append(pop, PopularRow{Date: d, Rank: int32(r + 1), ItemID: names[id], Views: views[id], Viewers: viewers[id]})
	}
	var rank []AgeRankRow
	if wantAge {
		for _, age := range order {
			for r, id := range ageIDs[age] {
				rank = append(rank, AgeRankRow{
					Date: d, AgeGroup: ages[age], Rank: int32(r + 1), ItemID: names[id],
					Views: ageViews[age][id], Viewers: ageViewers[id<<ageBits|uint32(age)],
				})
			}
		}
	}
	return pop, rank
}

func (e *engine) keywordRows(d catalog.Date, a *dayAgg, top int) []KeywordRow {
	names := e.keywords.snapshot()
	n := len(a.kwSearches)
	var ids []uint32
	for kw, c := range a.kwSearches {
		if c > 0 {
			ids = append(ids, uint32(kw))
		}
	}
	ids = topItems(ids, a.kwSearches, names, top)
	need := make([]bool, n)
	for _, kw := range ids {
		need[kw] = true
	}
	a.kwUsers.filter(func(k uint64) bool { return need[k>>userBits] })
	a.kwUsers.compact()
	users := make([]int64, n)
	for _, k := range a.kwUsers.keys {
		users[k>>userBits]++
	}
	clicked := make([]int64, n)
	for _, s := range a.searches {
		if need[s.kw] {
			if m := a.clickMax[s.sess]; m != math.MinInt64 && m >= s.ts {
				clicked[s.kw]++
			}
		}
	}
	rows := make([]KeywordRow, 0, len(ids))
	for _, kw := range ids {
		c := a.kwSearches[kw]
		rows = append(rows, KeywordRow{
			Date: d, Keyword: names[kw], Searches: c, Users: users[kw],
			ZeroResultRate: float64(a.kwZero[kw]) / float64(c),
			CTR:            float64(clicked[kw]) / float64(c),
		})
	}
	return rows
}
