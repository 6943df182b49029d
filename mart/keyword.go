package mart

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalizeKeyword is the search_keywords_daily key of a raw search string:
// NFC, then every run of Unicode white space (unicode.IsSpace: ASCII
// spaces and controls \t\n\v\f\r, U+0085, U+00A0, U+3000 and the other Z
// separators) collapsed to one ASCII space, trimmed at both ends, then
// lower-cased (unicode.ToLower, no locale). An empty result means "no
// keyword": such searches are not counted.
func NormalizeKeyword(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
