package normalize

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"marquee/internal/catalog"
)

var (
	reAge       = regexp.MustCompile(`(\d{1,2})\s*(?:세|살|years?|\+|yrs?)`)
	reAgeMonths = regexp.MustCompile(`(\d{1,2})\s*개월`)
	reAgeBare   = regexp.MustCompile(`^(?:만\s*)?(\d{1,2})$`)
	ratingWords = []struct{ word, rating string }{
		{"청소년관람불가", catalog.Rating19}, {"청소년이용불가", catalog.Rating19}, {"청불", catalog.Rating19},
		{"제한상영가", catalog.Rating19}, {"성인", catalog.Rating19}, {"restricted", catalog.Rating19}, {"nc-17", catalog.Rating19},
		{"전체관람가", catalog.RatingAll}, {"전체이용가", catalog.RatingAll}, {"전체연령", catalog.RatingAll}, {"모든연령", catalog.RatingAll},
		{"전연령", catalog.RatingAll}, {"누구나", catalog.RatingAll}, {"all", catalog.RatingAll},
		{"미취학아동입장불가", catalog.Rating7}, {"초등학생이상", catalog.Rating7}, {"초등학생 이상", catalog.Rating7},
		{"중학생이상", catalog.Rating12}, {"고등학생이상", catalog.Rating15},
		{"pg-13", catalog.Rating12}, {"pg13", catalog.Rating12}, {"r", catalog.Rating19}, {"g", catalog.RatingAll}, {"pg", catalog.Rating7},
	}
)

// ratingWordsNoSpace are the words of ratingWords without spaces.
var ratingWordsNoSpace = func() []string {
	out := make([]string, len(ratingWords))
	for i, w := range ratingWords {
		out[i] = strings.ReplaceAll(w.word, " ", "")
	}
	return out
}()

// AgeRating maps an age rating text to ALL, 7, 12, 15 or 19: "전체관람가",
// "12세이상관람가", "15세 이상", "청소년관람불가", "만 7세 이상", "36개월 이상",
// "PG-13". An age between buckets takes the next stricter bucket (8세 → 12).
// An empty text is "" without error; unreadable text is ErrUnparsed.
func AgeRating(s string) (string, error) {
	s = Text(s)
	if s == "" {
		return "", nil
	}
	low := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	for i, w := range ratingWords {
		if len(w.word) <= 5 { // short English codes must match exactly
			if low == w.word {
				return w.rating, nil
			}
			continue
		}
		if strings.Contains(low, ratingWordsNoSpace[i]) {
			return w.rating, nil
		}
	}
	if strings.Contains(s, "개월") && reAgeMonths.MatchString(s) && !reAge.MatchString(s) { // reAgeMonths needs 개월
		return catalog.RatingAll, nil
	}
	m := reAge.FindStringSubmatch(low)
	if m == nil {
		m = reAgeBare.FindStringSubmatch(low)
	}
	if m == nil {
		return "", fmt.Errorf("%w: age rating %q", ErrUnparsed, clip(s))
	}
	n, _ := strconv.Atoi(m[1])
	return ratingBucket(n), nil
}

func ratingBucket(n int) string {
	switch {
	case n <= 0:
		return catalog.RatingAll
	case n <= 7:
		return catalog.Rating7
	case n <= 12:
		return catalog.Rating12
	case n <= 15:
		return catalog.Rating15
	default:
		return catalog.Rating19
	}
}
