package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

const defaultChunkBytes = 4 << 20

// chunk is a run of whole input lines, parsed by one worker.
type chunk struct {
	seq       int
	name      string // input file or stream URI
	startLine int    // 1-based line number of the first line
	data      []byte // never reused: rows keep string views into it
	origins   []string
	tooLong   bool // data is the head of one line over lake.MaxLineBytes

	// buf is data's backing buffer, returned to pool when the dispatcher has
	// quarantined the chunk's rejects (parsed rows were copied into batches).
	buf  []byte
	pool *bufPool
	refs atomic.Int32
}

func (c *chunk) release() {
	if c.refs.Add(-1) == 0 && c.pool != nil {
		c.pool.put(c.buf)
	}
}

// bufPool recycles chunk buffers (sparing the allocator and the page faults
// of fresh memory).
type bufPool struct {
	size int
	free chan []byte
}

func newBufPool(size, n int) *bufPool { return &bufPool{size: size, free: make(chan []byte, n)} }

func (p *bufPool) get(n int) []byte {
	if n <= p.size {
		select {
		case b := <-p.free:
			return b[:n]
		default:
			return make([]byte, n, p.size)
		}
	}
	return make([]byte, n)
}

func (p *bufPool) put(b []byte) {
	if cap(b) != p.size {
		return
	}
	select {
	case p.free <- b[:0]:
	default:
	}
}

type dayRows struct {
	day   int
	batch *lake.EventBatch
}

type reject struct {
	reason, origin string
	line           []byte
}

type result struct {
	chunk   *chunk
	seq     int
	days    []dayRows
	rejects []reject
	read    int64
}

// window maps a timestamp to its event date in loc, within the allowed days.
type window struct {
	from   catalog.Date
	bounds []int64 // bounds[i] = first µs of day i; len = days+1
}

func newWindow(d catalog.Date, late, ahead int, loc *time.Location) *window {
	w := &window{from: d.AddDays(-late)}
	for i := 0; i <= late+ahead+1; i++ {
		w.bounds = append(w.bounds, w.from.AddDays(i).Time(loc).UnixMicro())
	}
	return w
}

func (w *window) day(us int64) int {
	b := w.bounds
	if us < b[0] || us >= b[len(b)-1] {
		return -1
	}
	// few days: a linear scan from the end (most events are recent) is fastest.
	for i := len(b) - 2; i >= 0; i-- {
		if us >= b[i] {
			return i
		}
	}
	return -1
}

func (w *window) date(i int) catalog.Date { return w.from.AddDays(i) }

func (w *window) days() int { return len(w.bounds) - 1 }

// batchPool recycles the per-day event batches of parsed chunks.
type batchPool struct{ free chan *lake.EventBatch }

func newBatchPool(n int) *batchPool { return &batchPool{free: make(chan *lake.EventBatch, n)} }

func (p *batchPool) get() *lake.EventBatch {
	if p != nil {
		select {
		case b := <-p.free:
			return b
		default:
		}
	}
	return &lake.EventBatch{}
}

// put takes back a batch nobody reads any more.
func (p *batchPool) put(b *lake.EventBatch) {
	if p == nil || b == nil {
		return
	}
	b.Reset()
	select {
	case p.free <- b:
	default:
	}
}

