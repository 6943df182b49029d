package recommend

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"marquee/internal/catalog"
)

// FieldWeights multiplies the term frequency of every token by the weight
// of the field it came from. A weight of 0 ignores the field; weights must
// not be negative. Integer weights make the model equal to scikit-learn's
// TfidfVectorizer fed each token repeated weight times.
type FieldWeights struct {
	Title       float64 `json:"title"` // title and original_title
	Genres      float64 `json:"genres"`
	Cast        float64 `json:"cast"`
	Artists     float64 `json:"artists"`
	Venue       float64 `json:"venue"`
	Description float64 `json:"description"`
	Tags        float64 `json:"tags"`
}

// DefaultFieldWeights favours what identifies a show (title, cast, artists)
// over where it plays (venue) and free text (description).
var DefaultFieldWeights = FieldWeights{Title: 3, Genres: 2, Cast: 2, Artists: 2, Venue: 1, Description: 1, Tags: 1}

// Validate rejects negative or non-finite weights and an all-zero set.
func (w FieldWeights) Validate() error {
	sum := 0.0
	for _, f := range w.List() {
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return catalog.Usagef("compute-similar: field weights must be finite and ≥ 0: %+v", w)
		}
		sum += f
	}
	if sum == 0 {
		return catalog.Usagef("compute-similar: every field weight is 0")
	}
	return nil
}

// List returns the weights in field order: title, genres, cast, artists,
// venue, description, tags.
func (w FieldWeights) List() []float64 {
	return []float64{w.Title, w.Genres, w.Cast, w.Artists, w.Venue, w.Description, w.Tags}
}

// Featurizer turns a release into weighted term frequencies.
// It is safe for concurrent use.
type Featurizer struct {
	Tokenizer *Tokenizer
	Weights   FieldWeights
}

// NewFeaturizer returns a Featurizer; nil stopWords means DefaultStopWords.
func NewFeaturizer(w FieldWeights, stopWords []string) *Featurizer {
	if stopWords == nil {
		stopWords = DefaultStopWords
	}
	return &Featurizer{Tokenizer: NewTokenizer(stopWords), Weights: w}
}

// FieldTexts returns r's texts per field, in the order of FieldWeights.
// The slices are copies: r may change afterwards.
func FieldTexts(r *catalog.Release) [7][]string {
	return fieldTexts(r.Title, r.OriginalTitle, slices.Clone(r.Genres), slices.Clone(r.Cast),
		slices.Clone(r.Artists), r.Venue, r.Description, slices.Clone(r.Tags))
}

// fieldTexts is FieldTexts over the fields themselves (not copied).
func fieldTexts(title, orig string, genres, cast, artists []string, venue, desc string, tags []string) [7][]string {
	titles := []string{title}
	if orig != "" && orig != title {
		titles = append(titles, orig)
	}
	return [7][]string{titles, genres, cast, artists, {venue}, {desc}, tags}
}

// WeightedTokens calls fn for each token of texts (as FieldTexts returns
// them) with its field weight; fields of weight 0 are skipped.
func (f *Featurizer) WeightedTokens(texts *[7][]string, fn func(tok string, weight float64)) {
	var buf []string
	for i, w := range f.Weights.List() {
		if w == 0 {
			continue
		}
		for _, s := range texts[i] {
			buf = f.Tokenizer.Append(buf[:0], s)
			for _, tok := range buf {
				fn(tok, w)
			}
		}
	}
}

// TF returns the sublinear term-frequency factor of a weighted count:
// 1+ln(tf) for tf ≥ 1 (scikit-learn's sublinear_tf), tf itself below 1.
func TF(tf float64) float64 {
	if tf >= 1 {
		return 1 + math.Log(tf)
	}
	return tf
}

// IDF returns the smoothed inverse document frequency of a term that occurs
// in df of n documents: ln((1+n)/(1+df)) + 1 (scikit-learn's smooth_idf).
func IDF(n, df int) float64 {
	return math.Log(float64(1+n)/float64(1+df)) + 1
}

// document is one release reduced to what the model needs.
type document struct {
	seq     int64
	id      string
	kind    catalog.Kind
	updated time.Time
	texts   [7][]string
}

