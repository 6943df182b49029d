package recommend

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTokCacheMatchesMap puts and gets tokens of every length (Hangul
// bigrams, Latin words, long ones that go to the map, ones that differ
// only in length or a trailing zero byte) and checks each against a map.
func TestTokCacheMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	syll := []rune("레미제라블오페라의유령뮤지컬서울부산")
	var toks []string
	for range 50000 {
		var b strings.Builder
		switch rng.IntN(3) {
		case 0:
			for range 1 + rng.IntN(3) {
				b.WriteRune(syll[rng.IntN(len(syll))])
			}
		case 1:
			for range 1 + rng.IntN(16) {
				b.WriteByte(byte('a' + rng.IntN(3)))
			}
		default:
			b.WriteString("x\x00"[:1+rng.IntN(2)])
		}
		toks = append(toks, b.String())
	}
	c := newTokCache()
	want := map[string]int32{}
	for i, tok := range toks {
		id, ok := c.get(tok)
		wid, wok := want[tok]
		if ok != wok || (ok && id != wid) {
			t.Fatalf("get(%q) = %d, %v; want %d, %v", tok, id, ok, wid, wok)
		}
		if !ok {
			c.put(tok, int32(i))
			want[tok] = int32(i)
		}
	}
	for tok, wid := range want {
		if id, ok := c.get(tok); !ok || id != wid {
			t.Fatalf("after growing: get(%q) = %d, %v; want %d", tok, id, ok, wid)
		}
	}
	if len(c.slots) <= 1<<12 {
		t.Errorf("the table never grew (%d slots for %d tokens)", len(c.slots), len(want))
	}
}
