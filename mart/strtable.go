package mart

import (
	"bytes"
	"hash/maphash"
)

// strTable interns byte strings to dense ids without allocating a Go
// string per key: keys live in one arena, slots hold (hash, id). It is used
// for high-cardinality columns (session_id) by one goroutine at a time;
// per-worker tables are merged with merge, reusing the stored hashes.
type strTable struct {
	seed   maphash.Seed
	slots  []tslot
	mask   uint64
	arena  []byte
	offs   []uint32 // key i is arena[offs[i]:offs[i+1]]
	hashes []uint64
}

type tslot struct {
	h  uint64
	id uint32 // id+1; 0 = empty
}

func newStrTable(seed maphash.Seed) *strTable {
	t := &strTable{seed: seed}
	t.reset()
	return t
}

// reset empties the table, keeping its memory.
func (t *strTable) reset() {
	if len(t.slots) == 0 {
		t.slots = make([]tslot, 1<<12)
	} else {
		clear(t.slots)
	}
	t.mask = uint64(len(t.slots) - 1)
	t.arena = t.arena[:0]
	t.offs = append(t.offs[:0], 0)
	t.hashes = t.hashes[:0]
}

func (t *strTable) len() int { return len(t.hashes) }

func (t *strTable) key(id uint32) []byte { return t.arena[t.offs[id]:t.offs[id+1]] }

// id returns the id of b, adding it when new.
func (t *strTable) id(b []byte) uint32 { return t.idHash(b, maphash.Bytes(t.seed, b)) }

func (t *strTable) idHash(b []byte, h uint64) uint32 {
	if 2*len(t.hashes) >= len(t.slots) {
		t.grow()
	}
	i := h & t.mask
	for {
		s := &t.slots[i]
		if s.id == 0 {
			id := uint32(len(t.hashes))
			s.h, s.id = h, id+1
			t.arena = append(t.arena, b...)
			t.offs = append(t.offs, uint32(len(t.arena)))
			t.hashes = append(t.hashes, h)
			return id
		}
		if s.h == h && bytes.Equal(t.key(s.id-1), b) {
			return s.id - 1
		}
		i = (i + 1) & t.mask
	}
}

func (t *strTable) grow() {
	n := len(t.slots) * 2
	t.slots = make([]tslot, n)
	t.mask = uint64(n - 1)
	for id, h := range t.hashes {
		i := h & t.mask
		for t.slots[i].id != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = tslot{h: h, id: uint32(id) + 1}
	}
}

// merge adds o's keys to t and returns o-id → t-id.
func (t *strTable) merge(o *strTable) []uint32 {
	trans := make([]uint32, o.len())
	for id, h := range o.hashes {
		trans[id] = t.idHash(o.key(uint32(id)), h)
	}
	return trans
}
