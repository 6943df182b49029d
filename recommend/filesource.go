package recommend

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"marquee/internal/catalog"
)

// FileSource is a catalog.ReleaseSource over a local JSONL file of releases
// (one catalog.Release JSON object a line, DESIGN.md §3 field names; gzip
// when the name ends in .gz). Releases come in file order, not id order
// (compute-similar sorts them itself). A line that is not a release is an
// error naming the file and line: nothing is silently dropped.
type FileSource struct {
	Path string
}

var _ catalog.ReleaseSource = FileSource{}

// EachRelease implements catalog.ReleaseSource.
func (s FileSource) EachRelease(ctx context.Context, since time.Time, fn func(r *catalog.Release) error) error {
	sc, closeFile, err := s.open()
	if err != nil {
		return err
	}
	defer closeFile()
	line := 0
	for sc.Scan() {
		line++
		if line%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var r catalog.Release
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("releases file %s:%d: %w", s.Path, line, err)
		}
		if r.ID == "" {
			return fmt.Errorf("releases file %s:%d: release without id", s.Path, line)
		}
		if !since.IsZero() && r.UpdatedAt.Before(since) {
			continue
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("releases file %s:%d: %w", s.Path, line, err)
	}
	return nil
}

// open returns a line scanner over the file (gunzipped when it ends in .gz)
// and the function that closes it.
func (s FileSource) open() (*bufio.Scanner, func(), error) {
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, nil, catalog.Usagef("releases file: %v", err)
	}
	var rd io.Reader = f
	closeFile := func() { _ = f.Close() }
	if strings.HasSuffix(s.Path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			closeFile()
			return nil, nil, fmt.Errorf("releases file %s: %w", s.Path, err)
		}
		rd = gz
		closeFile = func() { _ = gz.Close(); _ = f.Close() }
	}
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	return sc, closeFile, nil
}

// scanLines calls fn with batches of up to batch non-blank lines (copies)
// and their 1-based line numbers, in file order.
func (s FileSource) scanLines(ctx context.Context, batch int, fn func(nums []int, lines [][]byte) error) error {
	sc, closeFile, err := s.open()
	if err != nil {
		return err
	}
	defer closeFile()
	line := 0
	nums := make([]int, 0, batch)
	lines := make([][]byte, 0, batch)
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		nums = append(nums, line)
		lines = append(lines, append([]byte(nil), b...))
		if len(lines) == batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(nums, lines); err != nil {
				return err
			}
			nums, lines = make([]int, 0, batch), make([][]byte, 0, batch)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("releases file %s:%d: %w", s.Path, line, err)
	}
	if len(lines) > 0 {
		return fn(nums, lines)
	}
	return nil
}
