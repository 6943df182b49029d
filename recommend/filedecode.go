package recommend

import (
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"

	"marquee/internal/catalog"
	"marquee/internal/jsonesc"
)

// decodeFileRelease decodes one line of a releases file into r, with the
// same result and error as jsonv2.Unmarshal with fileJSON. The common
// shape (valid UTF-8; the fields' names spelled as above, each once;
// strings and arrays of strings where fileRelease has them; escapes within
// the Basic Multilingual Plane; any other member of any JSON type) is read
// by a hand-written scanner, about three times as fast; anything else goes
// to jsonv2.Unmarshal.
func decodeFileRelease(line []byte, r *fileRelease) error {
	var f fileRelease
	if decodeReleaseFast(line, &f) {
		*r = f
		return nil
	}
	*r = fileRelease{}
	return jsonv2.Unmarshal(line, r, fileJSON)
}

// Members of fileRelease, as bits of the seen set.
const (
	relID = 1 << iota
	relKind
	relTitle
	relOriginalTitle
	relGenres
	relCast
	relArtists
	relVenue
	relEndDate
	relDescription
	relTags
	relUpdatedAt
)

var relKeys = map[string]int{"id": relID, "kind": relKind, "title": relTitle, "original_title": relOriginalTitle,
	"genres": relGenres, "cast": relCast, "artists": relArtists, "venue": relVenue, "end_date": relEndDate,
	"description": relDescription, "tags": relTags, "updated_at": relUpdatedAt}

// relFolded holds the names jsonv2 would also match case-insensitively
// (folded: ASCII lower case, without '_' and '-'); a member whose folded
// name is here but that is not spelled exactly goes to jsonv2.
var relFolded = func() map[string]bool {
	m := map[string]bool{}
	for k := range relKeys {
		m[foldName(k)] = true
	}
	return m
}()

func foldName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// relScanner reads a line for decodeReleaseFast.
type relScanner struct {
	s string
	i int
}

func (p *relScanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next is the next byte after white space (0 at the end).
func (p *relScanner) next() byte {
	p.ws()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *relScanner) byte(c byte) bool {
	if p.next() == c {
		p.i++
		return true
	}
	return false
}

// str reads a JSON string: a slice of the line, or a copy if it had
// escapes. Surrogate escapes (pairs or lone halves) are left to jsonv2.
func (p *relScanner) str() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			p.i++
			return p.s[start : p.i-1], true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", false
		}
		p.i++
	}
	b := []byte(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false
		}
		e := p.s[p.i+1]
		p.i += 2
		if c, ok := jsonesc.Simple(e); ok {
			b = append(b, c)
			continue
		}
		if e != 'u' {
			return "", false
		}
		r, ok := jsonesc.Hex4(p.s, p.i)
		if !ok || utf16.IsSurrogate(r) {
			return "", false
		}
		p.i += 4
		b = utf8.AppendRune(b, r)
	}
	return "", false
}

// strs reads an array of strings (not null).
func (p *relScanner) strs() ([]string, bool) {
	if !p.byte('[') {
		return nil, false
	}
	out := []string{}
	if p.byte(']') {
		return out, true
	}
	for {
		v, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if p.byte(']') {
			return out, true
		}
		if !p.byte(',') {
			return nil, false
		}
	}
}

// skip reads any JSON value (depth: containers it is in).
func (p *relScanner) skip(depth int) bool {
	if depth > 64 {
		return false
	}
	switch c := p.next(); {
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '{' || c == '[':
		p.i++
		end := byte(']')
		if c == '{' {
			end = '}'
		}
		if p.byte(end) {
			return true
		}
		for {
			if c == '{' {
				if _, ok := p.str(); !ok || !p.byte(':') {
					return false
				}
			}
			if !p.skip(depth + 1) {
				return false
			}
			if p.byte(end) {
				return true
			}
			if !p.byte(',') {
				return false
			}
		}
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(p.s[p.i:], lit) {
				p.i += len(lit)
				return true
			}
		}
		return false
	}
}

// number reads a JSON number (RFC 8259 grammar).
func (p *relScanner) number() bool {
	s, i := p.s, p.i
	digits := func() bool {
		j := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	p.i = i
	return true
}

// decodeReleaseFast is decodeFileRelease's scanner; false means "ask
// jsonv2" (r is then garbage). The id and kind are copied: the document
// keeps them, and a slice would keep the whole line.
func decodeReleaseFast(line []byte, r *fileRelease) bool {
	if !utf8.Valid(line) {
		return false // jsonv2 replaces invalid bytes
	}
	p := relScanner{s: string(line)}
	if !p.byte('{') {
		return false
	}
	seen := 0
	if !p.byte('}') {
		for {
			k, ok := p.str()
			if !ok || !p.byte(':') {
				return false
			}
			bit, known := relKeys[k]
			if !known {
				if relFolded[foldName(k)] || !p.skip(0) {
					return false
				}
			} else {
				if seen&bit != 0 {
					return false // jsonv2's rules for repeats
				}
				seen |= bit
				if !p.member(bit, r) {
					return false
				}
			}
			if p.byte('}') {
				break
			}
			if !p.byte(',') {
				return false
			}
		}
	}
	p.ws()
	if p.i != len(p.s) {
		return false
	}
	r.ID = strings.Clone(r.ID)
	r.Kind = catalog.Kind(internKind(string(r.Kind)))
	return true
}

// member reads the value of the member bit into r.
func (p *relScanner) member(bit int, r *fileRelease) bool {
	var ok bool
	switch bit {
	case relGenres:
		r.Genres, ok = p.strs()
	case relCast:
		r.Cast, ok = p.strs()
	case relArtists:
		r.Artists, ok = p.strs()
	case relTags:
		r.Tags, ok = p.strs()
	default:
		var v string
		if v, ok = p.str(); !ok {
			return false
		}
		switch bit {
		case relID:
			r.ID = v
		case relKind:
			r.Kind = catalog.Kind(v)
		case relTitle:
			r.Title = v
		case relOriginalTitle:
			r.OriginalTitle = v
		case relVenue:
			r.Venue = v
		case relDescription:
			r.Description = v
		case relEndDate:
			if v != "" {
				d, err := catalog.ParseDate(v)
				if err != nil {
					return false // jsonv2 words the error
				}
				r.EndDate = d
			}
		case relUpdatedAt:
			var t time.Time
			if t.UnmarshalText([]byte(v)) != nil {
				return false
			}
			r.UpdatedAt = t
		}
	}
	return ok
}

// internKind returns the catalog's own string for a known kind, else a copy.
func internKind(k string) string {
	for _, v := range catalog.Kinds {
		if string(v) == k {
			return string(v)
		}
	}
	return strings.Clone(k)
}
