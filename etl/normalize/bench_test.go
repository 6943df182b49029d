package normalize

import (
	"marquee/internal/catalog"
	"testing"
)

// BenchmarkRelease normalises the Korean fixtures (a content hash included).
func BenchmarkRelease(b *testing.B) {
	var raws []catalog.RawRecord
	for _, f := range []string{"ticketlink", "nol", "cinema", "globalapi"} {
		raws = append(raws, readRaw(&testing.T{}, "../testdata/raw/"+f+".jsonl")...)
	}
	o := Options{Ref: d(2026, 11, 22), Loc: seoul}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r, _, err := Release(&raws[i%len(raws)], o)
		if err == nil {
			_ = ContentHash(r)
		}
	}
}
