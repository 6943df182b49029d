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

// posting is one entry of a rare term's list. w is the document's weight
// rounded UP to float32, so sums of it bound the true sums from above.
type posting struct {
	doc int32
	w   float32
}

// Index is the search structure over a Corpus. Terms are split by document
// frequency:
//   - rare terms (df ≤ CommonDF) have posting lists, traversed in full;
//   - common terms have none. Instead each document keeps g, the L2 norm of
//     its weights on common terms, and by Cauchy-Schwarz a query q can gain
//     at most ‖q_common‖·g(d) from them. Documents are kept sorted by g, so
//     a query scans them only while that bound can still beat its k-th best.
//
// Every candidate that survives the bounds is scored exactly from the
// forward vectors, so results equal a brute-force scan. An Index is
// read-only after NewIndex and safe for concurrent searches.
type Index struct {
	c        *Corpus
	commonDF int
	common   []bool  // per term
	off      []int64 // rare term t's postings are post[off[t]:off[t+1]]
	post     []posting
	g        []float64 // per document
	byG      []int32   // documents with g > 0, g descending, then index ascending
	kind     []uint8
}

// IndexOptions tunes NewIndex.
type IndexOptions struct {
	// CommonDF: terms in more documents than this are "common" (bounded, not
	// traversed). 0 means DefaultCommonDF(n).
	CommonDF int
	Workers  int // 0 means GOMAXPROCS
}

// DefaultCommonDF is the common-term cut for n documents: long posting
// lists cost more to walk than the bound they replace.
func DefaultCommonDF(n int) int { return max(64, n/20) }

