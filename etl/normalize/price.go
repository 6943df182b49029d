package normalize

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"marquee/internal/catalog"
)

var (
	freeWords = []string{"무료", "free", "무료관람", "무료입장", "전석무료"}
)

// gradeCutset is what is trimmed off both ends of a price grade (the
// separators between prices): RE2's \s and , ; : / | · ( ) [ ] -.
const gradeCutset = "\t\n\f\r ,;:/|·()[]-"

// Prices reads ticket prices: "전석 55,000원", "VIP석 150,000원 / R석
// 120,000원", "무료", "₩55,000", "5만 5천원", "$25". Amounts are whole units
// of the currency (KRW unless marked). An empty text is no prices; text
// without any amount is ErrUnparsed.
func Prices(s string) ([]catalog.Price, error) {
	s = Text(s)
	if s == "" {
		return nil, nil
	}
	if !strings.ContainsAny(s, "0123456789") { // no free word has a digit
		low := strings.ToLower(strings.ReplaceAll(s, " ", ""))
		for _, w := range freeWords {
			if strings.Contains(low, w) {
				return []catalog.Price{{Grade: "전석", Amount: 0, Currency: "KRW"}}, nil
			}
		}
	}
	if strings.Trim(s, "0123456789,+-") == "" { // what ParseInt may read
		if n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64); err == nil && n >= 0 && n <= 100_000_000 {
			return []catalog.Price{{Grade: "전석", Amount: n, Currency: "KRW"}}, nil // a bare amount (JSON APIs)
		}
	}
	var out []catalog.Price
	rest := 0
	for _, mm := range priceMatches(s) {
		m := mm[:]
		sym := sub(s, m, 1)
		num := strings.ReplaceAll(sub(s, m, 2), ",", "")
		unit := strings.ToLower(strings.ReplaceAll(sub(s, m, 4), " ", ""))
		if sym == "" && unit == "" {
			continue // a bare number: a seat count, a grade like "1층", ...
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: price %q", ErrUnparsed, clip(s))
		}
		cur := "KRW"
		switch {
		case sym == "$" || strings.EqualFold(sym, "US$") || unit == "usd" || unit == "달러":
			cur = "USD"
		case sym == "¥" || sym == "￥" || unit == "jpy" || unit == "엔":
			cur = "JPY"
		case sym == "€" || unit == "eur":
			cur = "EUR"
		}
		switch {
		case strings.HasPrefix(unit, "만"):
			n *= 10000
			if th := sub(s, m, 5); th != "" {
				k, _ := strconv.ParseInt(th, 10, 64)
				n += k * 1000
			}
		case strings.HasPrefix(unit, "천"):
			n *= 1000
		}
		if n > 100_000_000 {
			return nil, fmt.Errorf("%w: price %q over 100,000,000", ErrUnparsed, clip(s))
		}
		grade := strings.Trim(s[rest:m[0]], gradeCutset)
		rest = m[1]
		if g := strings.ToLower(grade); g == "전석" || g == "" || g == "all" {
			if grade == "" {
				grade = "전석"
			}
		}
		out = append(out, catalog.Price{Grade: grade, Amount: n, Currency: cur})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: price %q", ErrUnparsed, clip(s))
	}
	return out, nil
}

func sub(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

// priceMatches finds the amounts of s: what FindAllStringSubmatchIndex of
// the regular expression
//
//	(?i)(₩|\$|US\$|¥|￥|€)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(만\s*(?:(\d)\s*천)?\s*원|천\s*원|원|krw|usd|jpy|eur|엔|달러)?
//
// returns ("150,000원", "₩55,000", "55000 KRW", "5만원", "5만 5천원", "$25",
// "¥8,800"), by hand: a scanner is many times cheaper than the backtracker
// (price_test.go fuzzes one against the other). Groups: 1 symbol, 2 number,
// 3 decimals, 4 unit, 5 the thousands digit of "5만 5천원".
func priceMatches(s string) [][12]int {
	out := make([][12]int, 0, 4)
	var m [12]int
	for p := 0; p < len(s); {
		if !priceStart(s[p]) || !priceMatchAt(s, p, &m) {
			p++
			continue
		}
		out = append(out, m)
		p = m[1]
	}
	return out
}

// priceStart reports whether a match can start with byte c: a digit, \s,
// or the first byte of a symbol ($, US$, ₩ and € E2, ¥ C2, ￥ EF).
func priceStart(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\f', '\r', '$', 'U', 'u', 0xE2, 0xC2, 0xEF:
		return true
	}
	return isDigit(c)
}

