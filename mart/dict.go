package mart

import (
	"fmt"
	"sync"
)

// none marks a missing id (null or empty value).
const none = ^uint32(0)

// dict assigns dense uint32 ids to strings. It is safe for concurrent use;
// callers translate a whole chunk dictionary under one lock.
type dict struct {
	mu    sync.Mutex
	m     map[string]uint32
	vals  []string
	limit uint32 // ids must stay below limit
	what  string
	// norm, when set, maps a raw value to its key; "" means none. raw
	// caches raw value → id so norm runs once per distinct raw value.
	norm func(string) string
	raw  map[string]uint32
}

func newDict(what string, limit uint32, norm func(string) string) *dict {
	d := &dict{m: map[string]uint32{}, limit: limit, what: what, norm: norm}
	if norm != nil {
		d.raw = map[string]uint32{}
	}
	return d
}

func (d *dict) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.vals)
}

// snapshot returns the id → string table; callers must not modify it.
func (d *dict) snapshot() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.vals[:len(d.vals):len(d.vals)]
}

func (d *dict) idLocked(b []byte) (uint32, error) {
	if d.norm != nil {
		if id, ok := d.raw[string(b)]; ok {
			return id, nil
		}
		k := d.norm(string(b))
		id := none
		if k != "" {
			var err error
			id, err = d.keyLocked(k)
			if err != nil {
				return none, err
			}
		}
		d.raw[string(b)] = id
		return id, nil
	}
	if len(b) == 0 {
		return none, nil
	}
	if id, ok := d.m[string(b)]; ok {
		return id, nil
	}
	return d.keyLocked(string(b))
}

func (d *dict) keyLocked(k string) (uint32, error) {
	if id, ok := d.m[k]; ok {
		return id, nil
	}
	id := uint32(len(d.vals))
	if id >= d.limit {
		return none, fmt.Errorf("mart: more than %d distinct %s values", d.limit, d.what)
	}
	d.m[k] = id
	d.vals = append(d.vals, k)
	return id, nil
}

// mapChunk translates the entries of s to ids into out (len s.n()). When
// need is non-nil only entries with need[i] are translated; others get none.
func (d *dict) mapChunk(s *strChunk, need []bool, out []uint32) ([]uint32, error) {
	n := s.n()
	out = out[:0]
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := 0; i < n; i++ {
		if need != nil && !need[i] {
			out = append(out, none)
			continue
		}
		id, err := d.idLocked(s.value(int32(i)))
		if err != nil {
			return out, err
		}
		out = append(out, id)
	}
	return out, nil
}

// userDict maps user_ids that do not fit the packed-key width to dense ids.
type userDict struct {
	mu   sync.Mutex
	m    map[int64]uint32
	vals []int64
}

func (u *userDict) mapAll(in []int64, valid []bool, out []uint64) []uint64 {
	out = out[:0]
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[int64]uint32{}
	}
	for i, v := range in {
		if valid != nil && !valid[i] {
			out = append(out, 0)
			continue
		}
		id, ok := u.m[v]
		if !ok {
			id = uint32(len(u.vals))
			u.m[v] = id
			u.vals = append(u.vals, v)
		}
		out = append(out, uint64(id))
	}
	return out
}

func (d *dict) mapOne(s string) (uint32, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.idLocked([]byte(s))
}
