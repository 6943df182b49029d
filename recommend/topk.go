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
//   - rare terms (df ≤ CommonDF) have posting lists;
//   - common terms have none. Instead each document keeps g, the L2 norm of
//     its weights on common terms, and by Cauchy-Schwarz a query q can gain
//     at most ‖q_common‖·g(d) from them. Documents are kept sorted by g
//     (per block), so a query scans them only while that bound can still
//     beat its k-th best. A 16-group sketch of the same weights gives a
//     much tighter second bound, checked before a candidate is scored.
//
// Documents are numbered internally by g' descending, g' being the norm of
// a document's weights on every term in more than MidDF documents, and
// searched in blocks of 2^blockShift of that order (within a block, by g
// descending). In each block a query
// skips the block's part of its longest mid-frequency lists as long as a
// document of the block that is in none of the walked lists stays below
// skipShare × its k-th best, by either of two bounds: ‖q_U‖·g'max (U: the
// skipped and the common terms; Cauchy-Schwarz) or Σ q_t·max w_t over the
// skipped lists in the block plus ‖q_common‖·gmax. Touched documents are
// bounded by the same two sums with their own g and g', then by the sketch,
// then by what the unwalked terms give them exactly (a forward list of each
// document's terms above MidDF), before they are scored. In most blocks g'
// is small, so at 1M about 40% of the postings a query would walk are
// skipped, and about 18 documents per query are scored (149 before).
//
// Mid-frequency terms are walked from lists of their own (4-byte postings:
// offset in the block, weight in 1/65535) and from group lists: the
// bigrams of one word occur together, so such a group of terms has one
// list of the documents that have all of them (see midLists). At 1M that
// cuts the mid postings a query reads by a third.
//
// Search walks the lists one block of documents at a time (so the partial
// scores stay in cache) after scoring a few seed candidates from the
// query's shortest lists, so the k-th best is high from the first block.
// Every candidate that survives the bounds is scored exactly from the
// forward vectors, so results equal a brute-force scan. An Index is
// read-only after NewIndex and safe for concurrent searches.
type Index struct {
	c        *Corpus
	commonDF int
	midDF    int
	common   []bool  // per term
	off      []int64 // rare term t's postings are post[off[t]:off[t+1]]
	post     []posting
	mid      []bool     // per term: a rare term with df > midDF (walked from midLists' lists)
	mpost    []mposting // the walked mid lists (see midLists): block b's part of the list at i is mpost[mb[i+b]:mb[i+b+1]]
	mb       []int64    // per walked mid list, blocks+1 offsets into mpost
	bmax     []float32  // per walked mid list, per block (same index as mb): the largest weight in the block
	resid    []int32    // per term: where in mb its own walked list starts, or -1
	grp      []int32    // per term: where in mb its group's list starts, or -1
	grpR     []float64  // per term in a group: r, its weight's bound as a multiple of the group list's
	groups   int        // groups of mid terms
	g        []float64  // per document (corpus order)
	byG      []int32    // documents with g > 0, g descending, then index ascending (corpus order)
	kind     []uint8    // per document (corpus order)
	orig     []int32    // internal number → corpus index
	rank     []int32    // corpus index → internal number
	kindI    []uint8    // per internal number
	gI       []float32  // per internal number (then 0 to the end of the last block): g rounded up
	gpI      []float32  // per internal number (then 0 to the end of the last block): g' rounded up
	gSub     []float32  // per sub-block (2^subShift internal numbers): the largest of its gI
	gpSub    []float32  // per sub-block: the largest of its gpI
	gpBlk    []float32  // per block: the largest of its gpI
	gBlk     []float32  // per block: the largest of its gI
	blocks   int        // ⌈n / 2^blockShift⌉
	bg       []gEntry   // per block: its documents with g > 0, g descending
	bgOff    []int32    // block b's entries are bg[bgOff[b]:bgOff[b+1]]
	sketch   []uint8    // per internal number, per term group: norm of its common-term weights in the group, in 1/sketchScale, rounded up
	fid      []int32    // per term: its number among the terms with df > midDF, or -1
	nf       int        // terms with df > midDF
	foff     []int32    // per internal number: its terms with df > midDF are fe[foff[i]:foff[i+1]]
	fe       []fentry
}

// Common terms are hashed into sketchGroups groups. Cauchy-Schwarz per
// group, Σ_j ‖q_j‖·‖d_j‖, bounds the common-term part of a score far more
// tightly than ‖q_C‖·‖d_C‖ (= g) when q and d put their weight on
// different terms; it filters candidates before exact scoring.
const sketchGroups = 16

// sketchScale: the sketch keeps each group's norm (≤ 1, as the vectors are
// unit vectors) as a byte, rounded up, in units of 1/sketchScale: 16 bytes
// a document instead of 64, so that candidates' sketches are more often in
// cache. A byte is at most 1/254 more than the norm.
const sketchScale = 254

// skipShare: lists are skipped in a block only while the bound of what the
// block's untouched documents can gain stays below skipShare × the k-th
// best, so that a touched document still needs a partial score of at least
// (1 − skipShare) × the k-th best to become a candidate. Skipping up to the
// full k-th best reads fewer postings but scores far more candidates (1M,
// with group lists, per query: 0.5 → 22k postings skipped, 0.6 → 31k,
// 0.7 → 40k, 0.8 → 48k but 1.45× the CPU time of 0.6; 0.5-0.6 fastest
// then; with sub-block floors and more seeds, 0.65 needs 2-3% fewer
// cycles than 0.6 and 0.7 more).
const skipShare = 0.65

func sketchGroup(t int32) int { return int(uint32(t) * 0x9E3779B1 >> (32 - 4)) }

// mposting is a posting of a mid-frequency list in the form the search
// walks: the document's offset in its block and its weight in units of
// 1/wScale, rounded up. Half the size of a posting, so a query's mid lists
// (at 1M, 5M postings: 20 MB instead of 40) stay in the shared cache.
type mposting struct {
	off uint16
	w   uint16
}

// wScale: mposting weights (≤ 1) are kept in units of 1/wScale.
const wScale = 65535

// fentry is a term of a document's forward list of terms with df > midDF:
// its fid and the document's weight of it in units of 1/wScale, rounded
// up (4 bytes, so a candidate's list is one or two cache lines). NewIndex
// keeps at most maxFid terms above midDF.
type fentry struct {
	f uint16
	w uint16
}

const maxFid = 1 << 16

// gEntry is a document, its g and its sketch (rounded up to float32),
// inline so the scan of untouched documents reads memory in order.
type gEntry struct {
	g   float32
	doc int32
	sk  [sketchGroups]float32
}

// Search processes documents in blocks of 2^blockShift: a block's partial
// scores (64 KiB) stay in the core's cache while every list of the query
// is walked over it.
const (
	blockShift = 14
	blockMask  = 1<<blockShift - 1
)

