package lake

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// DefaultRowsPerFile is how many JSONL rows go into one part file.
const DefaultRowsPerFile = 100_000

// JSONLWriter writes gzip-compressed JSON lines into a partition, rolling to
// a new part file every RowsPerFile rows. It is safe for concurrent use.
type JSONLWriter struct {
	pw          *PartitionWriter
	ctx         context.Context
	RowsPerFile int64

	mu   sync.Mutex
	cur  ObjectWriter
	cnt  *countingWriter
	gz   *gzip.Writer
	name string
	rows int64
}

// NewJSONLWriter returns a writer of part-<run>-<seq>.jsonl.gz files into pw.
func NewJSONLWriter(ctx context.Context, pw *PartitionWriter) *JSONLWriter {
	return &JSONLWriter{pw: pw, ctx: ctx, RowsPerFile: DefaultRowsPerFile}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Write marshals v as one JSON line.
func (j *JSONLWriter) Write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return j.WriteLine(b)
}

// WriteLine writes one already-encoded JSON line (without newline).
func (j *JSONLWriter) WriteLine(b []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cur == nil {
		j.name = j.pw.NextName("part", ".jsonl.gz")
		ow, err := j.pw.Create(j.ctx, j.name)
		if err != nil {
			return err
		}
		j.cur = ow
		j.cnt = &countingWriter{w: ow}
		j.gz = gzip.NewWriter(j.cnt)
		j.rows = 0
	}
	if _, err := j.gz.Write(b); err != nil {
		return err
	}
	if _, err := j.gz.Write([]byte{'\n'}); err != nil {
		return err
	}
	j.rows++
	if j.RowsPerFile > 0 && j.rows >= j.RowsPerFile {
		return j.flushLocked()
	}
	return nil
}

func (j *JSONLWriter) flushLocked() error {
	if j.cur == nil {
		return nil
	}
	cur := j.cur
	j.cur = nil
	if err := j.gz.Close(); err != nil {
		_ = cur.Abort()
		return err
	}
	if err := cur.Close(); err != nil {
		return err
	}
	j.pw.Add(FileEntry{Name: j.name, Rows: j.rows, Bytes: j.cnt.n})
	return nil
}

// Close finishes the current part file. It does not commit the partition.
func (j *JSONLWriter) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.flushLocked()
}

// Abort discards the current part file.
func (j *JSONLWriter) Abort() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cur != nil {
		_ = j.cur.Abort()
		j.cur = nil
	}
}

// Origin says where a line came from: the object key and its 1-based line.
type Origin struct {
	Key  string `json:"key"`
	Line int    `json:"line"`
}

func (o Origin) String() string { return fmt.Sprintf("%s:%d", o.Key, o.Line) }

// MaxLineBytes is the longest JSONL line the readers accept; longer lines are
// reported to the callback with ErrLineTooLong instead of being read whole.
const MaxLineBytes = 64 << 20

// ErrLineTooLong is passed to ScanJSONL's callback for a line over MaxLineBytes.
var ErrLineTooLong = errors.New("line too long")

// ScanJSONL calls fn for every line of the object at key (gunzipped when the
// key ends in .gz). Lines over MaxLineBytes arrive as (nil, ErrLineTooLong).
// Blank lines are skipped. The line slice is reused after fn returns.
func ScanJSONL(ctx context.Context, s Store, key string, fn func(o Origin, line []byte, lineErr error) error) error {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	var r io.Reader = rc
	if strings.HasSuffix(key, ".gz") {
		gz, err := gzip.NewReader(rc)
		if err != nil {
			return fmt.Errorf("lake: %s: %w", key, err)
		}
		defer func() { _ = gz.Close() }()
		r = gz
	}
	return scanLines(ctx, r, key, fn)
}

func scanLines(ctx context.Context, r io.Reader, key string, fn func(o Origin, line []byte, lineErr error) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var buf []byte
	line := 0
	for {
		if line%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		chunk, isPrefix, err := br.ReadLine()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lake: %s: line %d: %w", key, line+1, err)
		}
		line++
		tooLong := false
		if isPrefix {
			buf = append(buf[:0], chunk...)
			for isPrefix {
				chunk, isPrefix, err = br.ReadLine()
				if err != nil {
					return fmt.Errorf("lake: %s: line %d: %w", key, line, err)
				}
				if !tooLong {
					buf = append(buf, chunk...)
					if len(buf) > MaxLineBytes {
						tooLong = true
						buf = buf[:0]
					}
				}
			}
			chunk = buf
		}
		o := Origin{Key: key, Line: line}
		if tooLong {
			if err := fn(o, nil, ErrLineTooLong); err != nil {
				return err
			}
			continue
		}
		if len(strings.TrimSpace(string(chunk))) == 0 {
			continue
		}
		if err := fn(o, chunk, nil); err != nil {
			return err
		}
	}
}

// ScanPartition calls ScanJSONL for every file the partition's manifest lists,
// in manifest order. A partition without a manifest is catalog.ErrNotFound.
func ScanPartition(ctx context.Context, s Store, dir string, fn func(o Origin, line []byte, lineErr error) error) error {
	m, err := ReadManifest(ctx, s, dir)
	if err != nil {
		return err
	}
	for _, key := range m.Keys() {
		if err := ScanJSONL(ctx, s, key, fn); err != nil {
			return err
		}
	}
	return nil
}
