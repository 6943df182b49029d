package normalize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// textSlow is Text without its plain-text fast path: the reference.
func textSlow(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !nfcSafe(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

var textCases = []string{
	"", " ", "a", "뮤지컬 〈레미제라블〉", " 앞 공백", "뒤 공백 ", "두  칸", "탭\t", "줄\n바꿈", "\x7f", "a\x00b",
	"ＶＩＰ석 170,000원", "“따옴표” — 줄표…", "《책》「낫표」『겹』【괄호】", "\u3000전각공백", "nbsp\u00a0", "zero\u200bwidth",
	"\u2028", "\u202f", "\ufeffbom", "\xff\xfe", "e\u0301", "한\u1100", "Les Misérables", "120분", "VIP석 150,000원 / R석 120,000원",
}

func TestText_FastPathMatchesSlow(t *testing.T) {
	for _, s := range textCases {
		if got, want := Text(s), textSlow(s); got != want {
			t.Errorf("Text(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range textCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Text(s), textSlow(s); got != want {
			t.Errorf("Text(%q) = %q, want %q", s, got, want)
		}
	})
}
