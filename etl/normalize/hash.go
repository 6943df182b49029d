package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"marquee/internal/catalog"
)

// ContentHash is the hash of what a release says: every field except
// first_seen, last_seen, updated_at, content_hash and the poster's stored
// image (only its URL counts). Two loads of the same content give the same
// hash, so an unchanged release is never rewritten.
func ContentHash(r *catalog.Release) string {
	c := *r
	c.FirstSeen, c.LastSeen, c.UpdatedAt, c.ContentHash = time.Time{}, time.Time{}, time.Time{}, ""
	if r.Poster != nil {
		c.Poster = &catalog.Poster{URL: r.Poster.URL}
	}
	b, err := json.Marshal(&c)
	if err != nil { // cannot happen: a Release always marshals
		panic(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}
