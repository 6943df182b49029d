package mart

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"

	"marquee/lake"
)

// eventFile is one open Parquet file of an events partition.
type eventFile struct {
	key   string
	file  *parquet.File
	cols  colIdx
	close func() error
}

// openEventFile opens key for column-chunk reads: a local file is read in
// place (io.ReaderAt); any other store's object is read into memory.
func openEventFile(ctx context.Context, s lake.Store, key string) (*eventFile, error) {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	var ra io.ReaderAt
	var size int64
	closeFn := rc.Close
	if f, ok := rc.(*os.File); ok {
		fi, err := f.Stat()
		if err != nil {
			rc.Close()
			return nil, err
		}
		ra, size = f, fi.Size()
	} else {
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		ra, size = bytes.NewReader(b), int64(len(b))
		closeFn = func() error { return nil }
	}
	pf, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		_ = closeFn()
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", key, err)
	}
	ef := &eventFile{key: key, file: pf, close: closeFn}
	if err := ef.lookupColumns(); err != nil {
		_ = closeFn()
		return nil, err
	}
	return ef, nil
}

// eventColumns are the §5a event columns build-mart reads, with their
// Parquet physical kinds.
var eventColumns = []struct {
	name string
	kind parquet.Kind
	dst  func(*colIdx) *int
}{
	{"ts", parquet.Int64, func(c *colIdx) *int { return &c.ts }},
	{"user_id", parquet.Int64, func(c *colIdx) *int { return &c.user }},
	{"age_group", parquet.ByteArray, func(c *colIdx) *int { return &c.age }},
	{"event", parquet.ByteArray, func(c *colIdx) *int { return &c.event }},
	{"item_id", parquet.ByteArray, func(c *colIdx) *int { return &c.item }},
	{"keyword", parquet.ByteArray, func(c *colIdx) *int { return &c.keyword }},
	{"result_count", parquet.Int32, func(c *colIdx) *int { return &c.rc }},
	{"session_id", parquet.ByteArray, func(c *colIdx) *int { return &c.session }},
}

func (f *eventFile) lookupColumns() error {
	sch := f.file.Schema()
	for _, c := range eventColumns {
		leaf, ok := sch.Lookup(c.name)
		if !ok {
			return fmt.Errorf("%s: events file has no column %q (DESIGN.md §5a)", f.key, c.name)
		}
		if k := leaf.Node.Type().Kind(); k != c.kind {
			return fmt.Errorf("%s: column %q is %s, want %s", f.key, c.name, k, c.kind)
		}
		if leaf.MaxRepetitionLevel > 0 || leaf.MaxDefinitionLevel > 1 {
			return fmt.Errorf("%s: column %q is repeated or nested", f.key, c.name)
		}
		*c.dst(&f.cols) = leaf.ColumnIndex
	}
	return nil
}

// userRangeOK reports whether every row group's user_id statistics put it
// in [0, 2^36): then user ids pack into keys directly.
func (f *eventFile) userRangeOK() bool {
	md := f.file.Metadata()
	for _, rg := range md.RowGroups {
		if f.cols.user >= len(rg.Columns) {
			return false
		}
		st := rg.Columns[f.cols.user].MetaData.Statistics
		lo, hi := st.MinValue, st.MaxValue
		if len(lo) != 8 || len(hi) != 8 {
			lo, hi = st.Min, st.Max // deprecated fields, same order for INT64
		}
		if len(lo) != 8 || len(hi) != 8 {
			return rg.NumRows == 0
		}
		mn, mx := int64(binary.LittleEndian.Uint64(lo)), int64(binary.LittleEndian.Uint64(hi))
		if mn < 0 || mx > userMask {
			return false
		}
	}
	return true
}

// openPartition opens the files the partition's manifest lists.
func openPartition(ctx context.Context, s lake.Store, dir string) ([]*eventFile, *lake.Manifest, error) {
	m, err := lake.ReadManifest(ctx, s, dir)
	if err != nil {
		return nil, nil, err
	}
	var out []*eventFile
	for _, key := range m.Keys() {
		f, err := openEventFile(ctx, s, key)
		if err != nil {
			closeAll(out)
			return nil, nil, err
		}
		out = append(out, f)
	}
	return out, m, nil
}

func closeAll(fs []*eventFile) {
	for _, f := range fs {
		_ = f.close()
	}
}
