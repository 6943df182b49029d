// Package jsonesc holds the pieces of JSON string unescaping that marquee's
// hand-written line scanners (load-mongo's raw records, export-parquet's
// events) share. Each scanner keeps its own policy for surrogate pairs.
package jsonesc

// Simple returns the byte a one-character escape (the e of \e) stands for;
// ok is false for 'u' and for anything JSON does not allow.
func Simple(e byte) (b byte, ok bool) {
	switch e {
	case '"', '\\', '/':
		return e, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// Hex4 reads the four hex digits of a \u escape starting at s[i].
func Hex4[T string | []byte](s T, i int) (rune, bool) {
	if i < 0 || len(s)-i < 4 {
		return 0, false
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := s[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
