package jsonesc

import (
	"encoding/json"
	"testing"
)

func TestSimpleMatchesEncodingJSON(t *testing.T) {
	for e := 0; e < 256; e++ {
		var want string
		err := json.Unmarshal([]byte(`"\`+string(rune(e))+`"`), &want)
		b, ok := Simple(byte(e))
		if e == 'u' {
			if ok {
				t.Errorf("Simple('u') = %q, true", b)
			}
			continue
		}
		if ok != (err == nil) || (ok && string(rune(b)) != want) {
			t.Errorf("Simple(%q) = %q, %v; encoding/json: %q, %v", rune(e), b, ok, want, err)
		}
	}
}

func TestHex4(t *testing.T) {
	for _, tc := range []struct {
		s    string
		i    int
		want rune
		ok   bool
	}{{"ac00", 0, 0xAC00, true}, {`\uD7a3`, 2, 0xD7A3, true}, {"12g4", 0, 0, false}, {"123", 0, 0, false}, {"x1234", 1, 0x1234, true}, {"1234", 2, 0, false}} {
		if r, ok := Hex4(tc.s, tc.i); r != tc.want || ok != tc.ok {
			t.Errorf("Hex4(%q, %d) = %U, %v; want %U, %v", tc.s, tc.i, r, ok, tc.want, tc.ok)
		}
		if r, ok := Hex4([]byte(tc.s), tc.i); r != tc.want || ok != tc.ok {
			t.Errorf("Hex4([]byte %q, %d) = %U, %v", tc.s, tc.i, r, ok)
		}
	}
}
