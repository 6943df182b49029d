package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"marquee/etl/normalize"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// JobName is the job's name in summaries, locks and the quarantine zone.
const JobName = "load-mongo"

// Defaults of Options.
const (
	DefaultBatchSize  = 1000
	DefaultMaxRejects = 0.05
	DefaultOpTimeout  = 60 * time.Second
)

// Sink is where releases are upserted (internal/mongo.ReleaseStore).
// Implementations are safe for concurrent use; errors worth retrying are
// catalog.Transient.
type Sink interface {
	// EnsureIndexes creates the sink's indexes; idempotent.
	EnsureIndexes(ctx context.Context) error
	// LookupReleases returns the stored stamps (ID, ContentHash, FirstSeen,
	// LastSeen, Poster.URL) of those of ids that exist.
	LookupReleases(ctx context.Context, ids []string) (map[string]*catalog.Release, error)
	// WriteReleaseBatch inserts the releases of inserts (believed new; one that
	// exists after all is upserted), upserts every release of updates
	// (content set, first_seen lowered, last_seen raised, stored poster
	// image kept) and moves only the seen stamps of touches, in one
	// idempotent call.
	WriteReleaseBatch(ctx context.Context, inserts, updates, touches []*catalog.Release) error
	// SetPoster replaces a release's poster (used to drop a stored image
	// when the poster URL changed).
	SetPoster(ctx context.Context, id string, p catalog.Poster) error
	// DeleteReleases deletes releases by id (ones folded into a
	// cross-source release); missing ids are not an error.
	DeleteReleases(ctx context.Context, ids []string) error
}

// StampScanner is an optional Sink feature: counting the stored releases
// and streaming the stamps of all of them. With it, a load that wants most
// of the stored releases reads them in one scan instead of many lookups,
// and a load into an empty sink looks nothing up.
type StampScanner interface {
	// CountReleases returns how many releases are stored.
	CountReleases(ctx context.Context) (int64, error)
	// EachStamp calls fn with the stamps of every stored release (as
	// LookupReleases returns them); fn must not keep r.
	EachStamp(ctx context.Context, fn func(r *catalog.Release) error) error
}

// Options tune a load.
type Options struct {
	// BatchSize is the number of documents per bulk call (default 1000).
	BatchSize int
	// Workers is the number of parallel bulk calls and normalisers
	// (default GOMAXPROCS, at least 2).
	Workers int
	// MaxRejects is the largest allowed fraction of quarantined records
	// (default 0.05); over it the job ends with catalog.ErrRejectThreshold.
	// A negative value allows none.
	MaxRejects float64
	// NoMerge turns the cross-source merge off.
	NoMerge bool
	// Sources limits the load to these raw sources (default: every source
	// with a partition for the date).
	Sources []string
	// Retry is the retry policy of each server call (default job.DefaultBackoff).
	Retry job.Backoff
	// Output names the written dataset in the summary
	// (e.g. "mongodb://host/marquee.releases").
	Output string
}

// Deps are the job's dependencies.
type Deps struct {
	Lake lake.Store
	Sink Sink
}

func (o *Options) defaults() error {
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.BatchSize < 0 {
		return catalog.Usagef("--batch-size must be positive, got %d", o.BatchSize)
	}
	if o.Workers == 0 {
		o.Workers = max(2, runtime.GOMAXPROCS(0))
	}
	if o.Workers < 0 || o.Workers > 256 {
		return catalog.Usagef("--workers must be between 1 and 256, got %d", o.Workers)
	}
	if o.MaxRejects == 0 {
		o.MaxRejects = DefaultMaxRejects
	}
	if o.MaxRejects > 1 {
		return catalog.Usagef("--max-rejects is a fraction between 0 and 1, got %g", o.MaxRejects)
	}
	if o.Retry.Attempts == 0 {
		o.Retry = job.DefaultBackoff
	}
	return nil
}

// counts are what the summary reports.
type counts struct {
	read, rejected, duplicates       int64
	inserted, updated, touched, same int64
	folded, deleted, posterResets    int64
	postersAttached                  int64
	issues                           map[string]int64
	issueExamples                    map[string]string // field → the first "file:line: reason"
	early                            int64             // inserted while reading
	readS, lookupS, writeS           float64           // phase durations
}

