package mongo

import (
	"math"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"marquee/internal/catalog"
)

// releaseDoc is the stored shape of a catalog.Release (read side).
type releaseDoc struct {
	ID            string     `bson:"_id"`
	Source        string     `bson:"source"`
	SourceID      string     `bson:"source_id"`
	Sources       []string   `bson:"sources"`
	URL           string     `bson:"url"`
	Kind          string     `bson:"kind"`
	Title         string     `bson:"title"`
	OriginalTitle string     `bson:"original_title"`
	Genres        []string   `bson:"genres"`
	Cast          []string   `bson:"cast"`
	Artists       []string   `bson:"artists"`
	Venue         string     `bson:"venue"`
	Region        string     `bson:"region"`
	StartDate     *time.Time `bson:"start_date"`
	EndDate       *time.Time `bson:"end_date"`
	ReleaseDate   *time.Time `bson:"release_date"`
	Platforms     []string   `bson:"platforms"`
	Prices        []priceDoc `bson:"prices"`
	AgeRating     string     `bson:"age_rating"`
	Runtime       int        `bson:"runtime"`
	Poster        *posterDoc `bson:"poster,omitempty"`
	Description   string     `bson:"description"`
	Tags          []string   `bson:"tags"`
	Locale        string     `bson:"locale"`
	FirstSeen     time.Time  `bson:"first_seen"`
	LastSeen      time.Time  `bson:"last_seen"`
	ContentHash   string     `bson:"content_hash"`
	UpdatedAt     time.Time  `bson:"updated_at"`
}

// contentDoc is the $set part of an upsert: every content field (so a
// field that became empty is cleared), poster.url, but not _id, poster's
// other fields, first_seen or last_seen.
type contentDoc struct {
	Source        string     `bson:"source"`
	SourceID      string     `bson:"source_id"`
	Sources       []string   `bson:"sources"`
	URL           string     `bson:"url"`
	Kind          string     `bson:"kind"`
	Title         string     `bson:"title"`
	OriginalTitle string     `bson:"original_title"`
	Genres        []string   `bson:"genres"`
	Cast          []string   `bson:"cast"`
	Artists       []string   `bson:"artists"`
	Venue         string     `bson:"venue"`
	Region        string     `bson:"region"`
	StartDate     *time.Time `bson:"start_date"`
	EndDate       *time.Time `bson:"end_date"`
	ReleaseDate   *time.Time `bson:"release_date"`
	Platforms     []string   `bson:"platforms"`
	Prices        []priceDoc `bson:"prices"`
	AgeRating     string     `bson:"age_rating"`
	Runtime       int        `bson:"runtime"`
	PosterURL     *string    `bson:"poster.url,omitempty"`
	Description   string     `bson:"description"`
	Tags          []string   `bson:"tags"`
	Locale        string     `bson:"locale"`
	ContentHash   string     `bson:"content_hash"`
	UpdatedAt     time.Time  `bson:"updated_at"`
}

// stampDoc is the projection LookupReleases reads.
type stampDoc struct {
	ID          string     `bson:"_id"`
	ContentHash string     `bson:"content_hash"`
	FirstSeen   time.Time  `bson:"first_seen"`
	LastSeen    time.Time  `bson:"last_seen"`
	Poster      *posterDoc `bson:"poster"`
}

// fill overwrites r with the stamps of d.
func (d *stampDoc) fill(r *catalog.Release) {
	*r = catalog.Release{ID: d.ID, ContentHash: d.ContentHash, FirstSeen: d.FirstSeen.UTC(), LastSeen: d.LastSeen.UTC()}
	if d.Poster != nil && d.Poster.URL != "" {
		r.Poster = &catalog.Poster{URL: d.Poster.URL, SHA256: d.Poster.SHA256}
	}
}

type priceDoc struct {
	Grade    string `bson:"grade"`
	Amount   int64  `bson:"amount"`
	Currency string `bson:"currency"`
}

type posterDoc struct {
	URL         string `bson:"url"`
	Object      string `bson:"object,omitempty"`
	SHA256      string `bson:"sha256,omitempty"`
	ContentType string `bson:"content_type,omitempty"`
	Width       int    `bson:"width,omitempty"`
	Height      int    `bson:"height,omitempty"`
	Bytes       int64  `bson:"bytes,omitempty"`
}

// dateToBSON stores a calendar date as UTC midnight; unknown is null.
func dateToBSON(d catalog.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := d.Time(time.UTC)
	return &t
}

func dateFromBSON(t *time.Time) catalog.Date {
	if t == nil || t.IsZero() {
		return catalog.Date{}
	}
	return catalog.DateOf(t.UTC())
}

func toPosterDoc(p *catalog.Poster) *posterDoc {
	if p == nil {
		return nil
	}
	return &posterDoc{URL: p.URL, Object: p.Object, SHA256: p.SHA256, ContentType: p.ContentType,
		Width: p.Width, Height: p.Height, Bytes: p.Bytes}
}