// subShift: collect's first test, of a partial score against what the
// terms not walked can add at most, uses the largest g and g' of each
// 2^subShift documents of a block rather than of the whole block (a
// block's documents are in g order), so that far fewer documents pass it
// only to fail the exact bound (1M: 5.3k a query → 1.2k).
const (
	subShift  = 9
	subBlocks = 1 << (blockShift - subShift)
)

// Seeding: before the walk, the postings of the query's lists no longer
// than seedDF (at most about seedMax of them) give partial scores, and the
// k best of those documents are scored exactly, so the k-th best score
// starts high and prunes from the first block on. (1M: 128/512 seed
// postings need 6% fewer cycles than 64/256; more gain nothing.)
const (
	seedDF   = 128
	seedMax  = 512
	seedBits = 11 // the seeds' hash table: ≥ 2 × (seedMax + seedDF) slots
)

// IndexOptions tunes NewIndex.
type IndexOptions struct {
	// CommonDF: terms in more documents than this are "common" (bounded, not
	// traversed). 0 means DefaultCommonDF(n).
	CommonDF int
	// MidDF: rare terms in more documents than this may be skipped block by
	// block (see Index). 0 means DefaultMidDF(n); it is at most CommonDF.
	MidDF   int
	Workers int // 0 means GOMAXPROCS
}

// DefaultCommonDF is the common-term cut for n documents: long posting
// lists cost more to walk than the bound they replace.
func DefaultCommonDF(n int) int { return max(64, n/20) }

// DefaultMidDF is the mid-frequency cut for n documents.
func DefaultMidDF(n int) int { return max(64, n/256) }

