package recommend

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"marquee/internal/catalog"
	"marquee/recommend/releasegen"
)

func buildTestCorpus(t testing.TB, rs []catalog.Release) *Corpus {
	t.Helper()
	b := NewCorpusBuilder(NewFeaturizer(DefaultFieldWeights, nil))
	for i := range rs {
		b.Add(int64(i), &rs[i])
	}
	c, _ := b.Build()
	return c
}

// bruteForce is the reference: every pair scored, sorted, cut at k.
func bruteForce(c *Corpus, q, k int, sameKind bool) []Neighbour {
	var all []Neighbour
	for d := 0; d < c.Len(); d++ {
		if d == q || (sameKind && c.Kinds[d] != c.Kinds[q]) {
			continue
		}
		if s := c.Dot(q, d); s > 0 {
			all = append(all, Neighbour{Doc: int32(d), Score: s})
		}
	}
	slices.SortFunc(all, compareNeighbours)
	if len(all) > k {
		all = all[:k]
	}
	return all
}

func allQueries(n int) []int32 {
	q := make([]int32, n)
	for i := range q {
		q[i] = int32(i)
	}
	return q
}

func TestSearchMatchesBruteForce(t *testing.T) {
	rs := releasegen.Generate(releasegen.Options{N: 2000, Seed: 7})
	c := buildTestCorpus(t, rs)
	const maxK = 50
	ref := map[bool][][]Neighbour{} // brute force by same_kind, top maxK
	for _, tc := range []struct {
		k        int
		sameKind bool
		commonDF int
	}{{10, false, 0}, {3, false, 0}, {10, true, 0}, {50, false, 0}, {10, false, 5}, {10, true, 1 << 30}, {10, false, 1}} {
		if tc.k > maxK {
			t.Fatalf("k=%d > maxK", tc.k)
		}
		t.Run(fmt.Sprintf("k=%d same_kind=%v common_df=%d", tc.k, tc.sameKind, tc.commonDF), func(t *testing.T) {
			ix := NewIndex(c, IndexOptions{CommonDF: tc.commonDF})
			got, stats, err := ix.Search(context.Background(), allQueries(c.Len()), SearchOptions{K: tc.k, SameKind: tc.sameKind, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if ref[tc.sameKind] == nil { // computed once per same_kind, at the largest k
				for q := 0; q < c.Len(); q++ {
					ref[tc.sameKind] = append(ref[tc.sameKind], bruteForce(c, q, maxK, tc.sameKind))
				}
			}
			bad := 0
			for q := 0; q < c.Len(); q++ {
				want := ref[tc.sameKind][q]
				if len(want) > tc.k {
					want = want[:tc.k]
				}
				if !sameNeighbours(got[q], want, 1e-9) {
					if bad++; bad <= 3 {
						t.Errorf("query %d (%s):\n got %v\nwant %v", q, c.IDs[q], got[q], want)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d lists differ", bad, c.Len())
			}
			if total := int64(c.Len()) * int64(c.Len()); tc.commonDF == 0 && tc.k == 10 && stats.Scored >= total/4 {
				t.Errorf("pruning scored %d of %d pairs exactly", stats.Scored, total)
			}
		})
	}
}

func sameNeighbours(a, b []Neighbour, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Doc != b[i].Doc || math.Abs(a[i].Score-b[i].Score) > tol {
			return false
		}
	}
	return true
}

func TestSearchIsSymmetricAndBounded(t *testing.T) {
	rs := releasegen.Generate(releasegen.Options{N: 2000, Seed: 11})
	c := buildTestCorpus(t, rs)
	got, _, err := NewIndex(c, IndexOptions{Workers: 2}).Search(context.Background(), allQueries(c.Len()), SearchOptions{K: 10})
	if err != nil {
		t.Fatal(err)
	}
	for q, list := range got {
		for _, nb := range list {
			if nb.Score <= 0 || nb.Score > 1+1e-12 {
				t.Fatalf("query %d: score %v outside (0,1]", q, nb.Score)
			}
			if back := c.Dot(int(nb.Doc), q); back != nb.Score {
				t.Fatalf("sim(%d,%d)=%v but sim(%d,%d)=%v", q, nb.Doc, nb.Score, nb.Doc, q, back)
			}
			if int(nb.Doc) == q {
				t.Fatalf("query %d lists itself", q)
			}
		}
	}
	// a document is its own best match: Dot(i,i) = 1.
	for i := 0; i < c.Len(); i += 97 {
		if terms, _ := c.Vector(i); len(terms) > 0 && math.Abs(c.Dot(i, i)-1) > 1e-12 {
			t.Fatalf("doc %d: |v|² = %v", i, c.Dot(i, i))
		}
	}
}

func TestSearchIsDeterministicAcrossWorkers(t *testing.T) {
	rs := releasegen.Generate(releasegen.Options{N: 1500, Seed: 3})
	a := buildTestCorpus(t, rs)
	slices.Reverse(rs) // arrival order must not matter
	b := buildTestCorpus(t, rs)
	ra, _, _ := NewIndex(a, IndexOptions{CommonDF: 30}).Search(context.Background(), allQueries(a.Len()), SearchOptions{K: 10, Workers: 1})
	rb, _, _ := NewIndex(b, IndexOptions{CommonDF: 30}).Search(context.Background(), allQueries(b.Len()), SearchOptions{K: 10, Workers: 2})
	for q := range ra {
		if !sameNeighbours(ra[q], rb[q], 0) {
			t.Fatalf("query %d: %v vs %v", q, ra[q], rb[q])
		}
	}
}

// TestSearchSkipsMidListsExactly covers the block-skipping of mid-frequency
// lists: a catalog of several blocks, sampled queries against brute force,
// and the skip must have happened.
func TestSearchSkipsMidListsExactly(t *testing.T) {
	rs := releasegen.Generate(releasegen.Options{N: 40000, Seed: 5})
	c := buildTestCorpus(t, rs)
	qs := make([]int32, 0, 120)
	for q := 0; q < c.Len(); q += c.Len() / 120 {
		qs = append(qs, int32(q))
	}
	want := map[bool][][]Neighbour{} // brute force, by same_kind
	for _, tc := range []struct {
		sameKind bool
		midDF    int
	}{{false, 0}, {true, 0}, {false, 20}} {
		t.Run(fmt.Sprintf("same_kind=%v mid_df=%d", tc.sameKind, tc.midDF), func(t *testing.T) {
			ix := NewIndex(c, IndexOptions{MidDF: tc.midDF})
			if ix.blocks < 3 {
				t.Fatalf("%d blocks: the test needs several", ix.blocks)
			}
			got, stats, err := ix.Search(context.Background(), qs, SearchOptions{K: 10, SameKind: tc.sameKind, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if stats.Skipped == 0 {
				t.Errorf("no postings skipped (walked %d)", stats.Postings)
			}
			if ix.groups == 0 {
				t.Error("no groups of mid terms: the group lists go untested")
			}
			if stats.Inessential == 0 {
				t.Error("no list walked as inessential: that path goes untested")
			}
			if want[tc.sameKind] == nil {
				for _, q := range qs {
					want[tc.sameKind] = append(want[tc.sameKind], bruteForce(c, int(q), 10, tc.sameKind))
				}
			}
			for i, q := range qs {
				if w := want[tc.sameKind][i]; !sameNeighbours(got[i], w, 1e-9) {
					t.Fatalf("query %d (%s):\n got %v\nwant %v", q, c.IDs[q], got[i], w)
				}
			}
			t.Logf("postings walked %d (inessential %d), skipped %d, scored %d", stats.Postings, stats.Inessential, stats.Skipped, stats.Scored)
		})
	}
}

// TestMidListsCoverEveryPosting checks the walked mid lists against the
// posting lists: each posting of a mid term is in exactly one of the
// term's own list and its group's list, and a group list's weight times
// r_t bounds the term's weight.
func TestMidListsCoverEveryPosting(t *testing.T) {
	c := buildTestCorpus(t, releasegen.Generate(releasegen.Options{N: 40000, Seed: 5}))
	ix := NewIndex(c, IndexOptions{})
	if ix.groups == 0 {
		t.Fatal("no groups of mid terms")
	}
	walked := func(l int32) map[int32]float64 { // document → weight bound
		m := map[int32]float64{}
		if l < 0 {
			return m
		}
		for b := range ix.blocks {
			for _, p := range ix.mpost[ix.mb[int(l)+b]:ix.mb[int(l)+b+1]] {
				m[int32(b<<blockShift)+int32(p.off)] = float64(p.w) / wScale
			}
		}
		return m
	}
	terms := 0
	for tm := range c.Terms {
		if !ix.mid[tm] {
			continue
		}
		terms++
		own, grp := walked(ix.resid[tm]), walked(ix.grp[tm])
		for _, pe := range ix.post[ix.off[tm]:ix.off[tm+1]] {
			w1, in1 := own[pe.doc]
			u, in2 := grp[pe.doc]
			switch {
			case in1 == in2:
				t.Fatalf("term %q, document %d: in its own list %v, in its group's %v", c.Terms[tm], pe.doc, in1, in2)
			case in1 && w1 < float64(pe.w):
				t.Fatalf("term %q, document %d: weight %v below %v", c.Terms[tm], pe.doc, w1, pe.w)
			case in2 && u*ix.grpR[tm] < float64(pe.w):
				t.Fatalf("term %q, document %d: bound %v·%v below %v", c.Terms[tm], pe.doc, u, ix.grpR[tm], pe.w)
			}
			delete(own, pe.doc)
			delete(grp, pe.doc)
		}
		if len(own)+len(grp) > 0 {
			t.Fatalf("term %q: %d documents in its lists without the term", c.Terms[tm], len(own)+len(grp))
		}
	}
	t.Logf("%d mid terms, %d groups", terms, ix.groups)
}

// TestEssentialSplitsMidParts checks essential on random blocks: the
// inessential parts come after every essential one (they are walked only
// into documents the others touched), skipped parts are never among them,
// and their bounds, which cover every posting's weight, sum to less than
// the floor.
func TestEssentialSplitsMidParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	marked := 0
	for trial := range 2000 {
		n := 1 + rng.IntN(10)
		s := &searcher{ix: &Index{bmax: make([]float32, n)}}
		var mids []midPart
		for i := range n {
			w := rng.Float64() * 0.3
			s.ix.bmax[i] = float32(rng.Float64())
			s.cursors = append(s.cursors, cursor{w: w, w16: roundUp32(w / wScale), mid: int32(i), skip: rng.IntN(5) == 0})
			mids = append(mids, midPart{ci: int32(i), n: 1 + rng.Int64N(2000)})
		}
		floor := float32(rng.Float64() * 0.2)
		s.essential(mids, 0, floor)
		sum, seenNE := 0.0, false
		for _, m := range mids {
			c := s.cursors[m.ci]
			if !m.ne {
				if seenNE {
					t.Fatalf("trial %d: an essential part after an inessential one: %+v", trial, mids)
				}
				continue
			}
			seenNE = true
			marked++
			if c.skip {
				t.Fatalf("trial %d: a skipped part marked inessential", trial)
			}
			if most := float64(c.w16 * float32(quantize(float64(s.ix.bmax[c.mid])))); m.ub < most {
				t.Fatalf("trial %d: bound %g below the largest posting's %g", trial, m.ub, most)
			}
			sum += m.ub
		}
		if sum >= float64(floor) {
			t.Fatalf("trial %d: inessential bounds sum to %g ≥ floor %g", trial, sum, floor)
		}
	}
	if marked == 0 {
		t.Fatal("no part was ever marked inessential")
	}
}
