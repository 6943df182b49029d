package normalize

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"marquee/internal/catalog"
)

// The fast paths of Dates, Runtime, AgeRating and Title (checks that skip an
// expression that cannot match) must not change a result: each is compared
// with its version without them, on strings built from the tokens the
// rules care about.
func TestFastPaths_SameAsBefore(t *testing.T) {
	tokens := []string{"0", "1", "2", "9", "12", "31", "2026", "20261122", "-", ".", "/", " ", "~", "～", " - ", ":", "T", "Z",
		"+09:00", "년", "월", "일", "(토)", "(", ")", "[", "]", "<", ">", "【", "】", "〈", "〉", "단독판매", "재개봉", "개봉예정",
		"미정", "TBA", "19:30", "분", "시간", "약", "h", "H", "m", "min", "PT", "pt", "2H", "10M", "뮤지컬", "A", "\t",
		"부터", "부", "–", "—", "〜", "~ ", " ~", "세", "개월", "만 ", "이상", "관람가", "청소년관람불가", "초등학생 이상", "+", "PG-13"}
	seed := uint32(7)
	next := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return int(seed % uint32(n))
	}
	ref := catalog.Date{Year: 2026, Month: 11, Day: 22}
	cases := []string{"2026-11-22", "2026.11.22", "2026/11/22", "2026-13-01", "2026-02-30", "0001-01-01", "2026-11-22T19:30:00+09:00",
		"2026-11-22 19:30", "120", "PT2H10M", "pt90m", "2시간 30분", "130 min", "[단독판매] 햄릿", "햄릿", "<레미제라블>",
		"2026.12.03 ~ 2027.01.11", "2026.12.03~2027.01.11", "2026.12.03 ~", "~ 2027.01.11", "2026.12.03 ~ 01.05", "~",
		"11월 22일 (토) 19:30", "2026년 11월 22일", "2026.11.01 ～ 2026.12.31", "2026-11-01 - 2026-12-31", "2026.11.01부터",
		"부산 2026.11.01 ~ 2026.11.02", "2026.11.01 ~ 2026.11.02 ~ 2026.11.03", "2026.11.01 ~ 2026.10.01", "2026.02.30 ~ 2026.03.01"}
	for i := 0; i < 100000; i++ {
		var b strings.Builder
		for j := next(8); j >= 0; j-- {
			b.WriteString(tokens[next(len(tokens))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		d1, e1 := Dates(s, ref, seoul)
		d2, e2 := datesRef(s, ref, seoul)
		if d1 != d2 || fmt.Sprint(e1) != fmt.Sprint(e2) || errors.Is(e1, ErrAbsurdDate) != errors.Is(e2, ErrAbsurdDate) {
			t.Fatalf("Dates(%q) = %v, %v; want %v, %v", s, d1, e1, d2, e2)
		}
		r1, e1 := Runtime(s)
		r2, e2 := runtimeRef(s)
		if r1 != r2 || fmt.Sprint(e1) != fmt.Sprint(e2) {
			t.Fatalf("Runtime(%q) = %v, %v; want %v, %v", s, r1, e1, r2, e2)
		}
		a1, e1 := AgeRating(s)
		a2, e2 := ageRatingRef(s)
		if a1 != a2 || fmt.Sprint(e1) != fmt.Sprint(e2) {
			t.Fatalf("AgeRating(%q) = %v, %v; want %v, %v", s, a1, e1, a2, e2)
		}
		t1, g1 := Title(s)
		t2, g2 := titleRef(s)
		if t1 != t2 || !reflect.DeepEqual(g1, g2) {
			t.Fatalf("Title(%q) = %q, %q; want %q, %q", s, t1, g1, t2, g2)
		}
	}
}

// datesRef, runtimeRef and titleRef are Dates, Runtime and Title as they
// were before the fast paths: the references.
func datesRef(s string, ref catalog.Date, loc *time.Location) (DateRange, error) {
	s = Text(s)
	if s == "" {
		return DateRange{}, nil
	}
	low := strings.ToLower(s)
	for _, w := range unknownWords {
		if strings.Contains(low, w) && !strings.ContainsAny(s, "0123456789") {
			return DateRange{}, nil
		}
	}
	if m := reISOTime.FindStringSubmatch(s); m != nil {
		d, err := isoDate(m, loc)
		return DateRange{Start: d}, err
	}
	if strings.ContainsAny(s, "(（") {
		s = reWeekday.ReplaceAllString(s, "")
	}
	parts := []string{s}
	if strings.ContainsAny(s, "~～〜–—부") || strings.Contains(s, " - ") {
		parts = reRange.Split(s, -1)
	}
	if len(parts) > 2 {
		return DateRange{}, fmt.Errorf("%w: date range %q", ErrUnparsed, clip(s))
	}
	start, _, err := oneDateRef(parts[0], ref.Year, ref, true)
	if err != nil {
		return DateRange{}, err
	}
	r := DateRange{Start: start}
	if len(parts) == 2 && strings.TrimSpace(parts[1]) != "" {
		year := ref.Year
		if !start.IsZero() {
			year = start.Year
		}
		end, endHasYear, err := oneDateRef(parts[1], year, ref, false)
		if err != nil {
			return DateRange{}, err
		}
		if !endHasYear && !start.IsZero() && end.Before(start) {
			end = catalog.Date{Year: end.Year + 1, Month: end.Month, Day: end.Day}
		}
		r.End = end
	}
	if r.Start.IsZero() && r.End.IsZero() {
		if strings.TrimSpace(reTime.ReplaceAllString(s, "")) == "" {
			return DateRange{}, nil // a bare time: the date is unknown
		}
		return DateRange{}, fmt.Errorf("%w: date %q", ErrUnparsed, clip(s))
	}
	if !r.Start.IsZero() && !r.End.IsZero() && r.End.Before(r.Start) {
		return DateRange{}, fmt.Errorf("%w: range %q ends before it starts", ErrAbsurdDate, clip(s))
	}
	return r, nil
}
func runtimeRef(s string) (int, error) {
	s = Text(s)
	if s == "" {
		return 0, nil
	}
	if m := reRuntimeISO.FindStringSubmatch(strings.ToUpper(s)); m != nil && (m[1] != "" || m[2] != "") {
		return minutes(m[1], m[2])
	}
	if m := reRuntimeNum.FindStringSubmatch(s); m != nil {
		return minutes("", m[1])
	}
	for _, re := range []*regexp.Regexp{reRuntimeKo, reRuntimeEn} {
		if m := re.FindStringSubmatch(s); m != nil {
			if m[1] != "" {
				return minutes(m[1], m[2])
			}
			return minutes("", m[4])
		}
	}
	return 0, fmt.Errorf("%w: runtime %q", ErrUnparsed, clip(s))
}
func titleRef(s string) (title string, tags []string) {
	s = Text(s)
	out := reBracket.ReplaceAllStringFunc(s, func(m string) string {
		inner := reBracket.FindStringSubmatch(m)[1]
		key := strings.ToUpper(strings.ReplaceAll(inner, " ", ""))
		for _, w := range badgeWords {
			if strings.Contains(key, w) {
				tags = appendUnique(tags, strings.ReplaceAll(inner, " ", ""))
				return " "
			}
		}
		return m
	})
	return Text(out), tags
}

// prefixRegionRef is prefixRegion as it was, over the maps: the reference.
func prefixRegionRef(w string) string {
	best, bestLen := "", 0
	for k, r := range provinceAliases {
		if HasHangul(k) && strings.HasPrefix(w, k) && len(k) > bestLen {
			best, bestLen = r, len(k)
		}
	}
	for k, r := range cityRegions {
		if strings.HasPrefix(w, k) && len(k) > bestLen {
			best, bestLen = r, len(k)
		}
	}
	return best
}

func TestPrefixRegion_SameAsBefore(t *testing.T) {
	var words []string
	for _, m := range []map[string]string{provinceAliases, cityRegions} {
		for k := range m {
			for _, suf := range []string{"", "예술의전당", "시청", "특별시", "광역시 문화회관", "도"} {
				words = append(words, k+suf, "x"+k+suf, k[:len(k)-1]+suf)
			}
		}
	}
	for _, v := range venueRegions {
		words = append(words, v.key)
	}
	for _, w := range words {
		if got, want := prefixRegion(w), prefixRegionRef(w); got != want {
			t.Errorf("prefixRegion(%q) = %q, want %q", w, got, want)
		}
	}
}

// cleanURLRef is cleanURL without its plain-URL fast path: the reference.
func cleanURLRef(u, base string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > 4096 {
		return ""
	}
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	if !pu.IsAbs() && base != "" {
		bu, err := url.Parse(base)
		if err != nil {
			return ""
		}
		pu = bu.ResolveReference(pu)
	}
	if pu.Scheme != "http" && pu.Scheme != "https" || pu.Host == "" {
		return ""
	}
	return pu.String()
}

func TestCleanURL_SameAsBefore(t *testing.T) {
	parts := []string{"http://", "https://", "HTTPS://", "nol.example.kr", "a-b.c", "Host", "127.0.0.1", ":8080", "/", "/p", "/0",
		"/img/x.jpg", "//", "/./", "/../", "?a=1", "#f", "%41", " ", "~", "_", ".", "-", "é", "@", "[::1]"}
	seed := uint32(3)
	next := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return int(seed % uint32(n))
	}
	cases := []string{"https://nol.example.kr/p/0", "http://a", "https://a/", "https://.a/", "https://a..b/c", "https://-a/",
		"/img/nol/0.jpg", "/", "//cdn/x.jpg", "/a/./b", "/a/../b", "/.x", "/a/", " /a "}
	for i := 0; i < 30000; i++ {
		var b strings.Builder
		for j := next(6); j >= 0; j-- {
			b.WriteString(parts[next(len(parts))])
		}
		cases = append(cases, b.String())
	}
	for _, u := range cases {
		for _, base := range []string{"", "https://nol.example.kr/p/1", "http://a.kr", "https://a.kr/x/?q=1", "ftp://a/b", "https://a/b/../c"} {
			if got, want := cleanURL(u, base), cleanURLRef(u, base); got != want {
				t.Fatalf("cleanURL(%q, %q) = %q, want %q", u, base, got, want)
			}
		}
	}
}

// matchTitleRef and mergeKeyRef are MatchTitle and MergeKey as they were:
// the references.
func matchTitleRef(title string) string {
	t := strings.ToLower(Text(title))
	for _, p := range genrePrefixes {
		if strings.HasPrefix(t, p) && len(t) > len(p) {
			t = t[len(p):]
			break
		}
	}
	var b strings.Builder
	for _, r := range t {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mergeKeyRef(r *catalog.Release) string {
	if r.StartDate.IsZero() || (r.Region == "" && r.Venue == "") {
		return ""
	}
	t := matchTitleRef(r.Title)
	if t == "" {
		return ""
	}
	return string(r.Kind) + "\x00" + t + "\x00" + r.StartDate.String() + "\x00" + r.Region
}

func TestMergeKey_SameAsBefore(t *testing.T) {
	tokens := []string{"뮤지컬", "연극", "Musical", "MUSICAL", "concert", "Concert ", "〈", "〉", "《", "레미제라블", "A", "z", "Z", "0", "9",
		" ", "-", "…", "“", "Ａ", "ｂ", "\u212a", "É", "é", "ß", "İ", "[단독]", "(재개봉)", "!", "e\u0301", "一", "ǅ"}
	seed := uint32(11)
	next := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return int(seed % uint32(n))
	}
	for i := 0; i < 40000; i++ {
		var b strings.Builder
		for j := next(7); j >= 0; j-- {
			b.WriteString(tokens[next(len(tokens))])
		}
		title := b.String()
		if got, want := MatchTitle(title), matchTitleRef(title); got != want {
			t.Fatalf("MatchTitle(%q) = %q, want %q", title, got, want)
		}
		r := &catalog.Release{Kind: catalog.KindPerformance, Title: title, Region: []string{"", "서울특별시"}[i%2],
			Venue: []string{"", "극장"}[i/2%2], StartDate: []catalog.Date{{}, {Year: 2026, Month: 11, Day: 22}, {Year: 2026, Month: 2, Day: 30}}[i%3]}
		if got, want := MergeKey(r), mergeKeyRef(r); got != want {
			t.Fatalf("MergeKey(%+v) = %q, want %q", r, got, want)
		}
	}
}

// ageRatingRef is AgeRating as it was: the reference.
func ageRatingRef(s string) (string, error) {
	s = Text(s)
	if s == "" {
		return "", nil
	}
	low := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	for _, w := range ratingWords {
		if len(w.word) <= 5 { // short English codes must match exactly
			if low == w.word {
				return w.rating, nil
			}
			continue
		}
		if strings.Contains(low, strings.ReplaceAll(w.word, " ", "")) {
			return w.rating, nil
		}
	}
	if reAgeMonths.MatchString(s) && !reAge.MatchString(s) {
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

// oneDateRef is oneDate as it was: the reference.
func oneDateRef(s string, defYear int, ref catalog.Date, infer bool) (catalog.Date, bool, error) {
	if strings.Contains(s, ":") {
		s = reTime.ReplaceAllString(s, " ")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return catalog.Date{}, false, nil
	}
	if m := reYMD.FindStringSubmatch(s); m != nil {
		d, err := mkDate(m[0], m[1], m[2], m[3], ref)
		return d, true, err
	}
	if m := reYMDComp.FindStringSubmatch(s); m != nil {
		d, err := mkDate(m[0], m[1], m[2], m[3], ref)
		return d, true, err
	}
	if m := reMD.FindStringSubmatch(s); m != nil {
		if defYear == 0 {
			return catalog.Date{}, false, fmt.Errorf("%w: %q has no year and there is no logical date", ErrUnparsed, clip(s))
		}
		d, err := mkDate(m[0], strconv.Itoa(defYear), m[1], m[2], ref)
		if err != nil || !infer || ref.IsZero() {
			return d, false, err
		}
		// Roll over at New Year: "01.05" read on 2026-12-20 is 2027-01-05;
		// "12.28" read on 2027-01-03 is 2026-12-28.
		refT, dT := ref.Time(time.UTC), d.Time(time.UTC)
		switch {
		case dT.Before(refT.AddDate(0, -3, 0)):
			d = catalog.Date{Year: d.Year + 1, Month: d.Month, Day: d.Day}
		case dT.After(refT.AddDate(0, 9, 0)):
			d = catalog.Date{Year: d.Year - 1, Month: d.Month, Day: d.Day}
		}
		if d.Month == time.February && d.Day == 29 && !validDay(d.Year, d.Month, d.Day) {
			return catalog.Date{}, false, fmt.Errorf("%w: %q", ErrAbsurdDate, m[0])
		}
		return d, false, nil
	}
	return catalog.Date{}, false, nil
}
