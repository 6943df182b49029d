package recommend

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"marquee/internal/catalog"
)

// Neighbour is one similar document: its index in the Corpus and the
// cosine similarity (in (0, 1]).
type Neighbour struct {
	Doc   int32
	Score float64
}

// posting is one entry of a term's list. w is the document's weight for the
// term rounded UP to float32, so bounds computed from it stay upper bounds.
type posting struct {
	doc int32
	w   float32
}

// Index is an inverted index over a Corpus: per term, the documents that
// contain it ordered by weight (descending, then document ascending). It is
// read-only after NewIndex and safe for concurrent searches.
type Index struct {
	c    *Corpus
	off  []int64 // term t's postings are post[off[t]:off[t+1]]
	post []posting
	kind []uint8
}

// NewIndex builds the inverted index of c using up to workers goroutines
// (0 means GOMAXPROCS).
func NewIndex(c *Corpus, workers int) *Index {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	v := len(c.Terms)
	ix := &Index{c: c, off: make([]int64, v+1), post: make([]posting, c.NNZ()), kind: make([]uint8, c.Len())}
	for t := 0; t < v; t++ {
		ix.off[t+1] = ix.off[t] + int64(c.df[t])
	}
	kinds := map[catalog.Kind]uint8{}
	fill := slices.Clone(ix.off[:v])
	for d := 0; d < c.Len(); d++ {
		k, ok := kinds[c.Kinds[d]]
		if !ok {
			k = uint8(len(kinds) % 256)
			kinds[c.Kinds[d]] = k
		}
		ix.kind[d] = k
		terms, ws := c.Vector(d)
		for j, t := range terms {
			w32 := float32(ws[j])
			if float64(w32) < ws[j] {
				w32 = math.Nextafter32(w32, float32(math.Inf(1)))
			}
			ix.post[fill[t]] = posting{doc: int32(d), w: w32}
			fill[t]++
		}
	}
	// Sort each list by weight descending; lists were filled in document
	// order, so a stable sort keeps ties by document ascending.
	var next atomic.Int64
	var wg sync.WaitGroup
	const chunk = 4096
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := next.Add(chunk) - chunk
				if lo >= int64(v) {
					return
				}
				hi := min(lo+chunk, int64(v))
				for t := lo; t < hi; t++ {
					l := ix.post[ix.off[t]:ix.off[t+1]]
					if len(l) > 1 {
						slices.SortStableFunc(l, func(a, b posting) int { return cmp.Compare(b.w, a.w) })
					}
				}
			}
		}()
	}
	wg.Wait()
	return ix
}

// Corpus returns the indexed corpus.
func (ix *Index) Corpus() *Corpus { return ix.c }

// SearchOptions tunes Search.
type SearchOptions struct {
	K        int  // neighbours per query (≥ 1)
	SameKind bool // only neighbours of the query's kind
	Workers  int  // goroutines; 0 means GOMAXPROCS
	// Progress, if set, is called with the number of queries just finished
	// (from several goroutines).
	Progress func(n int)
}

// SearchStats counts the work Search did, for tuning and reports.
type SearchStats struct {
	Queries  int64 // documents searched
	Postings int64 // postings visited
	Scored   int64 // candidates scored exactly
}

// Search returns, for each query document, its K most similar documents:
// cosine descending, then document index (= id) ascending, self excluded,
// only scores > 0. Results are exact: the pruning only skips documents whose
// score upper bound cannot reach the K-th best lower bound.
func (ix *Index) Search(ctx context.Context, queries []int32, opt SearchOptions) ([][]Neighbour, SearchStats, error) {
	if opt.K < 1 {
		opt.K = 1
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([][]Neighbour, len(queries))
	var next atomic.Int64
	var stats SearchStats
	var mu sync.Mutex
	var wg sync.WaitGroup
	const chunk = 256
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newSearcher(ix)
			for ctx.Err() == nil {
				lo := int(next.Add(chunk) - chunk)
				if lo >= len(queries) {
					break
				}
				hi := min(lo+chunk, len(queries))
				arena := make([]Neighbour, 0, (hi-lo)*opt.K)
				for i := lo; i < hi; i++ {
					start := len(arena)
					arena = s.search(queries[i], opt.K, opt.SameKind, arena)
					out[i] = arena[start:len(arena):len(arena)]
				}
				if opt.Progress != nil {
					opt.Progress(hi - lo)
				}
			}
			mu.Lock()
			stats.Queries += s.stats.Queries
			stats.Postings += s.stats.Postings
			stats.Scored += s.stats.Scored
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, stats, err
	}
	return out, stats, nil
}

// boundEps absorbs float32 rounding of posting weights and float64
// summation error; candidates within it of the cut are scored exactly.
const boundEps = 1e-6

// searcher holds one goroutine's scratch space.
type searcher struct {
	ix      *Index
	acc     []float64 // partial scores, valid where stamp == cur
	stamp   []uint32
	cur     uint32
	touched []int32
	qdense  []float64
	pos     []int64
	end     []int64
	heap    []float64
	cand    []Neighbour
	stats   SearchStats
	// stopAt: stop traversing once at most this many candidates remain.
	stopAt int
}