// NewIndex builds the index of c.
func NewIndex(c *Corpus, opt IndexOptions) *Index {
	n, v := c.Len(), len(c.Terms)
	cdf := opt.CommonDF
	if cdf <= 0 {
		cdf = DefaultCommonDF(n)
	}
	mdf := opt.MidDF
	if mdf <= 0 {
		mdf = DefaultMidDF(n)
	}
	mdf = min(mdf, cdf)
	if x := fidCut(c.df); mdf < x {
		mdf, cdf = x, max(cdf, x)
	}
	nPad := (n + 1<<blockShift - 1) >> blockShift << blockShift // gI and gpI cover whole blocks
	ix := &Index{c: c, commonDF: cdf, midDF: mdf, common: make([]bool, v), off: make([]int64, v+1),
		mid: make([]bool, v), g: make([]float64, n), kind: make([]uint8, n),
		orig: make([]int32, n), rank: make([]int32, n), kindI: make([]uint8, n),
		gI: make([]float32, nPad), gpI: make([]float32, nPad),
		sketch: make([]uint8, n*sketchGroups), fid: make([]int32, v), foff: make([]int32, n+1)}
	ix.blocks = nPad >> blockShift
	for t := 0; t < v; t++ {
		df := int64(c.df[t])
		ix.fid[t] = -1
		if int(df) > mdf {
			ix.fid[t] = int32(ix.nf)
			ix.nf++
		}
		switch {
		case int(df) > cdf:
			ix.common[t] = true
			df = 0
		case int(df) > mdf:
			ix.mid[t] = true
		}
		ix.off[t+1] = ix.off[t] + df
	}
	// g and g' of every document; the internal order is g' descending.
	gp := make([]float64, n)
	fcnt := make([]int32, n) // per document: its terms with df > midDF
	kinds := map[catalog.Kind]uint8{}
	for d := 0; d < n; d++ {
		k, ok := kinds[c.Kinds[d]]
		if !ok {
			k = uint8(len(kinds) % 256)
			kinds[c.Kinds[d]] = k
		}
		ix.kind[d] = k
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers, span := ranges(n, workers)
	parallel(workers, func(w int) {
		lo, hi := span(w)
		for d := lo; d < hi; d++ {
			terms, ws := c.Vector(d)
			g2, gp2 := 0.0, 0.0
			for j, t := range terms {
				w2 := ws[j] * ws[j]
				if ix.common[t] {
					g2 += w2
				}
				if int(c.df[t]) > mdf {
					gp2 += w2
					fcnt[d]++
				}
			}
			if g2 > 0 {
				ix.g[d] = math.Sqrt(g2) * (1 + 1e-12)
			}
			gp[d] = math.Sqrt(gp2) * (1 + 1e-12)
		}
	})
	// Both orders: by g (documents with common terms) and by g' (all),
	// descending, then by index.
	parallel(2, func(w int) {
		if w == 0 {
			byG := orderBy(ix.g, true)
			nz := len(byG) // documents with g > 0: a prefix
			for nz > 0 && ix.g[byG[nz-1]] == 0 {
				nz--
			}
			ix.byG = byG[:nz]
		} else {
			ix.orig = orderBy(gp, true)
		}
	})
	// By g' descending into blocks, then by g descending within each block,
	// so that sub-blocks' largest g are tight (see subShift).
	parallel(workers, func(w int) {
		for b := w; b < ix.blocks; b += workers {
			lo := b << blockShift
			slices.SortStableFunc(ix.orig[lo:min(lo+1<<blockShift, n)], func(a, b int32) int { return cmp.Compare(ix.g[b], ix.g[a]) })
		}
	})
	ix.post = make([]posting, ix.off[v])
	for i, d := range ix.orig {
		ix.rank[d] = int32(i)
		ix.foff[i+1] = ix.foff[i] + fcnt[d]
	}
	ix.fe = make([]fentry, ix.foff[n])
	// Postings, forward lists and sketches, in parallel over ranges of the
	// internal order: each worker first counts its range's postings per
	// term, so that it knows where in each list its own part starts.
	fills := make([][]int64, workers)
	parallel(workers, func(w int) {
		cnt := make([]int64, v)
		lo, hi := span(w)
		for _, d := range ix.orig[lo:hi] {
			terms, _ := c.Vector(int(d))
			for _, t := range terms {
				cnt[t]++
			}
		}
		fills[w] = cnt
	})
	for t := 0; t < v; t++ {
		pos := ix.off[t]
		for _, f := range fills {
			f[t], pos = pos, pos+f[t]
		}
	}
	parallel(workers, func(w int) {
		fill := fills[w]
		lo, hi := span(w)
		for i := lo; i < hi; i++ {
			d := ix.orig[i]
			ix.kindI[i] = ix.kind[d]
			ix.gI[i] = roundUp32(ix.g[d])
			ix.gpI[i] = roundUp32(gp[d])
			terms, ws := c.Vector(int(d))
			var sk [sketchGroups]float64
			fe := ix.fe[ix.foff[i]:ix.foff[i+1]]
			nf := 0
			for j, t := range terms {
				if f := ix.fid[t]; f >= 0 {
					fe[nf] = fentry{f: uint16(f), w: quantize(ws[j])}
					nf++
				}
				if ix.common[t] {
					sk[sketchGroup(t)] += ws[j] * ws[j]
					continue
				}
				ix.post[fill[t]] = posting{doc: int32(i), w: roundUp32(ws[j])}
				fill[t]++
			}
			for j := range sketchGroups {
				ix.sketch[i*sketchGroups+j] = uint8(min(255, math.Ceil(math.Sqrt(sk[j])*sketchScale*(1+1e-6))))
			}
		}
	})
	ix.midLists()
	ix.bgOff = make([]int32, ix.blocks+1)
	for _, d := range ix.byG {
		ix.bgOff[ix.rank[d]>>blockShift+1]++
	}
	for b := range ix.blocks {
		ix.bgOff[b+1] += ix.bgOff[b]
	}
	ix.bg = make([]gEntry, len(ix.byG))
	fillG := slices.Clone(ix.bgOff[:ix.blocks])
	for _, d := range ix.byG { // g descending within each block
		i := ix.rank[d]
		b := i >> blockShift
		e := &ix.bg[fillG[b]]
		e.g, e.doc = ix.gI[i], i
		for j, v := range ix.sketch[int(i)*sketchGroups : int(i+1)*sketchGroups] {
			e.sk[j] = roundUp32(float64(v) / sketchScale)
		}
		fillG[b]++
	}
	ix.gSub = make([]float32, len(ix.gI)>>subShift)
	ix.gpSub = make([]float32, len(ix.gI)>>subShift)
	ix.gpBlk = make([]float32, ix.blocks)
	ix.gBlk = make([]float32, ix.blocks)
	for i, g := range ix.gI {
		ix.gBlk[i>>blockShift] = max(ix.gBlk[i>>blockShift], g)
		ix.gSub[i>>subShift] = max(ix.gSub[i>>subShift], g)
		ix.gpSub[i>>subShift] = max(ix.gpSub[i>>subShift], ix.gpI[i])
		ix.gpBlk[i>>blockShift] = max(ix.gpBlk[i>>blockShift], ix.gpI[i])
	}
	return ix
}

// fidCut is the smallest document frequency that at most maxFid terms
// exceed.
func fidCut(df []int32) int {
	if len(df) <= maxFid {
		return 0
	}
	s := slices.Clone(df)
	slices.Sort(s)
	return int(s[len(s)-1-maxFid])
}

// groupShare: mid terms whose lists share at least this share of the
// longest one's documents are walked as one list (see midLists).
const groupShare = 0.95

// midLists builds the lists Search walks for mid-frequency terms. The
// bigram tokenizer splits a word of n syllables into n-1 terms that occur
// together (블루스퀘어: 블루, 루스, 스퀘, 퀘어), so many mid terms have
// nearly the same posting list. Such a group of terms gets one list of the
// documents that have all of them: its weight is u(d), the document's
// weight of the group's first term, and a document is in it only if each
// other term t's weight is at most r_t·u(d) (r_t: near the largest ratio
// seen). A query walks it with Σ q_t·r_t over the group's terms it has,
// which bounds what they give. Every mid term also has its own list of the
// documents not in its group's list. At 1M this walks about half as many
// postings, and exact scoring is unchanged.
func (ix *Index) midLists() {
	c := ix.c
	var ms []int32
	for t, m := range ix.mid {
		if m {
			ms = append(ms, int32(t))
		}
	}
	slices.SortFunc(ms, func(a, b int32) int {
		if c := cmp.Compare(c.df[b], c.df[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	list := func(t int32) []posting { return ix.post[ix.off[t]:ix.off[t+1]] }
	v := len(ix.mid)
	ix.resid, ix.grp, ix.grpR = make([]int32, v), make([]int32, v), make([]float64, v)
	for t := range v {
		ix.resid[t], ix.grp[t] = -1, -1
	}
	// Groups, greedily, longest lists first.
	type group struct {
		terms []int32
		docs  []int32
		u     []float32 // per docs entry: the first term's weight
		keep  []bool    // per docs entry: in the group list
	}
	var groups []group
	used := make([]bool, len(ms))
	for i, t := range ms {
		if used[i] {
			continue
		}
		g := group{terms: []int32{t}}
		need := groupShare * float64(c.df[t])
		for j := i + 1; j < len(ms) && float64(c.df[ms[j]]) >= need; j++ {
			if used[j] {
				continue
			}
			var docs []int32
			if g.docs == nil {
				docs = intersect(list(t), list(ms[j]), int(need))
			} else {
				docs = intersectDocs(g.docs, list(ms[j]))
			}
			if float64(len(docs)) >= need {
				g.terms, g.docs = append(g.terms, ms[j]), docs
				used[j] = true
			}
		}
		if len(g.terms) > 1 {
			groups = append(groups, g)
		}
	}
	// Ratios and the documents each group list keeps.
	weights := func(t int32, docs []int32) []float32 { // t's weights at docs (all in t's list)
		out := make([]float32, len(docs))
		l, j := list(t), 0
		for k, d := range docs {
			for l[j].doc < d {
				j++
			}
			out[k] = l[j].w
		}
		return out
	}
	for gi := range groups {
		g := &groups[gi]
		u := weights(g.terms[0], g.docs)
		keep := make([]bool, len(g.docs))
		for k := range keep {
			keep[k] = true
		}
		ix.grpR[g.terms[0]] = 1
		for _, t := range g.terms[1:] {
			w := weights(t, g.docs)
			rs := make([]float64, len(w))
			for k := range w {
				rs[k] = float64(w[k]) / float64(u[k])
			}
			slices.Sort(rs)
			r := rs[min(len(rs)-1, len(rs)*98/100)] * (1 + 1e-7)
			ix.grpR[t] = r
			for k := range w {
				if float64(w[k]) > r*float64(u[k]) {
					keep[k] = false
				}
			}
		}
		g.u, g.keep = u, keep
	}
	// The lists: each mid term's own (its documents not kept by its
	// group), then the groups'.
	stride := ix.blocks + 1
	var all []posting
	var starts []int
	add := func(ps []posting) int32 {
		starts = append(starts, len(all))
		all = append(all, ps...)
		return int32((len(starts) - 1) * stride)
	}
	groupOf := make(map[int32]int, len(ms))
	for gi, g := range groups {
		for _, t := range g.terms {
			groupOf[t] = gi
		}
	}
	var own []posting
	for _, t := range ms {
		own = own[:0]
		gi, ok := groupOf[t]
		var docs []int32
		var keep []bool
		if ok {
			docs, keep = groups[gi].docs, groups[gi].keep
		}
		k := 0
		for _, pe := range list(t) {
			for k < len(docs) && docs[k] < pe.doc {
				k++
			}
			if k < len(docs) && docs[k] == pe.doc && keep[k] {
				continue
			}
			own = append(own, pe)
		}
		if len(own) > 0 {
			ix.resid[t] = add(own)
		}
	}
	for _, g := range groups {
		own = own[:0]
		for k, d := range g.docs {
			if g.keep[k] {
				own = append(own, posting{doc: d, w: g.u[k]})
			}
		}
		if len(own) == 0 {
			continue
		}
		at := add(own)
		for _, t := range g.terms {
			ix.grp[t] = at
		}
	}
	ix.groups = len(groups)
	starts = append(starts, len(all))
	nl := len(starts) - 1
	ix.mb = make([]int64, nl*stride)
	ix.bmax = make([]float32, nl*stride)
	ix.mpost = make([]mposting, len(all))
	for l := range nl {
		ps := all[starts[l]:starts[l+1]]
		j := 0
		for b := 0; b <= ix.blocks; b++ {
			lo := int32(min(b<<blockShift, c.Len()))
			for j < len(ps) && ps[j].doc < lo {
				j++
			}
			ix.mb[l*stride+b] = int64(starts[l] + j)
		}
		for b := range ix.blocks {
			m := float32(0)
			for _, pe := range ps[ix.mb[l*stride+b]-int64(starts[l]) : ix.mb[l*stride+b+1]-int64(starts[l])] {
				m = max(m, pe.w)
			}
			ix.bmax[l*stride+b] = m
		}
		for k, pe := range ps {
			ix.mpost[starts[l]+k] = mposting{off: uint16(pe.doc & blockMask), w: quantize(float64(pe.w))}
		}
	}
}

// intersect is the documents in both a and b, or nil once fewer than
// need of them can be.
func intersect(a, b []posting, need int) []int32 {
	var dst []int32
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if (i+j)&63 == 0 && len(dst)+min(len(a)-i, len(b)-j) < need {
			return nil
		}
		switch {
		case a[i].doc < b[j].doc:
			i++
		case a[i].doc > b[j].doc:
			j++
		default:
			dst = append(dst, a[i].doc)
			i++
			j++
		}
	}
	return dst
}

// intersectDocs is the documents of docs that are in b.
func intersectDocs(docs []int32, b []posting) []int32 {
	var out []int32
	j := 0
	for _, d := range docs {
		for j < len(b) && b[j].doc < d {
			j++
		}
		if j < len(b) && b[j].doc == d {
			out = append(out, d)
		}
	}
	return out
}

// ranges splits [0, n) for parallel work: into at most workers ranges
// of at least 4,096 (one range if n is smaller); span(w) is range w.
func ranges(n, workers int) (int, func(w int) (lo, hi int)) {
	workers = max(1, min(workers, n/4096))
	return workers, func(w int) (int, int) { return n * w / workers, n * (w + 1) / workers }
}

// parallel runs fn(0) … fn(workers-1) concurrently and waits for them.
func parallel(workers int, fn func(w int)) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w)
		}()
	}
	wg.Wait()
}