// docTerms is a document's weighted term counts, terms as provisional ids.
type docTerms struct {
	seq     int64 // arrival order; the last of a repeated id wins
	id      string
	kind    catalog.Kind
	updated time.Time
	terms   []int32
	tfs     []float64
}

// vocabulary interns token strings into provisional ids from several
// goroutines at once (sharded locks; each goroutine also keeps its own
// cache, see featWorker); ids are renumbered deterministically once the
// documents are sorted.
type vocabulary struct {
	seed   maphash.Seed
	shards [64]vocabShard
	mu     sync.Mutex
	next   int32
}

type vocabShard struct {
	mu sync.Mutex
	m  map[string]int32
}

func newVocabulary() *vocabulary {
	v := &vocabulary{seed: maphash.MakeSeed()}
	for i := range v.shards {
		v.shards[i].m = map[string]int32{}
	}
	return v
}

// id returns tok's id. A new entry keeps a copy of tok (tok is usually a
// slice of a longer text, which the vocabulary must not pin).
func (v *vocabulary) id(tok string) int32 {
	sh := &v.shards[maphash.String(v.seed, tok)&63]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if id, ok := sh.m[tok]; ok {
		return id
	}
	v.mu.Lock()
	id := v.next
	v.next++
	v.mu.Unlock()
	sh.m[strings.Clone(tok)] = id
	return id
}

// terms returns the vocabulary's strings indexed by provisional id.
func (v *vocabulary) terms() []string {
	out := make([]string, v.next)
	for i := range v.shards {
		for s, id := range v.shards[i].m {
			out[id] = s
		}
	}
	return out
}

// featWorker is one goroutine's featurizing state: a cache of the shared
// vocabulary (no lock, one hash per token) and an open-addressing table of
// the current document's counts by term id.
type featWorker struct {
	f     *Featurizer
	v     *vocabulary
	cache *tokCache
	toks  []string
	keys  []int32 // -1: empty
	vals  []float64
	order []int32 // slots in first-use order
}

func newFeatWorker(f *Featurizer, v *vocabulary) *featWorker {
	w := &featWorker{f: f, v: v, cache: newTokCache()}
	w.resize(128)
	return w
}

func (w *featWorker) resize(size int) {
	w.keys, w.vals = make([]int32, size), make([]float64, size)
	for i := range w.keys {
		w.keys[i] = -1
	}
}

// featurize turns one document into weighted term counts. A term's count
// is summed in token order, as a map of counts would.
func (w *featWorker) featurize(d *document) docTerms {
	w.order = w.order[:0]
	weights := w.f.Weights.List()
	for fi, fw := range weights {
		if fw == 0 {
			continue
		}
		for _, s := range d.texts[fi] {
			w.toks = w.f.Tokenizer.Append(w.toks[:0], s)
			for _, tok := range w.toks {
				id, ok := w.cache.get(tok)
				if !ok {
					id = w.v.id(tok)
					w.cache.put(tok, id)
				}
				w.add(id, fw)
			}
		}
	}
	out := docTerms{seq: d.seq, id: d.id, kind: d.kind, updated: d.updated,
		terms: make([]int32, len(w.order)), tfs: make([]float64, len(w.order))}
	for i, slot := range w.order {
		out.terms[i], out.tfs[i] = w.keys[slot], w.vals[slot]
		w.keys[slot] = -1
	}
	return out
}

// add adds weight fw to term id's count.
func (w *featWorker) add(id int32, fw float64) {
	if 2*len(w.order) >= len(w.keys) { // keep the table at most half full
		keys, vals, order := w.keys, w.vals, w.order
		w.resize(2 * len(keys))
		w.order = make([]int32, 0, 2*len(order))
		for _, slot := range order {
			w.add(keys[slot], vals[slot])
		}
	}
	mask := uint32(len(w.keys) - 1)
	for h := uint32(id) * 0x9E3779B1 & mask; ; h = (h + 1) & mask {
		switch w.keys[h] {
		case id:
			w.vals[h] += fw
			return
		case -1:
			w.keys[h], w.vals[h] = id, fw
			w.order = append(w.order, int32(h))
			return
		}
	}
}