// parseChunk parses and validates every line of c.
func parseChunk(c *chunk, w *window, in *interner, pool *batchPool) *result {
	res := &result{seq: c.seq, chunk: c}
	origin := func(k int) string {
		if c.origins != nil {
			return c.origins[k]
		}
		return c.name + ":" + strconv.Itoa(c.startLine+k)
	}
	if c.tooLong {
		res.read = 1
		res.rejects = append(res.rejects, reject{reason: "line too long", origin: origin(0), line: c.data})
		return res
	}
	perDay := make([]*lake.EventBatch, w.days())
	var rc int32 // r.ResultCount points here; Add copies the value
	var s scanner
	var f eventFields
	data := c.data
	for k := 0; len(data) > 0; k++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		res.read++
		if err := s.parseLine(line, &f); err != nil {
			res.rejects = append(res.rejects, reject{reason: err.Error(), origin: origin(k), line: line})
			continue
		}
		var r lake.EventRow
		if why := toRow(&f, &r, &rc, in); why != "" {
			res.rejects = append(res.rejects, reject{reason: why, origin: origin(k), line: line})
			continue
		}
		d := w.day(r.TS)
		if d < 0 {
			res.rejects = append(res.rejects, reject{
				reason: fmt.Sprintf("ts %s outside the window %s..%s", r.Time().Format(time.RFC3339), w.date(0), w.date(w.days()-1)),
				origin: origin(k), line: line})
			continue
		}
		if perDay[d] == nil {
			perDay[d] = pool.get()
		}
		perDay[d].Add(&r) // copies the strings: the batch does not pin c
	}
	for d, b := range perDay {
		if b != nil {
			res.days = append(res.days, dayRows{day: d, batch: b})
		}
	}
	return res
}

// dayWriter writes one event-date partition in its own goroutine.
type dayWriter struct {
	date catalog.Date
	pw   *lake.PartitionWriter
	w    *lake.EventsWriter
	ch   chan dayBatch
	done chan struct{}
	err  error
	rows int64

	pool    *batchPool
	lastSeq int  // the last chunk that had rows for this day (dispatcher's)
	idle    bool // flushed since lastSeq
}

// dayBatch is the events of one chunk for one day; nil asks the writer to
// flush (the day went idle).
type dayBatch struct {
	batch *lake.EventBatch
}

// idleChunks is after how many input chunks without rows for a day its
// partial row group is flushed (a deterministic function of the input, so
// output stays byte-identical between runs).
const idleChunks = 8

func (d *dayWriter) run() {
	defer close(d.done)
	for b := range d.ch {
		if b.batch == nil {
			if d.err == nil && d.w != nil {
				d.err = d.w.Flush()
			}
			continue
		}
		if d.err == nil {
			d.rows += int64(b.batch.Len())
			if d.w != nil {
				d.err = d.w.WriteBatch(b.batch)
			}
		}
		d.pool.put(b.batch)
	}
	if d.err == nil && d.w != nil {
		d.err = d.w.Close()
	}
}

// eventsRun is the state of one events export.
type eventsRun struct {
	env   *job.Env
	opts  Options
	store lake.Store
	win   *window
	batch string

	writers map[int]*dayWriter
	rows    *batchPool
	quar    *lake.Quarantine
	read    int64
	rejects int64
}

