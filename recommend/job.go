package recommend

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// JobName is the job's name in summaries, locks, metrics and the lake.
const JobName = "compute-similar"

// ModelName names the model family; Options.Model adds a hash of the
// parameters so readers can tell lists of different settings apart.
const ModelName = "tfidf-bigram-v1"

// Manifest meta keys of mart/similar partitions.
const (
	MetaModel     = "model"
	MetaK         = "k"
	MetaWatermark = "watermark" // largest updated_at of the input (RFC 3339 nano)
	MetaShard     = "shard"
)

// Shard selects the releases whose neighbours one run computes: a release
// belongs to shard fnv32a(id) mod Count. The zero value is every release.
// Every shard still compares against the whole catalog.
type Shard struct{ Index, Count int }

// ParseShard parses "i/n" with 0 ≤ i < n; "" is the whole set.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, catalog.Usagef("--shard %q: want i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// All reports whether s selects every release.
func (s Shard) All() bool { return s.Count <= 1 }

// String is "i/n", or "" for all.
func (s Shard) String() string {
	if s.All() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Has reports whether release id belongs to s.
func (s Shard) Has(id string) bool {
	if s.All() {
		return true
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32()%uint32(s.Count)) == s.Index
}

// Options configures one compute-similar run.
type Options struct {
	K           int          // neighbours per release (default 10)
	SameKind    bool         // neighbours only of the same kind
	Shard       Shard        // compute lists for this slice of releases only
	OnlyChanged bool         // recompute only lists the changes can affect (see docs)
	Weights     FieldWeights // zero value: DefaultFieldWeights
	StopWords   []string     // nil: DefaultStopWords
	Workers     int          // 0: GOMAXPROCS
	CommonDF    int          // 0: DefaultCommonDF
	MidDF       int          // 0: DefaultMidDF
	// Input and MongoOutput are dataset URIs for the summary and lineage
	// (e.g. "mongodb://host/marquee.releases", "/data/releases.jsonl").
	Input       string
	MongoOutput string
}

// Deps are the job's collaborators.
type Deps struct {
	Source catalog.ReleaseSource // required
	Lake   lake.Store            // nil: no mart/similar output
	Sink   catalog.SimilarSink   // nil: no MongoDB output
	// Previous lists for --only-changed when Lake is nil (MongoDB similar).
	Previous catalog.SimilarSource
}

func (o *Options) normalize() error {
	if o.K == 0 {
		o.K = 10
	}
	if o.K < 1 || o.K > 1000 {
		return catalog.Usagef("compute-similar: --k must be between 1 and 1000, got %d", o.K)
	}
	if o.Weights == (FieldWeights{}) {
		o.Weights = DefaultFieldWeights
	}
	if err := o.Weights.Validate(); err != nil {
		return err
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Shard.Count > 1 && (o.Shard.Index < 0 || o.Shard.Index >= o.Shard.Count) {
		return catalog.Usagef("compute-similar: bad shard %d/%d", o.Shard.Index, o.Shard.Count)
	}
	if o.OnlyChanged && !o.Shard.All() {
		return catalog.Usagef("compute-similar: --only-changed works on the whole catalog; drop --shard")
	}
	return nil
}

// Model returns the model identifier stored with every list: ModelName and
// a short hash of the weights, stop words and same-kind setting.
func (o Options) Model() string {
	stop := o.StopWords
	if stop == nil {
		stop = DefaultStopWords
	}
	b, _ := json.Marshal(struct {
		W FieldWeights
		S []string
		K bool
	}{o.Weights, stop, o.SameKind})
	h := sha256.Sum256(b)
	return ModelName + ":" + hex.EncodeToString(h[:4])
}

// Run computes the similar lists for env.Date: reads every release from
// deps.Source, keeps those not yet ended on env.Date (no end date, or
// ending on or after it), builds the TF-IDF model over them, and writes
// each selected release's top K to mart/similar/dt=D and MongoDB similar.
func Run(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	sum := job.NewSummary(env)
	if err := opts.normalize(); err != nil {
		return sum, err
	}
	if deps.Source == nil {
		return sum, catalog.Usagef("compute-similar: no release source")
	}
	if opts.Input != "" {
		sum.Inputs = append(sum.Inputs, opts.Input)
	}
	model := opts.Model()
	log := env.Log.With("model", model, "k", opts.K, "shard", opts.Shard.String())
	phase := map[string]float64{}
	mark := time.Now()
	lap := func(name string) {
		phase[name] = float64(time.Since(mark).Milliseconds()) / 1000
		mark = time.Now()
	}

	// 1. Read and featurize.
	b := NewCorpusBuilder(NewFeaturizer(opts.Weights, opts.StopWords))
	rs, err := readReleases(ctx, env, deps.Source, b, opts.Workers)
	sum.Read, sum.Skipped = rs.read, rs.ended
	if err != nil {
		return sum, fmt.Errorf("compute-similar: read releases: %w", err)
	}
	lap("read_s")
	c, dups := b.Build()
	lap("model_s")
	if dups > 0 {
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("%d repeated release ids: the last copy of each was used", dups))
	}
	if c.Len() == 0 {
		return sum, fmt.Errorf("compute-similar: no release running on %s (read %d, ended %d): %w",
			env.Date, rs.read, rs.ended, catalog.ErrNothingToDo)
	}
	log.Info("model built", "releases", c.Len(), "terms", len(c.Terms), "nnz", c.NNZ())

	// 2. Index and choose the queries.
	ix := NewIndex(c, IndexOptions{CommonDF: opts.CommonDF, MidDF: opts.MidDF, Workers: opts.Workers})
	lap("index_s")
	var prev *previous
	if opts.OnlyChanged {
		prev, err = loadPrevious(ctx, env, deps, opts)
		if err != nil {
			return sum, fmt.Errorf("compute-similar: previous lists: %w", err)
		}
		if prev == nil {
			sum.Warnings = append(sum.Warnings, "--only-changed: no usable previous result; computing every list")
		} else {
			sum.Inputs = append(sum.Inputs, prev.from)
		}
	}
	var queries []int32
	if prev != nil {
		queries = prev.affected(ctx, ix, opts)
	} else {
		for i, id := range c.IDs {
			if opts.Shard.Has(id) {
				queries = append(queries, int32(i))
			}
		}
	}
	lap("plan_s")

	// 3. Search.
	pr := env.Progress("similar", int64(len(queries)))
	res, st, err := ix.Search(ctx, queries, SearchOptions{K: opts.K, SameKind: opts.SameKind,
		Workers: opts.Workers, Progress: func(n int) { pr.Add(int64(n)) }})
	pr.Finish()
	if err != nil {
		return sum, fmt.Errorf("compute-similar: search: %w", err)
	}
	lap("search_s")
	now := env.Now().UTC()
	lists := make([]catalog.SimilarList, len(queries))
	for i, q := range queries {
		items := make([]catalog.SimilarItem, len(res[i]))
		for j, nb := range res[i] {
			items[j] = catalog.SimilarItem{ID: c.IDs[nb.Doc], Score: nb.Score}
		}
		lists[i] = catalog.SimilarList{ID: c.IDs[q], Items: items, Model: model, ComputedAt: now}
	}
	var mart []catalog.SimilarList // what the mart partition holds
	if prev != nil {
		mart = prev.merge(c, lists)
	} else {
		mart = lists
	}
	sum.Detail("releases", c.Len())
	sum.Detail("terms", len(c.Terms))
	sum.Detail("nnz", c.NNZ())
	sum.Detail("lists", len(lists))
	sum.Detail("model", model)
	sum.Detail("k", opts.K)
	sum.Detail("common_df", ix.CommonDF())
	sum.Detail("mid_df", ix.MidDF())
	sum.Detail("postings_per_list", perQuery(st.Postings, st.Queries))
	sum.Detail("skipped_per_list", perQuery(st.Skipped, st.Queries))
	sum.Detail("scored_per_list", perQuery(st.Scored, st.Queries))
	if env.DryRun {
		sum.Details["phases"] = phase
		sum.Written = int64(len(lists))
		return sum, nil
	}

	// 4. Write: the mart partition, then MongoDB.
	if deps.Lake != nil {
		if err := writeMart(ctx, env, deps.Lake, opts, model, c, mart, sum); err != nil {
			return sum, err
		}
		lap("mart_s")
	}
	if deps.Sink != nil {
		if err := writeMongo(ctx, deps.Sink, lists, c, opts, prev, sum, log); err != nil {
			return sum, err
		}
		if opts.MongoOutput != "" {
			sum.Outputs = append(sum.Outputs, opts.MongoOutput)
		}
		lap("mongo_s")
	}
	sum.Written = int64(len(lists))
	sum.Details["phases"] = phase
	return sum, nil
}

func perQuery(n, q int64) int64 {
	if q == 0 {
		return 0
	}
	return n / q
}

type readStats struct {
	read, ended int64
}

// readReleases streams the source into b on workers goroutines, skipping
// releases that ended before env.Date.
func readReleases(ctx context.Context, env *job.Env, src catalog.ReleaseSource, b *CorpusBuilder, workers int) (readStats, error) {
	if fs, ok := src.(FileSource); ok {
		return readFileParallel(ctx, env, fs, b, workers)
	}
	var rs readStats
	ch := make(chan []document, workers*2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range ch {
				for i := range batch {
					b.addDocument(&batch[i])
				}
			}
		}()
	}
	const batchSize = 256
	batch := make([]document, 0, batchSize)
	pr := env.Progress("releases", 0)
	err := src.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error {
		rs.read++
		if !r.EndDate.IsZero() && r.EndDate.Before(env.Date) {
			rs.ended++
			return nil
		}
		batch = append(batch, document{seq: rs.read, id: r.ID, kind: r.Kind, updated: r.UpdatedAt, texts: FieldTexts(r)})
		if len(batch) == batchSize {
			select {
			case ch <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			pr.Add(batchSize)
			batch = make([]document, 0, batchSize)
		}
		return nil
	})
	if len(batch) > 0 && err == nil {
		ch <- batch
	}
	close(ch)
	wg.Wait()
	pr.Finish()
	return rs, err
}

