package posters

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Rejection reasons recorded in quarantine and counted in the summary.
const (
	ReasonBadURL            = "bad_url"
	ReasonRobots            = "robots_disallowed"
	ReasonHTTPStatus        = "http_status" // suffixed with the code: http_status_404
	ReasonTooLarge          = "too_large"
	ReasonEmpty             = "empty_body"
	ReasonHTML              = "html_instead_of_image"
	ReasonUnsupported       = "unsupported_type"
	ReasonTruncated         = "truncated_image"
	ReasonCorrupt           = "corrupt_image"
	ReasonTooSmall          = "too_small"
	ReasonTooManyPixels     = "too_many_pixels"
	ReasonUnavailable       = "unavailable"
	ReasonTruncatedTransfer = "truncated_transfer"
)

// Image types the job accepts, by sniffed content type.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeGIF  = "image/gif"
	TypeWebP = "image/webp"
)

var extOf = map[string]string{TypeJPEG: "jpg", TypePNG: "png", TypeGIF: "gif", TypeWebP: "webp"}

// rejectError is a validation failure: the image goes to quarantine with
// Reason and the run goes on.
type rejectError struct {
	Reason string
	Detail string
}

func (e *rejectError) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

func reject(reason, format string, args ...any) error {
	return &rejectError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Sniff returns the image content type of b from its magic bytes, or "".
func Sniff(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return TypeJPEG
	case len(b) >= 8 && bytes.Equal(b[:8], []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case len(b) >= 6 && (bytes.Equal(b[:6], []byte("GIF87a")) || bytes.Equal(b[:6], []byte("GIF89a"))):
		return TypeGIF
	case len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP")):
		return TypeWebP
	}
	return ""
}

// looksLikeHTML reports whether b is a markup page (an error page served
// with status 200, a login wall) rather than an image.
func looksLikeHTML(b []byte) bool {
	ct := http.DetectContentType(b)
	if len(ct) >= 9 && ct[:9] == "text/html" {
		return true
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(t) > 0 && t[0] == '<' && !bytes.HasPrefix(t, []byte("<svg")) && !bytes.HasPrefix(t, []byte("<?xml"))
}

// Limits bound what validation accepts.
type Limits struct {
	MinWidth, MinHeight int
	MaxPixels           int64
	// Structural skips the full decode: the header is decoded and the
	// file's end checked (JPEG EOI, PNG IEND, GIF trailer, WebP RIFF size),
	// which catches truncation but not corruption inside the image data.
	Structural bool
}

// Validated is an image that passed validation.
type Validated struct {
	ContentType string
	Ext         string
	Width       int
	Height      int
	Image       image.Image // decoded (first frame for GIF)
}

// Validate sniffs, bounds and fully decodes b. Errors are *rejectError
// values whose Reason says why the image is refused.
func Validate(b []byte, lim Limits) (*Validated, error) {
	if len(b) == 0 {
		return nil, reject(ReasonEmpty, "no bytes")
	}
	ct := Sniff(b)
	if ct == "" {
		if looksLikeHTML(b) {
			return nil, reject(ReasonHTML, "body is %s", http.DetectContentType(b))
		}
		return nil, reject(ReasonUnsupported, "body is %s", http.DetectContentType(b))
	}
	var cfg image.Config
	var err error
	switch ct {
	case TypeWebP:
		cfg, err = webp.DecodeConfig(bytes.NewReader(b))
	default:
		cfg, _, err = image.DecodeConfig(bytes.NewReader(b))
	}
	if err != nil {
		return nil, decodeReject(ct, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, reject(ReasonCorrupt, "%s with size %dx%d", ct, cfg.Width, cfg.Height)
	}
	if lim.MaxPixels > 0 && int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
		return nil, reject(ReasonTooManyPixels, "%dx%d is over %d pixels", cfg.Width, cfg.Height, lim.MaxPixels)
	}
	if cfg.Width < lim.MinWidth || cfg.Height < lim.MinHeight {
		return nil, reject(ReasonTooSmall, "%dx%d is under the minimum %dx%d", cfg.Width, cfg.Height, lim.MinWidth, lim.MinHeight)
	}
	if lim.Structural {
		if err := checkEnd(ct, b); err != nil {
			return nil, err
		}
		return &Validated{ContentType: ct, Ext: extOf[ct], Width: cfg.Width, Height: cfg.Height}, nil
	}
	// Decode everything: a truncated file passes DecodeConfig.
	img, err := decode(ct, b)
	if err != nil {
		return nil, decodeReject(ct, err)
	}
	return &Validated{ContentType: ct, Ext: extOf[ct], Width: cfg.Width, Height: cfg.Height, Image: img}, nil
}

// checkEnd checks that a file of type ct ends where its format says it does.
func checkEnd(ct string, b []byte) error {
	ok := true
	switch ct {
	case TypeJPEG:
		t := bytes.TrimRight(b, "\x00\r\n ")
		ok = len(t) >= 2 && t[len(t)-2] == 0xFF && t[len(t)-1] == 0xD9
	case TypePNG:
		ok = len(b) >= 12 && bytes.Equal(b[len(b)-12:], []byte("\x00\x00\x00\x00IEND\xaeB`\x82"))
	case TypeGIF:
		t := bytes.TrimRight(b, "\x00")
		ok = len(t) > 0 && t[len(t)-1] == 0x3B
	case TypeWebP:
		ok = len(b) >= 12 && int64(uint32(b[4])|uint32(b[5])<<8|uint32(b[6])<<16|uint32(b[7])<<24)+8 <= int64(len(b))
	}
	if !ok {
		return reject(ReasonTruncated, "%s: file ends before its end marker", ct)
	}
	return nil
}

// decode decodes the whole image (the first frame of a GIF, all frames read).
func decode(ct string, b []byte) (image.Image, error) {
	var img image.Image
	var err error
	r := bytes.NewReader(b)
	switch ct {
	case TypeJPEG:
		img, err = jpeg.Decode(r)
	case TypePNG:
		img, err = png.Decode(r)
	case TypeWebP:
		img, err = webp.Decode(r)
	case TypeGIF:
		var g *gif.GIF
		g, err = gif.DecodeAll(r)
		if err == nil {
			if len(g.Image) == 0 {
				err = errors.New("gif: no frames")
			} else {
				img = g.Image[0]
			}
		}
	}
	return img, err
}

func decodeReject(ct string, err error) error {
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "not enough pixel data") ||
		strings.Contains(msg, "short Huffman data") || strings.Contains(msg, "not enough image data") {
		return reject(ReasonTruncated, "%s: %v", ct, err)
	}
	return reject(ReasonCorrupt, "%s: %v", ct, err)
}

// Thumbnail scales img to width w (never up), flattened on white, as JPEG.
func Thumbnail(img image.Image, w int) ([]byte, int, int, error) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if w <= 0 || sw <= 0 || sh <= 0 {
		return nil, 0, 0, fmt.Errorf("thumbnail: bad size %dx%d → %d", sw, sh, w)
	}
	if w > sw {
		w = sw
	}
	h := int((int64(sh)*int64(w) + int64(sw)/2) / int64(sw))
	if h < 1 {
		h = 1
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85}); err != nil {
		return nil, 0, 0, err
	}
	return out.Bytes(), w, h, nil
}