func runEvents(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	if opts.Input == "" {
		return nil, catalog.Usagef("%s: --input is required for --dataset events", JobName)
	}
	if opts.LateDays < 0 {
		opts.LateDays = 0
	} else if opts.LateDays == 0 {
		opts.LateDays = 7
	}
	if opts.AheadDays < 0 {
		opts.AheadDays = 0
	} else if opts.AheadDays == 0 {
		opts.AheadDays = 1
	}
	if opts.MaxRejects == 0 {
		opts.MaxRejects = 0.05
	} else if opts.MaxRejects < 0 {
		opts.MaxRejects = 0
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.ChunkBytes <= 0 {
		opts.ChunkBytes = defaultChunkBytes
	}
	if opts.Parquet.Encoders == nil {
		opts.Parquet.Encoders = lake.NewEncoderPool(opts.Workers)
	}
	loc := env.Loc
	if loc == nil {
		loc = time.UTC
	}
	sum := job.NewSummary(env)
	r := &eventsRun{
		env: env, opts: opts, store: deps.Lake,
		win:     newWindow(env.Date, opts.LateDays, opts.AheadDays, loc),
		batch:   env.Date.String(),
		writers: map[int]*dayWriter{},
		rows:    newBatchPool(2*opts.Workers + 8),
	}

	// produce feeds chunks; it runs in its own goroutine.
	var produce func(ctx context.Context, out chan<- *chunk) error
	if IsKafka(opts.Input) {
		if deps.Log == nil {
			return nil, catalog.Usagef("%s: --input %s: no Kafka client", JobName, opts.Input)
		}
		sum.Inputs = []string{deps.Log.URI()}
		produce = func(ctx context.Context, out chan<- *chunk) error {
			batch, err := readLog(ctx, deps.Log, opts.ChunkBytes, out)
			r.batch = batch
			return err
		}
	} else {
		files := deps.Files
		if files == nil {
			files = LocalFiles{}
		}
		names, err := files.Expand(ctx, opts.Input)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", JobName, err)
		}
		if len(names) == 0 {
			return sum, fmt.Errorf("%s: no input matches %s: %w", JobName, opts.Input, catalog.ErrNothingToDo)
		}
		for _, n := range names {
			if abs, err := filepath.Abs(n); err == nil && !strings.Contains(n, "://") {
				n = abs
			}
			sum.Inputs = append(sum.Inputs, n)
		}
		pool := newBufPool(opts.ChunkBytes+64<<10, 2*opts.Workers+4)
		produce = func(ctx context.Context, out chan<- *chunk) error {
			return readFiles(ctx, files, names, opts.ChunkBytes, pool, out)
		}
	}

	if !env.DryRun {
		r.quar = lake.NewQuarantine(ctx, deps.Lake, JobName, env.RunID, env.Date, env.Now)
	}
	prog := env.Progress("events", 0)
	err := r.pipeline(ctx, produce, prog)
	prog.Finish()
	sum.Read, sum.Quarantined = r.read, r.rejects
	if err != nil {
		r.abort(ctx)
		return sum, fmt.Errorf("%s: %w", JobName, err)
	}
	if r.read == 0 && len(r.writers) == 0 {
		r.abort(ctx)
		return sum, fmt.Errorf("%s: no events in %s: %w", JobName, opts.Input, catalog.ErrNothingToDo)
	}
	if err := r.commit(ctx, sum, deps.Log); err != nil {
		return sum, fmt.Errorf("%s: %w", JobName, err)
	}
	if r.read > 0 && float64(r.rejects)/float64(r.read) > opts.MaxRejects {
		return sum, fmt.Errorf("%s: %d of %d lines quarantined (max %.2g): %w",
			JobName, r.rejects, r.read, opts.MaxRejects, catalog.ErrRejectThreshold)
	}
	return sum, nil
}