// Run loads the raw partitions raw/releases/source=*/dt=<env.Date> into the
// sink: every line is parsed and normalised (etl/normalize); bad lines and
// records that cannot become releases go to quarantine/load-mongo/dt=D with
// the reason; the same source item seen twice is kept once; the same
// release on two sites is merged (unless NoMerge); then only releases whose
// content hash or seen stamps changed are written, in unordered bulk calls
// of BatchSize on Workers parallel workers, each retried on transient
// errors. A rerun of an unchanged date writes nothing.
//
// Errors: catalog.ErrNothingToDo when no raw partition exists for the date;
// catalog.ErrUnavailable when the sink stays down (batches written before
// stay written: every write is an idempotent upsert, so the rerun completes
// the load); catalog.ErrRejectThreshold after a complete load whose
// quarantined share is over MaxRejects.
func Run(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	s := job.NewSummary(env)
	if err := opts.defaults(); err != nil {
		return s, err
	}
	if deps.Lake == nil || deps.Sink == nil {
		return s, fmt.Errorf("%s: missing dependency (lake or sink)", JobName)
	}
	parts, err := findPartitions(ctx, deps.Lake, env.Date, opts.Sources)
	if err != nil {
		return s, fmt.Errorf("%s: list raw partitions: %w", JobName, err)
	}
	if len(parts) == 0 {
		return s, fmt.Errorf("%s: no raw partition for %s under %s/%s: %w", JobName, env.Date, deps.Lake.URI(), lake.ZoneRawReleases, catalog.ErrNothingToDo)
	}
	for _, p := range parts {
		s.Inputs = append(s.Inputs, deps.Lake.URI()+"/"+p.dir)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the prefetch when the run ends early
	var rows int64
	for _, p := range parts {
		rows += p.rows
	}
	pf, err := startPrefetch(ctx, opts, deps.Sink, rows)
	if err != nil {
		return s, err
	}
	// Into an empty sink, releases are inserted while the partitions are read.
	var early *earlyWriter
	if pf != nil && pf.n == 0 && !env.DryRun {
		if err := job.Retry(ctx, opts.Retry, deps.Sink.EnsureIndexes); err != nil {
			return s, fmt.Errorf("%s: ensure indexes: %w", JobName, err)
		}
		early = newEarlyWriter(ctx, cancel, env, opts, deps.Sink, int(min(rows, 1<<22)))
	}

	c := &counts{issues: map[string]int64{}, issueExamples: map[string]string{}}
	phase := time.Now() // phase timings only; the job's clock is env.Now
	releases, rejects, err := readAll(ctx, env, opts, deps.Lake, parts, c, early)
	var earlyStamps map[string]*catalog.Release
	if early != nil {
		var eerr error
		earlyStamps, eerr = early.finish()
		c.early = early.count
		if eerr != nil {
			fill(s, c, opts, env)
			return s, eerr
		}
	}
	if err != nil {
		return s, err
	}
	c.readS = time.Since(phase).Seconds()

	var q *lake.Quarantine
	if !env.DryRun {
		q = lake.NewQuarantine(ctx, deps.Lake, JobName, env.RunID, env.Date, env.Now)
	}
	fail := func(err error) (*job.Summary, error) {
		if q != nil {
			q.Abort(context.WithoutCancel(ctx))
		}
		fill(s, c, opts, env)
		return s, err
	}
	if q != nil {
		for _, r := range rejects {
			if err := q.Reject(r.reason, r.origin, r.record); err != nil {
				return fail(fmt.Errorf("%s: quarantine: %w", JobName, err))
			}
		}
	}

	releases, dups := normalize.DedupBySource(releases)
	c.duplicates = int64(dups)

	if !env.DryRun {
		if err := job.Retry(ctx, opts.Retry, deps.Sink.EnsureIndexes); err != nil {
			return fail(fmt.Errorf("%s: ensure indexes: %w", JobName, err))
		}
	}
	phase = time.Now()
	stored, err := lookupAll(ctx, opts, deps.Sink, ids(releases), pf)
	if err != nil {
		return fail(err)
	}
	c.lookupS = time.Since(phase).Seconds()
	var folded []string
	if !opts.NoMerge {
		// Only releases stored before this run keep their ids as primaries.
		releases, folded = normalize.MergeCrossSource(releases, func(id string) bool { return stored[id] != nil })
		c.folded = int64(len(folded))
	}
	if early != nil {
		stored = earlyStamps // what this run inserted early is what is stored now
	}

	plan := planWrites(env, releases, stored, c)
	if early != nil {
		// Everything "stored" was inserted by this run (the early writer
		// runs only into an empty collection): those releases are counted
		// once, as early inserts, not again as unchanged.
		c.same = 0
	}
	var staleFolded []string
	for _, id := range folded {
		if stored[id] != nil {
			staleFolded = append(staleFolded, id)
		}
	}
	if env.DryRun {
		c.deleted = int64(len(staleFolded))
		fill(s, c, opts, env)
		s.Detail("dry_run", true)
		return s, nil
	}

	for _, id := range sortedKeys(plan.posterResets) {
		err := job.Retry(ctx, opts.Retry, func(ctx context.Context) error {
			return deps.Sink.SetPoster(ctx, id, plan.posterResets[id])
		})
		if err != nil && !errors.Is(err, catalog.ErrNotFound) {
			return fail(fmt.Errorf("%s: reset poster of %s: %w", JobName, id, err))
		}
		c.posterResets++
	}
	phase = time.Now()
	if err := writeBatches(ctx, env, opts, deps.Sink, plan); err != nil {
		return fail(err)
	}
	c.writeS = time.Since(phase).Seconds()
	if len(staleFolded) > 0 {
		if err := job.Retry(ctx, opts.Retry, func(ctx context.Context) error {
			return deps.Sink.DeleteReleases(ctx, staleFolded)
		}); err != nil {
			return fail(fmt.Errorf("%s: delete merged duplicates: %w", JobName, err))
		}
		c.deleted = int64(len(staleFolded))
	}
	attached, err := attachPosters(ctx, env, opts, deps, releases, stored)
	if err != nil {
		return fail(err)
	}
	c.postersAttached = attached
	if err := q.Commit(ctx); err != nil {
		return fail(fmt.Errorf("%s: commit quarantine: %w", JobName, err))
	}
	fill(s, c, opts, env)
	if opts.Output != "" {
		s.Outputs = append(s.Outputs, opts.Output)
	}
	s.Outputs = append(s.Outputs, deps.Lake.URI()+"/"+q.Dir())
	if c.read > 0 && exceeds(c.rejected, c.read, opts.MaxRejects) {
		return s, fmt.Errorf("%s: %d of %d records quarantined (%.1f%%, limit %.1f%%) in %s: %w",
			JobName, c.rejected, c.read, 100*float64(c.rejected)/float64(c.read), 100*max(opts.MaxRejects, 0),
			deps.Lake.URI()+"/"+q.Dir(), catalog.ErrRejectThreshold)
	}
	return s, nil
}

func exceeds(rejected, read int64, limit float64) bool {
	if limit < 0 {
		return rejected > 0
	}
	return float64(rejected) > limit*float64(read)
}

// fill copies the counts into the summary.
func fill(s *job.Summary, c *counts, opts Options, env *job.Env) {
	s.Read = c.read
	s.Quarantined = c.rejected
	s.Skipped = c.same + c.duplicates + c.folded
	prefix := ""
	if env.DryRun {
		prefix = "would_"
	} else {
		s.Written = c.early + c.inserted + c.updated + c.touched
	}
	s.Detail(prefix+"insert", c.early+c.inserted)
	s.Detail(prefix+"update", c.updated)
	s.Detail(prefix+"touch", c.touched)
	s.Detail(prefix+"delete_merged", c.deleted)
	s.Detail("unchanged", c.same)
	s.Detail("duplicates", c.duplicates)
	s.Detail("merged", c.folded)
	s.Detail("quarantined", c.rejected)
	s.Detail("merge", !opts.NoMerge)
	s.Detail("batch_size", opts.BatchSize)
	s.Detail("workers", opts.Workers)
	s.Detail("read_s", roundMillis(c.readS))
	s.Detail("lookup_s", roundMillis(c.lookupS))
	if !env.DryRun {
		s.Detail("write_s", roundMillis(c.writeS))
	}
	if c.early > 0 {
		s.Detail("insert_while_reading", c.early)
	}
	if c.posterResets > 0 {
		s.Detail("poster_resets", c.posterResets)
	}
	if c.postersAttached > 0 {
		s.Detail("posters_attached", c.postersAttached)
	}
	if len(c.issues) > 0 {
		s.Detail("field_issues", c.issues)
		s.Detail("field_issue_examples", c.issueExamples)
	}
}

func roundMillis(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func ids(rs []*catalog.Release) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// partition is one source's raw partition for the date.
type partition struct {
	source, dir string
	rows        int64 // from the manifest
}

// findPartitions lists raw/releases/source=*/dt=D with a committed manifest.
func findPartitions(ctx context.Context, st lake.Store, d catalog.Date, only []string) ([]partition, error) {
	objs, err := st.List(ctx, lake.ZoneRawReleases+"/source=")
	if err != nil {
		return nil, err
	}
	suffix := "/dt=" + d.String() + "/" + lake.ManifestName
	var out []partition
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, suffix) {
			continue
		}
		dir := strings.TrimSuffix(o.Key, "/"+lake.ManifestName)
		src := strings.TrimPrefix(strings.TrimSuffix(dir, "/dt="+d.String()), lake.ZoneRawReleases+"/source=")
		if strings.Contains(src, "/") || (len(only) > 0 && !slices.Contains(only, src)) {
			continue
		}
		p := partition{source: src, dir: dir}
		if m, err := lake.ReadManifest(ctx, st, dir); err == nil {
			p.rows = m.Rows()
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].source < out[j].source })
	return out, nil
}

