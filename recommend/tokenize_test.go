package recommend

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"marquee/internal/catalog"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"hangul word gives syllable bigrams", "레미제라블", []string{"레미", "미제", "제라", "라블"}},
		{"one-syllable hangul word is a unigram", "꿈 속의 별", []string{"꿈", "속의", "별"}},
		{"latin words are lower-cased", "BTS World Tour", []string{"bts", "world", "tour"}},
		{"numbers are kept", "2026 시즌 3", []string{"2026", "시즌", "3"}},
		{"hangul and digits split", "뮤지컬2026년", []string{"뮤지", "지컬", "2026", "년"}},
		{"punctuation separates", "오페라의 유령(The Phantom of the Opera)", []string{"오페", "페라", "라의", "유령", "phantom", "opera"}},
		{"stop words drop whole words", "및 그리고 the", nil},
		{"stop-word bigram inside a word is dropped", "서울에서", []string{"서울", "울에"}},
		{"han characters are bigrammed", "東京公演", []string{"東京", "京公", "公演"}},
		{"accented latin kept as a word", "Café Müller", []string{"café", "müller"}},
		{"empty", "  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenizeNormalisesToNFC(t *testing.T) {
	nfd := norm.NFD.String("레미제라블")
	if nfd == "레미제라블" {
		t.Fatal("fixture is not decomposed")
	}
	if got, want := Tokenize(nfd), Tokenize("레미제라블"); !reflect.DeepEqual(got, want) {
		t.Errorf("NFD input: got %q, want %q", got, want)
	}
}

func TestTokenizerCustomStopWords(t *testing.T) {
	tok := NewTokenizer([]string{"뮤지컬", " LIVE "})
	got := tok.Tokens("뮤지컬 캣츠 Live")
	if want := []string{"캣츠"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	var zero Tokenizer
	if got := zero.Tokens("the 및"); !reflect.DeepEqual(got, []string{"the", "및"}) {
		t.Errorf("zero Tokenizer has stop words: %q", got)
	}
}

func TestTokenizeNeverReturnsInvalidOrEmpty(t *testing.T) {
	inputs := []string{"\xff\xfe깨진", "a\u200bb", "ㄱㄴㄷ 자모", strings.Repeat("가", 1000)}
	for _, in := range inputs {
		for _, tok := range Tokenize(in) {
			if tok == "" || !norm.NFC.IsNormalString(tok) {
				t.Errorf("Tokenize(%q): bad token %q", in, tok)
			}
		}
	}
}

func TestPlainNFC(t *testing.T) {
	nfc := "뮤지컬 레미제라블 Les Mis 2026"
	nfd := norm.NFD.String(nfc)
	for _, tc := range []struct {
		s    string
		want bool
	}{{nfc, true}, {"", true}, {nfd, false}, {"café", false}, {"가\u11a8", false}} {
		if got := plainNFC(tc.s); got != tc.want {
			t.Errorf("plainNFC(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
	if a, b := Tokenize(nfc), Tokenize(nfd); !reflect.DeepEqual(a, b) {
		t.Errorf("NFD text tokenizes differently: %q vs %q", b, a)
	}
}

// featWorker's count table grows past its first size (128 slots, half
// full) and still gives every term the count a map of counts gives.
func TestFeatWorkerCountsLongDocuments(t *testing.T) {
	f := NewFeaturizer(DefaultFieldWeights, nil)
	var words []string
	for i := range 300 {
		words = append(words, fmt.Sprintf("단어%d word%d", i%150, i))
	}
	r := &catalog.Release{ID: "x", Title: "오페라의 유령", Genres: []string{"뮤지컬"}, Description: strings.Join(words, " ")}
	texts := FieldTexts(r)
	want := map[string]float64{}
	f.WeightedTokens(&texts, func(tok string, w float64) { want[tok] += w })
	if len(want) < 200 {
		t.Fatalf("only %d distinct terms: the table would not grow", len(want))
	}
	v := newVocabulary()
	dt := newFeatWorker(f, v).featurize(&document{id: r.ID, texts: texts})
	terms := v.terms()
	if len(dt.terms) != len(want) {
		t.Fatalf("%d terms, want %d", len(dt.terms), len(want))
	}
	for i, id := range dt.terms {
		if tok := terms[id]; dt.tfs[i] != want[tok] {
			t.Errorf("%q: count %v, want %v", tok, dt.tfs[i], want[tok])
		}
	}
}
