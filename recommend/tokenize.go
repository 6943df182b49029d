package recommend

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DefaultStopWords are the words Tokenize drops: common English function
// words and Korean conjunctions/particles that stand alone as words.
var DefaultStopWords = []string{
	"a", "an", "and", "the", "of", "in", "on", "at", "to", "for", "with", "by", "from", "or", "is",
	"및", "등", "그리고", "또는", "의", "와", "과", "를", "을", "은", "는", "이", "가", "에", "에서",
}

// Tokenizer splits text into the terms of the similarity model.
//
// Text is NFC-normalised, then cut into runs of one script class:
//   - Hangul syllables (and other CJK: Han, Hiragana, Katakana) give
//     overlapping syllable bigrams ("레미제라블" → 레미 미제 제라 라블), or
//     the syllable itself for a one-syllable word ("꿈" → 꿈);
//   - other letters and digits give one lower-cased word ("BTS" → bts,
//     "2026" → 2026);
//   - everything else separates.
//
// A word equal to a stop word is dropped whole; an emitted token equal to a
// stop word is dropped too. The zero value has no stop words. A Tokenizer is
// immutable after construction and safe for concurrent use.
type Tokenizer struct {
	stop map[string]struct{}
	// stopSeen has the bit stopBit(w) of every stop word set, so that most
	// tokens are known not to be stop words without a map look-up.
	stopSeen [stopBits / 64]uint64
}

const stopBits = 1 << 12

// stopBit hashes a non-empty word's length and first and last bytes.
func stopBit(w string) uint32 {
	return (uint32(len(w))*0x9E3779B1 ^ uint32(w[0])<<8 ^ uint32(w[len(w)-1])) * 0x85EBCA6B >> (32 - 12)
}

// NewTokenizer returns a Tokenizer with the given stop words (compared after
// NFC and lower-casing).
func NewTokenizer(stopWords []string) *Tokenizer {
	t := &Tokenizer{stop: make(map[string]struct{}, len(stopWords))}
	for _, w := range stopWords {
		w = strings.ToLower(norm.NFC.String(strings.TrimSpace(w)))
		if w != "" {
			t.stop[w] = struct{}{}
			b := stopBit(w)
			t.stopSeen[b/64] |= 1 << (b % 64)
		}
	}
	return t
}

var defaultTokenizer = NewTokenizer(DefaultStopWords)

// Tokenize splits s with the default tokenizer (DefaultStopWords).
func Tokenize(s string) []string { return defaultTokenizer.Tokens(s) }

// Tokens returns the tokens of s in text order (duplicates kept).
func (t *Tokenizer) Tokens(s string) []string { return t.Append(nil, s) }

// Append appends the tokens of s to dst and returns it.
func (t *Tokenizer) Append(dst []string, s string) []string {
	if !plainNFC(s) && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		c := classOf(r)
		if c == classSep {
			i += size
			continue
		}
		j := i + size
		for j < len(s) {
			r2, size2 := utf8.DecodeRuneInString(s[j:])
			if classOf(r2) != c {
				break
			}
			j += size2
		}
		dst = t.appendRun(dst, s[i:j], c)
		i = j
	}
	return dst
}

func (t *Tokenizer) appendRun(dst []string, run string, c runeClass) []string {
	switch c {
	case classWord:
		w := run
		if hasUpper(w) {
			w = strings.ToLower(w)
		}
		if !t.isStop(w) {
			dst = append(dst, w)
		}
	case classHangul, classCJK:
		if t.isStop(run) {
			return dst
		}
		_, first := utf8.DecodeRuneInString(run)
		if first == len(run) { // one syllable: a unigram
			return append(dst, run)
		}
		for a := 0; a < len(run); {
			_, sa := utf8.DecodeRuneInString(run[a:])
			b := a + sa
			if b >= len(run) {
				break
			}
			_, sb := utf8.DecodeRuneInString(run[b:])
			if tok := run[a : b+sb]; !t.isStop(tok) {
				dst = append(dst, tok)
			}
			a = b
		}
	}
	return dst
}

func (t *Tokenizer) isStop(w string) bool {
	if len(t.stop) == 0 || w == "" {
		return false
	}
	if b := stopBit(w); t.stopSeen[b/64]&(1<<(b%64)) == 0 {
		return false
	}
	_, ok := t.stop[w]
	return ok
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

type runeClass uint8

const (
	classSep runeClass = iota
	classWord
	classHangul
	classCJK
)

func classOf(r rune) runeClass {
	switch {
	case r < 0x80:
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z') {
			return classWord
		}
		return classSep
	case 0xAC00 <= r && r <= 0xD7A3:
		return classHangul
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
		return classCJK
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return classWord
	}
	return classSep
}

// plainNFC reports whether s holds only ASCII and precomposed Hangul
// syllables, which is NFC already (nothing in it decomposes or composes):
// a cheap test that spares most Korean catalog text the NFC tables.
func plainNFC(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < 0xAC00 || r > 0xD7A3 {
			return false
		}
		i += n
	}
	return true
}
