package normalize

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	reRuntimeKo  = regexp.MustCompile(`(\d{1,2})\s*시간(?:\s*(\d{1,3})\s*분)?|()(\d{1,3})\s*분`)
	reRuntimeISO = regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:\d+S)?$`)
	reRuntimeEn  = regexp.MustCompile(`(?i)(\d{1,2})\s*h(?:ours?|rs?)?(?:\s*(\d{1,3})\s*m(?:in(?:utes?|s)?)?)?\b|()(\d{1,3})\s*m(?:in(?:utes?|s)?)?\b`)
	reRuntimeNum = regexp.MustCompile(`^(\d{1,3})$`)
)

// Runtime reads a running time in minutes: "120분", "2시간 30분", "약 150분
// (인터미션 20분 포함)" (the first duration counts), "PT2H10M", "130 min",
// "120". An empty text is 0 without error.
func Runtime(s string) (int, error) {
	s = Text(s)
	if s == "" {
		return 0, nil
	}
	// Each expression runs only when the text has what it needs (the
	// checks are cheap; the expressions are not).
	if len(s) >= 2 && (s[0]|0x20) == 'p' && (s[1]|0x20) == 't' {
		if m := reRuntimeISO.FindStringSubmatch(strings.ToUpper(s)); m != nil && (m[1] != "" || m[2] != "") {
			return minutes(m[1], m[2])
		}
	}
	if len(s) <= 3 && '0' <= s[0] && s[0] <= '9' {
		if m := reRuntimeNum.FindStringSubmatch(s); m != nil {
			return minutes("", m[1])
		}
	}
	for _, re := range []*regexp.Regexp{reRuntimeKo, reRuntimeEn} {
		if re == reRuntimeKo && !strings.Contains(s, "분") && !strings.Contains(s, "시간") ||
			re == reRuntimeEn && !strings.ContainsAny(s, "hHmM") {
			continue
		}
		if m := re.FindStringSubmatch(s); m != nil {
			if m[1] != "" {
				return minutes(m[1], m[2])
			}
			return minutes("", m[4])
		}
	}
	return 0, fmt.Errorf("%w: runtime %q", ErrUnparsed, clip(s))
}

func minutes(h, m string) (int, error) {
	var hh, mm int
	if h != "" { // Atoi("") is 0 too, with an error to allocate
		hh, _ = strconv.Atoi(h)
	}
	if m != "" {
		mm, _ = strconv.Atoi(m)
	}
	n := hh*60 + mm
	if n <= 0 || n > 24*60 {
		return 0, fmt.Errorf("%w: runtime of %d minutes", ErrUnparsed, n)
	}
	return n, nil
}