// priceMatchAt matches the expression of priceMatches at p (RE2's
// leftmost-first choices: every part after the number is optional, so the
// greedy path is the match).
func priceMatchAt(s string, p int, m *[12]int) bool {
	*m = [12]int{p, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
	if n := priceSymbol(s, p); n > 0 {
		if priceNumber(s, skipSpace(s, p+n), m) {
			m[2], m[3] = p, p+n
			return true
		}
	}
	return priceNumber(s, skipSpace(s, p), m)
}

// priceNumber matches \d… from r on, sets groups 2 to 5 and the end.
func priceNumber(s string, r int, m *[12]int) bool {
	d := digits(s, r)
	if d == 0 {
		return false
	}
	j := r + d
	if d <= 3 && j+4 <= len(s) && s[j] == ',' && digits(s[:j+4], j+1) == 3 {
		for j+4 <= len(s) && s[j] == ',' && digits(s[:j+4], j+1) == 3 {
			j += 4
		}
	}
	m[4], m[5] = r, j
	if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		k := j + 2
		if k < len(s) && isDigit(s[k]) {
			k++
		}
		m[6], m[7] = j+1, k
		j = k
	}
	j = skipSpace(s, j)
	m[1] = j
	if e, th := priceUnit(s, j); e > j {
		m[8], m[9] = j, e
		if th >= 0 {
			m[10], m[11] = th, th+1
		}
		m[1] = e
	}
	return true
}

// priceUnit matches the unit at u: its end (u when none) and the offset of
// the thousands digit of "만 N천 원" (-1 when none).
func priceUnit(s string, u int) (end, thousand int) {
	switch {
	case strings.HasPrefix(s[u:], "만"):
		k := skipSpace(s, u+len("만"))
		if k < len(s) && isDigit(s[k]) {
			if c := skipSpace(s, k+1); strings.HasPrefix(s[c:], "천") {
				if w := skipSpace(s, c+len("천")); strings.HasPrefix(s[w:], "원") {
					return w + len("원"), k
				}
			}
		}
		if strings.HasPrefix(s[k:], "원") {
			return k + len("원"), -1
		}
	case strings.HasPrefix(s[u:], "천"):
		if w := skipSpace(s, u+len("천")); strings.HasPrefix(s[w:], "원") {
			return w + len("원"), -1
		}
	case strings.HasPrefix(s[u:], "원"):
		return u + len("원"), -1
	case strings.HasPrefix(s[u:], "엔"):
		return u + len("엔"), -1
	case strings.HasPrefix(s[u:], "달러"):
		return u + len("달러"), -1
	}
	for _, w := range []string{"krw", "usd", "jpy", "eur"} {
		if n := foldPrefix(s[u:], w); n > 0 {
			return u + n, -1
		}
	}
	return u, -1
}

// priceSymbol is the length of the currency symbol at p, or 0.
func priceSymbol(s string, p int) int {
	for _, sym := range []string{"₩", "$", "¥", "￥", "€"} {
		if strings.HasPrefix(s[p:], sym) {
			return len(sym)
		}
	}
	return foldPrefix(s[p:], "us$")
}

// foldPrefix is the length of the prefix of s that equals the lower-case
// ASCII word w under RE2's (?i) (simple case folding: k also matches the
// Kelvin sign, s the long s), or 0.
func foldPrefix(s, w string) int {
	i := 0
	for j := 0; j < len(w); j++ {
		if i >= len(s) {
			return 0
		}
		c := w[j]
		if s[i] == c || 'a' <= c && c <= 'z' && s[i] == c-'a'+'A' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if c == 'k' && r == '\u212a' || c == 's' && r == '\u017f' {
			i += n
			continue
		}
		return 0
	}
	return i
}

// skipSpace skips RE2's \s ([\t\n\f\r ]) from i.
func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case '\t', '\n', '\f', '\r', ' ':
			i++
		default:
			return i
		}
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits counts the ASCII digits of s from i.
func digits(s string, i int) int {
	n := 0
	for i+n < len(s) && isDigit(s[i+n]) {
		n++
	}
	return n
}