// pipeline runs producer → parallel parsers → in-order dispatch to the
// per-day writers. In-flight chunks are bounded, so memory is too.
func (r *eventsRun) pipeline(ctx context.Context, produce func(context.Context, chan<- *chunk) error, prog job.Progress) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inflight := 2*r.opts.Workers + 2
	tokens := make(chan struct{}, inflight)
	chunks := make(chan *chunk)
	results := make(chan *result, inflight)

	var prodErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(chunks)
		gated := make(chan *chunk)
		go func() {
			defer close(gated)
			prodErr = produce(ctx, gated)
		}()
		for c := range gated {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				for range gated {
				}
				return
			}
			select {
			case chunks <- c:
			case <-ctx.Done():
				for range gated {
				}
				return
			}
		}
	}()
	var pwg sync.WaitGroup
	for i := 0; i < r.opts.Workers; i++ {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			in := &interner{}
			for c := range chunks {
				res := parseChunk(c, r.win, in, r.rows)
				select {
				case results <- res:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { pwg.Wait(); close(results) }()

	pending := map[int]*result{}
	next := 0
	var err error
	for res := range results {
		if err != nil {
			continue
		}
		pending[res.seq] = res
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err = r.dispatch(ctx, p); err != nil {
				cancel()
				break
			}
			prog.Add(p.read)
			<-tokens
		}
	}
	wg.Wait()
	for _, d := range r.writers {
		close(d.ch)
	}
	for _, d := range r.sortedWriters() {
		<-d.done
		if err == nil && d.err != nil {
			err = fmt.Errorf("partition %s: %w", d.date, d.err)
		}
	}
	if err == nil && prodErr != nil {
		err = prodErr
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return err
}

func (r *eventsRun) dispatch(ctx context.Context, res *result) error {
	// rows were copied into batches while parsing; only the rejects below
	// still read the chunk.
	res.chunk.refs.Store(1)
	defer res.chunk.release()
	r.read += res.read
	for _, rj := range res.rejects {
		r.rejects++
		if r.quar != nil {
			if err := r.quar.Reject(rj.reason, rj.origin, rj.line); err != nil {
				return fmt.Errorf("quarantine: %w", err)
			}
		}
	}
	for _, dr := range res.days {
		w := r.writers[dr.day]
		if w == nil {
			date := r.win.date(dr.day)
			w = &dayWriter{date: date, ch: make(chan dayBatch, 2), done: make(chan struct{}), pool: r.rows}
			if !r.env.DryRun {
				w.pw = lake.NewPartitionWriter(r.store, lake.EventsPartition(date), JobName, r.env.RunID, r.env.Now)
				w.w = lake.NewEventsWriter(ctx, w.pw, r.opts.Parquet)
			}
			r.writers[dr.day] = w
			go w.run()
		}
		w.lastSeq, w.idle = res.seq, false
		select {
		case w.ch <- dayBatch{batch: dr.batch}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, w := range r.sortedWriters() {
		if !w.idle && res.seq-w.lastSeq >= idleChunks {
			w.idle = true
			select {
			case w.ch <- dayBatch{}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

func (r *eventsRun) sortedWriters() []*dayWriter {
	out := make([]*dayWriter, 0, len(r.writers))
	for _, w := range r.writers {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].date.Before(out[j].date) })
	return out
}

func (r *eventsRun) abort(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, w := range r.writers {
		if w.w != nil {
			w.w.Abort()
			_ = w.pw.Abort(ctx)
		}
	}
	if r.quar != nil {
		r.quar.Abort(ctx)
	}
}

// commit commits every touched partition with batch-scoped replace, clears
// this batch's files from partitions it no longer touches, commits the
// quarantine, and only then commits the Kafka offsets.
func (r *eventsRun) commit(ctx context.Context, sum *job.Summary, log EventLog) error {
	perDay := map[string]int64{}
	written := map[catalog.Date]bool{}
	for _, w := range r.sortedWriters() {
		sum.Written += w.rows
		perDay[w.date.String()] = w.rows
		written[w.date] = true
		if r.env.DryRun {
			continue
		}
		m, err := w.pw.Commit(ctx, lake.CommitOptions{Batch: r.batch, Meta: map[string]string{"dataset": DatasetEvents}})
		if err != nil {
			r.abort(ctx)
			return fmt.Errorf("commit %s: %w", w.pw.Dir(), err)
		}
		sum.Outputs = append(sum.Outputs, r.store.URI()+"/"+m.Partition)
	}
	sum.Detail("batch", r.batch)
	sum.Detail("rows_per_day", perDay)
	if r.env.DryRun {
		return nil
	}
	// A rerun of a batch that no longer has events for a day must still drop
	// that batch's old files there.
	for i := 0; i < r.win.days(); i++ {
		d := r.win.date(i)
		if written[d] {
			continue
		}
		dir := lake.EventsPartition(d)
		m, err := lake.ReadManifest(ctx, r.store, dir)
		if errors.Is(err, catalog.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		stale := false
		for _, f := range m.Files {
			stale = stale || f.Batch == r.batch
		}
		if stale {
			pw := lake.NewPartitionWriter(r.store, dir, JobName, r.env.RunID, r.env.Now)
			if _, err := pw.Commit(ctx, lake.CommitOptions{Batch: r.batch, Meta: m.Meta}); err != nil {
				return fmt.Errorf("commit %s: %w", dir, err)
			}
			sum.Outputs = append(sum.Outputs, r.store.URI()+"/"+dir)
		}
	}
	if err := r.quar.Commit(ctx); err != nil {
		return fmt.Errorf("commit quarantine: %w", err)
	}
	if r.rejects > 0 {
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("%d lines quarantined in %s/%s", r.rejects, r.store.URI(), r.quar.Dir()))
	}
	if log != nil {
		if err := log.Commit(ctx); err != nil {
			return fmt.Errorf("commit offsets (the lake is committed; a rerun replaces batch %s): %w", r.batch, err)
		}
	}
	return nil
}

// readFiles cuts every file into chunks of whole lines, in order.
func readFiles(ctx context.Context, files Files, names []string, size int, pool *bufPool, out chan<- *chunk) error {
	seq := 0
	for _, name := range names {
		if err := readFile(ctx, files, name, size, pool, &seq, out); err != nil {
			return err
		}
	}
	return nil
}

func readFile(ctx context.Context, files Files, name string, size int, pool *bufPool, seq *int, out chan<- *chunk) error {
	rc, err := files.Open(ctx, name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer rc.Close()
	var rd io.Reader = rc
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(rc)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer gz.Close()
		rd = gz
	}
	send := func(c *chunk) error {
		c.seq, c.name, c.pool = *seq, name, pool
		*seq++
		select {
		case out <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	line := 1
	var carry []byte
	skipping := false // inside a line over MaxLineBytes
	eof := false
	for !eof {
		buf := pool.get(size + len(carry))
		copy(buf, carry)
		n := len(carry)
		m, err := io.ReadFull(rd, buf[n:])
		n += m
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			eof = true
		} else if err != nil {
			return fmt.Errorf("read %s near line %d: %w", name, line, err)
		}
		buf = buf[:n]
		if skipping {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				carry = nil
				continue
			}
			buf = buf[i+1:]
			line++
			skipping = false
		}
		cut := bytes.LastIndexByte(buf, '\n')
		if eof {
			cut = len(buf) - 1
		}
		if cut < 0 {
			if len(buf) > lake.MaxLineBytes {
				if err := send(&chunk{startLine: line, data: buf[:1024], tooLong: true, buf: buf}); err != nil {
					return err
				}
				skipping, carry = true, nil
				continue
			}
			carry = buf
			continue
		}
		data := buf[:cut+1]
		carry = append([]byte(nil), buf[cut+1:]...)
		if len(data) > 0 {
			if err := send(&chunk{startLine: line, data: data, buf: buf}); err != nil {
				return err
			}
			line += bytes.Count(data, []byte{'\n'})
		}
	}
	return nil
}

// readLog turns a Kafka stream into chunks, one record a line.
func readLog(ctx context.Context, log EventLog, size int, out chan<- *chunk) (string, error) {
	seq := 0
	var cur *chunk
	flush := func() error {
		if cur == nil {
			return nil
		}
		c := cur
		cur = nil
		select {
		case out <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	batch, err := log.Read(ctx, func(origin string, value []byte) error {
		if cur == nil {
			cur = &chunk{seq: seq, name: log.URI(), data: make([]byte, 0, size+4096)}
			seq++
		}
		start := len(cur.data)
		cur.data = append(cur.data, value...)
		// a raw newline can only be whitespace between JSON tokens
		for i := start; i < len(cur.data); i++ {
			if cur.data[i] == '\n' {
				cur.data[i] = ' '
			}
		}
		cur.data = append(cur.data, '\n')
		cur.origins = append(cur.origins, origin)
		if len(cur.data) >= size {
			return flush()
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return batch, flush()
}
