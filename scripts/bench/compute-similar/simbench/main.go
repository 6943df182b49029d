// Command simbench is compute-similar's benchmark helper:
//
//	simbench gen     -n N -seed S -date D -out releases.jsonl -tokens tokens.jsonl
//	simbench compare -lake DIR -date D -peer peer.jsonl -k K
//	simbench recall  -in releases.jsonl -lake DIR -date D -k K -sample M
//	simbench probe   -n N -q Q -cdf C   (tuning: search cost on Q queries)
//
// gen writes N generated releases (recommend/releasegen) and, for the
// scikit-learn peer, the tokens of every release running on D in id order,
// each token repeated by its field weight (so TfidfVectorizer's counts are
// marquee's weighted term frequencies). compare checks marquee's
// mart/similar lists against the peer's; recall checks them against a
// brute-force scan of a sample of releases. Both print one JSON line.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"marquee/internal/catalog"
	"marquee/lake"
	"marquee/recommend"
	"marquee/recommend/releasegen"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: simbench gen|compare|recall ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "compare":
		err = compare(os.Args[2:])
	case "recall":
		err = recall(os.Args[2:])
	case "probe":
		err = probe(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "simbench:", err)
		os.Exit(1)
	}
}

func parseDate(s string) catalog.Date {
	d, err := catalog.ParseDate(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "simbench: -date:", err)
		os.Exit(2)
	}
	return d
}

