package fetch

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/korean"
)

// IsText reports whether a content type is HTML, XML, JSON or plain text.
func IsText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	return mt == "" || strings.HasPrefix(mt, "text/") || strings.Contains(mt, "json") ||
		strings.Contains(mt, "xml") || strings.Contains(mt, "javascript")
}

// HeaderCharset returns the charset parameter of a Content-Type, lower-cased.
func HeaderCharset(contentType string) string {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

// ToUTF8 decodes body to UTF-8. The charset comes from, in order: the
// Content-Type header, a byte-order mark, an HTML <meta> declaration, the
// fallback label (a site setting; "" for none); when none is declared, valid
// UTF-8 stays as is and anything else is read as CP949 (EUC-KR's superset),
// the usual charset of undeclared Korean legacy pages.
func ToUTF8(body []byte, contentType, fallback string) ([]byte, error) {
	if len(body) == 0 {
		return body, nil
	}
	enc, name := declared(body, contentType)
	if enc == nil && fallback != "" {
		if e, err := htmlindex.Get(fallback); err == nil {
			enc, name = e, fallback
		}
	}
	if enc == nil {
		if utf8.Valid(body) {
			return body, nil
		}
		enc, name = korean.EUCKR, "euc-kr"
	}
	if name == "utf-8" {
		return body, nil
	}
	out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(body)))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// declared finds an explicitly declared encoding: header, BOM or meta.
func declared(body []byte, contentType string) (encoding.Encoding, string) {
	if cs := HeaderCharset(contentType); cs != "" {
		if e, err := htmlindex.Get(cs); err == nil {
			n, _ := htmlindex.Name(e)
			return e, n
		}
	}
	if len(body) >= 3 && bytes.Equal(body[:3], []byte{0xEF, 0xBB, 0xBF}) {
		return encoding.Nop, "utf-8"
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "" || strings.Contains(mt, "html") {
		// The meta prescan looks at the first 1024 bytes. Without a meta it
		// guesses utf-8 (from those bytes only) or windows-1252: neither
		// guess is a declaration.
		e, n, _ := charset.DetermineEncoding(body, "text/html")
		switch n {
		case "windows-1252":
		case "utf-8":
			if utf8.Valid(body) {
				return e, n
			}
		default:
			return e, n
		}
	}
	return nil, ""
}
