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

// viewStats is the views counter of one day reduced to per-item and
// per-(item, age group) views and distinct viewers.
type viewStats struct {
	nAges      int
	views      []int64 // by item
	viewers    []int64
	ageViews   []int64 // by item*nAges + age
	ageViewers []int64
}

func (e *engine) reduceViews(g *groupCounter) *viewStats {
	nItems := e.items.len()
	nAges := e.ages.len() + 1 // last slot: no age group
	vs := &viewStats{
		nAges:      nAges,
		views:      make([]int64, nItems),
		viewers:    make([]int64, nItems),
		ageViews:   make([]int64, nItems*nAges),
		ageViewers: make([]int64, nItems*nAges),
	}
	prevIU := uint64(math.MaxUint64)
	for i, k := range g.keys {
		c := int64(g.counts[i])
		item := k >> (userBits + ageBits)
		age := int(k & ageNone)
		if age == ageNone {
			age = nAges - 1
		}
		vs.views[item] += c
		if iu := k >> ageBits; iu != prevIU {
			vs.viewers[item]++
			prevIU = iu
		}
		j := int(item)*nAges + age
		vs.ageViews[j] += c
		vs.ageViewers[j]++
	}
	return vs
}

func (e *engine) popularRows(d catalog.Date, vs *viewStats, top int) []PopularRow {
	names := e.items.snapshot()
	var cand []uint32
	for id, v := range vs.views {
		if v > 0 {
			cand = append(cand, uint32(id))
		}
	}
	ids := topItems(cand, vs.views, names, top)
	rows := make([]PopularRow, len(ids))
	for r, id := range ids {
		rows[r] = PopularRow{Date: d, Rank: int32(r + 1), ItemID: names[id], Views: vs.views[id], Viewers: vs.viewers[id]}
	}
	return rows
}

func (e *engine) ageRankRows(d catalog.Date, vs *viewStats, top int) []AgeRankRow {
	names := e.items.snapshot()
	ages := e.ages.snapshot()
	order := make([]int, len(ages))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ages[a], ages[b]) })
	n := len(vs.views)
	views := make([]int64, n)
	var rows []AgeRankRow
	for _, age := range order {
		var cand []uint32
		for id := 0; id < n; id++ {
			v := vs.ageViews[id*vs.nAges+age]
			views[id] = v
			if v > 0 {
				cand = append(cand, uint32(id))
			}
		}
		for r, id := range topItems(cand, views, names, top) {
			rows = append(rows, AgeRankRow{
				Date: d, AgeGroup: ages[age], Rank: int32(r + 1), ItemID: names[id],
				Views: views[id], Viewers: vs.ageViewers[int(id)*vs.nAges+age],
			})
		}
	}
	return rows
}

func (e *engine) keywordRows(d catalog.Date, a *dayAgg, top int) []KeywordRow {
	names := e.keywords.snapshot()
	n := len(a.kwSearches)
	users := make([]int64, n)
	prev := uint64(math.MaxUint64)
	for _, k := range a.kwUsers.keys {
		if k != prev {
			users[k>>userBits]++
			prev = k
		}
	}
	clicked := make([]int64, n)
	for _, s := range a.searches {
		if int(s.sess) < len(a.clickMax) && a.clickMax[s.sess] != math.MinInt64 && a.clickMax[s.sess] >= s.ts {
			clicked[s.kw]++
		}
	}
	var rows []KeywordRow
	for kw, c := range a.kwSearches {
		if c == 0 {
			continue
		}
		rows = append(rows, KeywordRow{
			Date: d, Keyword: names[kw], Searches: c, Users: users[kw],
			ZeroResultRate: float64(a.kwZero[kw]) / float64(c),
			CTR:            float64(clicked[kw]) / float64(c),
		})
	}
	sortKeywords(rows)
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	return rows
}
