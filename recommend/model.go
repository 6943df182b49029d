package recommend

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
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
func FieldTexts(r *catalog.Release) [7][]string {
	title := []string{r.Title}
	if r.OriginalTitle != "" && r.OriginalTitle != r.Title {
		title = append(title, r.OriginalTitle)
	}
	return [7][]string{
		title, slices.Clone(r.Genres), slices.Clone(r.Cast), slices.Clone(r.Artists),
		{r.Venue}, {r.Description}, slices.Clone(r.Tags),
	}
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
// goroutines at once (sharded locks); ids are renumbered deterministically
// once the documents are sorted.
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

func (v *vocabulary) id(tok string) int32 {
	sh := &v.shards[maphash.String(v.seed, tok)&63]
	sh.mu.Lock()
	id, ok := sh.m[tok]
	if !ok {
		v.mu.Lock()
		id = v.next
		v.next++
		v.mu.Unlock()
		sh.m[tok] = id
	}
	sh.mu.Unlock()
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

// featurize turns one document into weighted term counts using scratch
// map m (cleared here).
func (f *Featurizer) featurize(d *document, v *vocabulary, m map[string]float64) docTerms {
	clear(m)
	f.WeightedTokens(&d.texts, func(tok string, w float64) { m[tok] += w })
	out := docTerms{seq: d.seq, id: d.id, kind: d.kind, updated: d.updated,
		terms: make([]int32, 0, len(m)), tfs: make([]float64, 0, len(m))}
	for tok, tf := range m {
		out.terms = append(out.terms, v.id(tok))
		out.tfs = append(out.tfs, tf)
	}
	return out
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
	slices.SortFunc(docs, func(a, b docTerms) int {
		if c := cmp.Compare(a.id, b.id); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
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
	nnz := 0
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
		for j, t := range docs[i].terms {
			docs[i].terms[j] = remap[t]
		}
		nnz += len(docs[i].terms)
	}
	c := &Corpus{
		IDs: make([]string, len(docs)), Kinds: make([]catalog.Kind, len(docs)),
		Updated: make([]time.Time, len(docs)), Terms: make([]string, next),
		off: make([]int64, len(docs)+1), term: make([]int32, 0, nnz),
		weight: make([]float64, 0, nnz), df: make([]int32, next),
	}
	for old, nw := range remap {
		if nw >= 0 {
			c.Terms[nw] = vocab[old]
		}
	}
	for i := range docs {
		d := &docs[i]
		c.IDs[i], c.Kinds[i], c.Updated[i] = d.id, d.kind, d.updated
		sortPairs(d.terms, d.tfs)
		c.term = append(c.term, d.terms...)
		c.weight = append(c.weight, d.tfs...)
		c.off[i+1] = int64(len(c.term))
		for _, t := range d.terms {
			c.df[t]++
		}
		d.terms, d.tfs = nil, nil
	}
	n := len(docs)
	idf := make([]float64, next)
	for t, df := range c.df {
		idf[t] = IDF(n, int(df))
	}
	for i := 0; i < n; i++ {
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
	return c, dups
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
	pool  sync.Pool
}

// NewCorpusBuilder returns a builder that featurizes with f.
func NewCorpusBuilder(f *Featurizer) *CorpusBuilder {
	return &CorpusBuilder{f: f, vocab: newVocabulary(),
		pool: sync.Pool{New: func() any { return map[string]float64{} }}}
}

// Add featurizes one release; seq is its arrival order (when an id repeats,
// the highest seq wins). r may be reused by the caller after Add returns.
func (b *CorpusBuilder) Add(seq int64, r *catalog.Release) {
	d := document{seq: seq, id: r.ID, kind: r.Kind, updated: r.UpdatedAt, texts: FieldTexts(r)}
	b.addDocument(&d)
}

func (b *CorpusBuilder) addDocument(d *document) {
	m := b.pool.Get().(map[string]float64)
	dt := b.f.featurize(d, b.vocab, m)
	b.pool.Put(m)
	b.mu.Lock()
	b.docs = append(b.docs, dt)
	b.mu.Unlock()
}

// Build returns the corpus and the number of duplicate ids dropped.
func (b *CorpusBuilder) Build() (*Corpus, int) {
	c, dups := buildCorpus(b.docs, b.vocab.terms())
	b.docs = nil
	return c, dups
}

// String describes the corpus size.
func (c *Corpus) String() string {
	return fmt.Sprintf("%d docs, %d terms, %d nnz", c.Len(), len(c.Terms), c.NNZ())
}