// Corpus is the TF-IDF model of a set of releases: their ids (sorted) and
// L2-normalised sparse vectors, terms in ascending id order.
type Corpus struct {
	IDs     []string
	Kinds   []catalog.Kind
	Updated []time.Time
	Terms   []string // term strings by id
	off     []int64  // doc i's entries are [off[i], off[i+1])
	term    []int32
	weight  []float64
	df      []int32
}

// Len is the number of documents.
func (c *Corpus) Len() int { return len(c.IDs) }

// Vector returns document i's term ids and weights (do not modify).
func (c *Corpus) Vector(i int) ([]int32, []float64) {
	a, b := c.off[i], c.off[i+1]
	return c.term[a:b], c.weight[a:b]
}

// NNZ is the number of non-zero entries over all vectors.
func (c *Corpus) NNZ() int { return len(c.term) }

// Dot is the cosine similarity of documents i and j (their dot product),
// summed in ascending term order, so Dot(i,j) == Dot(j,i) bit for bit.
func (c *Corpus) Dot(i, j int) float64 {
	ti, wi := c.Vector(i)
	tj, wj := c.Vector(j)
	s := 0.0
	a, b := 0, 0
	for a < len(ti) && b < len(tj) {
		switch {
		case ti[a] < tj[b]:
			a++
		case ti[a] > tj[b]:
			b++
		default:
			s += wi[a] * wj[b]
			a++
			b++
		}
	}
	return s
}

// buildCorpus sorts docs by id (a later duplicate id replaces an earlier
// one), renumbers terms by first use in that order, and computes the
// weights. It reports the number of duplicates dropped.
func buildCorpus(docs []docTerms, vocab []string) (*Corpus, int) {
	// Sort by id then seq: keys with the ids' first 8 bytes inline (ids
	// are hex digests, so they rarely tie), then permute docs.
	type sortKey struct {
		pre uint64
		i   int32
	}
	keys := make([]sortKey, len(docs))
	for i := range docs {
		keys[i] = sortKey{idPrefix(docs[i].id), int32(i)}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := cmp.Compare(a.pre, b.pre); c != 0 {
			return c
		}
		da, db := &docs[a.i], &docs[b.i]
		if c := cmp.Compare(da.id, db.id); c != 0 {
			return c
		}
		return cmp.Compare(da.seq, db.seq)
	})
	sorted := make([]docTerms, len(docs))
	for i, k := range keys {
		sorted[i] = docs[k.i]
	}
	docs = sorted
	dups := 0
	w := 0
	for i := range docs {
		if w > 0 && docs[w-1].id == docs[i].id {
			docs[w-1] = docs[i]
			dups++
			continue
		}
		docs[w] = docs[i]
		w++
	}
	docs = docs[:w]

	remap := make([]int32, len(vocab))
	for i := range remap {
		remap[i] = -1
	}
	// New ids by first use in id order, a document's new terms in string
	// order: the numbering (and so every sum's order) is independent of
	// goroutine scheduling.
	var next int32
	var fresh []int32
	for i := range docs {
		fresh = fresh[:0]
		for _, t := range docs[i].terms {
			if remap[t] < 0 {
				remap[t] = -2
				fresh = append(fresh, t)
			}
		}
		slices.SortFunc(fresh, func(a, b int32) int { return cmp.Compare(vocab[a], vocab[b]) })
		for _, t := range fresh {
			remap[t] = next
			next++
		}
	}
	n := len(docs)
	c := &Corpus{
		IDs: make([]string, n), Kinds: make([]catalog.Kind, n),
		Updated: make([]time.Time, n), Terms: make([]string, next),
		off: make([]int64, n+1), df: make([]int32, next),
	}
	for old, nw := range remap {
		if nw >= 0 {
			c.Terms[nw] = vocab[old]
		}
	}
	for i := range docs {
		d := &docs[i]
		c.IDs[i], c.Kinds[i], c.Updated[i] = d.id, d.kind, d.updated
		c.off[i+1] = c.off[i] + int64(len(d.terms))
	}
	c.term, c.weight = make([]int32, c.off[n]), make([]float64, c.off[n])
	// The rest is per document, in parallel over ranges of documents: new
	// term ids in ascending order, then (after the document frequencies)
	// the weights.
	workers, span := ranges(n, runtime.GOMAXPROCS(0))
	dfs := make([][]int32, workers)
	parallel(workers, func(w int) {
		df := make([]int32, next)
		lo, hi := span(w)
		for i := lo; i < hi; i++ {
			d := &docs[i]
			terms, tfs := c.term[c.off[i]:c.off[i+1]], c.weight[c.off[i]:c.off[i+1]]
			for j, t := range d.terms {
				terms[j] = remap[t]
				df[terms[j]]++
			}
			copy(tfs, d.tfs)
			sortPairs(terms, tfs)
			d.terms, d.tfs = nil, nil
		}
		dfs[w] = df
	})
	idf := make([]float64, next)
	for t := range idf {
		for _, df := range dfs {
			c.df[t] += df[t]
		}
		idf[t] = IDF(n, int(c.df[t]))
	}
	parallel(workers, func(w int) {
		lo, hi := span(w)
		for i := lo; i < hi; i++ {
			a, b := c.off[i], c.off[i+1]
			ss := 0.0
			for e := a; e < b; e++ {
				v := TF(c.weight[e]) * idf[c.term[e]]
				c.weight[e] = v
				ss += v * v
			}
			if ss > 0 {
				inv := 1 / math.Sqrt(ss)
				for e := a; e < b; e++ {
					c.weight[e] *= inv
				}
			}
		}
	})
	return c, dups
}