// writeMart writes the lists as mart/similar/dt=D and commits it. A sharded
// run replaces only its shard's files (manifest batch "shard-i-of-n").
func writeMart(ctx context.Context, env *job.Env, st lake.Store, opts Options, model string,
	c *Corpus, lists []catalog.SimilarList, sum *job.Summary) error {
	dir := lake.SimilarPartition(env.Date)
	pw := lake.NewPartitionWriter(st, dir, env.Job, env.RunID, env.Now)
	// Row groups are encoded on every core (the bytes do not depend on it).
	w := lake.NewSimilarWriter(ctx, pw, lake.ParquetOptions{Encoders: lake.NewEncoderPool(opts.Workers)})
	fail := func(err error) error {
		w.Abort()
		_ = pw.Abort(context.WithoutCancel(ctx))
		return fmt.Errorf("compute-similar: write %s: %w", dir, err)
	}
	rows := make([]lake.SimilarRow, 0, 4096)
	for _, l := range lists {
		for r, it := range l.Items {
			rows = append(rows, lake.SimilarRow{ItemID: l.ID, Rank: int32(r + 1), SimilarID: it.ID, Score: it.Score})
		}
		if len(rows) >= 4000 {
			if err := w.Write(rows); err != nil {
				return fail(err)
			}
			rows = make([]lake.SimilarRow, 0, 4096)
		}
	}
	if err := w.Write(rows); err != nil {
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	meta := map[string]string{MetaModel: model, MetaK: strconv.Itoa(opts.K),
		MetaWatermark: watermark(c).Format(time.RFC3339Nano)}
	co := lake.CommitOptions{Meta: meta}
	if !opts.Shard.All() {
		meta[MetaShard] = opts.Shard.String()
		co.Batch = fmt.Sprintf("shard-%d-of-%d", opts.Shard.Index, opts.Shard.Count)
	}
	m, err := pw.Commit(ctx, co)
	if err != nil {
		return fmt.Errorf("compute-similar: commit %s: %w", dir, err)
	}
	sum.Outputs = append(sum.Outputs, st.URI()+"/"+dir)
	sum.Detail("mart_rows", m.Rows())
	return nil
}

func watermark(c *Corpus) time.Time {
	var w time.Time
	for _, t := range c.Updated {
		if t.After(w) {
			w = t
		}
	}
	return w.UTC()
}

// writeMongo upserts the lists in batches with retries; a full run then
// removes the lists of releases that left the model.
func writeMongo(ctx context.Context, sink catalog.SimilarSink, lists []catalog.SimilarList, c *Corpus,
	opts Options, prev *previous, sum *job.Summary, log interface{ Info(string, ...any) }) error {
	const batch = 1000
	for i := 0; i < len(lists); i += batch {
		part := lists[i:min(i+batch, len(lists))]
		err := job.Retry(ctx, job.DefaultBackoff, func(ctx context.Context) error {
			return sink.WriteSimilar(ctx, part)
		})
		if err != nil {
			return fmt.Errorf("compute-similar: mongo batch %d: %w", i/batch, err)
		}
	}
	if opts.Shard.All() {
		keep := make(map[string]struct{}, c.Len())
		for _, id := range c.IDs {
			keep[id] = struct{}{}
		}
		var n int64
		err := job.Retry(ctx, job.DefaultBackoff, func(ctx context.Context) error {
			var err error
			n, err = sink.DeleteSimilarExcept(ctx, keep)
			return err
		})
		if err != nil {
			return fmt.Errorf("compute-similar: mongo: remove stale lists: %w", err)
		}
		sum.Detail("mongo_deleted", n)
		if n > 0 {
			log.Info("removed lists of releases no longer running", "deleted", n)
		}
	}
	return nil
}

// fileRelease is the part of a release (§3 field names) that the model
// reads; decoding only it is half the work of a whole catalog.Release.
type fileRelease struct {
	ID            string       `json:"id"`
	Kind          catalog.Kind `json:"kind"`
	Title         string       `json:"title"`
	OriginalTitle string       `json:"original_title"`
	Genres        []string     `json:"genres"`
	Cast          []string     `json:"cast"`
	Artists       []string     `json:"artists"`
	Venue         string       `json:"venue"`
	EndDate       catalog.Date `json:"end_date"`
	Description   string       `json:"description"`
	Tags          []string     `json:"tags"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// fileJSON makes the JSON v2 decoder as lenient as encoding/json on what
// it accepts (any letter case in names, repeated names, invalid UTF-8),
// while it decodes in one pass, about twice as fast.
var fileJSON = jsonv2.JoinOptions(jsonv2.MatchCaseInsensitiveNames(true),
	jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// readFileParallel is readReleases for a JSONL file: the workers decode the
// lines too (JSON decoding costs more than tokenizing). A bad line fails
// the run naming the file and the first bad line number.
func readFileParallel(ctx context.Context, env *job.Env, src FileSource, b *CorpusBuilder, workers int) (readStats, error) {
	type lineBatch struct {
		nums  []int
		lines [][]byte
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan lineBatch, workers*2)
	var read, ended atomic.Int64
	var mu sync.Mutex
	badLine := 0
	var badErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lb := range ch {
				for i, line := range lb.lines {
					var r fileRelease
					err := decodeFileRelease(line, &r)
					if err == nil && r.ID == "" {
						err = errors.New("release without id")
					}
					if err != nil {
						mu.Lock()
						if badErr == nil || lb.nums[i] < badLine {
							badLine, badErr = lb.nums[i], err
						}
						mu.Unlock()
						cancel()
						break
					}
					read.Add(1)
					if !r.EndDate.IsZero() && r.EndDate.Before(env.Date) {
						ended.Add(1)
						continue
					}
					b.addDocument(&document{seq: int64(lb.nums[i]), id: r.ID, kind: r.Kind, updated: r.UpdatedAt,
						texts: fieldTexts(r.Title, r.OriginalTitle, r.Genres, r.Cast, r.Artists, r.Venue, r.Description, r.Tags)})
				}
			}
		}()
	}
	pr := env.Progress("releases", 0)
	err := src.scanLines(ctx, 512, func(nums []int, lines [][]byte) error {
		select {
		case ch <- lineBatch{nums, lines}:
			pr.Add(int64(len(lines)))
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(ch)
	wg.Wait()
	pr.Finish()
	rs := readStats{read: read.Load(), ended: ended.Load()}
	if badErr != nil {
		return rs, fmt.Errorf("releases file %s:%d: %w", src.Path, badLine, badErr)
	}
	return rs, err
}
