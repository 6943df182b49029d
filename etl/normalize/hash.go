package normalize

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"marquee/internal/catalog"
)

// ContentHash is the hash of what a release says: every field except
// first_seen, last_seen, updated_at, content_hash and the poster's stored
// image (only its URL counts). Two loads of the same content give the same
// hash, so an unchanged release is never rewritten. Fields go into SHA-256
// length-prefixed, in a fixed order (a new Release field must be added here).
func ContentHash(r *catalog.Release) string {
	// The fields are appended to one buffer and hashed at once: the same
	// bytes as writing them one by one, without a call and a copy each.
	buf, _ := hashBufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	h := hashWriter{b: (*buf)[:0]}
	h.str(r.ID)
	h.str(r.Source)
	h.str(r.SourceID)
	h.list(r.Sources)
	h.str(r.URL)
	h.str(string(r.Kind))
	h.str(r.Title)
	h.str(r.OriginalTitle)
	h.list(r.Genres)
	h.list(r.Cast)
	h.list(r.Artists)
	h.str(r.Venue)
	h.str(r.Region)
	h.date(r.StartDate)
	h.date(r.EndDate)
	h.date(r.ReleaseDate)
	h.list(r.Platforms)
	h.int(int64(len(r.Prices)))
	for _, p := range r.Prices {
		h.str(p.Grade)
		h.int(p.Amount)
		h.str(p.Currency)
	}
	h.str(r.AgeRating)
	h.int(int64(r.Runtime))
	if r.Poster != nil {
		h.str(r.Poster.URL)
	} else {
		h.str("")
	}
	h.str(r.Description)
	h.list(r.Tags)
	h.str(r.Locale)
	sum := sha256.Sum256(h.b)
	if cap(h.b) <= 64<<10 {
		*buf = h.b
		hashBufs.Put(buf)
	}
	return hex.EncodeToString(sum[:16])
}

// hashBufs recycles ContentHash's buffers.
var hashBufs sync.Pool

type hashWriter struct {
	b []byte
}

func (w *hashWriter) int(n int64) {
	w.b = binary.AppendVarint(w.b, n)
}

func (w *hashWriter) str(s string) {
	w.int(int64(len(s)))
	w.b = append(w.b, s...)
}

// date hashes d.String() (no text for an unknown date).
func (w *hashWriter) date(d catalog.Date) {
	if d.IsZero() {
		w.str("")
		return
	}
	var a [32]byte
	w.bytes(d.Time(time.UTC).AppendFormat(a[:0], time.DateOnly))
}

func (w *hashWriter) bytes(b []byte) {
	w.int(int64(len(b)))
	w.b = append(w.b, b...)
}

// list hashes nil and empty alike: both store as no list.
func (w *hashWriter) list(ss []string) {
	w.int(int64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}
