package normalize

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"marquee/internal/catalog"
)

// The expressions priceMatches and gradeCutset replaced: the references.
var (
	rePrice     = regexp.MustCompile(`(?i)(₩|\$|US\$|¥|￥|€)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(만\s*(?:(\d)\s*천)?\s*원|천\s*원|원|krw|usd|jpy|eur|엔|달러)?`)
	reGradeTrim = regexp.MustCompile(`^[\s,;:/|·()\[\]-]+|[\s,;:/|·()\[\]:-]+$`)
)

var priceCases = []string{
	"", "전석 55,000원", "VIP석 150,000원 / R석 120,000원", "₩55,000", "55000 KRW", "5만원", "5만 5천원", "5만 55천원",
	"5 만 5 천 원", "만원", "3천원", "3 천 원", "$25", "US$ 25.50", "us$1", "uſ$1", "¥8,800", "￥8800엔", "€ 12.5 EUR",
	"10 eur", "10 Kʀw", "10 \u212arw", "10 uſd", "10달러", "1층 R석 5,000원", "1,2345", "1234,567", "12,345,678원",
	"12,34", "1.234원", "1.5만원", "  7  ", "(R석) 70,000원 -", "$ 원", "₩₩5", "5₩", "9,999,999,999,999,999,999원",
	"가격: 전석 무료", "A석/B석 10,000원·20,000원", "\t5\n원", "5 \f원", "0원", "VIP 1,000,000,000원", "무료", "전석 무료", "FREE 5", "1,000", "+1,000", "-5", "1_000", "100000001", "１２",
}

func TestPriceMatches_SameAsRegexp(t *testing.T) {
	for _, s := range priceCases {
		checkPriceMatches(t, s)
	}
}

func checkPriceMatches(t *testing.T, s string) {
	t.Helper()
	want := rePrice.FindAllStringSubmatchIndex(s, -1)
	var got [][]int
	for _, m := range priceMatches(s) {
		got = append(got, m[:])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("priceMatches(%q) = %v, want %v", s, got, want)
	}
	if got, want := strings.Trim(s, gradeCutset), reGradeTrim.ReplaceAllString(s, ""); got != want {
		t.Errorf("grade trim of %q = %q, want %q", s, got, want)
	}
	ps, perr := Prices(s)
	ref, rerr := pricesRef(s)
	if !reflect.DeepEqual(ps, ref) || fmt.Sprint(perr) != fmt.Sprint(rerr) {
		t.Errorf("Prices(%q) = %v, %v; want %v, %v", s, ps, perr, ref, rerr)
	}
}

func FuzzPriceMatches(f *testing.F) {
	for _, s := range priceCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.ContainsRune(s, '\uFFFD') && strings.ToValidUTF8(s, "\uFFFD") == s {
			checkPriceMatches(t, s)
		}
	})
}

// TestPriceMatches_RandomTokens compares on strings made of the tokens the
// expression cares about, which random bytes seldom hit.
func TestPriceMatches_RandomTokens(t *testing.T) {
	tokens := []string{"0", "1", "5", "12", "123", "1234", ",", ".", " ", "\t", "만", "천", "원", "엔", "달러", "krw", "KRW",
		"\u212a", "usd", "uſ", "jpy", "EuR", "₩", "$", "US", "us", "¥", "￥", "€", "석", "R", "(", ")", "/", "-", "·", "무료"}
	seed := uint32(1)
	next := func(n int) int { // xorshift: the same strings on every run
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return int(seed % uint32(n))
	}
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		for j := next(12); j >= 0; j-- {
			b.WriteString(tokens[next(len(tokens))])
		}
		checkPriceMatches(t, b.String())
		if t.Failed() {
			return
		}
	}
}

func BenchmarkPrices(b *testing.B) {
	for b.Loop() {
		_, _ = Prices("VIP석 179,000원 / R석 141,000원 / S석 66,000원")
	}
}

// pricesRef is Prices as it was with the regular expressions: the reference.
func pricesRef(s string) ([]catalog.Price, error) {
	s = Text(s)
	if s == "" {
		return nil, nil
	}
	low := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	for _, w := range freeWords {
		if low == w || (strings.Contains(low, w) && !strings.ContainsAny(s, "0123456789")) {
			return []catalog.Price{{Grade: "전석", Amount: 0, Currency: "KRW"}}, nil
		}
	}
	if n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64); err == nil && n >= 0 && n <= 100_000_000 {
		return []catalog.Price{{Grade: "전석", Amount: n, Currency: "KRW"}}, nil // a bare amount (JSON APIs)
	}
	var out []catalog.Price
	rest := 0
	for _, m := range rePrice.FindAllStringSubmatchIndex(s, -1) {
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
		grade := reGradeTrim.ReplaceAllString(s[rest:m[0]], "")
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
