package mart

// groupCounter counts occurrences of packed uint64 group keys. Keys are
// appended raw; when the buffer outgrows the limit it is radix-sorted and
// collapsed into (key, count) pairs, so memory follows the number of
// distinct groups rather than the number of events.
type groupCounter struct {
	keys   []uint64
	counts []uint32 // len(counts) == number of compacted keys (a prefix of keys)
	sorted int      // keys[:sorted] are compacted: sorted, unique, counted
	limit  int
	tmpK   []uint64
	tmpC   []uint32
}

const counterMinLimit = 1 << 20

func (g *groupCounter) add(k uint64) {
	g.keys = append(g.keys, k)
	if len(g.keys) >= g.limit+g.sorted && len(g.keys) >= counterMinLimit {
		g.compact()
	}
}

// compact sorts every key and collapses duplicates.
func (g *groupCounter) compact() {
	n := len(g.keys)
	for len(g.counts) < n {
		g.counts = append(g.counts, 1)
	}
	g.counts = g.counts[:n]
	for i := g.sorted; i < n; i++ {
		g.counts[i] = 1
	}
	if n > g.sorted {
		g.tmpK, g.tmpC = radixSort(g.keys, g.counts, g.tmpK, g.tmpC)
	}
	w := 0
	for i := 0; i < n; i++ {
		if w > 0 && g.keys[w-1] == g.keys[i] {
			g.counts[w-1] += g.counts[i]
			continue
		}
		g.keys[w], g.counts[w] = g.keys[i], g.counts[i]
		w++
	}
	g.keys, g.counts, g.sorted = g.keys[:w], g.counts[:w], w
	if g.limit < w {
		g.limit = w
	}
}

// merge moves o's keys into g; o is empty afterwards.
func (g *groupCounter) merge(o *groupCounter) {
	o.compact()
	g.compact()
	g.keys = append(g.keys, o.keys...)
	g.counts = append(g.counts, o.counts...)
	g.sorted = 0 // counts already set for every key
	g.compactCounted()
	*o = groupCounter{}
}

// compactCounted is compact for keys that all carry counts already.
func (g *groupCounter) compactCounted() {
	n := len(g.keys)
	g.tmpK, g.tmpC = radixSort(g.keys, g.counts, g.tmpK, g.tmpC)
	w := 0
	for i := 0; i < n; i++ {
		if w > 0 && g.keys[w-1] == g.keys[i] {
			g.counts[w-1] += g.counts[i]
			continue
		}
		g.keys[w], g.counts[w] = g.keys[i], g.counts[i]
		w++
	}
	g.keys, g.counts, g.sorted = g.keys[:w], g.counts[:w], w
}

// radixSort sorts keys ascending, carrying vals along (LSD, 8-bit digits,
// skipping digits on which all keys agree). tmp slices are reused.
func radixSort(keys []uint64, vals []uint32, tmpK []uint64, tmpC []uint32) ([]uint64, []uint32) {
	n := len(keys)
	if n < 2 {
		return tmpK, tmpC
	}
	if n < 256 {
		insertionSort(keys, vals)
		return tmpK, tmpC
	}
	var hist [8][256]int
	for _, k := range keys {
		for d := 0; d < 8; d++ {
			hist[d][byte(k>>(8*d))]++
		}
	}
	if cap(tmpK) < n {
		tmpK = make([]uint64, n)
		tmpC = make([]uint32, n)
	}
	tmpK, tmpC = tmpK[:n], tmpC[:n]
	src, srcV, dst, dstV := keys, vals, tmpK, tmpC
	for d := 0; d < 8; d++ {
		h := &hist[d]
		if h[byte(keys[0]>>(8*d))] == n {
			continue // every key has the same digit
		}
		var off [256]int
		sum := 0
		for i := 0; i < 256; i++ {
			off[i] = sum
			sum += h[i]
		}
		shift := uint(8 * d)
		for i, k := range src {
			b := byte(k >> shift)
			o := off[b]
			dst[o], dstV[o] = k, srcV[i]
			off[b] = o + 1
		}
		src, srcV, dst, dstV = dst, dstV, src, srcV
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
		copy(vals, srcV)
	}
	return tmpK, tmpC
}

func insertionSort(keys []uint64, vals []uint32) {
	for i := 1; i < len(keys); i++ {
		k, v := keys[i], vals[i]
		j := i - 1
		for j >= 0 && keys[j] > k {
			keys[j+1], vals[j+1] = keys[j], vals[j]
			j--
		}
		keys[j+1], vals[j+1] = k, v
	}
}
