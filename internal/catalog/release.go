package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Kind is what sort of release a Release is.
type Kind string

// The release kinds marquee knows.
const (
	KindMovie       Kind = "movie"
	KindPerformance Kind = "performance"
	KindSports      Kind = "sports"
	KindExhibition  Kind = "exhibition"
)

// Kinds lists every valid Kind.
var Kinds = []Kind{KindMovie, KindPerformance, KindSports, KindExhibition}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Age ratings (Korean rating system).
const (
	RatingAll = "ALL"
	Rating7   = "7"
	Rating12  = "12"
	Rating15  = "15"
	Rating19  = "19"
)

// Regions lists the 17 Korean provinces and metropolitan cities, plus "overseas".
var Regions = []string{
	"서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시",
	"울산광역시", "세종특별자치시", "경기도", "강원특별자치도", "충청북도", "충청남도",
	"전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도", "overseas",
}

// Date is a calendar date without a time or zone. The zero value is "unknown".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return DateOf(t), nil
}

// IsZero reports whether d is unknown.
func (d Date) IsZero() bool { return d.Year == 0 }

// String formats d as YYYY-MM-DD, or "" when unknown.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time(time.UTC).Format(time.DateOnly)
}

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time(time.UTC).AddDate(0, 0, n)) }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Time(time.UTC).Before(o.Time(time.UTC)) }

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD, empty when unknown).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Price is one ticket grade's price.
type Price struct {
	Grade    string `json:"grade"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Poster is where a release's poster image came from and where the lake keeps it.
type Poster struct {
	URL         string `json:"url"`
	Object      string `json:"object,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Bytes       int64  `json:"bytes,omitempty"`
}

// Release is one upcoming thing a person can watch or attend. Its JSON names
// are the field names of DESIGN.md §3; drivers map it to their own documents.
type Release struct {
	ID            string    `json:"id"`
	Source        string    `json:"source"`
	SourceID      string    `json:"source_id"`
	Sources       []string  `json:"sources,omitempty"`
	URL           string    `json:"url,omitempty"`
	Kind          Kind      `json:"kind"`
	Title         string    `json:"title"`
	OriginalTitle string    `json:"original_title,omitempty"`
	Genres        []string  `json:"genres,omitempty"`
	Cast          []string  `json:"cast,omitempty"`
	Artists       []string  `json:"artists,omitempty"`
	Venue         string    `json:"venue,omitempty"`
	Region        string    `json:"region,omitempty"`
	StartDate     Date      `json:"start_date"`
	EndDate       Date      `json:"end_date"`
	ReleaseDate   Date      `json:"release_date"`
	Platforms     []string  `json:"platforms,omitempty"`
	Prices        []Price   `json:"prices,omitempty"`
	AgeRating     string    `json:"age_rating,omitempty"`
	Runtime       int       `json:"runtime,omitempty"` // minutes
	Poster        *Poster   `json:"poster,omitempty"`
	Description   string    `json:"description,omitempty"`
	Tags          []string  `json:"tags,omitempty"`
	Locale        string    `json:"locale,omitempty"`
	FirstSeen     time.Time `json:"first_seen"`
	LastSeen      time.Time `json:"last_seen"`
	ContentHash   string    `json:"content_hash,omitempty"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ReleaseID is the stable id of the release (source, sourceID): the first
// 24 hex digits of sha256(source + "\x00" + sourceID).
func ReleaseID(source, sourceID string) string {
	h := sha256.Sum256([]byte(source + "\x00" + sourceID))
	return hex.EncodeToString(h[:12])
}
