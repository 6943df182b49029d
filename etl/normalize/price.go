package normalize

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"marquee/internal/catalog"
)

var (
	freeWords = []string{"무료", "free", "무료관람", "무료입장", "전석무료"}
	// an amount: "150,000원", "₩55,000", "55000 KRW", "5만원", "5만 5천원", "$25", "¥8,800"
	rePrice     = regexp.MustCompile(`(?i)(₩|\$|US\$|¥|￥|€)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(만\s*(?:(\d)\s*천)?\s*원|천\s*원|원|krw|usd|jpy|eur|엔|달러)?`)
	reGradeTrim = regexp.MustCompile(`^[\s,;:/|·()\[\]-]+|[\s,;:/|·()\[\]:-]+$`)
)

// Prices reads ticket prices: "전석 55,000원", "VIP석 150,000원 / R석
// 120,000원", "무료", "₩55,000", "5만 5천원", "$25". Amounts are whole units
// of the currency (KRW unless marked). An empty text is no prices; text
// without any amount is ErrUnparsed.
func Prices(s string) ([]catalog.Price, error) {
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

func sub(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}
