package mart

// keySet collects packed uint64 keys and keeps them distinct: keys are
// appended raw and, when the raw tail outgrows the distinct part, sorted
// and deduplicated, so memory follows the number of distinct keys.
type keySet struct {
	keys   []uint64
	sorted int // keys[:sorted] are sorted and distinct
	tmp    []uint64
}

const keySetMinBatch = 1 << 20

func (s *keySet) add(k uint64) {
	s.keys = append(s.keys, k)
	if n := len(s.keys) - s.sorted; n >= keySetMinBatch && n >= s.sorted {
		s.compact()
	}
}

// compact sorts and deduplicates every key.
func (s *keySet) compact() {
	if len(s.keys) == s.sorted {
		return
	}
	s.tmp = radixSortKeys(s.keys, s.tmp)
	w := 0
	for i, k := range s.keys {
		if i > 0 && k == s.keys[w-1] {
			continue
		}
		s.keys[w] = k
		w++
	}
	s.keys, s.sorted = s.keys[:w], w
}

// mergeFrom moves o's keys into s.
func (s *keySet) mergeFrom(o *keySet) {
	s.keys = append(s.keys, o.keys...)
	s.sorted = 0
	*o = keySet{}
}

// filter keeps the keys for which keep is true (order is not kept).
func (s *keySet) filter(keep func(uint64) bool) {
	w := 0
	for _, k := range s.keys {
		if keep(k) {
			s.keys[w] = k
			w++
		}
	}
	s.keys, s.sorted = s.keys[:w], 0
}

// radixSortKeys sorts keys ascending (LSD, 8-bit digits, skipping digits on
// which all keys agree); tmp is reused scratch.
func radixSortKeys(keys, tmp []uint64) []uint64 {
	n := len(keys)
	if n < 64 {
		for i := 1; i < n; i++ {
			k := keys[i]
			j := i - 1
			for j >= 0 && keys[j] > k {
				keys[j+1] = keys[j]
				j--
			}
			keys[j+1] = k
		}
		return tmp
	}
	var hist [8][256]int
	for _, k := range keys {
		hist[0][byte(k)]++
		hist[1][byte(k>>8)]++
		hist[2][byte(k>>16)]++
		hist[3][byte(k>>24)]++
		hist[4][byte(k>>32)]++
		hist[5][byte(k>>40)]++
		hist[6][byte(k>>48)]++
		hist[7][byte(k>>56)]++
	}
	if cap(tmp) < n {
		tmp = make([]uint64, n)
	}
	tmp = tmp[:n]
	src, dst := keys, tmp
	for d := 0; d < 8; d++ {
		h := &hist[d]
		shift := uint(8 * d)
		if h[byte(src[0]>>shift)] == n {
			continue
		}
		var off [256]int
		sum := 0
		for i := 0; i < 256; i++ {
			off[i] = sum
			sum += h[i]
		}
		for _, k := range src {
			b := byte(k >> shift)
			dst[off[b]] = k
			off[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
	return tmp
}
