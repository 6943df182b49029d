package lake

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
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
var zstdCodec = &zstd.Codec{Level: zstd.SpeedDefault, Concurrency: 1}

// partWriter writes rows of T into part-<run>-<seq>.parquet files of a
// partition, rolling at TargetFileBytes. Not safe for concurrent use.
type partWriter[T any] struct {
	ctx    context.Context
	pw     *PartitionWriter
	opts   ParquetOptions
	schema *parquet.Schema

	ow      ObjectWriter
	cnt     *countingWriter
	w       *parquet.GenericWriter[T]
	name    string
	rows    int64 // rows in the current file
	inGroup int64 // rows in the current row group
	total   int64
	pending []T // rows not yet handed to parquet
}

func newPartWriter[T any](ctx context.Context, pw *PartitionWriter, schema *parquet.Schema, opts ParquetOptions) *partWriter[T] {
	return &partWriter[T]{ctx: ctx, pw: pw, opts: opts.withDefaults(), schema: schema}
}

func (p *partWriter[T]) open() error {
	p.name = p.pw.NextName("part", ".parquet")
	ow, err := p.pw.Create(p.ctx, p.name)
	if err != nil {
		return err
	}
	p.ow = ow
	p.cnt = &countingWriter{w: ow}
	opts := []parquet.WriterOption{
		p.schema,
		parquet.Compression(zstdCodec),
		parquet.MaxRowsPerRowGroup(p.opts.RowGroupRows),
		parquet.CreatedBy(parquetCreatedBy, "", ""),
		parquet.PageBufferSize(1 << 20),
	}
	for _, k := range sortedKeys(p.opts.Meta) {
		opts = append(opts, parquet.KeyValueMetadata(k, p.opts.Meta[k]))
	}
	if p.w == nil {
		p.w = parquet.NewGenericWriter[T](p.cnt, opts...)
	} else {
		p.w.Reset(p.cnt)
	}
	p.rows, p.inGroup = 0, 0
	return nil
}

// Write appends rows. Rows are handed to parquet in fixed batches of
// writeBatchRows, so the file layout depends only on the row sequence, not
// on how callers slice it; a row group is flushed every RowGroupRows rows
// and the file rolled once it has reached TargetFileBytes.
func (p *partWriter[T]) Write(rows []T) error {
	if p.pending == nil {
		p.pending = make([]T, 0, writeBatchRows)
	}
	for len(rows) > 0 {
		n := copy(p.pending[len(p.pending):cap(p.pending)], rows)
		p.pending = p.pending[:len(p.pending)+n]
		p.total += int64(n)
		rows = rows[n:]
		if len(p.pending) == cap(p.pending) {
			if err := p.writePending(); err != nil {
				return err
			}
		}
	}
	return nil
}

const writeBatchRows = 1024

func (p *partWriter[T]) writePending() error {
	rows := p.pending
	for len(rows) > 0 {
		if p.ow == nil {
			if err := p.open(); err != nil {
				return err
			}
		}
		n := int64(len(rows))
		if room := p.opts.RowGroupRows - p.inGroup; n > room {
			n = room
		}
		if _, err := p.w.Write(rows[:n]); err != nil {
			return fmt.Errorf("lake: parquet %s/%s: %w", p.pw.Dir(), p.name, err)
		}
		rows = rows[n:]
		p.rows += n
		p.inGroup += n
		if p.inGroup >= p.opts.RowGroupRows {
			if err := p.w.Flush(); err != nil {
				return err
			}
			p.inGroup = 0
			if p.w.Size() >= p.opts.TargetFileBytes {
				if err := p.closeFile(); err != nil {
					return err
				}
			}
		}
	}
	clear(p.pending)
	p.pending = p.pending[:0]
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

// Close finishes the current file. It does not commit the partition.
func (p *partWriter[T]) Close() error {
	if len(p.pending) > 0 {
		if err := p.writePending(); err != nil {
			return err
		}
	}
	return p.closeFile()
}

// Abort discards the current file.
func (p *partWriter[T]) Abort() {
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
	defer r.Close()
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
