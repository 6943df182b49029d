package recommend

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// previous is the last result --only-changed starts from.
type previous struct {
	from      string // where it came from, for logs
	lists     map[string][]catalog.SimilarItem
	watermark time.Time // releases updated after it count as changed
}

// loadPrevious reads the newest similar result on or before env.Date: the
// mart partition when the lake is configured, else deps.Previous. It returns
// nil (compute everything) when there is none or it was made with other
// settings (model, k) or by a sharded run.
func loadPrevious(ctx context.Context, env *job.Env, deps Deps, opts Options) (*previous, error) {
	model := opts.Model()
	p := &previous{lists: map[string][]catalog.SimilarItem{}}
	switch {
	case deps.Lake != nil:
		days, err := lake.ListPartitions(ctx, deps.Lake, lake.ZoneMart+"/"+lake.SimilarMart, catalog.Date{}, env.Date)
		if err != nil || len(days) == 0 {
			return nil, err
		}
		dir := lake.SimilarPartition(days[len(days)-1])
		m, err := lake.ReadManifest(ctx, deps.Lake, dir)
		if err != nil {
			return nil, err
		}
		if m.Meta[MetaModel] != model || m.Meta[MetaK] != strconv.Itoa(opts.K) || m.Meta[MetaShard] != "" {
			env.Log.Info("previous result made with other settings; computing every list", "partition", dir)
			return nil, nil
		}
		if p.watermark, err = time.Parse(time.RFC3339Nano, m.Meta[MetaWatermark]); err != nil {
			return nil, fmt.Errorf("%s: bad %s: %w", dir, MetaWatermark, err)
		}
		p.from = deps.Lake.URI() + "/" + dir
		err = lake.ReadSimilarParquet(ctx, deps.Lake, dir, func(rows []lake.SimilarRow) error {
			for _, r := range rows {
				p.lists[r.ItemID] = append(p.lists[r.ItemID], catalog.SimilarItem{ID: r.SimilarID, Score: r.Score})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	case deps.Previous != nil:
		wrong := errors.New("other model")
		err := deps.Previous.EachSimilar(ctx, func(l *catalog.SimilarList) error {
			if l.Model != model {
				return wrong
			}
			p.lists[l.ID] = slices.Clone(l.Items)
			if p.watermark.IsZero() || l.ComputedAt.Before(p.watermark) {
				p.watermark = l.ComputedAt // the oldest list bounds what it saw
			}
			return nil
		})
		if errors.Is(err, wrong) {
			env.Log.Info("stored lists made with another model; computing every list")
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		p.from = "similar source"
	}
	if len(p.lists) == 0 {
		return nil, nil
	}
	return p, nil
}

// affected returns the releases whose lists must be recomputed: changed or
// new ones, those whose old list names a changed or vanished release or is
// shorter than k, and those a changed release now scores at least as high
// as their old k-th neighbour (it would enter their list).
func (p *previous) affected(ctx context.Context, ix *Index, opts Options) []int32 {
	c := ix.c
	n := c.Len()
	index := make(map[string]int32, n)
	for i, id := range c.IDs {
		index[id] = int32(i)
	}
	aff := make([]atomic.Bool, n)
	changed := make([]bool, n)
	var cq []int32
	for i := 0; i < n; i++ {
		// A release without a previous list but not updated since had no
		// neighbour (the mart keeps no row for an empty list).
		if c.Updated[i].After(p.watermark) {
			changed[i] = true
			aff[i].Store(true)
			cq = append(cq, int32(i))
		}
	}
	thr := make([]float64, n)
	for i := 0; i < n; i++ {
		if aff[i].Load() {
			continue
		}
		l := p.lists[c.IDs[i]]
		if len(l) < opts.K {
			// Every positive neighbour is listed; any change may add one.
			if len(cq) > 0 {
				aff[i].Store(true)
			}
			for _, it := range l {
				if _, ok := index[it.ID]; !ok {
					aff[i].Store(true)
				}
			}
			continue
		}
		for _, it := range l {
			j, ok := index[it.ID]
			if !ok || changed[j] {
				aff[i].Store(true)
				break
			}
		}
		thr[i] = l[opts.K-1].Score
	}
	minThr := math.Inf(1)
	for i := 0; i < n; i++ {
		if !aff[i].Load() {
			minThr = min(minThr, thr[i])
		}
	}
	if len(cq) > 0 && !math.IsInf(minThr, 1) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range opts.Workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := newSearcher(ix)
				for ctx.Err() == nil {
					i := int(next.Add(1) - 1)
					if i >= len(cq) {
						return
					}
					s.reach(cq[i], thr, minThr, aff, opts.SameKind)
				}
			}()
		}
		wg.Wait()
	}
	var out []int32
	for i := 0; i < n; i++ {
		if aff[i].Load() {
			out = append(out, int32(i))
		}
	}
	return out
}

// reach marks every unaffected document d with sim(q, d) ≥ thr[d]
// (minThr is the smallest thr of an unaffected document).
func (s *searcher) reach(q int32, thr []float64, minThr float64, aff []atomic.Bool, sameKind bool) {
	ix := s.ix
	if s.slots == nil {
		s.slots = make([]slot, ix.c.Len())
	}
	s.cur++
	if s.cur == 0 {
		clear(s.slots)
		clear(s.done)
		s.cur = 1
	}
	s.touched = s.touched[:0]
	qt, qw := ix.c.Vector(int(q))
	s.q.reset(qt, qw)
	qk := ix.kind[q]
	qc2 := 0.0
	for i, t := range qt {
		if ix.common[t] {
			qc2 += qw[i] * qw[i]
			continue
		}
		for _, pe := range ix.post[ix.off[t]:ix.off[t+1]] {
			d := ix.orig[pe.doc]
			if d == q || (sameKind && ix.kind[d] != qk) {
				continue
			}
			if s.slots[d].stamp != s.cur {
				s.slots[d].stamp = s.cur
				s.slots[d].acc = float32(qw[i] * float64(pe.w))
				s.touched = append(s.touched, d)
			} else {
				s.slots[d].acc += float32(qw[i] * float64(pe.w))
			}
		}
	}
	qc := math.Sqrt(qc2) * (1 + 1e-12)
	check := func(d int32) {
		if aff[d].Load() {
			return
		}
		if sc := s.exact(d); sc > 0 && sc >= thr[d]-2*boundEps {
			aff[d].Store(true)
		}
	}
	for _, d := range s.touched {
		if float64(s.slots[d].acc)+qc*ix.g[d] >= thr[d]-2*boundEps {
			check(d)
		}
	}
	if qc > 0 {
		for _, d := range ix.byG {
			ub := qc * ix.g[d]
			if ub < minThr-2*boundEps {
				break
			}
			if s.slots[d].stamp == s.cur || d == q || (sameKind && ix.kind[d] != qk) || ub < thr[d]-2*boundEps {
				continue
			}
			check(d)
		}
	}
}

// merge returns the whole result: new lists where computed, the previous
// list for every other running release, in id order.
func (p *previous) merge(c *Corpus, fresh []catalog.SimilarList) []catalog.SimilarList {
	byID := make(map[string]*catalog.SimilarList, len(fresh))
	for i := range fresh {
		byID[fresh[i].ID] = &fresh[i]
	}
	out := make([]catalog.SimilarList, 0, c.Len())
	for _, id := range c.IDs {
		if l, ok := byID[id]; ok {
			out = append(out, *l)
		} else if items, ok := p.lists[id]; ok {
			out = append(out, catalog.SimilarList{ID: id, Items: items})
		}
	}
	return out
}