// prefetch is the lookup phase's input from a StampScanner: the stored
// count (read before the raw partitions) and, when the day's rows are at
// least half of it, every stored stamp (scanned while they are read).
type prefetch struct {
	n       int64
	done    chan struct{} // closed when the scan ended; nil: no scan
	scanned bool
	stamps  map[string]*catalog.Release
	err     error
}

// startPrefetch counts the stored releases and starts the scan when it pays;
// nil when sink cannot scan.
func startPrefetch(ctx context.Context, opts Options, sink Sink, rows int64) (*prefetch, error) {
	sc, ok := sink.(StampScanner)
	if !ok {
		return nil, nil
	}
	pf := &prefetch{stamps: map[string]*catalog.Release{}}
	err := job.Retry(ctx, opts.Retry, func(ctx context.Context) error {
		var err error
		pf.n, err = sc.CountReleases(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: count releases: %w", JobName, err)
	}
	if pf.n == 0 || rows < pf.n/2 {
		return pf, nil
	}
	pf.done = make(chan struct{})
	go func() {
		defer close(pf.done)
		pf.err = job.Retry(ctx, opts.Retry, func(ctx context.Context) error {
			clear(pf.stamps)
			return sc.EachStamp(ctx, func(r *catalog.Release) error {
				c := *r
				pf.stamps[r.ID] = &c
				return nil
			})
		})
		if pf.err != nil {
			pf.err = fmt.Errorf("%s: scan stored stamps: %w", JobName, pf.err)
			return
		}
		pf.scanned = true
	}()
	return pf, nil
}

// lookupAll returns the stored stamps of (at least) ids: nothing when the
// sink is empty, the prefetched scan when there is one, else lookups of
// BatchSize ids on Workers.
func lookupAll(ctx context.Context, opts Options, sink Sink, all []string, pf *prefetch) (map[string]*catalog.Release, error) {
	out := make(map[string]*catalog.Release, len(all))
	if pf != nil {
		if pf.done != nil {
			select {
			case <-pf.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		switch {
		case pf.err != nil:
			return nil, pf.err
		case pf.n == 0:
			return out, nil
		case pf.scanned:
			return pf.stamps, nil
		}
	}
	var mu sync.Mutex
	err := forEachChunk(ctx, opts.Workers, len(all), opts.BatchSize, func(ctx context.Context, n, lo, hi int) error {
		var m map[string]*catalog.Release
		err := job.Retry(ctx, opts.Retry, func(ctx context.Context) error {
			var err error
			m, err = sink.LookupReleases(ctx, all[lo:hi])
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: lookup batch %d: %w", JobName, n, err)
		}
		mu.Lock()
		for k, v := range m {
			out[k] = v
		}
		mu.Unlock()
		return nil
	})
	return out, err
}

// forEachChunk calls fn for chunks [lo, hi) of n items on workers
// goroutines; the first error cancels the rest and is returned.
func forEachChunk(ctx context.Context, workers, n, size int, fn func(ctx context.Context, chunk, lo, hi int) error) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan int)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				lo := c * size
				hi := min(lo+size, n)
				if err := fn(ctx, c, lo, hi); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	nchunks := (n + size - 1) / size
feed:
	for c := 0; c < nchunks; c++ {
		select {
		case chunks <- c:
		case <-ctx.Done():
			break feed
		}
	}
	close(chunks)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// reject is one quarantined record.
type reject struct {
	reason, origin string
	record         []byte
}

// maxQuarantinedBytes caps the copy of a rejected line kept in quarantine.
const maxQuarantinedBytes = 1 << 20

func rejectRecord(reason string, o lake.Origin, line []byte) reject {
	rec := line
	if len(rec) > maxQuarantinedBytes {
		// Not valid JSON once cut: lake.Quarantine stores it as a string.
		rec = append(append([]byte(nil), rec[:maxQuarantinedBytes/16]...), []byte("…(truncated)")...)
	} else {
		rec = append([]byte(nil), rec...)
	}
	return reject{reason: reason, origin: o.String(), record: rec}
}

// item is one raw line on its way to a normaliser.
type item struct {
	seq    int
	source string
	origin lake.Origin
	line   []byte
	size   int // len(line), while line is being copied into its batch
	err    error
}

// batch is a run of raw lines handed to a normaliser at once (one channel
// operation and one wake-up per batch, not per line); the lines are slices
// of one pooled buffer.
type batch struct {
	n     int // batch number: results are taken in this order
	items []item
	buf   *[]byte
}

// Batch limits: lines, and bytes of lines.
const (
	batchLines = 128
	batchBytes = 1 << 20
)

// result is a normaliser's verdict on one item.
type result struct {
	seq     int
	origin  lake.Origin
	release *catalog.Release
	reject  *reject
	issues  []normalize.Issue
}

// readAll scans every partition and normalises its lines on Workers
// goroutines; results come back in input order.
func readAll(ctx context.Context, env *job.Env, opts Options, st lake.Store, parts []partition, c *counts, early *earlyWriter) ([]*catalog.Release, []reject, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nopts := normalize.Options{Ref: env.Date, Loc: env.Loc}
	var bufPool sync.Pool // recycles the batches' line buffers (decoding copies what it keeps)
	batches := make(chan batch, 2*opts.Workers)
	type batchResult struct {
		n   int
		res []result
	}
	results := make(chan batchResult, 2*opts.Workers)
	var wg sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fields := make(map[string]string, 16) // every record's raw fields, in turn
			for b := range batches {
				res := make([]result, len(b.items))
				for i, it := range b.items {
					res[i] = normalizeItem(it, nopts, fields) // keeps no reference to it.line or fields
				}
				if cap(*b.buf) <= 4*batchBytes {
					bufPool.Put(b.buf)
				}
				results <- batchResult{n: b.n, res: res}
			}
		}()
	}
	var rows int64
	for _, p := range parts {
		rows += p.rows
	}
	all := make([]result, 0, min(rows, 1<<22)) // the manifests' row counts, when they have them
	done := make(chan struct{})
	go func() {
		// Batches arrive out of order; they are taken in input order, so
		// that early inserts (and everything after) do not depend on timing.
		held := map[int][]result{}
		next := 0
		for br := range results {
			held[br.n] = br.res
			for {
				rs, ok := held[next]
				if !ok {
					break
				}
				delete(held, next)
				next++
				all = append(all, rs...)
				if early != nil {
					for _, h := range rs {
						if h.release != nil {
							early.offer(h.release)
						}
					}
				}
			}
		}
		close(done)
	}()

	prog := env.Progress(JobName+" read", 0)
	seq := 0
	var cur batch
	newBatch := func() {
		buf, _ := bufPool.Get().(*[]byte)
		if buf == nil {
			buf = new([]byte)
		}
		*buf = (*buf)[:0]
		cur.buf, cur.items = buf, make([]item, 0, batchLines)
	}
	send := func() error {
		if len(cur.items) == 0 {
			return nil
		}
		// The lines were appended to a buffer that may have moved: slice them now.
		off := 0
		for i := range cur.items {
			if l := cur.items[i].size; cur.items[i].err == nil {
				cur.items[i].line = (*cur.buf)[off : off+l : off+l]
				off += l
			}
		}
		select {
		case batches <- cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur.n++
		newBatch()
		return nil
	}
	newBatch()
	var scanErr error
	for _, p := range parts {
		err := lake.ScanPartition(ctx, st, p.dir, func(o lake.Origin, line []byte, lineErr error) error {
			it := item{seq: seq, source: p.source, origin: o, err: lineErr}
			if lineErr == nil {
				*cur.buf = append(*cur.buf, line...)
				it.size = len(line)
			}
			cur.items = append(cur.items, it)
			seq++
			prog.Add(1)
			if len(cur.items) >= batchLines || len(*cur.buf) >= batchBytes {
				return send()
			}
			return nil
		})
		if err == nil {
			err = send() // the partition's last lines
		}
		if err != nil {
			scanErr = fmt.Errorf("%s: read %s: %w", JobName, p.dir, err)
			break
		}
	}
	close(batches)
	wg.Wait()
	close(results)
	<-done
	prog.Finish()
	if scanErr != nil {
		return nil, nil, scanErr
	}

	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	c.read = int64(len(all))
	var rels []*catalog.Release
	var rejects []reject
	debug := env.Log.Enabled(ctx, slog.LevelDebug)
	for _, r := range all {
		for _, is := range r.issues {
			c.issues[is.Field]++
			if _, ok := c.issueExamples[is.Field]; !ok {
				c.issueExamples[is.Field] = r.origin.String() + ": " + is.Reason
			}
			if debug {
				env.Log.Debug("field left empty", "origin", r.origin.String(), "field", is.Field, "reason", is.Reason)
			}
		}
		if r.reject != nil {
			rejects = append(rejects, *r.reject)
			continue
		}
		rels = append(rels, r.release)
	}
	c.rejected = int64(len(rejects))
	env.Log.Info("raw records read", "partitions", len(parts), "read", c.read, "releases", len(rels), "quarantined", c.rejected)
	return rels, rejects, nil
}

// normalizeItem turns one raw line into a release or a reject; fields is
// a map it may use for the record's raw fields (see decodeRaw).
func normalizeItem(it item, o normalize.Options, fields map[string]string) (res result) {
	res.seq, res.origin = it.seq, it.origin
	defer func() { // a normaliser bug must not lose the record or crash the job
		if p := recover(); p != nil {
			res.release = nil
			rj := rejectRecord(fmt.Sprintf("internal error normalising: %v", p), it.origin, it.line)
			res.reject = &rj
		}
	}()
	if it.err != nil {
		rj := rejectRecord(fmt.Sprintf("unreadable line: %v", it.err), it.origin, it.line)
		res.reject = &rj
		return res
	}
	var raw catalog.RawRecord
	if err := decodeRaw(it.line, &raw, fields); err != nil {
		rj := rejectRecord("bad JSON: "+err.Error(), it.origin, it.line)
		res.reject = &rj
		return res
	}
	if raw.Source == "" {
		raw.Source = it.source
	} else if raw.Source != it.source {
		rj := rejectRecord(fmt.Sprintf("source %q in partition of source %q", clip(raw.Source), it.source), it.origin, it.line)
		res.reject = &rj
		return res
	}
	r, issues, err := normalize.Release(&raw, o)
	if err != nil {
		rj := rejectRecord(err.Error(), it.origin, it.line)
		res.reject = &rj
		return res
	}
	r.ContentHash = normalize.ContentHash(r) // here, in parallel; a merge clears it
	res.release, res.issues = r, issues
	return res
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// earlyWriter inserts releases while the raw partitions are still read,
// when the sink was empty at the start (a first load, a rebuild): a release
// whose id and merge key are both new in this run is inserted at once; the
// others wait. Records are taken in input order and partitions in source
// order, so the first release of a merge key is always the primary the
// merge will choose (the first by source) and the first of an id is always
// kept by the dedup: an early insert is never deleted later. At the end the
// job plans against what was inserted early as if it had been stored
// before: a merged release or a later duplicate updates its early insert.
type earlyWriter struct {
	env     *job.Env
	opts    Options
	sink    Sink
	cancel  context.CancelFunc
	batches chan []*catalog.Release
	wg      sync.WaitGroup

	// used by the result collector goroutine only
	ids, keys  map[string]bool
	pending    []*catalog.Release
	pendingKey []string          // the merge key of each pending release
	pendingAt  map[string]int    // id → index in pending
	slab       []catalog.Release // where the next stamps go
	stamps     map[string]*catalog.Release
	count      int64

	errOnce sync.Once
	err     error
}

// newEarlyWriter starts the early writer; rows is how many raw records
// are expected (a size hint).
func newEarlyWriter(ctx context.Context, cancel context.CancelFunc, env *job.Env, opts Options, sink Sink, rows int) *earlyWriter {
	e := &earlyWriter{env: env, opts: opts, sink: sink, cancel: cancel,
		batches: make(chan []*catalog.Release, opts.Workers),
		ids:     make(map[string]bool, rows), keys: make(map[string]bool, rows), stamps: make(map[string]*catalog.Release, rows),
		pendingAt: map[string]int{}}
	n := 0
	var mu sync.Mutex
	for w := 0; w < opts.Workers; w++ {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			for b := range e.batches {
				mu.Lock()
				n++
				batch := n
				mu.Unlock()
				err := job.Retry(ctx, opts.Retry, func(ctx context.Context) error {
					return sink.WriteReleaseBatch(ctx, b, nil, nil)
				})
				if err != nil {
					e.errOnce.Do(func() {
						e.err = fmt.Errorf("%s: early batch %d (%d documents): %w", JobName, batch, len(b), err)
						cancel()
					})
				}
			}
		}()
	}
	return e
}

// offer inserts r early when neither its id nor its merge key was seen.
func (e *earlyWriter) offer(r *catalog.Release) {
	key := ""
	if !e.opts.NoMerge {
		key = normalize.MergeKey(r)
	}
	seenID, seenKey := e.ids[r.ID], key != "" && e.keys[key]
	if i, ok := e.pendingAt[r.ID]; ok && (e.pendingKey[i] == key || !seenKey) {
		// The same item again (crawled twice) while its first copy still
		// waits for its batch: insert what the dedup will keep of the two
		// (the later copy, the earliest first_seen) instead of updating it
		// after the load. Its merge key must be the first copy's or new, so
		// that the merge still makes it the primary of its key.
		if key != "" {
			e.keys[key] = true
		}
		k := e.keep(e.pending[i], r)
		if k == r {
			e.pendingKey[i] = key
		}
		e.pending[i] = k
		return
	}
	e.ids[r.ID] = true
	if key != "" {
		e.keys[key] = true
	}
	if seenID || seenKey {
		return
	}
	r.UpdatedAt = e.env.Now().UTC()
	e.stamp(r)
	e.count++
	e.pendingAt[r.ID] = len(e.pending)
	e.pending = append(e.pending, r)
	e.pendingKey = append(e.pendingKey, key)
	if len(e.pending) >= e.opts.BatchSize {
		e.flush()
	}
}

// keep is normalize.DedupBySource for two copies of a release, old first:
// the later one wins (by last_seen, a tie to the later), with the earliest
// first_seen of both; its stamps become the inserted ones.
func (e *earlyWriter) keep(old, r *catalog.Release) *catalog.Release {
	first := old.FirstSeen
	if r.FirstSeen.Before(first) {
		first = r.FirstSeen
	}
	k := old
	if !r.LastSeen.Before(old.LastSeen) {
		k = r
		k.UpdatedAt = old.UpdatedAt
	}
	k.FirstSeen = first
	e.stamp(k)
	return k
}

// stamp records what inserting r stores.
func (e *earlyWriter) stamp(r *catalog.Release) {
	if len(e.slab) == 0 {
		e.slab = make([]catalog.Release, 1024) // one allocation for many stamps
	}
	st := &e.slab[0]
	e.slab = e.slab[1:]
	*st = catalog.Release{ID: r.ID, ContentHash: r.ContentHash, FirstSeen: r.FirstSeen, LastSeen: r.LastSeen}
	if r.Poster != nil {
		st.Poster = &catalog.Poster{URL: r.Poster.URL}
	}
	e.stamps[r.ID] = st
}

func (e *earlyWriter) flush() {
	if len(e.pending) == 0 {
		return
	}
	b := e.pending
	e.pending, e.pendingKey = nil, nil
	clear(e.pendingAt)
	e.batches <- b
}

// finish writes what is pending, waits for the writers and returns the
// stamps of everything inserted early, or the first write error.
func (e *earlyWriter) finish() (map[string]*catalog.Release, error) {
	e.flush()
	close(e.batches)
	e.wg.Wait()
	if e.err != nil {
		return nil, e.err
	}
	return e.stamps, nil
}

// plan is what the write phase does.
type plan struct {
	inserts, updates, touches []*catalog.Release
	posterResets              map[string]catalog.Poster
}

// planWrites compares each release with its stored stamps: new → insert;
// content changed and not older than what is stored → update; same content
// (or older content) with wider seen stamps → touch; else unchanged.
func planWrites(env *job.Env, rs []*catalog.Release, stored map[string]*catalog.Release, c *counts) plan {
	p := plan{posterResets: map[string]catalog.Poster{}}
	now := env.Now().UTC()
	for _, r := range rs {
		if r.ContentHash == "" {
			r.ContentHash = normalize.ContentHash(r)
		}
		r.UpdatedAt = now
		old := stored[r.ID]
		switch {
		case old == nil:
			c.inserted++
			p.inserts = append(p.inserts, r)
		case old.ContentHash != r.ContentHash && !r.LastSeen.Before(old.LastSeen):
			c.updated++
			p.updates = append(p.updates, r)
			if old.Poster != nil && r.Poster != nil && old.Poster.URL != r.Poster.URL {
				p.posterResets[r.ID] = catalog.Poster{URL: r.Poster.URL}
			}
		case r.FirstSeen.Before(old.FirstSeen) || r.LastSeen.After(old.LastSeen):
			c.touched++
			p.touches = append(p.touches, r)
		default:
			c.same++
		}
	}
	return p
}

// writeBatches writes the plan in BatchSize bulk calls on Workers.
func writeBatches(ctx context.Context, env *job.Env, opts Options, sink Sink, p plan) error {
	type op struct {
		r    *catalog.Release
		kind int // 0 insert, 1 update, 2 touch
	}
	ops := make([]op, 0, len(p.inserts)+len(p.updates)+len(p.touches))
	for k, rs := range [][]*catalog.Release{p.inserts, p.updates, p.touches} {
		for _, r := range rs {
			ops = append(ops, op{r: r, kind: k})
		}
	}
	prog := env.Progress(JobName+" write", int64(len(ops)))
	defer prog.Finish()
	return forEachChunk(ctx, opts.Workers, len(ops), opts.BatchSize, func(ctx context.Context, n, lo, hi int) error {
		var byKind [3][]*catalog.Release
		for _, o := range ops[lo:hi] {
			byKind[o.kind] = append(byKind[o.kind], o.r)
		}
		tries := 0
		err := job.Retry(ctx, opts.Retry, func(ctx context.Context) error {
			tries++
			if tries > 1 {
				env.Log.Warn("retrying batch", "batch", n, "try", tries)
			}
			return sink.WriteReleaseBatch(ctx, byKind[0], byKind[1], byKind[2])
		})
		if err != nil {
			return fmt.Errorf("%s: batch %d (%d documents): %w", JobName, n, hi-lo, err)
		}
		prog.Add(int64(hi - lo))
		return nil
	})
}
