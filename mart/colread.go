package mart

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// strChunk is one byte-array column chunk decoded to per-row codes into a
// chunk-local dictionary: the chunk's Parquet dictionary when its pages
// are dictionary-encoded, extended with the distinct values of any plain
// pages. Code -1 is null.
type strChunk struct {
	codes []int32
	data  []byte   // the distinct values, concatenated
	offs  []uint32 // value i is data[offs[i]:offs[i+1]]
	plain map[string]int32
	idx   []int32 // scratch
}

func (s *strChunk) reset() {
	s.codes = s.codes[:0]
	s.data = s.data[:0]
	s.offs = append(s.offs[:0], 0)
	if s.plain != nil {
		clear(s.plain)
	}
}

// n is the size of the chunk-local dictionary.
func (s *strChunk) n() int { return len(s.offs) - 1 }

// value is the bytes of dictionary entry i (valid until the next reset).
func (s *strChunk) value(i int32) []byte { return s.data[s.offs[i]:s.offs[i+1]] }

func (s *strChunk) addValue(b []byte) int32 {
	s.data = append(s.data, b...)
	s.offs = append(s.offs, uint32(len(s.data)))
	return int32(len(s.offs) - 2)
}

// eachPage calls fn for every page of the chunk, releasing each after fn.
func eachPage(cc parquet.ColumnChunk, fn func(p parquet.Page) error) error {
	pages := cc.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		err = fn(p)
		parquet.Release(p)
		if err != nil {
			return err
		}
	}
}

// expand writes the page's values (vals, one per non-null row) to dst in
// row order, writing null for rows whose definition level is below max.
func expand[T any](dst []T, vals []T, def []byte, null T) ([]T, error) {
	if len(def) == 0 {
		return append(dst, vals...), nil
	}
	j := 0
	for _, d := range def {
		if d == 0 {
			dst = append(dst, null)
			continue
		}
		if j >= len(vals) {
			return dst, fmt.Errorf("page has fewer values than definition levels")
		}
		dst = append(dst, vals[j])
		j++
	}
	return dst, nil
}

// readStrings decodes a byte-array column chunk into s. When rowNeed is
// non-nil, values of plain-encoded pages are looked up only for rows with
// rowNeed[row]; other rows read as null (dictionary pages cost the same
// either way).
func readStrings(cc parquet.ColumnChunk, s *strChunk, rowNeed []bool) error {
	s.reset()
	dictBase := int32(-1)
	return eachPage(cc, func(p parquet.Page) error {
		row := len(s.codes)
		vals := p.Data()
		if d := p.Dictionary(); d != nil {
			if dictBase < 0 {
				dictBase = int32(s.n())
				data, offs := dictBytes(d)
				for i := 0; i+1 < len(offs); i++ {
					s.addValue(data[offs[i]:offs[i+1]])
				}
			}
			s.idx = append(s.idx[:0], vals.Int32()...)
			if dictBase > 0 {
				for i := range s.idx {
					s.idx[i] += dictBase
				}
			}
		} else {
			if vals.Kind() != encoding.ByteArray {
				return fmt.Errorf("column is %s, want BYTE_ARRAY", vals.Kind())
			}
			data, offs := vals.ByteArray()
			if s.plain == nil {
				s.plain = make(map[string]int32)
			}
			s.idx = s.idx[:0]
			def := p.DefinitionLevels()
			r := row
			for i := 0; i+1 < len(offs); i++ {
				if len(def) > 0 {
					for r-row < len(def) && def[r-row] == 0 {
						r++
					}
				}
				if rowNeed != nil && (r >= len(rowNeed) || !rowNeed[r]) {
					s.idx = append(s.idx, -1)
					r++
					continue
				}
				r++
				b := data[offs[i]:offs[i+1]]
				c, ok := s.plain[string(b)]
				if !ok {
					c = s.addValue(b)
					s.plain[string(b)] = c
				}
				s.idx = append(s.idx, c)
			}
		}
		var err error
		s.codes, err = expand(s.codes, s.idx, p.DefinitionLevels(), -1)
		return err
	})
}