func toPrices(ps []catalog.Price) []priceDoc {
	if ps == nil {
		return nil
	}
	out := make([]priceDoc, len(ps))
	for i, p := range ps {
		out[i] = priceDoc(p)
	}
	return out
}

func toContentDoc(r *catalog.Release) *contentDoc {
	d := &contentDoc{
		Source: r.Source, SourceID: r.SourceID, Sources: r.Sources, URL: r.URL, Kind: string(r.Kind),
		Title: r.Title, OriginalTitle: r.OriginalTitle, Genres: r.Genres, Cast: r.Cast, Artists: r.Artists,
		Venue: r.Venue, Region: r.Region,
		StartDate: dateToBSON(r.StartDate), EndDate: dateToBSON(r.EndDate), ReleaseDate: dateToBSON(r.ReleaseDate),
		Platforms: r.Platforms, Prices: toPrices(r.Prices), AgeRating: r.AgeRating, Runtime: r.Runtime,
		Description: r.Description, Tags: r.Tags, Locale: r.Locale, ContentHash: r.ContentHash,
		UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Poster != nil && r.Poster.URL != "" {
		u := r.Poster.URL
		d.PosterURL = &u
	}
	return d
}

// ReleaseDocument returns the whole stored document of r, as WriteReleases
// would leave it after inserting r, for replace-style writers (the
// load-mongo benchmark's peer loader) and tools.
func ReleaseDocument(r *catalog.Release) any { return toReleaseDoc(r) }

// toReleaseDoc is the whole stored document of r.
func toReleaseDoc(r *catalog.Release) *releaseDoc {
	c := toContentDoc(r)
	return &releaseDoc{
		ID: r.ID, Source: c.Source, SourceID: c.SourceID, Sources: c.Sources, URL: c.URL, Kind: c.Kind,
		Title: c.Title, OriginalTitle: c.OriginalTitle, Genres: c.Genres, Cast: c.Cast, Artists: c.Artists,
		Venue: c.Venue, Region: c.Region, StartDate: c.StartDate, EndDate: c.EndDate, ReleaseDate: c.ReleaseDate,
		Platforms: c.Platforms, Prices: c.Prices, AgeRating: c.AgeRating, Runtime: c.Runtime,
		Poster: toPosterDoc(r.Poster), Description: c.Description, Tags: c.Tags, Locale: c.Locale,
		FirstSeen: r.FirstSeen.UTC(), LastSeen: r.LastSeen.UTC(), ContentHash: c.ContentHash, UpdatedAt: c.UpdatedAt,
	}
}

func (d *releaseDoc) release() *catalog.Release {
	r := new(catalog.Release)
	d.fill(r)
	return r
}

// fill overwrites every field of r from d.
func (d *releaseDoc) fill(r *catalog.Release) {
	*r = catalog.Release{
		ID: d.ID, Source: d.Source, SourceID: d.SourceID, Sources: d.Sources, URL: d.URL,
		Kind: catalog.Kind(d.Kind), Title: d.Title, OriginalTitle: d.OriginalTitle,
		Genres: d.Genres, Cast: d.Cast, Artists: d.Artists, Venue: d.Venue, Region: d.Region,
		StartDate: dateFromBSON(d.StartDate), EndDate: dateFromBSON(d.EndDate), ReleaseDate: dateFromBSON(d.ReleaseDate),
		Platforms: d.Platforms, AgeRating: d.AgeRating, Runtime: d.Runtime,
		Description: d.Description, Tags: d.Tags, Locale: d.Locale,
		FirstSeen: d.FirstSeen.UTC(), LastSeen: d.LastSeen.UTC(), ContentHash: d.ContentHash, UpdatedAt: d.UpdatedAt.UTC(),
	}
	if d.Prices != nil {
		r.Prices = make([]catalog.Price, len(d.Prices))
		for i, p := range d.Prices {
			r.Prices[i] = catalog.Price(p)
		}
	}
	if d.Poster != nil {
		r.Poster = &catalog.Poster{URL: d.Poster.URL, Object: d.Poster.Object, SHA256: d.Poster.SHA256,
			ContentType: d.Poster.ContentType, Width: d.Poster.Width, Height: d.Poster.Height, Bytes: d.Poster.Bytes}
	}
}

// appendReleaseDoc appends the BSON of toReleaseDoc(r) to dst, byte for
// byte what the driver's reflection encoder makes of it (the inserts'
// fast path; release_doc_test.go checks they agree).
func appendReleaseDoc(dst []byte, r *catalog.Release) []byte {
	idx, dst := bsoncore.AppendDocumentStart(dst)
	dst = bsoncore.AppendStringElement(dst, "_id", r.ID)
	dst = bsoncore.AppendStringElement(dst, "source", r.Source)
	dst = bsoncore.AppendStringElement(dst, "source_id", r.SourceID)
	dst = appendStrings(dst, "sources", r.Sources)
	dst = bsoncore.AppendStringElement(dst, "url", r.URL)
	dst = bsoncore.AppendStringElement(dst, "kind", string(r.Kind))
	dst = bsoncore.AppendStringElement(dst, "title", r.Title)
	dst = bsoncore.AppendStringElement(dst, "original_title", r.OriginalTitle)
	dst = appendStrings(dst, "genres", r.Genres)
	dst = appendStrings(dst, "cast", r.Cast)
	dst = appendStrings(dst, "artists", r.Artists)
	dst = bsoncore.AppendStringElement(dst, "venue", r.Venue)
	dst = bsoncore.AppendStringElement(dst, "region", r.Region)
	dst = appendDate(dst, "start_date", r.StartDate)
	dst = appendDate(dst, "end_date", r.EndDate)
	dst = appendDate(dst, "release_date", r.ReleaseDate)
	dst = appendStrings(dst, "platforms", r.Platforms)
	if r.Prices == nil {
		dst = bsoncore.AppendNullElement(dst, "prices")
	} else {
		var aidx int32
		aidx, dst = bsoncore.AppendArrayElementStart(dst, "prices")
		for i, p := range r.Prices {
			var pidx int32
			pidx, dst = bsoncore.AppendDocumentElementStart(dst, arrayKey(i))
			dst = bsoncore.AppendStringElement(dst, "grade", p.Grade)
			dst = bsoncore.AppendInt64Element(dst, "amount", p.Amount)
			dst = bsoncore.AppendStringElement(dst, "currency", p.Currency)
			dst, _ = bsoncore.AppendDocumentEnd(dst, pidx)
		}
		dst, _ = bsoncore.AppendArrayEnd(dst, aidx)
	}
	dst = bsoncore.AppendStringElement(dst, "age_rating", r.AgeRating)
	dst = appendInt(dst, "runtime", int64(r.Runtime))
	if p := r.Poster; p != nil {
		var pidx int32
		pidx, dst = bsoncore.AppendDocumentElementStart(dst, "poster")
		dst = bsoncore.AppendStringElement(dst, "url", p.URL)
		if p.Object != "" {
			dst = bsoncore.AppendStringElement(dst, "object", p.Object)
		}
		if p.SHA256 != "" {
			dst = bsoncore.AppendStringElement(dst, "sha256", p.SHA256)
		}
		if p.ContentType != "" {
			dst = bsoncore.AppendStringElement(dst, "content_type", p.ContentType)
		}
		if p.Width != 0 {
			dst = appendInt(dst, "width", int64(p.Width))
		}
		if p.Height != 0 {
			dst = appendInt(dst, "height", int64(p.Height))
		}
		if p.Bytes != 0 {
			dst = bsoncore.AppendInt64Element(dst, "bytes", p.Bytes)
		}
		dst, _ = bsoncore.AppendDocumentEnd(dst, pidx)
	}
	dst = bsoncore.AppendStringElement(dst, "description", r.Description)
	dst = appendStrings(dst, "tags", r.Tags)
	dst = bsoncore.AppendStringElement(dst, "locale", r.Locale)
	dst = appendTime(dst, "first_seen", r.FirstSeen)
	dst = appendTime(dst, "last_seen", r.LastSeen)
	dst = bsoncore.AppendStringElement(dst, "content_hash", r.ContentHash)
	dst = appendTime(dst, "updated_at", r.UpdatedAt)
	dst, _ = bsoncore.AppendDocumentEnd(dst, idx)
	return dst
}

// appendStrings appends a string list; nil is null (as the driver stores a nil slice).
func appendStrings(dst []byte, key string, ss []string) []byte {
	if ss == nil {
		return bsoncore.AppendNullElement(dst, key)
	}
	idx, dst := bsoncore.AppendArrayElementStart(dst, key)
	for i, s := range ss {
		dst = bsoncore.AppendStringElement(dst, arrayKey(i), s)
	}
	dst, _ = bsoncore.AppendArrayEnd(dst, idx)
	return dst
}

// appendInt appends a Go int as the driver does: int32 when it fits.
func appendInt(dst []byte, key string, n int64) []byte {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		return bsoncore.AppendInt32Element(dst, key, int32(n))
	}
	return bsoncore.AppendInt64Element(dst, key, n)
}

func appendDate(dst []byte, key string, d catalog.Date) []byte {
	t := dateToBSON(d)
	if t == nil {
		return bsoncore.AppendNullElement(dst, key)
	}
	return appendTime(dst, key, *t)
}

func appendTime(dst []byte, key string, t time.Time) []byte {
	return bsoncore.AppendDateTimeElement(dst, key, int64(bson.NewDateTimeFromTime(t.UTC())))
}

var arrayKeys = func() (ks [64]string) {
	for i := range ks {
		ks[i] = strconv.Itoa(i)
	}
	return ks
}()

func arrayKey(i int) string {
	if i < len(arrayKeys) {
		return arrayKeys[i]
	}
	return strconv.Itoa(i)
}
