package export

import (
	"encoding/binary"
	"errors"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"marquee/internal/catalog"
	"marquee/internal/jsonesc"
	"marquee/lake"
)

// The events scanner parses one JSONL line over the fixed events schema
// without reflection: a small JSON object tokenizer that keeps strings as
// views into the input chunk (no copy) unless they carry escapes.

// jsonKind is the kind of a scanned JSON value.
type jsonKind uint8

const (
	kNone jsonKind = iota // key absent
	kNull
	kString
	kNumber
	kBool
	kOther // object or array
)

// field is one scanned value: raw bytes (string contents already unescaped).
type field struct {
	kind    jsonKind
	b       []byte
	nonASCI bool // b has bytes >= 0x80 (then it must be checked for valid UTF-8)
}

// eventFields are the values of the known keys of one line.
type eventFields struct {
	ts, userID, ageGroup, gender, event, itemID, keyword, resultCount, sessionID, platform field
}

var errSyntax = errors.New("malformed JSON")

type scanner struct {
	buf []byte // the line
	i   int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func (s *scanner) skipSpace() {
	for s.i < len(s.buf) && isSpace(s.buf[s.i]) {
		s.i++
	}
}

// parseLine fills f from one JSON object line.
func (s *scanner) parseLine(line []byte, f *eventFields) error {
	*f = eventFields{}
	s.buf, s.i = line, 0
	s.skipSpace()
	if s.i >= len(s.buf) || s.buf[s.i] != '{' {
		return errSyntax
	}
	s.i++
	s.skipSpace()
	if s.i < len(s.buf) && s.buf[s.i] == '}' {
		s.i++
		return s.end()
	}
	for {
		s.skipSpace()
		if s.i >= len(s.buf) || s.buf[s.i] != '"' {
			return errSyntax
		}
		key, _, err := s.str()
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.i >= len(s.buf) || s.buf[s.i] != ':' {
			return errSyntax
		}
		s.i++
		s.skipSpace()
		v, err := s.value()
		if err != nil {
			return err
		}
		switch string(key) {
		case lake.EventColTS:
			f.ts = v
		case lake.EventColUserID:
			f.userID = v
		case lake.EventColAgeGroup:
			f.ageGroup = v
		case lake.EventColGender:
			f.gender = v
		case lake.EventColEvent:
			f.event = v
		case lake.EventColItemID:
			f.itemID = v
		case lake.EventColKeyword:
			f.keyword = v
		case lake.EventColResultCount:
			f.resultCount = v
		case lake.EventColSessionID:
			f.sessionID = v
		case lake.EventColPlatform:
			f.platform = v
		}
		s.skipSpace()
		if s.i >= len(s.buf) {
			return errSyntax
		}
		switch s.buf[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return s.end()
		default:
			return errSyntax
		}
	}
}

func (s *scanner) end() error {
	s.skipSpace()
	if s.i != len(s.buf) {
		return errSyntax
	}
	return nil
}

func (s *scanner) value() (field, error) {
	if s.i >= len(s.buf) {
		return field{}, errSyntax
	}
	switch c := s.buf[s.i]; {
	case c == '"':
		b, hi, err := s.str()
		return field{kind: kString, b: b, nonASCI: hi}, err
	case c == 'n':
		return field{kind: kNull}, s.lit("null")
	case c == 't':
		return field{kind: kBool}, s.lit("true")
	case c == 'f':
		return field{kind: kBool}, s.lit("false")
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		s.i++
		for s.i < len(s.buf) {
			c := s.buf[s.i]
			if (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
				s.i++
				continue
			}
			break
		}
		return field{kind: kNumber, b: s.buf[start:s.i]}, nil
	case c == '{' || c == '[':
		return field{kind: kOther}, s.skipNested()
	default:
		return field{}, errSyntax
	}
}

func (s *scanner) lit(w string) error {
	if len(s.buf)-s.i < len(w) || string(s.buf[s.i:s.i+len(w)]) != w {
		return errSyntax
	}
	s.i += len(w)
	return nil
}

// skipNested skips an object or array, strings included.
func (s *scanner) skipNested() error {
	depth := 0
	for s.i < len(s.buf) {
		switch s.buf[s.i] {
		case '"':
			if _, _, err := s.str(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return errSyntax
}

// str scans a string at s.i (at the opening quote) and returns its
// unescaped contents (a view of the line when it has no escapes) and
// whether it has non-ASCII bytes.
func (s *scanner) str() ([]byte, bool, error) {
	s.i++
	start := s.i
	var hi uint64
	// eight bytes at a time while none is a quote, a backslash or a
	// control character (SWAR: a byte of x^c is zero where x has c).
	for s.i+8 <= len(s.buf) {
		x := binary.LittleEndian.Uint64(s.buf[s.i:])
		q := x ^ 0x2222222222222222
		b := x ^ 0x5c5c5c5c5c5c5c5c
		special := ((q - lsb) &^ q) | ((b - lsb) &^ b) | ((x - ctl) &^ x)
		if special&msb != 0 {
			break
		}
		hi |= x
		s.i += 8
	}
	var hb byte
	for s.i < len(s.buf) {
		c := s.buf[s.i]
		hb |= c
		if c == '"' {
			b := s.buf[start:s.i]
			s.i++
			return b, hi&msb != 0 || hb >= 0x80, nil
		}
		if c == '\\' {
			b, _, err := s.strEscaped(start)
			return b, true, err
		}
		if c < 0x20 {
			return nil, false, errSyntax
		}
		s.i++
	}
	return nil, false, errSyntax
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
	ctl = 0x2020202020202020
)

func (s *scanner) strEscaped(start int) ([]byte, bool, error) {
	out := append(make([]byte, 0, s.i-start+32), s.buf[start:s.i]...)
	for s.i < len(s.buf) {
		c := s.buf[s.i]
		switch {
		case c == '"':
			s.i++
			return out, true, nil
		case c < 0x20:
			return nil, false, errSyntax
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		s.i++
		if s.i >= len(s.buf) {
			return nil, false, errSyntax
		}
		e := s.buf[s.i]
		s.i++
		if c, ok := jsonesc.Simple(e); ok {
			out = append(out, c)
			continue
		}
		if e != 'u' {
			return nil, false, errSyntax
		}
		r, ok := s.hex4()
		if !ok {
			return nil, false, errSyntax
		}
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if s.i+1 < len(s.buf) && s.buf[s.i] == '\\' && s.buf[s.i+1] == 'u' {
				s.i += 2
				lo, ok := s.hex4()
				if !ok {
					return nil, false, errSyntax
				}
				r2 = utf16.DecodeRune(r, lo)
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
	}
	return nil, false, errSyntax
}

func (s *scanner) hex4() (rune, bool) {
	r, ok := jsonesc.Hex4(s.buf, s.i)
	if ok {
		s.i += 4
	}
	return r, ok
}

// view returns b as a string without copying. b must not change afterwards:
// chunks are never reused, so views into them stay valid.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseInt parses a JSON integer (no fraction or exponent).
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<63-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

// parseTS parses an RFC 3339 timestamp to microseconds since the epoch.
// The fast path handles YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM); anything else
// goes through time.Parse.
func parseTS(b []byte) (int64, bool) {
	if us, ok := parseTSFast(b); ok {
		return us, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, false
	}
	return t.UnixMicro(), true
}

func num2(b []byte, i int) int {
	c0, c1 := b[i]-'0', b[i+1]-'0'
	if c0 > 9 || c1 > 9 {
		return -1
	}
	return int(c0)*10 + int(c1)
}

func parseTSFast(b []byte) (int64, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't') || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	y1, y2 := num2(b, 0), num2(b, 2)
	mo, d, h, mi, sec := num2(b, 5), num2(b, 8), num2(b, 11), num2(b, 14), num2(b, 17)
	if y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return 0, false
	}
	y := y1*100 + y2
	if d > daysIn(y, mo) {
		return 0, false
	}
	i := 19
	var frac int64
	if b[i] == '.' {
		i++
		digits := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if digits < 6 {
				frac = frac*10 + int64(b[i]-'0')
			}
			digits++
			i++
		}
		if digits == 0 {
			return 0, false
		}
		for ; digits < 6; digits++ {
			frac *= 10
		}
	}
	if i >= len(b) {
		return 0, false
	}
	var off int
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(b)-i != 6 || b[i+3] != ':' {
			return 0, false
		}
		oh, om := num2(b, i+1), num2(b, i+4)
		if oh < 0 || oh > 23 || om < 0 || om > 59 {
			return 0, false
		}
		off = oh*3600 + om*60
		if b[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return 0, false
	}
	if i != len(b) {
		return 0, false
	}
	secs := daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+sec) - int64(off)
	return secs*1_000_000 + frac, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is days since 1970-01-01 of a proleptic Gregorian date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// ageGroup returns the canonical age group b names, or "".
func ageGroup(b []byte) string {
	switch string(b) {
	case "10s":
		return "10s"
	case "20s":
		return "20s"
	case "30s":
		return "30s"
	case "40s":
		return "40s"
	case "50s":
		return "50s"
	case "60s+":
		return "60s+"
	}
	return ""
}

// eventType returns the canonical event type b names, or "".
func eventType(b []byte) string {
	switch string(b) {
	case catalog.EventView:
		return catalog.EventView
	case catalog.EventClick:
		return catalog.EventClick
	case catalog.EventSearch:
		return catalog.EventSearch
	case catalog.EventLike:
		return catalog.EventLike
	case catalog.EventBook:
		return catalog.EventBook
	}
	return ""
}

// interner keeps one copy of low-cardinality strings (gender, platform):
// a short list checked most-recent first, then a map.
type interner struct {
	recent [8]string
	n      int
	m      map[string]string
}

func (in *interner) get(b []byte) string {
	for i := 0; i < in.n; i++ {
		if in.recent[i] == string(b) {
			return in.recent[i]
		}
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if in.n < len(in.recent) {
		in.recent[in.n] = s
		in.n++
		return s
	}
	if in.m == nil {
		in.m = map[string]string{}
	}
	if len(in.m) < 1024 {
		in.m[s] = s
	}
	return s
}

// toRow validates f and fills r. It returns the reason when the line must
// be quarantined. rc is where r.ResultCount points for searches.
func toRow(f *eventFields, r *lake.EventRow, rc *int32, in *interner) string {
	if f.ts.kind != kString {
		return "ts: missing or not a string"
	}
	ts, ok := parseTS(f.ts.b)
	if !ok {
		return "ts: not an RFC 3339 timestamp"
	}
	if f.userID.kind != kNumber {
		return "user_id: missing or not a number"
	}
	uid, ok := parseInt(f.userID.b)
	if !ok {
		return "user_id: not an integer"
	}
	if f.event.kind != kString {
		return "event: missing or not a string"
	}
	ev := eventType(f.event.b)
	if ev == "" {
		return "event: unknown type " + strconv.Quote(string(f.event.b))
	}
	if f.ageGroup.kind != kString {
		return "age_group: missing or not a string"
	}
	ag := ageGroup(f.ageGroup.b)
	if ag == "" {
		return "age_group: unknown " + strconv.Quote(string(f.ageGroup.b))
	}
	if f.gender.kind != kString || len(f.gender.b) == 0 {
		return "gender: missing or not a string"
	}
	if f.sessionID.kind != kString || len(f.sessionID.b) == 0 {
		return "session_id: missing or empty"
	}
	if f.platform.kind != kString || len(f.platform.b) == 0 {
		return "platform: missing or empty"
	}
	*r = lake.EventRow{
		TS: ts, UserID: uid, AgeGroup: ag, Gender: in.get(f.gender.b), Event: ev,
		SessionID: view(f.sessionID.b), Platform: in.get(f.platform.b),
	}
	if ev == catalog.EventSearch {
		if f.itemID.kind != kNone && f.itemID.kind != kNull {
			return "item_id: set on a search event"
		}
		if f.keyword.kind != kString {
			return "keyword: missing on a search event"
		}
		if f.resultCount.kind != kNumber {
			return "result_count: missing or not a number on a search event"
		}
		n, ok := parseInt(f.resultCount.b)
		if !ok || n < 0 || n > 1<<31-1 {
			return "result_count: not a non-negative 32-bit integer"
		}
		r.Keyword = view(f.keyword.b)
		*rc = int32(n)
		r.ResultCount = rc
	} else {
		if f.itemID.kind != kString || len(f.itemID.b) == 0 {
			return "item_id: missing or empty"
		}
		if (f.keyword.kind != kNone && f.keyword.kind != kNull) || (f.resultCount.kind != kNone && f.resultCount.kind != kNull) {
			return "keyword/result_count: set on a " + ev + " event"
		}
		r.ItemID = view(f.itemID.b)
	}
	for _, v := range [...]*field{&f.gender, &f.sessionID, &f.platform, &f.itemID, &f.keyword} {
		if v.nonASCI && !utf8.Valid(v.b) {
			return "invalid UTF-8"
		}
	}
	return ""
}
