package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"time"

	"marquee/internal/catalog"
	"marquee/recommend"
	"marquee/recommend/releasegen"
)

func main() {
	n := flag.Int("n", 100000, "")
	stop := flag.Int("q", 0, "queries (0=all)")
	cdf := flag.Int("cdf", 0, "")
	flag.Parse()
	t0 := time.Now()
	b := recommend.NewCorpusBuilder(recommend.NewFeaturizer(recommend.DefaultFieldWeights, nil))
	var seq int64
	releasegen.Each(releasegen.Options{N: *n, Seed: 1}, func(r *catalog.Release) { b.Add(seq, r); seq++ })
	c, _ := b.Build()
	t1 := time.Now()
	ix := recommend.NewIndex(c, recommend.IndexOptions{CommonDF: *cdf})
	t2 := time.Now()
	nq := c.Len()
	if *stop > 0 {
		nq = *stop
	}
	qs := make([]int32, nq)
	for i := range qs {
		qs[i] = int32(i * (c.Len() / nq))
	}
	_, st, _ := ix.Search(context.Background(), qs, recommend.SearchOptions{K: 10})
	t3 := time.Now()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("%s build=%v index=%v search=%v (%d q) postings/q=%d scored/q=%d scanned/q=%d heap=%dMB\n", c, t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), nq,
		st.Postings/st.Queries, st.Scored/st.Queries, st.Scanned/st.Queries, ms.HeapSys>>20)
}