// quantize is w (in [0, 1]) in units of 1/wScale, rounded up.
func quantize(w float64) uint16 { return uint16(min(wScale, math.Ceil(w*wScale))) }

// roundUp32 is w as a float32 no smaller than w.
func roundUp32(w float64) float32 {
	w32 := float32(w)
	if float64(w32) < w {
		w32 = math.Nextafter32(w32, float32(math.Inf(1)))
	}
	return w32
}

// Corpus returns the indexed corpus.
func (ix *Index) Corpus() *Corpus { return ix.c }

// CommonDF is the document frequency above which terms are bounded, not walked.
func (ix *Index) CommonDF() int { return ix.commonDF }

// MidDF is the document frequency above which a rare term's list may be
// skipped block by block.
func (ix *Index) MidDF() int { return ix.midDF }

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
	Skipped  int64 // postings of mid-frequency lists skipped by the block bound
	// Inessential: postings (of Postings) of mid-frequency lists walked
	// only into documents that other lists touched (see essential).
	Inessential int64
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
	order := ix.queryOrder(queries)
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
				for _, i := range order[lo:hi] {
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
			stats.Skipped += s.stats.Skipped
			stats.Inessential += s.stats.Inessential
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, stats, err
	}
	return out, stats, nil
}

// queryOrder is the order in which Search runs queries: grouped by their
// heaviest term (a release's title, mostly), so that the releases of one
// show run one after another and find the same lists in cache (1M, every
// release of 1/8 of the shows: 10-13% faster than in id order). Results
// do not depend on it.
func (ix *Index) queryOrder(queries []int32) []int32 {
	heaviest := make([]int32, len(queries))
	for i, q := range queries {
		terms, ws := ix.c.Vector(int(q))
		best, bw := int32(-1), 0.0
		for j, t := range terms {
			if ws[j] > bw {
				best, bw = t, ws[j]
			}
		}
		heaviest[i] = best
	}
	return orderBy(heaviest, false)
}