func running(r *catalog.Release, d catalog.Date) bool {
	return r.EndDate.IsZero() || !r.EndDate.Before(d)
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fs.Int("n", 100000, "releases")
	seed := fs.Uint64("seed", 42, "seed")
	date := fs.String("date", "2026-11-26", "logical date")
	out := fs.String("out", "", "releases JSONL")
	tokens := fs.String("tokens", "", "peer tokens JSONL (optional)")
	_ = fs.Parse(args)
	d := parseDate(*date)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	type tokDoc struct {
		ID     string   `json:"id"`
		Tokens []string `json:"tokens"`
	}
	var docs []tokDoc
	fz := recommend.NewFeaturizer(recommend.DefaultFieldWeights, nil)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var encErr error
	releasegen.Each(releasegen.Options{N: *n, Seed: *seed, Date: d}, func(r *catalog.Release) {
		if encErr == nil {
			encErr = enc.Encode(r)
		}
		if *tokens == "" || !running(r, d) {
			return
		}
		texts := recommend.FieldTexts(r)
		var toks []string
		fz.WeightedTokens(&texts, func(tok string, weight float64) {
			for range int(weight) {
				toks = append(toks, tok)
			}
		})
		docs = append(docs, tokDoc{ID: r.ID, Tokens: toks})
	})
	if encErr != nil {
		return encErr
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if *tokens == "" {
		return nil
	}
	for _, x := range recommend.DefaultFieldWeights.List() {
		if x != math.Trunc(x) {
			return fmt.Errorf("field weight %v is not an integer: tokens cannot carry it", x)
		}
	}
	slices.SortFunc(docs, func(a, b tokDoc) int { return strings.Compare(a.ID, b.ID) })
	tf, err := os.Create(*tokens)
	if err != nil {
		return err
	}
	tw := bufio.NewWriterSize(tf, 1<<20)
	tenc := json.NewEncoder(tw)
	tenc.SetEscapeHTML(false)
	for i := range docs {
		if err := tenc.Encode(&docs[i]); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return tf.Close()
}

type item struct {
	ID    string
	Score float64
}

func readMart(dir string, d catalog.Date) (map[string][]item, error) {
	st, err := lake.NewLocalStore(dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]item{}
	err = lake.ReadSimilarParquet(context.Background(), st, lake.SimilarPartition(d), func(rows []lake.SimilarRow) error {
		for _, r := range rows {
			out[r.ItemID] = append(out[r.ItemID], item{r.SimilarID, r.Score})
		}
		return nil
	})
	return out, err
}

// result compares lists: equal means same ids in the same order and scores
// within tol, or differences only between items whose scores are within tol
// of each other (ties computed in another summation order).
type result struct {
	Lists      int     `json:"lists"`
	Equal      int     `json:"equal"`
	NearTies   int     `json:"near_ties"`
	Recall     float64 `json:"recall"`
	MaxAbsDiff float64 `json:"max_abs_diff"`
	AllEqual   bool    `json:"all_equal"`
	Example    string  `json:"example,omitempty"`
}

const tol = 1e-9

func (r *result) add(id string, got, want []item) {
	r.Lists++
	hit := 0
	set := map[string]bool{}
	for _, it := range got {
		set[it.ID] = true
	}
	for _, it := range want {
		if set[it.ID] {
			hit++
		}
	}
	if len(want) > 0 {
		r.Recall += float64(hit) / float64(len(want))
	} else {
		r.Recall++
	}
	same := len(got) == len(want)
	tie := same
	for i := 0; same && i < len(got); i++ {
		diff := math.Abs(got[i].Score - want[i].Score)
		r.MaxAbsDiff = max(r.MaxAbsDiff, diff)
		if diff > tol {
			same, tie = false, false
		} else if got[i].ID != want[i].ID {
			same = false
		}
	}
	switch {
	case same:
		r.Equal++
	case tie:
		r.Equal++
		r.NearTies++
	default:
		if r.Example == "" {
			r.Example = fmt.Sprintf("%s: marquee %v, reference %v", id, got, want)
		}
	}
}

func (r *result) print() {
	if r.Lists > 0 {
		r.Recall /= float64(r.Lists)
	}
	r.AllEqual = r.Equal == r.Lists && r.Lists > 0
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func compare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	dir := fs.String("lake", "", "marquee lake dir")
	date := fs.String("date", "2026-11-26", "logical date")
	peer := fs.String("peer", "", "peer lists JSONL: {id, items: [[id, score], ...]}")
	shardFlag := fs.String("shard", "", "marquee ran with --shard i/n: compare only that shard's rows")
	_ = fs.Parse(args)
	shard, err := recommend.ParseShard(*shardFlag)
	if err != nil {
		return err
	}
	mart, err := readMart(*dir, parseDate(*date))
	if err != nil {
		return err
	}
	f, err := os.Open(*peer)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var res result
	for sc.Scan() {
		var l struct {
			ID    string  `json:"id"`
			Items [][]any `json:"items"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return err
		}
		if !shard.Has(l.ID) {
			continue
		}
		want := make([]item, len(l.Items))
		for i, p := range l.Items {
			want[i] = item{p[0].(string), p[1].(float64)}
		}
		res.add(l.ID, mart[l.ID], want)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	res.print()
	return nil
}

func recall(args []string) error {
	fs := flag.NewFlagSet("recall", flag.ExitOnError)
	in := fs.String("in", "", "releases JSONL")
	dir := fs.String("lake", "", "marquee lake dir")
	date := fs.String("date", "2026-11-26", "logical date")
	k := fs.Int("k", 10, "k")
	sample := fs.Int("sample", 200, "queries to check")
	shardFlag := fs.String("shard", "", "marquee ran with --shard i/n: sample only that shard")
	_ = fs.Parse(args)
	shard, err := recommend.ParseShard(*shardFlag)
	if err != nil {
		return err
	}
	d := parseDate(*date)
	mart, err := readMart(*dir, d)
	if err != nil {
		return err
	}
	b := recommend.NewCorpusBuilder(recommend.NewFeaturizer(recommend.DefaultFieldWeights, nil))
	var seq int64
	err = recommend.FileSource{Path: *in}.EachRelease(context.Background(), time.Time{}, func(r *catalog.Release) error {
		seq++
		if running(r, d) {
			b.Add(seq, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c, _ := b.Build()
	var eligible []int
	for q := 0; q < c.Len(); q++ {
		if shard.Has(c.IDs[q]) {
			eligible = append(eligible, q)
		}
	}
	step := max(1, len(eligible) / *sample)
	var res result
	start := time.Now()
	for i := 0; i < len(eligible) && res.Lists < *sample; i += step {
		q := eligible[i]
		var all []item
		for j := 0; j < c.Len(); j++ {
			if j == q {
				continue
			}
			if s := c.Dot(q, j); s > 0 {
				all = append(all, item{c.IDs[j], s})
			}
		}
		slices.SortFunc(all, func(a, b item) int {
			if a.Score != b.Score {
				if a.Score > b.Score {
					return -1
				}
				return 1
			}
			return strings.Compare(a.ID, b.ID)
		})
		if len(all) > *k {
			all = all[:*k]
		}
		res.add(c.IDs[q], mart[c.IDs[q]], all)
	}
	fmt.Fprintf(os.Stderr, "simbench recall: brute force over %d docs for %d queries in %.1fs\n", c.Len(), res.Lists, time.Since(start).Seconds())
	res.print()
	return nil
}

func probe(args []string) error {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	n := fs.Int("n", 100000, "releases")
	nq := fs.Int("q", 2000, "queries")
	cdfs := fs.String("cdf", "0", "comma-separated --common-df values to try")
	k := fs.Int("k", 10, "k")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the searches here")
	reps := fs.Int("reps", 1, "search this many times; report the fastest")
	shows := fs.Bool("shows", false, "query every release of a sample of shows (as a full run meets them) instead of evenly spaced releases")
	_ = fs.Parse(args)
	t0 := time.Now()
	b := recommend.NewCorpusBuilder(recommend.NewFeaturizer(recommend.DefaultFieldWeights, nil))
	var seq int64
	d := catalog.Date{Year: 2026, Month: 11, Day: 26}
	releasegen.Each(releasegen.Options{N: *n, Seed: 42, Date: d}, func(r *catalog.Release) {
		seq++
		if running(r, d) {
			b.Add(seq, r)
		}
	})
	c, _ := b.Build()
	fmt.Printf("%s built in %.1fs\n", c, time.Since(t0).Seconds())
	qs := make([]int32, 0, min(*nq, c.Len()))
	if *shows {
		// Every release of about nq/n of the shows (by the hash of the
		// heaviest term), as the job's full run meets them: one show's
		// releases one after another.
		every := max(1, c.Len() / *nq)
		for d := range c.Len() {
			terms, ws := c.Vector(d)
			best, bw := int32(-1), 0.0
			for j, t := range terms {
				if ws[j] > bw {
					best, bw = t, ws[j]
				}
			}
			if int(uint32(best)*0x9E3779B1%uint32(every)) == 0 {
				qs = append(qs, int32(d))
			}
		}
	} else {
		for i := range cap(qs) {
			qs = append(qs, int32(i*(c.Len()/cap(qs))))
		}
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, cs := range strings.Split(*cdfs, ",") {
		var cdf int
		if _, err := fmt.Sscan(cs, &cdf); err != nil {
			fmt.Fprintf(os.Stderr, "-cdf %q: %v\n", cs, err)
			os.Exit(2)
		}
		t1 := time.Now()
		ix := recommend.NewIndex(c, recommend.IndexOptions{CommonDF: cdf})
		var t2 time.Time
		for _, mode := range []string{"search"} {
			var st recommend.SearchStats
			el, cpu := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
			cycles := uint64(math.MaxUint64)
			cc := newCycleCounter()
			for range max(1, *reps) {
				t2 = time.Now()
				c0 := cpuTime()
				y0 := cc.read()
				_, s, err := ix.Search(context.Background(), qs, recommend.SearchOptions{K: *k})
				if err != nil {
					return err
				}
				el, st = min(el, time.Since(t2)), s
				cpu = min(cpu, cpuTime()-c0)
				cycles = min(cycles, cc.read()-y0)
			}
			cc.close()
			fmt.Printf("common_df=%d %s index=%.2fs search=%.2fs (%d q, %.0fµs/q wall, %.0fµs/q cpu, %.0fk cycles/q) postings/q=%d skipped/q=%d inessential/q=%d scored/q=%d scanned/q=%d\n",
				ix.CommonDF(), mode, t2.Sub(t1).Seconds(), el.Seconds(), len(qs), float64(el.Microseconds())/float64(len(qs)),
				float64(cpu.Microseconds())/float64(len(qs)), float64(cycles)/1e3/float64(len(qs)),
				st.Postings/st.Queries, st.Skipped/st.Queries, st.Inessential/st.Queries, st.Scored/st.Queries, st.Scanned/st.Queries)
		}
	}
	return nil
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