// readInt64s decodes an INT64 column chunk (plain, delta or dictionary
// encoded) into dst; valid[i] is false for null rows (valid is nil when the
// chunk has no nulls).
func readInt64s(cc parquet.ColumnChunk, dst []int64, valid []bool) ([]int64, []bool, error) {
	dst, valid = dst[:0], valid[:0]
	hasNull := false
	var tmp []int64
	err := eachPage(cc, func(p parquet.Page) error {
		vals := p.Data()
		var v []int64
		if d := p.Dictionary(); d != nil {
			dd := d.Page().Data()
			dv := dd.Int64()
			tmp = tmp[:0]
			for _, i := range vals.Int32() {
				tmp = append(tmp, dv[i])
			}
			v = tmp
		} else {
			if vals.Kind() != encoding.Int64 {
				return fmt.Errorf("column is %s, want INT64", vals.Kind())
			}
			v = vals.Int64()
		}
		def := p.DefinitionLevels()
		if len(def) > 0 && p.NumNulls() > 0 {
			if !hasNull {
				hasNull = true
				for range dst {
					valid = append(valid, true)
				}
			}
			for _, d := range def {
				valid = append(valid, d != 0)
			}
		} else if hasNull {
			for range v {
				valid = append(valid, true)
			}
		}
		var err error
		dst, err = expand(dst, v, def, 0)
		return err
	})
	if !hasNull {
		valid = nil
	}
	return dst, valid, err
}

// readInt32s is readInt64s for INT32 columns; nulls read as null.
func readInt32s(cc parquet.ColumnChunk, dst []int32, null int32) ([]int32, error) {
	dst = dst[:0]
	var tmp []int32
	err := eachPage(cc, func(p parquet.Page) error {
		vals := p.Data()
		var v []int32
		if d := p.Dictionary(); d != nil {
			dd := d.Page().Data()
			dv := dd.Int32()
			tmp = tmp[:0]
			for _, i := range vals.Int32() {
				tmp = append(tmp, dv[i])
			}
			v = tmp
		} else {
			if vals.Kind() != encoding.Int32 {
				return fmt.Errorf("column is %s, want INT32", vals.Kind())
			}
			v = vals.Int32()
		}
		var err error
		dst, err = expand(dst, v, p.DefinitionLevels(), null)
		return err
	})
	return dst, err
}

func dictBytes(d parquet.Dictionary) ([]byte, []uint32) {
	v := d.Page().Data()
	return v.ByteArray()
}

const unmapped = none - 1

// readSessions decodes a session_id chunk to ids in t for the rows with
// rowNeed[row]; other rows, nulls and empty strings read as none. Only the
// needed values are hashed; dictIDs caches the chunk dictionary's ids.
func readSessions(cc parquet.ColumnChunk, rowNeed []bool, t *strTable, out []uint32, dictIDs *[]uint32) ([]uint32, error) {
	out = out[:0]
	var dd []byte
	var doffs []uint32
	err := eachPage(cc, func(p parquet.Page) error {
		row := len(out)
		def := p.DefinitionLevels()
		vals := p.Data()
		var idx []int32
		var data []byte
		var offs []uint32
		var n int
		if d := p.Dictionary(); d != nil {
			if doffs == nil {
				dd, doffs = dictBytes(d)
				*dictIDs = grow((*dictIDs)[:0], len(doffs)-1, unmapped)
			}
			idx = vals.Int32()
			n = len(idx)
		} else {
			if vals.Kind() != encoding.ByteArray {
				return fmt.Errorf("column is %s, want BYTE_ARRAY", vals.Kind())
			}
			data, offs = vals.ByteArray()
			n = len(offs) - 1
		}
		rows := n
		if len(def) > 0 {
			rows = len(def)
		}
		j := 0
		for r := 0; r < rows; r++ {
			if len(def) > 0 && def[r] == 0 {
				out = append(out, none)
				continue
			}
			if j >= n {
				return fmt.Errorf("page has fewer values than rows")
			}
			k := j
			j++
			if rn := row + r; rn >= len(rowNeed) || !rowNeed[rn] {
				out = append(out, none)
				continue
			}
			if idx != nil {
				c := idx[k]
				ids := *dictIDs
				if ids[c] == unmapped {
					v := dd[doffs[c]:doffs[c+1]]
					if len(v) == 0 {
						ids[c] = none
					} else {
						ids[c] = t.id(v)
					}
				}
				out = append(out, ids[c])
				continue
			}
			v := data[offs[k]:offs[k+1]]
			if len(v) == 0 {
				out = append(out, none)
				continue
			}
			out = append(out, t.id(v))
		}
		return nil
	})
	return out, err
}
