package load

import (
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"

	"marquee/internal/catalog"
	"marquee/internal/jsonesc"
)

// decodeRaw decodes one raw line into raw exactly as json.Unmarshal does
// (the same record, the same error). The common shape (the keys crawl
// writes, spelled as it writes them, each once; string values; a fields
// object of strings; no JSON-LD) is read by a hand-written scanner that
// copies the line into one string and slices the values out of it; any
// other input (JSON-LD, nulls, other keys or spellings, escapes outside the
// Basic Multilingual Plane, invalid UTF-8 or JSON) goes to json.Unmarshal.
//
// fields, when not nil, is a map the scanner clears and uses as raw.Fields
// (a normaliser reuses one map for all its records, so raw.Fields must not
// be kept past the next call); json.Unmarshal always makes its own.
func decodeRaw(line []byte, raw *catalog.RawRecord, fields map[string]string) error {
	clear(fields)
	var r catalog.RawRecord
	if decodeRawFast(line, &r, fields) {
		*raw = r
		return nil
	}
	return json.Unmarshal(line, raw)
}

// rawScanner reads the line of decodeRawFast; ok turns false at the first
// thing it does not handle.
type rawScanner struct {
	s   string
	i   int
	buf []byte // unescaping
}

func (p *rawScanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c after white space.
func (p *rawScanner) byte(c byte) bool {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a JSON string after white space; escaped reports whether it
// had escapes (then it is not a slice of the line).
func (p *rawScanner) str() (v string, escaped, ok bool) {
	if !p.byte('"') {
		return "", false, false
	}
	start := p.i
	for p.i < len(p.s) && !strStop[p.s[p.i]] {
		p.i++
	}
	if p.i == len(p.s) {
		return "", false, false
	}
	switch p.s[p.i] {
	case '"':
		v = p.s[start:p.i]
		p.i++
		return v, false, true // valid UTF-8: the whole line is
	case '\\':
		return p.escaped(start)
	}
	return "", false, false // a control character
}

// strStop marks the bytes that end the plain run of a JSON string: the
// quote, the backslash and control characters.
var strStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// escaped finishes a string that starts at start and has an escape at p.i.
func (p *rawScanner) escaped(start int) (string, bool, bool) {
	b := append(p.buf[:0], p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = b
			if !utf8.Valid(b) {
				return "", false, false
			}
			return string(b), true, true
		case c < 0x20:
			return "", false, false
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false, false
		}
		e := p.s[p.i+1]
		p.i += 2
		if c, ok := jsonesc.Simple(e); ok {
			b = append(b, c)
			continue
		}
		if e != 'u' {
			return "", false, false
		}
		r, ok := jsonesc.Hex4(p.s, p.i)
		if !ok || utf16.IsSurrogate(r) {
			return "", false, false // pairs and lone halves: json.Unmarshal's rules
		}
		p.i += 4
		b = utf8.AppendRune(b, r)
	}
	return "", false, false
}

// Top-level keys of a raw record, as bits of the seen set.
const (
	keySource = 1 << iota
	keySourceID
	keyKind
	keyURL
	keyFetchedAt
	keyRender
	keyFields
	keyContentHash
)

// decodeRawFast is decodeRaw's scanner; false means "ask json.Unmarshal"
// (r is then garbage, and fields may hold entries).
func decodeRawFast(line []byte, r *catalog.RawRecord, fields map[string]string) bool {
	if !utf8.Valid(line) {
		return false // json.Unmarshal replaces invalid bytes
	}
	p := rawScanner{s: string(line)}
	if !p.byte('{') {
		return false
	}
	seen := 0
	if p.byte('}') {
		return p.end()
	}
	for {
		k, esc, ok := p.str()
		if !ok || esc || !p.byte(':') {
			return false
		}
		var bit int
		switch k {
		case "source":
			bit = keySource
		case "source_id":
			bit = keySourceID
		case "kind":
			bit = keyKind
		case "url":
			bit = keyURL
		case "fetched_at":
			bit = keyFetchedAt
		case "render":
			bit = keyRender
		case "fields":
			bit = keyFields
		case "content_hash":
			bit = keyContentHash
		default:
			return false // jsonld, unknown keys, other spellings
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		switch bit {
		case keyFields:
			if !p.fields(r, fields) {
				return false
			}
		case keyFetchedAt:
			p.ws()
			start := p.i
			if _, _, ok := p.str(); !ok {
				return false
			}
			if err := r.FetchedAt.UnmarshalJSON([]byte(p.s[start:p.i])); err != nil {
				return false
			}
		default:
			v, _, ok := p.str()
			if !ok {
				return false
			}
			switch bit {
			case keySource:
				r.Source = v
			case keySourceID:
				r.SourceID = v
			case keyKind:
				r.Kind = catalog.Kind(v)
			case keyURL:
				r.URL = v
			case keyRender:
				r.Render = v
			case keyContentHash:
				r.ContentHash = v
			}
		}
		if p.byte(',') {
			continue
		}
		if p.byte('}') {
			return p.end()
		}
		return false
	}
}

// fields reads the fields object (string values only) into m (empty), or
// a new map when m is nil.
func (p *rawScanner) fields(r *catalog.RawRecord, m map[string]string) bool {
	if !p.byte('{') {
		return false
	}
	if m == nil {
		m = make(map[string]string, 16)
	}
	r.Fields = m
	if p.byte('}') {
		return true
	}
	for {
		k, _, ok := p.str()
		if !ok || !p.byte(':') {
			return false
		}
		v, _, ok := p.str()
		if !ok {
			return false
		}
		m[k] = v
		if p.byte(',') {
			continue
		}
		return p.byte('}')
	}
}

// end reports whether only white space follows.
func (p *rawScanner) end() bool {
	p.ws()
	return p.i == len(p.s)
}
