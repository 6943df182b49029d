package lake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// Parquet defaults shared by every dataset the lake writes.
const (
	// DefaultRowGroupRows is the row-group size of the lake's Parquet files.
	DefaultRowGroupRows = 128 * 1024
	// DefaultTargetFileBytes is the size at which a Parquet part file is
	// closed and the next one started (checked at row-group boundaries).
	DefaultTargetFileBytes = 256 << 20
	// parquetCreatedBy is constant so that reruns write byte-identical files.
	parquetCreatedBy = "marquee"
)

// ParquetOptions tunes the Parquet files a writer produces.
type ParquetOptions struct {
	// RowGroupRows is the number of rows per row group (default DefaultRowGroupRows).
	RowGroupRows int64
	// TargetFileBytes rolls to a new part file once the current one reaches
	// this size (default DefaultTargetFileBytes; checked after each row group).
	TargetFileBytes int64
	// Meta is written into every file's key/value metadata (sorted by key,
	// so output stays deterministic).
	Meta map[string]string
	// Encoders, when set, encodes row groups in parallel (shared by every
	// writer of a run). Output is the same with or without it.
	Encoders *EncoderPool
}

func (o ParquetOptions) withDefaults() ParquetOptions {
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.TargetFileBytes <= 0 {
		o.TargetFileBytes = DefaultTargetFileBytes
	}
	return o
}

// zstdCodec is shared: the codec pools its encoders and is safe for concurrent use.
var zstdCodec = &zstdPages{}

// EncoderPool encodes row groups on up to n goroutines at once, shared by
// every writer given it (all the partitions of a run). Encoded row groups
// are spliced into their files verbatim, in order, so output bytes do not
// depend on the pool size.
type EncoderPool struct {
	sem chan struct{}
	// free row-group buffers and arenas, recycled across the writers of a run
	rgs    chan any
	arenas chan *arena
}

// NewEncoderPool returns a pool of n encoders (n < 1: 1).
func NewEncoderPool(n int) *EncoderPool {
	if n < 1 {
		n = 1
	}
	return &EncoderPool{sem: make(chan struct{}, n), rgs: make(chan any, n+2), arenas: make(chan *arena, n+2)}
}

// recycle offers a row group's buffers for reuse (non-blocking).
func (p *EncoderPool) recycle(rg any, a *arena) {
	if p == nil {
		return
	}
	select {
	case p.rgs <- rg:
	default:
	}
	a.bytes, a.last = a.bytes[:0], [8]span{}
	select {
	case p.arenas <- a:
	default:
	}
}

func (p *EncoderPool) size() int {
	if p == nil {
		return 1
	}
	return cap(p.sem)
}

// encoded is one row group being encoded into an in-memory Parquet file.
type encoded struct {
	done chan struct{}
	file *parquet.File
	buf  *bytes.Buffer // file's bytes; back to the pool once written
	rows int64
	err  error
}

// encodeBuffers recycles the in-memory files of encoded row groups.
var encodeBuffers sync.Pool

