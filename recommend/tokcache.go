package recommend

// tokCache is a featWorker's map from token to id. Tokens of at most
// tokInline bytes (a Hangul bigram is 6) live in one open-addressing table
// with the key bytes inline, so a lookup reads one slot (16 bytes) instead
// of the control word, key header and key bytes of a map[string]int32 (at
// 1M releases, a million terms: each of those is a cache miss). Longer
// tokens go to a map.
type tokCache struct {
	slots []tokSlot
	used  int
	long  map[string]int32
}

// tokSlot is a token of at most tokInline bytes: bytes 0-7 in k0, bytes
// 8-10 and the length (top byte) in k1, little endian, zero padded; id+1
// in id (0: empty).
type tokSlot struct {
	k0 uint64
	k1 uint32
	id int32
}

const tokInline = 11

func newTokCache() *tokCache {
	return &tokCache{slots: make([]tokSlot, 1<<12), long: map[string]int32{}}
}

// tokKey packs tok (len ≤ tokInline).
func tokKey(tok string) (uint64, uint32) {
	var k0 uint64
	var k1 uint32
	for i := 0; i < len(tok) && i < 8; i++ {
		k0 |= uint64(tok[i]) << (8 * i)
	}
	for i := 8; i < len(tok); i++ {
		k1 |= uint32(tok[i]) << (8 * (i - 8))
	}
	return k0, k1 | uint32(len(tok))<<24
}

func (c *tokCache) slot(k0 uint64, k1 uint32) int {
	h := k0*0x9E3779B97F4A7C15 ^ uint64(k1)*0xC2B2AE3D27D4EB4F
	h ^= h >> 31
	h *= 0x94D049BB133111EB
	mask := len(c.slots) - 1
	i := int(h>>32) & mask
	for {
		s := &c.slots[i]
		if s.id == 0 || (s.k0 == k0 && s.k1 == k1) {
			return i
		}
		i = (i + 1) & mask
	}
}

// get returns tok's id, if cached.
func (c *tokCache) get(tok string) (int32, bool) {
	if len(tok) > tokInline {
		id, ok := c.long[tok]
		return id, ok
	}
	k0, k1 := tokKey(tok)
	s := &c.slots[c.slot(k0, k1)]
	return s.id - 1, s.id != 0
}

// put caches tok's id (tok is not cached yet). A long token is copied, so
// the cache does not pin the text it was cut from.
func (c *tokCache) put(tok string, id int32) {
	if len(tok) > tokInline {
		c.long[string([]byte(tok))] = id
		return
	}
	if 2*(c.used+1) > len(c.slots) { // keep the table at most half full
		old := c.slots
		c.slots = make([]tokSlot, 2*len(old))
		for _, s := range old {
			if s.id != 0 {
				c.slots[c.slot(s.k0, s.k1)] = s
			}
		}
	}
	k0, k1 := tokKey(tok)
	c.slots[c.slot(k0, k1)] = tokSlot{k0: k0, k1: k1, id: id + 1}
	c.used++
}