func newSearcher(ix *Index) *searcher {
	n := ix.c.Len()
	return &searcher{ix: ix, acc: make([]float64, n), stamp: make([]uint32, n),
		qdense: make([]float64, len(ix.c.Terms))}
}

// search appends q's top k to dst.
func (s *searcher) search(q int32, k int, sameKind bool, dst []Neighbour) []Neighbour {
	ix := s.ix
	s.stats.Queries++
	s.cur++
	if s.cur == 0 {
		clear(s.stamp)
		s.cur = 1
	}
	s.touched = s.touched[:0]
	qt, qw := ix.c.Vector(int(q))
	m := len(qt)
	if m == 0 {
		return dst
	}
	s.pos = s.pos[:0]
	s.end = s.end[:0]
	maxImp := 0.0
	for i, t := range qt {
		a, b := ix.off[t], ix.off[t+1]
		s.pos = append(s.pos, a)
		s.end = append(s.end, b)
		if a < b {
			maxImp = max(maxImp, qw[i]*float64(ix.post[a].w))
		}
	}
	stopAt := max(4*k, 64)
	if s.stopAt > 0 {
		stopAt = s.stopAt
	}
	qk := ix.kind[q]
	lambda := maxImp * 0.5
	theta := math.Inf(-1)
	var bound float64
	var visited int64
	for {
		for i := 0; i < m; i++ {
			p, e, w := s.pos[i], s.end[i], qw[i]
			for ; p < e; p++ {
				pe := ix.post[p]
				c := w * float64(pe.w)
				if c < lambda {
					break
				}
				d := pe.doc
				if d == q || (sameKind && ix.kind[d] != qk) {
					continue
				}
				if s.stamp[d] != s.cur {
					s.stamp[d] = s.cur
					s.acc[d] = c
					s.touched = append(s.touched, d)
				} else {
					s.acc[d] += c
				}
			}
			visited += p - s.pos[i]
			s.pos[i] = p
		}
		// bound: the most any document can still gain from unvisited postings.
		bound = 0
		rem2 := 0.0
		for i := 0; i < m; i++ {
			if p := s.pos[i]; p < s.end[i] {
				bound += qw[i] * float64(ix.post[p].w)
				rem2 += qw[i] * qw[i]
			}
		}
		if bound == 0 {
			break
		}
		bound = min(bound, math.Sqrt(rem2)*(1+1e-12))
		if len(s.touched) >= k {
			theta = s.kth(k)
			cut := theta - 2*boundEps - bound
			if cut <= 0 { // an unseen document could still make the list
				goto next
			}
			count := 0
			for _, d := range s.touched {
				if s.acc[d] >= cut {
					count++
				}
			}
			if count <= stopAt {
				break
			}
		}
	next:
		if lambda < 1e-12 {
			lambda = 0
		} else {
			lambda *= 0.5
		}
	}
	s.stats.Postings += visited
	cut := math.Inf(-1)
	if len(s.touched) >= k {
		theta = s.kth(k)
		cut = theta - 2*boundEps - bound
	}
	// Score the candidates exactly, in the same order as Corpus.Dot.
	for i, t := range qt {
		s.qdense[t] = qw[i]
	}
	s.cand = s.cand[:0]
	for _, d := range s.touched {
		if s.acc[d] < cut {
			continue
		}
		dt, dw := ix.c.Vector(int(d))
		sc := 0.0
		for j, t := range dt {
			sc += s.qdense[t] * dw[j]
		}
		if sc > 0 {
			s.cand = append(s.cand, Neighbour{Doc: d, Score: sc})
		}
	}
	for _, t := range qt {
		s.qdense[t] = 0
	}
	s.stats.Scored += int64(len(s.cand))
	slices.SortFunc(s.cand, compareNeighbours)
	if len(s.cand) > k {
		s.cand = s.cand[:k]
	}
	return append(dst, s.cand...)
}

// compareNeighbours orders by score descending, then document ascending.
func compareNeighbours(a, b Neighbour) int {
	if a.Score != b.Score {
		if a.Score > b.Score {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.Doc, b.Doc)
}

// kth returns the k-th largest partial score among touched documents
// (len(touched) ≥ k), with a size-k min-heap.
func (s *searcher) kth(k int) float64 {
	h := s.heap[:0]
	for _, d := range s.touched {
		v := s.acc[d]
		if len(h) < k {
			h = append(h, v)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if h[p] <= h[i] {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
			continue
		}
		if v <= h[0] {
			continue
		}
		h[0] = v
		for i := 0; ; {
			l := 2*i + 1
			if l >= len(h) {
				break
			}
			if r := l + 1; r < len(h) && h[r] < h[l] {
				l = r
			}
			if h[i] <= h[l] {
				break
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	s.heap = h
	return h[0]
}
