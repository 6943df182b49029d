package posters

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"image/jpeg"
	"testing"

	"marquee/internal/catalog"
)

// pngHeader is a PNG signature and an IHDR chunk claiming w×h, no pixels.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// badCRC flips a byte of the IHDR chunk so its checksum fails.
func badCRC(png []byte) []byte {
	b := append([]byte(nil), png...)
	b[20] ^= 0xFF
	return b
}

func TestValidate(t *testing.T) {
	jpg := genJPEG(t, 320, 480, 1)
	png := genPNG(t, 120, 90, 2)
	gif := genGIF(t, 64, 64, 3)
	lim := Limits{MinWidth: 50, MinHeight: 50, MaxPixels: 10_000_000}
	cases := []struct {
		name   string
		body   []byte
		reason string // "" → valid
		ct     string
		w, h   int
	}{
		{"jpeg", jpg, "", TypeJPEG, 320, 480},
		{"png", png, "", TypePNG, 120, 90},
		{"gif", gif, "", TypeGIF, 64, 64},
		{"webp", webpFixture(t), "", TypeWebP, 150, 103},
		{"empty body", nil, ReasonEmpty, "", 0, 0},
		{"html error page", []byte("<!doctype html><html><head><title>404</title></head><body>페이지를 찾을 수 없습니다</body></html>"), ReasonHTML, "", 0, 0},
		{"html after whitespace and BOM", []byte("\xef\xbb\xbf  \n<html><body>oops</body></html>"), ReasonHTML, "", 0, 0},
		{"json error", []byte(`{"error":"not found"}`), ReasonUnsupported, "", 0, 0},
		{"svg is not accepted", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`), ReasonUnsupported, "", 0, 0},
		{"truncated jpeg", jpg[:len(jpg)/2], ReasonTruncated, "", 0, 0},
		{"truncated png", png[:len(png)-30], ReasonTruncated, "", 0, 0},
		{"truncated gif", gif[:len(gif)/2], ReasonTruncated, "", 0, 0},
		{"png with a broken checksum", badCRC(png), ReasonCorrupt, "", 0, 0},
		{"too narrow", genPNG(t, 40, 200, 4), ReasonTooSmall, "", 0, 0},
		{"too low", genJPEG(t, 200, 30, 5), ReasonTooSmall, "", 0, 0},
		{"decompression bomb header", pngHeader(100_000, 100_000), ReasonTooManyPixels, "", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Validate(c.body, lim)
			if c.reason != "" {
				var rej *rejectError
				if !errors.As(err, &rej) || rej.Reason != c.reason {
					t.Fatalf("Validate = %v, want reason %s", err, c.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.ContentType != c.ct || v.Width != c.w || v.Height != c.h || v.Ext != extOf[c.ct] || v.Image == nil {
				t.Fatalf("Validate = %+v", v)
			}
		})
	}
}

// Structural verification catches the truncations that matter (the file
// ends early) without decoding the pixels.
func TestValidateStructural(t *testing.T) {
	jpg := genJPEG(t, 320, 480, 1)
	png := genPNG(t, 120, 90, 2)
	gif := genGIF(t, 64, 64, 3)
	wp := webpFixture(t)
	lim := Limits{MinWidth: 50, MinHeight: 50, MaxPixels: 10_000_000, Structural: true}
	cases := []struct {
		name   string
		body   []byte
		reason string
	}{
		{"jpeg", jpg, ""},
		{"jpeg with trailing zero padding", append(append([]byte(nil), jpg...), 0, 0, 0), ""},
		{"png", png, ""},
		{"gif", gif, ""},
		{"webp", wp, ""},
		{"truncated jpeg", jpg[:len(jpg)-100], ReasonTruncated},
		{"truncated png", png[:len(png)-5], ReasonTruncated},
		{"truncated gif", gif[:len(gif)-10], ReasonTruncated},
		{"truncated webp", wp[:len(wp)-50], ReasonTruncated},
		{"html", []byte("<html><body>x</body></html>"), ReasonHTML},
		{"too small", genPNG(t, 20, 20, 4), ReasonTooSmall},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Validate(c.body, lim)
			if c.reason == "" {
				if err != nil || v.Image != nil || v.Width == 0 {
					t.Fatalf("Validate = %+v, %v; want valid, not decoded", v, err)
				}
				return
			}
			var rej *rejectError
			if !errors.As(err, &rej) || rej.Reason != c.reason {
				t.Fatalf("Validate = %v, want %s", err, c.reason)
			}
		})
	}
}

func TestThumbnail(t *testing.T) {
	v, err := Validate(genPNG(t, 600, 900, 7), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ want, w, h int }{{320, 320, 480}, {640, 600, 900}, {17, 17, 26}}
	for _, c := range cases {
		b, w, h, err := Thumbnail(v.Image, c.want)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != c.w || cfg.Height != c.h || w != c.w || h != c.h {
			t.Fatalf("thumbnail %d: %dx%d (%dx%d) %v, want %dx%d", c.want, cfg.Width, cfg.Height, w, h, err, c.w, c.h)
		}
	}
}

func TestPosterURL(t *testing.T) {
	ld := func(s string) []json.RawMessage { return []json.RawMessage{json.RawMessage(s)} }
	cases := []struct {
		name string
		rec  catalog.RawRecord
		want string
	}{
		{"field wins", catalog.RawRecord{URL: "http://a.test/x", Fields: map[string]string{"poster_url": " http://img.test/1.jpg "},
			JSONLD: ld(`{"image":"http://img.test/ld.jpg"}`)}, "http://img.test/1.jpg"},
		{"relative field", catalog.RawRecord{URL: "http://a.test/show/1.html", Fields: map[string]string{"poster_url": "../img/포스터.jpg"}},
			"http://a.test/img/%ED%8F%AC%EC%8A%A4%ED%84%B0.jpg"},
		{"json-ld string", catalog.RawRecord{URL: "http://a.test/", JSONLD: ld(`{"image":"http://img.test/ld.jpg"}`)}, "http://img.test/ld.jpg"},
		{"json-ld list", catalog.RawRecord{URL: "http://a.test/", JSONLD: ld(`{"image":["", "/p.png"]}`)}, "http://a.test/p.png"},
		{"json-ld ImageObject contentUrl", catalog.RawRecord{URL: "http://a.test/", JSONLD: ld(`{"image":{"@type":"ImageObject","contentUrl":"http://c.test/c.webp","url":"http://c.test/u"}}`)}, "http://c.test/c.webp"},
		{"second json-ld object", catalog.RawRecord{URL: "http://a.test/", JSONLD: []json.RawMessage{json.RawMessage(`{"@type":"Organization"}`), json.RawMessage(`{"image":"http://i.test/2.jpg"}`)}}, "http://i.test/2.jpg"},
		{"none", catalog.RawRecord{URL: "http://a.test/", Fields: map[string]string{"title": "x"}}, ""},
		{"broken json-ld", catalog.RawRecord{URL: "http://a.test/", JSONLD: ld(`{"image":`)}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := posterURL(&c.rec); got != c.want {
				t.Fatalf("posterURL = %q, want %q", got, c.want)
			}
		})
	}
}

func TestObjectKeys(t *testing.T) {
	sha := "ab" + string(bytes.Repeat([]byte("0"), 62))
	if k := ObjectKey(sha, "jpg"); k != "posters/ab/"+sha+".jpg" {
		t.Fatalf("ObjectKey = %q", k)
	}
	if k := ThumbnailKey(sha, 320); k != "posters/ab/"+sha+"_w320.jpg" {
		t.Fatalf("ThumbnailKey = %q", k)
	}
	if p := IndexPartition(testDate); p != "posters/index/dt=2026-11-26" {
		t.Fatalf("IndexPartition = %q", p)
	}
}