// NewIndex builds the index of c.
func NewIndex(c *Corpus, opt IndexOptions) *Index {
	n, v := c.Len(), len(c.Terms)
	cdf := opt.CommonDF
	if cdf <= 0 {
		cdf = DefaultCommonDF(n)
	}
	ix := &Index{c: c, commonDF: cdf, common: make([]bool, v), off: make([]int64, v+1),
		g: make([]float64, n), kind: make([]uint8, n)}
	for t := 0; t < v; t++ {
		df := int64(c.df[t])
		if int(df) > cdf {
			ix.common[t] = true
			df = 0
		}
		ix.off[t+1] = ix.off[t] + df
	}
	ix.post = make([]posting, ix.off[v])
	fill := slices.Clone(ix.off[:v])
	kinds := map[catalog.Kind]uint8{}
	for d := 0; d < n; d++ {
		k, ok := kinds[c.Kinds[d]]
		if !ok {
			k = uint8(len(kinds) % 256)
			kinds[c.Kinds[d]] = k
		}
		ix.kind[d] = k
		terms, ws := c.Vector(d)
		g2 := 0.0
		for j, t := range terms {
			if ix.common[t] {
				g2 += ws[j] * ws[j]
				continue
			}
			w32 := float32(ws[j])
			if float64(w32) < ws[j] {
				w32 = math.Nextafter32(w32, float32(math.Inf(1)))
			}
			ix.post[fill[t]] = posting{doc: int32(d), w: w32}
			fill[t]++
		}
		if g2 > 0 {
			ix.g[d] = math.Sqrt(g2) * (1 + 1e-12)
			ix.byG = append(ix.byG, int32(d))
		}
	}
	slices.SortFunc(ix.byG, func(a, b int32) int {
		if c := cmp.Compare(ix.g[b], ix.g[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return ix
}

// Corpus returns the indexed corpus.
func (ix *Index) Corpus() *Corpus { return ix.c }

// CommonDF is the document frequency above which terms are bounded, not walked.
func (ix *Index) CommonDF() int { return ix.commonDF }

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
	Scanned  int64 // documents read from the common-term list
}

// Search returns, for each query document, its K most similar documents:
// cosine descending, then document index (= id) ascending, self excluded,
// only scores > 0. Results are exact.
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
			stats.Scanned += s.stats.Scanned
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, stats, err
	}
	return out, stats, nil
}

// boundEps absorbs the float32 rounding of posting weights and partial
// sums (≤ ~3e-6 on sums ≤ 1); candidates within 2·boundEps of a cut are
// scored exactly, so it costs a little work, never exactness.
const boundEps = 1e-5

// slot is one document's partial score for the current query; packed so a
// posting touches one cache line.
type slot struct {
	acc   float32
	stamp uint32
}

// searcher holds one goroutine's scratch space.
type searcher struct {
	ix      *Index
	slots   []slot // per document: partial score, valid where stamp == cur
	cur     uint32
	touched []int32
	qdense  []float64
	top     []Neighbour // best so far, sorted by compareNeighbours
	best    []int32
	done    []uint32 // == cur: scored exactly for this query
	stats   SearchStats
}

func newSearcher(ix *Index) *searcher {
	n := ix.c.Len()
	return &searcher{ix: ix, slots: make([]slot, n), done: make([]uint32, n),
		qdense: make([]float64, len(ix.c.Terms))}
}

// exact is the cosine of the query (in qdense) and d, summed over d's terms
// in ascending order like Corpus.Dot (the zeros add nothing).
func (s *searcher) exact(d int32) float64 {
	dt, dw := s.ix.c.Vector(int(d))
	sc := 0.0
	for j, t := range dt {
		sc += s.qdense[t] * dw[j]
	}
	return sc
}

// offer adds a scored candidate to the running top k.
func (s *searcher) offer(nb Neighbour, k int) {
	if len(s.top) == k && compareNeighbours(nb, s.top[k-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(s.top, nb, compareNeighbours)
	if len(s.top) < k {
		s.top = append(s.top, Neighbour{})
	}
	copy(s.top[i+1:], s.top[i:len(s.top)-1])
	s.top[i] = nb
}

// search appends q's top k to dst.
func (s *searcher) search(q int32, k int, sameKind bool, dst []Neighbour) []Neighbour {
	ix := s.ix
	s.stats.Queries++
	s.cur++
	if s.cur == 0 {
		clear(s.slots)
		clear(s.done)
		s.cur = 1
	}
	s.touched = s.touched[:0]
	s.top = s.top[:0]
	qt, qw := ix.c.Vector(int(q))
	if len(qt) == 0 {
		return dst
	}
	qk := ix.kind[q]
	// 1. Walk the rare terms' lists: exact partial scores.
	qc2 := 0.0
	var visited int64
	for i, t := range qt {
		s.qdense[t] = qw[i]
		if ix.common[t] {
			qc2 += qw[i] * qw[i]
			continue
		}
		w := qw[i]
		list := ix.post[ix.off[t]:ix.off[t+1]]
		visited += int64(len(list))
		for _, pe := range list {
			d := pe.doc
			if d == q || (sameKind && ix.kind[d] != qk) {
				continue
			}
			c := w * float64(pe.w)
			if s.slots[d].stamp != s.cur {
				s.slots[d].stamp = s.cur
				s.slots[d].acc = float32(c)
				s.touched = append(s.touched, d)
			} else {
				s.slots[d].acc += float32(c)
			}
		}
	}
	s.stats.Postings += visited
	qc := math.Sqrt(qc2) * (1 + 1e-12)
	// 2. Score exactly the k touched documents with the best partial
	// scores: the k-th of those exact scores bounds the final k-th from
	// below. Then score only the touched documents whose bound reaches it.
	scored := 0
	if len(s.touched) > k {
		s.topPartial(k)
		for _, d := range s.best {
			scored++
			s.done[d] = s.cur
			if sc := s.exact(d); sc > 0 {
				s.offer(Neighbour{Doc: d, Score: sc}, k)
			}
		}
	}
	cut := math.Inf(-1)
	if len(s.top) == k {
		cut = s.top[k-1].Score - 2*boundEps
	}
	for _, d := range s.touched {
		if s.done[d] == s.cur || float64(s.slots[d].acc)+qc*ix.g[d] < cut {
			continue
		}
		scored++
		if sc := s.exact(d); sc > 0 {
			s.offer(Neighbour{Doc: d, Score: sc}, k)
			if len(s.top) == k {
				cut = s.top[k-1].Score - 2*boundEps
			}
		}
	}
	// 3. Untouched documents gain only from common terms: ≤ qc·g(d). Scan
	// them by g descending while that bound can reach the k-th best.
	if qc > 0 {
		var scanned int64
		for _, d := range ix.byG {
			if len(s.top) == k && qc*ix.g[d] < s.top[k-1].Score-2*boundEps {
				break
			}
			scanned++
			if s.slots[d].stamp == s.cur || d == q || (sameKind && ix.kind[d] != qk) {
				continue
			}
			scored++
			if sc := s.exact(d); sc > 0 {
				s.offer(Neighbour{Doc: d, Score: sc}, k)
			}
		}
		s.stats.Scanned += scanned
	}
	s.stats.Scored += int64(scored)
	for _, t := range qt {
		s.qdense[t] = 0
	}
	return append(dst, s.top...)
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

// topPartial puts into s.best the k touched documents with the largest
// partial scores (len(touched) > k), with a size-k min-heap.
func (s *searcher) topPartial(k int) {
	h := s.best[:0]
	less := func(a, b int32) bool { return s.slots[a].acc < s.slots[b].acc }
	for _, d := range s.touched {
		if len(h) < k {
			h = append(h, d)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !less(h[i], h[p]) {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
			continue
		}
		if !less(h[0], d) {
			continue
		}
		h[0] = d
		for i := 0; ; {
			l := 2*i + 1
			if l >= len(h) {
				break
			}
			if r := l + 1; r < len(h) && less(h[r], h[l]) {
				l = r
			}
			if !less(h[l], h[i]) {
				break
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	s.best = h
}