func getBuffer() *bytes.Buffer {
	if b, ok := encodeBuffers.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

// arena holds copies of the strings of buffered rows, so rows never pin
// the caller's (much larger) input buffers.
type arena struct {
	bytes []byte // the strings of pointer-free rows, addressed by span
	last  [8]span
}

// span is a string stored in arena.bytes.
type span struct{ off, n uint32 }

// span copies s into the arena's bytes.
func (a *arena) span(s string) span {
	if len(s) == 0 {
		return span{}
	}
	off := len(a.bytes)
	a.bytes = append(a.bytes, s...)
	return span{uint32(off), uint32(len(s))}
}

// spanSlot is span for low-cardinality values: when s equals the value
// last stored for slot, that copy is reused.
func (a *arena) spanSlot(slot int, s string) span {
	l := a.last[slot]
	if int(l.n) == len(s) && a.string(l) == s {
		return l
	}
	a.last[slot] = a.span(s)
	return a.last[slot]
}

// string returns the string at sp (a view of the arena; valid while the
// arena is not appended to... or, since views pin the array they were
// taken from, for as long as they are referenced).
func (a *arena) string(sp span) string {
	if sp.n == 0 {
		return ""
	}
	return unsafe.String(&a.bytes[sp.off], int(sp.n))
}

// partWriter writes rows of T into part-<run>-<seq>.parquet files of a
// partition, rolling at TargetFileBytes. Rows are gathered into row groups
// of RowGroupRows; each full row group is encoded (on the pool, when there
// is one) into an in-memory file and spliced verbatim into the part file in
// order. Not safe for concurrent use.
type partWriter[T any] struct {
	ctx    context.Context
	pw     *PartitionWriter
	opts   ParquetOptions
	schema *parquet.Schema
	pool   *EncoderPool
	encode func(rows []T, a *arena, buf *bytes.Buffer, opts []parquet.WriterOption) (*parquet.File, error)

	ow   ObjectWriter
	cnt  *countingWriter
	w    *parquet.GenericWriter[T]
	name string
	rows int64 // rows in the current file

	rg       []T // the row group being gathered
	arena    *arena
	inflight []*encoded
	total    int64
	err      error
}

func newPartWriter[T any](ctx context.Context, pw *PartitionWriter, schema *parquet.Schema, opts ParquetOptions) *partWriter[T] {
	opts = opts.withDefaults()
	return &partWriter[T]{ctx: ctx, pw: pw, opts: opts, schema: schema, pool: opts.Encoders}
}

func (p *partWriter[T]) writerOptions() []parquet.WriterOption {
	opts := []parquet.WriterOption{
		p.schema,
		parquet.Compression(zstdCodec),
		parquet.MaxRowsPerRowGroup(p.opts.RowGroupRows),
		parquet.CreatedBy(parquetCreatedBy, "", ""),
		parquet.PageBufferSize(1 << 20),
		// min/max go to the page index and chunk statistics; repeating
		// them in every page header only costs time.
		parquet.DataPageStatistics(false),
	}
	for _, k := range sortedKeys(p.opts.Meta) {
		opts = append(opts, parquet.KeyValueMetadata(k, p.opts.Meta[k]))
	}
	return opts
}

func (p *partWriter[T]) open() error {
	p.name = p.pw.NextName("part", ".parquet")
	ow, err := p.pw.Create(p.ctx, p.name)
	if err != nil {
		return err
	}
	p.ow = ow
	p.cnt = &countingWriter{w: ow}
	if p.w == nil {
		p.w = parquet.NewGenericWriter[T](p.cnt, p.writerOptions()...)
	} else {
		p.w.Reset(p.cnt)
	}
	p.rows = 0
	return nil
}

// Write appends rows in order. It keeps copies of the rows (not of what
// they point to), never the caller's slices.
func (p *partWriter[T]) Write(rows []T) error {
	if p.err != nil {
		return p.err
	}
	for len(rows) > 0 {
		n := p.room()
		n = min(n, len(rows))
		p.rg = append(p.rg, rows[:n]...)
		rows = rows[n:]
		if err := p.appended(n); err != nil {
			return err
		}
	}
	return p.writeDone()
}

// room starts a row group when none is open and returns how many rows it
// still takes.
func (p *partWriter[T]) room() int {
	if p.rg == nil {
		p.rg, p.arena = p.fresh()
	}
	return int(p.opts.RowGroupRows - int64(len(p.rg)))
}

// fresh returns an empty row-group buffer and arena: recycled ones when
// the pool has some, else small ones grown by append (a partition that gets
// few rows, late events, holds a small buffer, not a whole row group's).
func (p *partWriter[T]) fresh() ([]T, *arena) {
	var rg []T
	a := &arena{}
	if p.pool != nil {
		select {
		case x := <-p.pool.rgs:
			if b, ok := x.([]T); ok {
				rg = b[:0]
			}
		default:
		}
		select {
		case a = <-p.pool.arenas:
		default:
		}
	}
	if rg == nil {
		n := min(p.opts.RowGroupRows, 4096)
		if p.total >= p.opts.RowGroupRows {
			n = p.opts.RowGroupRows // a busy partition: a whole row group
		}
		rg = make([]T, 0, n)
	}
	return rg, a
}

// appended accounts for n rows appended to p.rg and submits a full row group.
func (p *partWriter[T]) appended(n int) error {
	p.total += int64(n)
	if int64(len(p.rg)) == p.opts.RowGroupRows {
		if err := p.submit(); err != nil {
			p.err = err
			return err
		}
	}
	return nil
}

// writeDone writes finished row groups now rather than at the next submit:
// a partition that stops receiving rows must not hold them until Close.
func (p *partWriter[T]) writeDone() error {
	for len(p.inflight) > 0 && isDone(p.inflight[0]) {
		if err := p.writeOldest(); err != nil {
			p.err = err
			return err
		}
	}
	return nil
}

func isDone(e *encoded) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// submit hands the gathered row group to an encoder and writes finished
// ones while too many are in flight.
func (p *partWriter[T]) submit() error {
	rows, ar := p.rg, p.arena
	p.rg, p.arena = nil, nil
	e := &encoded{done: make(chan struct{}), rows: int64(len(rows))}
	p.inflight = append(p.inflight, e)
	opts := p.writerOptions()
	enc := p.encode
	if enc == nil {
		enc = encodeRowGroup[T]
	}
	e.buf = getBuffer()
	full := int64(cap(rows)) >= p.opts.RowGroupRows
	encode := func() {
		defer close(e.done)
		e.file, e.err = enc(rows, ar, e.buf, opts) // the strings of rows live in ar
		if full {
			p.pool.recycle(rows, ar)
		}
	}
	if p.pool == nil {
		encode()
	} else {
		p.pool.sem <- struct{}{}
		go func() {
			defer func() { <-p.pool.sem }()
			encode()
		}()
	}
	for len(p.inflight) > p.pool.size()+1 {
		if err := p.writeOldest(); err != nil {
			return err
		}
	}
	return nil
}

func encodeRowGroup[T any](rows []T, _ *arena, buf *bytes.Buffer, opts []parquet.WriterOption) (*parquet.File, error) {
	w := parquet.NewGenericWriter[T](buf, opts...)
	if _, err := w.Write(rows); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
}

func (p *partWriter[T]) writeOldest() error {
	e := p.inflight[0]
	p.inflight[0] = nil
	p.inflight = p.inflight[1:]
	<-e.done
	if e.err != nil {
		return fmt.Errorf("lake: parquet %s: encode: %w", p.pw.Dir(), e.err)
	}
	if p.ow == nil {
		if err := p.open(); err != nil {
			return err
		}
	}
	for _, rg := range e.file.RowGroups() {
		if _, err := p.w.WriteRowGroup(rg); err != nil {
			return fmt.Errorf("lake: parquet %s/%s: %w", p.pw.Dir(), p.name, err)
		}
	}
	p.rows += e.rows
	e.file = nil
	encodeBuffers.Put(e.buf)
	e.buf = nil
	if p.w.Size() >= p.opts.TargetFileBytes {
		return p.closeFile()
	}
	return nil
}

func (p *partWriter[T]) closeFile() error {
	if p.ow == nil {
		return nil
	}
	ow := p.ow
	p.ow = nil
	if err := p.w.Close(); err != nil {
		_ = ow.Abort()
		return fmt.Errorf("lake: parquet %s/%s: %w", p.pw.Dir(), p.name, err)
	}
	if err := ow.Close(); err != nil {
		return err
	}
	p.pw.Add(FileEntry{Name: p.name, Rows: p.rows, Bytes: p.cnt.n})
	return nil
}

// Flush ends the row group being gathered early (a smaller row group) and
// writes every encoded row group to the file, so an idle partition holds no
// rows in memory. The file stays open.
func (p *partWriter[T]) Flush() error {
	if p.err != nil {
		return p.err
	}
	if len(p.rg) > 0 {
		if err := p.submit(); err != nil {
			p.err = err
			return err
		}
	}
	for len(p.inflight) > 0 {
		if err := p.writeOldest(); err != nil {
			p.err = err
			return err
		}
	}
	return nil
}

// Close encodes what is left, writes every row group in order and finishes
// the current file. It does not commit the partition.
func (p *partWriter[T]) Close() error {
	if p.err != nil {
		p.Abort()
		return p.err
	}
	if len(p.rg) > 0 {
		if err := p.submit(); err != nil {
			p.Abort()
			return err
		}
	}
	for len(p.inflight) > 0 {
		if err := p.writeOldest(); err != nil {
			p.Abort()
			return err
		}
	}
	return p.closeFile()
}

// Abort waits for encoders in flight and discards the file being written.
func (p *partWriter[T]) Abort() {
	for _, e := range p.inflight {
		<-e.done
	}
	p.inflight, p.rg = nil, nil
	if p.ow != nil {
		_ = p.ow.Abort()
		p.ow = nil
	}
}

// Rows is how many rows were written in total.
func (p *partWriter[T]) Rows() int64 { return p.total }

// openParquet opens key for parquet reading: directly when the store gives
// an io.ReaderAt (local files), else by reading the object into memory.
func openParquet(ctx context.Context, s Store, key string) (io.ReaderAt, int64, func(), error) {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return nil, 0, nil, err
	}
	if f, ok := rc.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			return f, fi.Size(), func() { f.Close() }, nil
		}
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, 0, nil, fmt.Errorf("lake: read %s: %w", key, err)
	}
	return bytesReaderAt(b), int64(len(b)), func() {}, nil
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readParquetRows reads every row of every file the manifest of dir lists,
// in manifest order, handing them to fn in batches of up to batch rows. The
// slice is reused after fn returns.
func readParquetRows[T any](ctx context.Context, s Store, dir string, batch int, fn func(key string, rows []T) error) error {
	m, err := ReadManifest(ctx, s, dir)
	if err != nil {
		return err
	}
	buf := make([]T, batch)
	for _, key := range m.Keys() {
		if err := readParquetFile(ctx, s, key, buf, fn); err != nil {
			return err
		}
	}
	return nil
}

func readParquetFile[T any](ctx context.Context, s Store, key string, buf []T, fn func(key string, rows []T) error) error {
	ra, size, done, err := openParquet(ctx, s, key)
	if err != nil {
		return err
	}
	defer done()
	f, err := parquet.OpenFile(ra, size)
	if err != nil {
		return fmt.Errorf("lake: parquet %s: %w", key, err)
	}
	r := parquet.NewGenericReader[T](f)
	defer func() { _ = r.Close() }()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var zero T
		for i := range buf {
			buf[i] = zero
		}
		n, err := r.Read(buf)
		if n > 0 {
			if ferr := fn(key, buf[:n]); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lake: parquet %s: %w", key, err)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