// idPrefix is the first 8 bytes of id as a big-endian number, so that
// prefixes compare like the strings (a shorter id is padded with zeros,
// and ties are broken by the whole string).
func idPrefix(id string) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(id) {
			p |= uint64(id[i])
		}
	}
	return p
}

// sortPairs sorts terms ascending, permuting tfs alongside.
func sortPairs(terms []int32, tfs []float64) {
	// insertion sort: vectors are short (tens of terms)
	for i := 1; i < len(terms); i++ {
		t, f := terms[i], tfs[i]
		j := i - 1
		for j >= 0 && terms[j] > t {
			terms[j+1], tfs[j+1] = terms[j], tfs[j]
			j--
		}
		terms[j+1], tfs[j+1] = t, f
	}
}

// CorpusBuilder collects releases from several goroutines and builds a
// Corpus. Add is safe for concurrent use.
type CorpusBuilder struct {
	f     *Featurizer
	vocab *vocabulary
	mu    sync.Mutex
	docs  []docTerms
	idle  []*featWorker // workers not in use (kept: their caches are worth keeping)
}

// NewCorpusBuilder returns a builder that featurizes with f.
func NewCorpusBuilder(f *Featurizer) *CorpusBuilder {
	return &CorpusBuilder{f: f, vocab: newVocabulary()}
}

// Add featurizes one release; seq is its arrival order (when an id repeats,
// the highest seq wins). r may be reused by the caller after Add returns.
func (b *CorpusBuilder) Add(seq int64, r *catalog.Release) {
	d := document{seq: seq, id: r.ID, kind: r.Kind, updated: r.UpdatedAt, texts: FieldTexts(r)}
	b.addDocument(&d)
}

func (b *CorpusBuilder) addDocument(d *document) {
	b.mu.Lock()
	var w *featWorker
	if n := len(b.idle); n > 0 {
		w, b.idle = b.idle[n-1], b.idle[:n-1]
	} else {
		w = newFeatWorker(b.f, b.vocab)
	}
	b.mu.Unlock()
	dt := w.featurize(d)
	b.mu.Lock()
	b.docs = append(b.docs, dt)
	b.idle = append(b.idle, w)
	b.mu.Unlock()
}

// Build returns the corpus and the number of duplicate ids dropped.
func (b *CorpusBuilder) Build() (*Corpus, int) {
	b.idle = nil // the workers' vocabulary caches
	c, dups := buildCorpus(b.docs, b.vocab.terms())
	b.docs = nil
	return c, dups
}

// String describes the corpus size.
func (c *Corpus) String() string {
	return fmt.Sprintf("%d docs, %d terms, %d nnz", c.Len(), len(c.Terms), c.NNZ())
}