// orderBy returns the indices of keys ordered by key (descending if desc),
// then by index.
func orderBy[K cmp.Ordered](keys []K, desc bool) []int32 {
	type keyed struct {
		k K
		i int32
	}
	ks := make([]keyed, len(keys))
	for i, k := range keys {
		ks[i] = keyed{k, int32(i)}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		c := cmp.Compare(a.k, b.k)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	out := make([]int32, len(ks))
	for i, e := range ks {
		out[i] = e.i
	}
	return out
}

// boundEps absorbs the float32 rounding of posting weights and partial
// sums (≤ ~3e-6 on sums ≤ 1); candidates within 2·boundEps of a cut are
// scored exactly, so it costs a little work, never exactness.
const boundEps = 1e-5

// slot is one document's partial score for the current query; packed so a
// posting touches one cache line (used by reach, which walks whole lists).
type slot struct {
	acc   float32
	stamp uint32
}

// searcher holds one goroutine's scratch space.
type searcher struct {
	ix       *Index
	acc      *[1 << blockShift]float32 // per document of the current block: partial score (0: untouched)
	cur      uint32
	done     []uint32 // == cur: scored exactly (or excluded) for this query
	touched  []int32  // reach only
	cands    []candidate
	seeds    []candidate
	seedSlot [1 << seedBits]int32 // seeding's hash table of documents (index in seeds + 1)
	cursors  []cursor
	q        queryTerms
	qg       [sketchGroups]float64 // the query's common-term norm per group
	qf       []float64             // per fid: the query's weight / wScale if the term is not walked in the current block, else 0
	mids     []midPart
	rarec    []int32 // the cursors of rare lists
	midc     []int32 // the cursors of walked mid lists
	scan     []int32 // blocks whose untouched documents are to be scanned
	mterms   []mterm
	gterms   []groupTerm
	top      []Neighbour // best so far, sorted by compareNeighbours
	slots    []slot      // reach only, allocated on first use
	stats    SearchStats
	sink     uint32  // touch's reads go here, so they are not left out
	sinkF    float64 // and seeding's
}

// candidate is a document, an upper bound of its score and its partial
// score from the walked lists.
type candidate struct {
	ub  float64
	doc int32
	a   float32
}

// cursor is a query term's position in its (document-ordered) list.
type cursor struct {
	w        float64
	w32      float32 // w rounded up
	w16      float32 // w/wScale rounded up (mid terms' compact postings)
	pos, end int64
	from     int64 // where the current block's part starts (once walked)
	next     int32 // a rare list: the document at pos (MaxInt32 at the end)
	mid      int32 // a walked mid list: where its offsets start in Index.mb; else -1
	t0, t1   int32 // a walked mid list: its query terms are searcher.mterms[t0:t1]
	skip     bool  // skip the current block's part
}

// mterm is a query term that a walked mid list holds: its fid and the
// query's weight of it.
type mterm struct {
	fid int32
	w   float64
}

// groupTerm is a query term in a group of mid terms.
type groupTerm struct {
	list int32 // Index.grp of the term
	i    int32 // index in the query's terms
}

// midPart is a mid-frequency list's part in the current block.
type midPart struct {
	ci int32   // cursor
	n  int64   // postings
	ub float64 // the most it adds to a document's partial score
	ne bool    // not essential: walked only into documents other lists touched
}

func newSearcher(ix *Index) *searcher {
	return &searcher{ix: ix, acc: new([1 << blockShift]float32), done: make([]uint32, ix.c.Len()), qf: make([]float64, ix.nf)}
}

// queryTerms is a small open-addressing table of the query's weights, so
// exact scoring stays in L1 cache instead of reading a vocabulary-sized array.
type queryTerms struct {
	keys  []int32 // -1: empty
	vals  []float64
	shift uint32
}

func (h *queryTerms) reset(terms []int32, ws []float64) {
	size, shift := 64, uint32(32-6)
	for size < 4*len(terms) {
		size, shift = size*2, shift-1
	}
	if cap(h.keys) < size {
		h.keys, h.vals = make([]int32, size), make([]float64, size)
	}
	h.keys, h.vals, h.shift = h.keys[:size], h.vals[:size], shift
	for i := range h.keys {
		h.keys[i] = -1
	}
	mask := uint32(size - 1)
	for i, t := range terms {
		j := (uint32(t) * 0x9E3779B1) >> shift
		for h.keys[j] >= 0 {
			j = (j + 1) & mask
		}
		h.keys[j], h.vals[j] = t, ws[i]
	}
}

// midCursor adds a cursor for the walked mid list at l, weighted w, that
// holds the query terms s.mterms[t0:].
func (s *searcher) midCursor(l int32, w float64, t0 int) {
	n := s.ix.mb[int(l)+s.ix.blocks] - s.ix.mb[l]
	s.cursors = append(s.cursors, cursor{w: w, w16: roundUp32(w / wScale), end: n, mid: l,
		t0: int32(t0), t1: int32(len(s.mterms))})
}

// essential marks the parts of mids (block b, skipped ones aside) that are
// not essential: a set whose bounds sum to less than floor, taken greedily
// by bound per posting (so that it holds many postings). It moves them to
// the end of mids, so that they are walked after every list that touches
// documents.
func (s *searcher) essential(mids []midPart, b int, floor float32) {
	ix := s.ix
	n := 0
	for i := range mids {
		m := &mids[i]
		if c := &s.cursors[m.ci]; !c.skip {
			// A posting's weight is at most bmax + 1/wScale (rounded up),
			// times w16 ≥ w/wScale (rounded up).
			m.ub = float64(c.w16) * (float64(ix.bmax[int(c.mid)+b])*wScale + 1) * (1 + 1e-6)
			n++
		} else {
			m.ub = math.Inf(1)
		}
	}
	if n < 2 {
		return
	}
	sortMids(mids, func(a, b *midPart) bool { return a.ub*float64(b.n) > b.ub*float64(a.n) })
	sum := 0.0
	for i := len(mids) - 1; i > 0; i-- {
		m := &mids[i]
		if sum+m.ub >= float64(floor)*(1-1e-6) {
			continue
		}
		sum += m.ub
		m.ne = true
	}
	// The inessential ones last (a list passed over above may sit among them).
	sortMids(mids, func(a, b *midPart) bool { return !a.ne && b.ne })
}

// sortMids sorts a block's few mid parts (insertion sort: a handful, and
// no call per comparison once inlined).
func sortMids(mids []midPart, before func(a, b *midPart) bool) {
	for i := 1; i < len(mids); i++ {
		for j := i; j > 0 && before(&mids[j], &mids[j-1]); j-- {
			mids[j], mids[j-1] = mids[j-1], mids[j]
		}
	}
}

// exact is the cosine of the query and d, summed over d's terms in
// ascending order like Corpus.Dot (so bit for bit equal to it).
func (s *searcher) exact(d int32) float64 {
	dt, dw := s.ix.c.Vector(int(d))
	keys, vals, shift := s.q.keys, s.q.vals, s.q.shift
	mask := uint32(len(keys) - 1)
	sc := 0.0
	for j, t := range dt {
		for h := (uint32(t) * 0x9E3779B1) >> shift; ; h = (h + 1) & mask {
			k := keys[h]
			if k == t {
				sc += vals[h] * dw[j]
				break
			}
			if k < 0 {
				break
			}
		}
	}
	return sc
}

// consider scores candidate c unless it was scored already or a bound falls
// below the cut; it returns the new cut. The bounds add to its partial
// score c.a what the terms not walked can give it: first bne (the
// skipped lists' block maxima) plus the common-term sketch (one cache line),
// then restBound, which is exact up to float32 rounding (upwards).
func (s *searcher) consider(c candidate, bne float64, k int, cut float64) float64 {
	if c.ub < cut {
		return cut
	}
	i := int(c.doc) * sketchGroups
	sk := sketchDot(&s.qg, (*[sketchGroups]uint8)(s.ix.sketch[i:i+sketchGroups]))
	if ub := float64(c.a) + bne + sk/sketchScale*(1+1e-9); ub < cut || s.restBound(c.doc, c.a) < cut || s.done[c.doc] == s.cur {
		return cut
	}
	return s.score(c.doc, k, cut)
}

// sketchDot is Σ_j qg_j·sk_j, over a document's byte sketch or a
// gEntry's. Four running sums, so the additions do not wait on one another
// (the bound has slack for the changed rounding).
func sketchDot[T uint8 | float32](qg *[sketchGroups]float64, sk *[sketchGroups]T) float64 {
	var a0, a1, a2, a3 float64
	for j := 0; j < sketchGroups; j += 4 {
		a0 += qg[j] * float64(sk[j])
		a1 += qg[j+1] * float64(sk[j+1])
		a2 += qg[j+2] * float64(sk[j+2])
		a3 += qg[j+3] * float64(sk[j+3])
	}
	return (a0 + a1) + (a2 + a3)
}

// touch reads the sketch and the forward list of every candidate that
// may pass the cut before consider does, one candidate after another, so
// that their cache misses overlap instead of following one another.
func (s *searcher) touch(cands []candidate, cut float64) {
	ix := s.ix
	var x uint32
	for _, c := range cands {
		if c.ub >= cut {
			x += uint32(ix.sketch[int(c.doc)*sketchGroups]) + uint32(ix.foff[c.doc])
		}
	}
	for _, c := range cands {
		if c.ub >= cut {
			if i := ix.foff[c.doc]; i < ix.foff[c.doc+1] {
				x += uint32(ix.fe[i].w)
			}
		}
	}
	s.sink += x
}

// restBound is a plus what the query's unwalked terms give d: d's terms
// above MidDF weighted by qf, which holds the query's weights of exactly
// those terms (Search's step 1).
func (s *searcher) restBound(d int32, a float32) float64 {
	qf := s.qf
	fe := s.ix.fe[s.ix.foff[d]:s.ix.foff[d+1]]
	var u0, u1 float64 // two running sums, so the additions overlap
	for len(fe) >= 2 {
		u0 += qf[fe[0].f] * float64(fe[0].w)
		u1 += qf[fe[1].f] * float64(fe[1].w)
		fe = fe[2:]
	}
	if len(fe) > 0 {
		u0 += qf[fe[0].f] * float64(fe[0].w)
	}
	return float64(a) + (u0 + u1)
}

// topCandidates moves the k candidates with the largest bounds (ties: lower
// document first) to the front of cands (len > k) and returns them.
func topCandidates(cands []candidate, k int) []candidate {
	better := func(a, b candidate) bool { return a.ub > b.ub || (a.ub == b.ub && a.doc < b.doc) }
	// Quickselect on the bound.
	lo, hi := 0, len(cands)-1
	for lo < hi {
		p := cands[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for better(cands[i], p) {
				i++
			}
			for better(p, cands[j]) {
				j--
			}
			if i <= j {
				cands[i], cands[j] = cands[j], cands[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			lo = hi
		}
	}
	return cands[:k]
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

// score scores d exactly (once per query) and offers it; it returns the
// new cut: the k-th best score less the rounding margin.
func (s *searcher) score(d int32, k int, cut float64) float64 {
	ix := s.ix
	s.done[d] = s.cur
	s.stats.Scored++
	if sc := s.exact(ix.orig[d]); sc > 0 {
		s.offer(Neighbour{Doc: ix.orig[d], Score: sc}, k)
		if len(s.top) == k {
			return s.top[k-1].Score - 2*boundEps
		}
	}
	return cut
}

// search appends q's top k to dst. Documents are processed in blocks of
// 2^blockShift (internal order) so the partial scores of a block stay in
// cache:
//  0. seed: the documents of the query's shortest lists (usually the same
//     show elsewhere) are scored exactly first, for an early k-th best;
//  1. per block, pick the mid-frequency lists whose part in the block can
//     be skipped (‖q_skipped+common‖·g'max below the k-th best), longest
//     first, and walk the block's part of every other list, the
//     inessential ones (see essential) last and only into documents the
//     others touched;
//  2. read the essential walked parts again (collect), taking and clearing
//     each touched document's partial score, and score exactly those whose
//     bound (partial + the bound of the terms not walked) reaches the
//     k-th best so far;
//  3. after the last block, with the final cut, the untouched documents
//     of the blocks where no list was skipped, by g descending, while qc·g
//     can reach it.
func (s *searcher) search(q int32, k int, sameKind bool, dst []Neighbour) []Neighbour {
	ix := s.ix
	s.stats.Queries++
	s.cur++
	if s.cur == 0 {
		clear(s.done)
		s.cur = 1
	}
	s.top = s.top[:0]
	s.cursors = s.cursors[:0]
	qt, qw := ix.c.Vector(int(q))
	if len(qt) == 0 {
		return dst
	}
	s.q.reset(qt, qw)
	qk := ix.kind[q]
	qi := ix.rank[q]
	qc2 := 0.0
	var qg2 [sketchGroups]float64
	s.mterms = s.mterms[:0]
	for i, t := range qt {
		if ix.common[t] {
			qc2 += qw[i] * qw[i]
			qg2[sketchGroup(t)] += qw[i] * qw[i]
			s.qf[ix.fid[t]] = qw[i] / wScale
			continue
		}
		if ix.mid[t] {
			if l := ix.resid[t]; l >= 0 {
				s.mterms = append(s.mterms, mterm{fid: ix.fid[t], w: qw[i]})
				s.midCursor(l, qw[i], len(s.mterms)-1)
			}
			if g := ix.grp[t]; g >= 0 {
				s.gterms = append(s.gterms, groupTerm{list: g, i: int32(i)})
			}
			continue
		}
		if a, b := ix.off[t], ix.off[t+1]; a < b {
			s.cursors = append(s.cursors, cursor{w: qw[i], w32: roundUp32(qw[i]), pos: a, end: b, mid: -1, next: ix.post[a].doc})
		}
	}
	// One cursor per group of mid terms, weighted Σ q_t·r_t.
	slices.SortFunc(s.gterms, func(a, b groupTerm) int { return cmp.Compare(a.list, b.list) })
	for j := 0; j < len(s.gterms); {
		g := s.gterms[j].list
		t0, w := len(s.mterms), 0.0
		for ; j < len(s.gterms) && s.gterms[j].list == g; j++ {
			i := s.gterms[j].i
			w += qw[i] * ix.grpR[qt[i]]
			s.mterms = append(s.mterms, mterm{fid: ix.fid[qt[i]], w: qw[i]})
		}
		s.midCursor(g, w*(1+1e-12), t0)
	}
	s.gterms = s.gterms[:0]
	nmid := len(s.mterms)
	qc := math.Sqrt(qc2) * (1 + 1e-12)
	for j, v := range qg2 {
		s.qg[j] = math.Sqrt(v) * (1 + 1e-12)
	}
	s.done[qi] = s.cur
	cut := math.Inf(-1)
	// 0. Seed: partial scores over the shortest lists, then the k best of
	// those scored exactly.
	slices.SortFunc(s.cursors, func(a, b cursor) int { return cmp.Compare(a.end-a.pos, b.end-b.pos) })
	// Seeds are summed per document in a small hash table (slot: index in
	// seeds + 1; 0 is empty), whose used slots are cleared afterwards.
	seeds := s.seeds[:0]
	slot := &s.seedSlot
	for _, c := range s.cursors {
		if c.mid >= 0 {
			continue
		}
		if c.end-c.pos > seedDF || len(seeds) >= seedMax {
			break
		}
		for _, pe := range ix.post[c.pos:c.end] {
			d := pe.doc
			if d == qi || (sameKind && ix.kindI[d] != qk) {
				continue
			}
			h := uint32(d) * 0x9E3779B1 >> (32 - seedBits)
			for slot[h] != 0 && seeds[slot[h]-1].doc != d {
				h = (h + 1) & (1<<seedBits - 1)
			}
			if slot[h] != 0 {
				seeds[slot[h]-1].ub += c.w * float64(pe.w)
				continue
			}
			seeds = append(seeds, candidate{ub: c.w * float64(pe.w), doc: d})
			slot[h] = int32(len(seeds))
		}
	}
	for _, c := range seeds {
		h := uint32(c.doc) * 0x9E3779B1 >> (32 - seedBits)
		for slot[h] != 0 {
			slot[h] = 0
			h = (h + 1) & (1<<seedBits - 1)
		}
	}
	if len(seeds) > 0 {
		best := seeds
		if len(seeds) > k {
			best = topCandidates(seeds, k)
		}
		// Read the vectors of all of them first, so their cache misses
		// overlap.
		var x float64
		for _, c := range best {
			_, ws := ix.c.Vector(int(ix.orig[c.doc]))
			if len(ws) > 0 {
				x += ws[0] + ws[len(ws)/2]
			}
		}
		s.sinkF += x
		for _, c := range best {
			cut = s.score(c.doc, k, cut)
		}
	}
	s.seeds = seeds
	s.rarec, s.midc = s.rarec[:0], s.midc[:0]
	for ci, c := range s.cursors {
		if c.mid >= 0 {
			s.midc = append(s.midc, int32(ci))
		} else {
			s.rarec = append(s.rarec, int32(ci))
		}
	}
	var visited, skipped, scanned, inessential int64
	n := int32(ix.c.Len())
	for b := range ix.blocks {
		lo := int32(b) << blockShift
		hi := min(lo+1<<blockShift, n)
		acc := s.acc
		// 1. Skip the parts of mid-frequency lists, longest first, as long as
		// a document of the block that is in none of the walked lists stays
		// below the cut by one of two bounds: ‖q_U‖·g'max (U: the skipped
		// and the common terms) or Σ_skipped q_t·max w_t + qc·gmax.
		gpHi := float64(ix.gpBlk[b])
		gcHi := float64(ix.gBlk[b])
		nskip := 0
		qu, bne := qc, 0.0
		lcut := cut * skipShare
		// The block's non-empty parts of mid lists (a group's members'
		// own lists are mostly empty).
		mids := s.mids[:0]
		for _, ci := range s.midc {
			l := int(s.cursors[ci].mid) + b
			if m := ix.mb[l+1] - ix.mb[l]; m > 0 {
				mids = append(mids, midPart{ci: ci, n: m})
			}
		}
		s.mids = mids
		if nmid > 0 && (qc*gpHi < lcut || qc*gcHi < lcut) {
			sortMids(mids, func(a, b *midPart) bool { return a.n > b.n })
			q2 := qc2
			for _, m := range mids {
				c := &s.cursors[m.ci]
				w2 := 0.0 // the list's terms not yet in U
				for _, mt := range s.mterms[c.t0:c.t1] {
					if s.qf[mt.fid] == 0 {
						w2 += mt.w * mt.w
					}
				}
				bt := c.w * float64(ix.bmax[int(c.mid)+b]) * (1 + 1e-12)
				if math.Sqrt(q2+w2)*(1+1e-12)*gpHi < lcut || bne+bt+qc*gcHi < lcut {
					q2 += w2
					bne += bt
					c.skip = true
					nskip++
					// A term is in U (qf ≠ 0) if any list holding it is
					// skipped: restBound then counts it, at worst twice.
					for _, mt := range s.mterms[c.t0:c.t1] {
						s.qf[mt.fid] = mt.w / wScale
					}
				}
			}
			if nskip > 0 {
				qu = math.Sqrt(q2) * (1 + 1e-12)
			}
		}
		// Walk.
		for _, ci := range s.rarec {
			c := &s.cursors[ci]
			c.from = c.pos
			if c.next >= hi {
				continue // no postings in this block
			}
			var j int
			if sameKind {
				j = walkKind(ix.post[c.pos:c.end], acc, lo, hi, c.w32, ix.kindI, qk)
			} else {
				j = walk(ix.post[c.pos:c.end], acc, lo, hi, c.w32)
			}
			c.pos += int64(j)
			c.next = math.MaxInt32
			if c.pos < c.end {
				c.next = ix.post[c.pos].doc
			}
			visited += int64(j)
		}
		// Partial scores below floor cannot reach the cut, as the terms not
		// walked add at most gb to them; an untouched document's (0) is
		// always below it.
		gb := bne + qc*gcHi
		if nskip > 0 {
			gb = min(gb, qu*gpHi)
		}
		floor := max(float32(cut-gb), math.SmallestNonzeroFloat32)
		// Lists that together add less than floor to any document are not
		// essential (MaxScore): a document only they hold stays below
		// floor. They are walked last and only into documents the other
		// lists touched, so collect need not read them.
		s.essential(mids, b, floor)
		for _, m := range mids {
			c := &s.cursors[m.ci]
			if c.skip {
				skipped += m.n
				continue
			}
			part := ix.mpost[ix.mb[int(c.mid)+b]:ix.mb[int(c.mid)+b+1]]
			switch {
			case m.ne:
				walkMidTouched(part, acc, c.w16)
				inessential += m.n
			case sameKind:
				walkMidKind(part, acc, c.w16, ix.kindI[lo:hi], qk)
			default:
				walkMid(part, acc, c.w16)
			}
			visited += m.n
		}
		// 2. Touched documents whose bound (partial + what the terms not
		// walked can add) reaches the cut, best bound first, while it still
		// does.
		cb := candBound{bne: bne, qc: qc, qu: math.MaxFloat64, cut: cut,
			gI: (*[1 << blockShift]float32)(ix.gI[lo:]), gpI: (*[1 << blockShift]float32)(ix.gpI[lo:])}
		if nskip > 0 {
			cb.qu = qu // else no CS bound on g' (g' ≥ g, so min picks qc·g)
		}
		cb.floors(ix.gSub[b*subBlocks:(b+1)*subBlocks], ix.gpSub[b*subBlocks:(b+1)*subBlocks])
		cands := s.cands[:0]
		for _, ci := range s.rarec {
			if c := &s.cursors[ci]; c.from < c.pos {
				cands = collect(ix.post[c.from:c.pos], acc, lo, &cb, cands)
			}
		}
		for _, m := range mids {
			if c := &s.cursors[m.ci]; !c.skip && !m.ne {
				cands = collectMid(ix.mpost[ix.mb[int(c.mid)+b]:ix.mb[int(c.mid)+b+1]], acc, lo, &cb, cands)
			}
		}
		s.touch(cands, cut)
		// Until k documents are scored, the k best bounds go first, for a
		// cut; after that (seeding nearly always gets there) the order
		// hardly moves the cut, and finding them cost more than it saved.
		rest := cands
		if len(cands) > k && len(s.top) < k {
			for _, c := range topCandidates(cands, k) {
				cut = s.consider(c, bne, k, cut)
			}
			rest = cands[k:]
		}
		for _, c := range rest {
			cut = s.consider(c, bne, k, cut)
		}
		s.cands = cands
		// 3. Untouched documents (they gain only from common terms) are
		// scanned after the last block, with the cut by then (with lists
		// skipped, qu·g'max < cut bounds them all).
		if qc > 0 && nskip == 0 && qc*gcHi >= cut {
			s.scan = append(s.scan, int32(b))
		}
		if nskip > 0 {
			for _, m := range mids {
				if c := &s.cursors[m.ci]; c.skip {
					for _, mt := range s.mterms[c.t0:c.t1] {
						s.qf[mt.fid] = 0
					}
					c.skip = false
				}
			}
		}
	}
	for _, b := range s.scan {
		bgs := ix.bg[ix.bgOff[b]:ix.bgOff[b+1]]
		for i := range bgs {
			e := &bgs[i]
			if qc*float64(e.g) < cut {
				break
			}
			scanned++
			ub := sketchDot(&s.qg, &e.sk)
			d := e.doc
			// collect has cleared the partial scores, so a touched document
			// is bounded here as if untouched: its bound then leaves out
			// what it got from the walked lists, which step 2 already
			// counted, so at worst it is scored for nothing. A document
			// that only inessential lists touched stayed below the cut of
			// its block without its common terms, so it is below this one.
			if ub < cut || s.done[d] == s.cur || (sameKind && ix.kindI[d] != qk) || s.restBound(d, 0) < cut {
				continue
			}
			cut = s.score(d, k, cut)
		}
	}
	s.scan = s.scan[:0]
	for _, t := range qt {
		if f := ix.fid[t]; f >= 0 {
			s.qf[f] = 0
		}
	}
	s.stats.Postings += visited
	s.stats.Skipped += skipped
	s.stats.Inessential += inessential
	s.stats.Scanned += scanned
	return append(dst, s.top...)
}

// walk adds w × the weight of each posting of list before document hi to
// the block's partial scores (acc, block starting at lo) and returns how
// many postings it read. It is a function of its own so that the loop keeps
// every value in a register (inside search it spilled most of them to the
// stack), and it does not branch on whether a document is new: collect
// finds the touched documents again from the same postings.
//
//go:noinline
func walk(list []posting, acc *[1 << blockShift]float32, lo, hi int32, w float32) int {
	for j, pe := range list {
		if pe.doc >= hi {
			return j
		}
		acc[(pe.doc-lo)&blockMask] += w * pe.w
	}
	return len(list)
}

// walkKind is walk for --same-kind: documents of another kind are passed.
//
//go:noinline
func walkKind(list []posting, acc *[1 << blockShift]float32, lo, hi int32, w float32, kindI []uint8, qk uint8) int {
	for j, pe := range list {
		d := pe.doc
		if d >= hi {
			return j
		}
		if kindI[d] == qk {
			acc[(d-lo)&blockMask] += w * pe.w
		}
	}
	return len(list)
}

// walkMid is walk for a block's part of a mid-frequency list.
//
//go:noinline
func walkMid(part []mposting, acc *[1 << blockShift]float32, w float32) {
	for _, p := range part {
		acc[p.off&blockMask] += w * float32(p.w)
	}
}

// walkMidTouched is walkMid into the documents that already have a
// partial score only (so it needs no kind check: another kind's documents
// are never touched). It does not branch on that either.
//
//go:noinline
func walkMidTouched(part []mposting, acc *[1 << blockShift]float32, w float32) {
	for _, p := range part {
		o := p.off & blockMask
		a := acc[o]
		ab := math.Float32bits(a) // a ≥ 0: all ones unless a is 0
		keep := uint32(int32(ab|-ab) >> 31)
		acc[o] = a + math.Float32frombits(math.Float32bits(w*float32(p.w))&keep)
	}
}

// walkMidKind is walkMid for --same-kind (kind: the block's kinds).
//
//go:noinline
func walkMidKind(part []mposting, acc *[1 << blockShift]float32, w float32, kind []uint8, qk uint8) {
	for _, p := range part {
		if int(p.off) < len(kind) && kind[p.off] == qk {
			acc[p.off&blockMask] += w * float32(p.w)
		}
	}
}

// candBound is what collect needs to bound a touched document's score:
// partial + bne + min(qc·g, qu·g').
type candBound struct {
	floor            [subBlocks]float32 // per sub-block: partial scores below it cannot reach cut
	bne, qc, qu, cut float64
	gI, gpI          *[1 << blockShift]float32 // the block's
}

// floors sets the sub-blocks' floors from their largest g (gSub) and g'
// (gpSub): partial + bne + min(qc·g, qu·g') < cut
// for every document of the sub-block whose partial is below its floor.
// Never below the smallest float32 above 0, so untouched documents (0)
// never pass.
func (b *candBound) floors(gSub, gpSub []float32) {
	for j, g := range gSub[:subBlocks] {
		gb := b.bne + b.qc*float64(g)
		if b.qu != math.MaxFloat64 {
			gb = min(gb, b.qu*float64(gpSub[j]))
		}
		b.floor[j] = max(float32(b.cut-gb), math.SmallestNonzeroFloat32)
	}
}

// collect reads the partial scores of the documents of list (a walked
// block part), appends to cands those whose bound reaches the cut (ub:
// the bound, a: the partial score) and zeroes them all, so a document in
// several lists is taken once and the block's scores are clear for the
// next block.
//
//go:noinline
func collect(list []posting, acc *[1 << blockShift]float32, lo int32, b *candBound, cands []candidate) []candidate {
	floor := &b.floor
	for _, pe := range list {
		o := (pe.doc - lo) & blockMask
		a := acc[o]
		acc[o] = 0
		if a >= floor[o>>subShift] {
			// Rarely here: the bound's terms are read from b, so that the
			// loop above keeps its few values in registers.
			if ub := b.bne + min(b.qc*float64(b.gI[o]), b.qu*float64(b.gpI[o])) + float64(a); ub >= b.cut {
				cands = append(cands, candidate{ub: ub, doc: pe.doc, a: a})
			}
		}
	}
	return cands
}

// collectMid is collect for a block's part of a mid-frequency list.
//
//go:noinline
func collectMid(part []mposting, acc *[1 << blockShift]float32, lo int32, b *candBound, cands []candidate) []candidate {
	floor := &b.floor
	for _, pe := range part {
		o := pe.off & blockMask
		a := acc[o]
		acc[o] = 0
		if a >= floor[o>>subShift] { // rarely: see collect
			if ub := b.bne + min(b.qc*float64(b.gI[o]), b.qu*float64(b.gpI[o])) + float64(a); ub >= b.cut {
				cands = append(cands, candidate{ub: ub, doc: lo + int32(o), a: a})
			}
		}
	}
	return cands
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
