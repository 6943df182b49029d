package mongo

import (
	"time"

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
