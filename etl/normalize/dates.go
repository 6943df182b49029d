package normalize

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"marquee/internal/catalog"
)

// ErrAbsurdDate is a date that looks like a date but cannot be one (month
// 13, 30 February, year 0001 or 9999). Records carrying one are quarantined.
var ErrAbsurdDate = errors.New("absurd date")

// ErrUnparsed is a field text no rule could read; the field is left empty.
var ErrUnparsed = errors.New("cannot parse")

// DateRange is a start and an optional end; zero dates are unknown.
type DateRange struct {
	Start, End catalog.Date
}

// MaxYearsAhead bounds how far after the logical date a date may lie before
// it is absurd; dates before MinYear are absurd too.
const (
	MaxYearsAhead = 20
	MinYear       = 1900
)

// unknownWords mark a date the site does not know yet.
var unknownWords = []string{"개봉예정", "개봉 예정", "미정", "추후공지", "추후 공지", "추후발표", "추후 발표", "공개예정", "coming soon", "tba", "tbd", "미공개", "준비중", "상시"}

var (
	reWeekday = regexp.MustCompile(`\s*[(（]\s*[월화수목금토일](?:요일)?\s*[)）]`)
	reTime    = regexp.MustCompile(`\b\d{1,2}:\d{2}(?::\d{2})?\b`)
	reISOTime = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$`)
	reYMD     = regexp.MustCompile(`(\d{4})\s*(?:[./-]|년)\s*(\d{1,2})\s*(?:[./-]|월)\s*(\d{1,2})\s*일?`)
	reYMDComp = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reMD      = regexp.MustCompile(`(\d{1,2})\s*(?:[./]|월)\s*(\d{1,2})\s*일?`)
	reRange   = regexp.MustCompile(`\s*(?:~|～|〜|–|—|\s-\s|부터)\s*`)
)

// Dates reads a date or a date range as Korean and international sites write
// them, all as calendar dates in loc:
//
//	2026.11.22 · 2026-11-22 · 2026/11/22 · 20261122 · 2026년 11월 22일
//	11.22(토) · 11월 22일 (year from ref, rolling over at New Year)
//	2026.11.01 ~ 2026.12.31 · 2026.12.28 ~ 01.05 (end year inferred)
//	2026-11-22T10:30:00Z (converted to loc) · 2026.11.22 19:30 (time dropped)
//	개봉예정 · 미정 · TBA (unknown: zero range, nil error)
//
// ref is the logical date. A bare time ("19:30") is an unknown date. Text no
// rule reads is ErrUnparsed; impossible dates are ErrAbsurdDate.
func Dates(s string, ref catalog.Date, loc *time.Location) (DateRange, error) {
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
	if plainYMD(s) { // 2026-11-22, 2026.11.22, 2026/11/22: what reYMD would read
		d, err := mkDate(s, s[:4], s[5:7], s[8:10], ref)
		if err != nil {
			return DateRange{}, err
		}
		return DateRange{Start: d}, nil
	}
	if len(s) >= 16 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') { // what reISOTime needs
		if m := reISOTime.FindStringSubmatch(s); m != nil {
			d, err := isoDate(m, loc)
			return DateRange{Start: d}, err
		}
	}
	if strings.ContainsAny(s, "(（") {
		s = reWeekday.ReplaceAllString(s, "")
	}
	parts := []string{s}
	if strings.ContainsAny(s, "~～〜–—부") || strings.Contains(s, " - ") {
		if i := strings.IndexByte(s, '~'); i >= 0 && strings.Count(s, "~") == 1 && !strings.ContainsAny(s, "～〜–—") &&
			!strings.Contains(s, "부터") && !strings.Contains(s, " - ") {
			// One "~" and no other range mark: what reRange.Split gives.
			parts = []string{strings.TrimRight(s[:i], "\t\n\f\r "), strings.TrimLeft(s[i+1:], "\t\n\f\r ")}
		} else {
			parts = reRange.Split(s, -1)
		}
	}
	if len(parts) > 2 {
		return DateRange{}, fmt.Errorf("%w: date range %q", ErrUnparsed, clip(s))
	}
	start, _, err := oneDate(parts[0], ref.Year, ref, true)
	if err != nil {
		return DateRange{}, err
	}
	r := DateRange{Start: start}
	if len(parts) == 2 && strings.TrimSpace(parts[1]) != "" {
		year := ref.Year
		if !start.IsZero() {
			year = start.Year
		}
		end, endHasYear, err := oneDate(parts[1], year, ref, false)
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

// plainYMD reports whether s is exactly four digits, a separator (. / -),
// two digits, a separator and two digits.
func plainYMD(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		c := s[i]
		switch i {
		case 4, 7:
			if c != '.' && c != '/' && c != '-' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// Date reads one date (see Dates); for a range it returns the start.
func Date(s string, ref catalog.Date, loc *time.Location) (catalog.Date, error) {
	r, err := Dates(s, ref, loc)
	return r.Start, err
}

func isoDate(m []string, loc *time.Location) (catalog.Date, error) {
	layout := "2006-01-02T15:04"
	v := m[1] + "T" + m[2]
	if strings.Count(m[2], ":") == 2 {
		layout += ":05"
		if strings.Contains(m[2], ".") {
			layout += ".999999999"
		}
	}
	var t time.Time
	var err error
	if m[3] != "" {
		zone := m[3]
		if zone != "Z" && !strings.Contains(zone, ":") {
			zone = zone[:3] + ":" + zone[3:]
		}
		t, err = time.Parse(layout+"Z07:00", v+zone)
	} else {
		t, err = time.ParseInLocation(layout, v, loc)
	}
	if err != nil {
		return catalog.Date{}, fmt.Errorf("%w: %q", ErrAbsurdDate, m[0])
	}
	d := catalog.DateOf(t.In(loc))
	if d.Year < MinYear {
		return catalog.Date{}, fmt.Errorf("%w: %q", ErrAbsurdDate, m[0])
	}
	return d, nil
}

// oneDate reads one date of a range. defYear fills a missing year; infer
// applies the New Year roll-over against ref for year-less dates.
func oneDate(s string, defYear int, ref catalog.Date, infer bool) (catalog.Date, bool, error) {
	if strings.Contains(s, ":") {
		s = reTime.ReplaceAllString(s, " ")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return catalog.Date{}, false, nil
	}
	if plainYMD(s) { // what reYMD reads, without it
		d, err := mkDate(s, s[:4], s[5:7], s[8:10], ref)
		return d, true, err
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

func mkDate(text, ys, ms, ds string, ref catalog.Date) (catalog.Date, error) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	maxYear := 9999
	if !ref.IsZero() {
		maxYear = ref.Year + MaxYearsAhead
	}
	if y < MinYear || y > maxYear || m < 1 || m > 12 || d < 1 || !validDay(y, time.Month(m), d) {
		return catalog.Date{}, fmt.Errorf("%w: %q", ErrAbsurdDate, text)
	}
	return catalog.Date{Year: y, Month: time.Month(m), Day: d}, nil
}

func validDay(y int, m time.Month, d int) bool {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() == d
}

// clip shortens s for error messages.
func clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	r := []rune(s)
	if len(r) > 40 {
		r = r[:40]
	}
	return string(r) + "…"
}
