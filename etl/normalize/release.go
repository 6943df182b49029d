package normalize

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"marquee/internal/catalog"
)

// Limits a raw record must respect; a record over one is quarantined.
const (
	MaxFieldBytes    = 64 << 10 // any one field text
	MaxJSONLDBytes   = 1 << 20  // one JSON-LD block
	MaxSourceIDBytes = 256
	MaxTitleRunes    = 300
)

// Options are the context of a normalisation run.
type Options struct {
	Ref catalog.Date   // the logical date: infers missing years, bounds absurd ones
	Loc *time.Location // the configured zone: dates are calendar dates here
}

// Issue is one field a rule could not read; the field was left empty.
type Issue struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// String is "field: reason".
func (i Issue) String() string { return i.Field + ": " + i.Reason }

// Reject is why a raw record cannot become a Release; the record goes to
// quarantine with Reason.
type Reject struct {
	Reason string
}

// Error is the reason.
func (r *Reject) Error() string { return r.Reason }

func rejectf(format string, args ...any) error {
	return &Reject{Reason: fmt.Sprintf(format, args...)}
}

// IsReject reports whether err is a *Reject.
func IsReject(err error) bool {
	var r *Reject
	return errors.As(err, &r)
}

// Release normalises one raw record. Fields win over the record's JSON-LD;
// the JSON-LD fills what the fields lack. A record without a source, a
// source id, a valid kind or a title, with an absurd date, or with a field
// over the limits is a *Reject. Fields that no rule could read are left
// empty and listed as issues. The content hash is not set (see ContentHash).
func Release(raw *catalog.RawRecord, o Options) (*catalog.Release, []Issue, error) {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	var issues []Issue
	issue := func(field string, err error) {
		issues = append(issues, Issue{Field: field, Reason: err.Error()})
	}
	for k, v := range raw.Fields {
		if len(v) > MaxFieldBytes {
			return nil, nil, rejectf("field %s is %d bytes (limit %d)", clip(Text(k)), len(v), MaxFieldBytes)
		}
	}
	for i, b := range raw.JSONLD {
		if len(b) > MaxJSONLDBytes {
			return nil, nil, rejectf("jsonld block %d is %d bytes (limit %d)", i, len(b), MaxJSONLDBytes)
		}
	}
	source, sourceID := Text(raw.Source), Text(raw.SourceID)
	switch {
	case source == "":
		return nil, nil, rejectf("missing source")
	case sourceID == "":
		return nil, nil, rejectf("missing source_id")
	case len(sourceID) > MaxSourceIDBytes:
		return nil, nil, rejectf("source_id is %d bytes (limit %d)", len(sourceID), MaxSourceIDBytes)
	case len(source) > MaxSourceIDBytes:
		return nil, nil, rejectf("source is %d bytes (limit %d)", len(source), MaxSourceIDBytes)
	}

	ld, err := ParseJSONLD(raw.JSONLD)
	if err != nil {
		issue("jsonld", err)
	}
	get := func(k string) string {
		if v := raw.Fields[k]; strings.TrimSpace(v) != "" {
			return v
		}
		if ld != nil {
			return ld.Fields[k]
		}
		return ""
	}

	kind := catalog.Kind(strings.ToLower(Text(string(raw.Kind))))
	if kind == "" {
		kind = catalog.Kind(strings.ToLower(Text(raw.Fields["kind"])))
	}
	if kind == "" && ld != nil {
		kind = ld.Kind
	}
	if kind == "" {
		return nil, nil, rejectf("missing kind")
	}
	if !kind.Valid() {
		return nil, nil, rejectf("invalid kind %q", clip(string(kind)))
	}

	title, tags := Title(get("title"))
	if title == "" {
		return nil, nil, rejectf("missing title")
	}
	if n := utf8.RuneCountInString(title); n > MaxTitleRunes {
		return nil, nil, rejectf("title is %d characters (limit %d)", n, MaxTitleRunes)
	}

	r := &catalog.Release{
		ID: catalog.ReleaseID(source, sourceID), Source: source, SourceID: sourceID,
		Sources: []string{source + ":" + sourceID},
		Kind:    kind, Title: title,
	}
	r.URL = cleanURL(raw.URL, "")
	if r.URL == "" {
		r.URL = cleanURL(get("url"), "")
	}
	if ot, _ := Title(get("original_title")); ot != title {
		r.OriginalTitle = ot
	}

	// Dates.
	dateField := func(field string) (DateRange, bool) {
		d, err := Dates(get(field), o.Ref, o.Loc)
		if errors.Is(err, ErrAbsurdDate) {
			return DateRange{}, false
		}
		if err != nil {
			issue(field, err)
		}
		return d, true
	}
	var absurd []string
	start, ok := dateField("start_date")
	if !ok {
		absurd = append(absurd, "start_date")
	}
	end, ok := dateField("end_date")
	if !ok {
		absurd = append(absurd, "end_date")
	}
	rel, ok := dateField("release_date")
	if !ok {
		absurd = append(absurd, "release_date")
	}
	text, ok := dateField("date_text")
	if !ok {
		absurd = append(absurd, "date_text")
	}
	if len(absurd) > 0 {
		return nil, nil, rejectf("absurd date in %s: %s", strings.Join(absurd, ", "), clip(Text(get(absurd[0]))))
	}
	r.StartDate = firstDate(start.Start, text.Start)
	r.EndDate = firstDate(end.Start, start.End, text.End)
	r.ReleaseDate = rel.Start
	if kind == catalog.KindMovie {
		if r.ReleaseDate.IsZero() {
			r.ReleaseDate = r.StartDate
		}
		if r.StartDate.IsZero() {
			r.StartDate = r.ReleaseDate
		}
	}
	if !r.StartDate.IsZero() && !r.EndDate.IsZero() && r.EndDate.Before(r.StartDate) {
		return nil, nil, rejectf("absurd dates: end_date %s before start_date %s", r.EndDate, r.StartDate)
	}

	// Place.
	r.Venue = Text(get("venue"))
	if reg := Text(get("region")); reg != "" {
		r.Region = regionName(reg)
	}
	if r.Region == "" {
		r.Region = Region(r.Venue, get("address"))
	}
	if r.Region == "" && (r.Venue != "" || get("address") != "" || get("region") != "") {
		issue("region", fmt.Errorf("%w: region of venue %q address %q", ErrUnparsed, clip(r.Venue), clip(Text(get("address")))))
	}

	// Prices.
	if p := get("price"); raw.Fields["price"] != "" || ld == nil || len(ld.Prices) == 0 {
		prices, err := Prices(p)
		if err != nil {
			issue("price", err)
		}
		r.Prices = prices
	} else {
		r.Prices = ld.Prices
	}

	if ar, err := AgeRating(get("age_rating")); err != nil {
		issue("age_rating", err)
	} else {
		r.AgeRating = ar
	}
	genres, unknown := Genres(get("genres"))
	if len(genres) == 0 {
		switch kind {
		case catalog.KindExhibition:
			genres = []string{"exhibition"}
		case catalog.KindSports:
			if g := SportsGenre(title); g != "" {
				genres = []string{g}
			}
		}
	}
	r.Genres = genres
	if len(unknown) > 0 {
		issue("genres", fmt.Errorf("%w: genre %q not in the vocabulary", ErrUnparsed, clip(strings.Join(unknown, ", "))))
	}
	r.Cast = List(get("cast"))
	r.Artists = List(get("artists"))
	if rt, err := Runtime(get("runtime")); err != nil {
		issue("runtime", err)
	} else {
		r.Runtime = rt
	}
	r.Platforms = Platforms(get("platforms"))
	if pu := get("poster_url"); pu != "" {
		if u := cleanURL(pu, raw.URL); u != "" {
			r.Poster = &catalog.Poster{URL: u}
		} else {
			issue("poster_url", fmt.Errorf("%w: poster url %q", ErrUnparsed, clip(pu)))
		}
	}
	r.Description = Text(get("description"))
	for _, t := range List(get("tags")) {
		tags = appendUnique(tags, t)
	}
	r.Tags = tags
	r.Locale = "en"
	if HasHangul(r.Title) || HasHangul(r.Description) || HasHangul(r.Venue) || slices.ContainsFunc(r.Cast, HasHangul) {
		r.Locale = "ko"
	}

	seen := raw.FetchedAt.UTC()
	if raw.FetchedAt.IsZero() {
		seen = o.Ref.Time(o.Loc).UTC()
	}
	r.FirstSeen, r.LastSeen = seen, seen
	return r, issues, nil
}

func firstDate(ds ...catalog.Date) catalog.Date {
	for _, d := range ds {
		if !d.IsZero() {
			return d
		}
	}
	return catalog.Date{}
}

// regionName maps a region text ("서울", "경기도", "Seoul", "서울특별시") to
// its catalog name, or "" when unknown.
func regionName(s string) string {
	if slices.Contains(catalog.Regions, s) {
		return s
	}
	if r, ok := provinceAliases[strings.ToLower(s)]; ok {
		return r
	}
	if strings.EqualFold(s, "해외") || isOverseas(s) {
		return Overseas
	}
	return Region("", s)
}

// cleanURL returns u resolved against base when relative, or "" when it is
// not an http(s) URL.
func cleanURL(u, base string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > 4096 {
		return ""
	}
	if plainURL(u) {
		return u // what parsing and printing it gives back
	}
	if len(u) > 1 && u[0] == '/' && u[1] != '/' && plainPath(u) && plainURL(base) {
		return urlOrigin(base) + u // what resolving it against base gives
	}
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	if !pu.IsAbs() && base != "" {
		bu, err := url.Parse(base)
		if err != nil {
			return ""
		}
		pu = bu.ResolveReference(pu)
	}
	if pu.Scheme != "http" && pu.Scheme != "https" || pu.Host == "" {
		return ""
	}
	return pu.String()
}

// plainURL reports whether u is http(s)://host[/path] with a lower-case
// host of letters, digits, dots and hyphens and a path of unreserved
// characters and slashes (no query, fragment, escapes, "//" or dot
// segments): url.Parse and URL.String give such a URL back unchanged.
func plainURL(u string) bool {
	var rest string
	switch {
	case strings.HasPrefix(u, "https://"):
		rest = u[len("https://"):]
	case strings.HasPrefix(u, "http://"):
		rest = u[len("http://"):]
	default:
		return false
	}
	host := rest
	path := ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host, path = rest[:i], rest[i:]
	}
	if host == "" || host[0] == '.' || host[0] == '-' {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return plainPath(path)
}

// plainPath reports whether p is a URL path of unreserved characters and
// slashes without "//" or dot segments (nothing to escape or resolve).
func plainPath(p string) bool {
	if strings.Contains(p, "//") || strings.Contains(p, "/.") {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
			return false
		}
	}
	return true
}

// urlOrigin is "scheme://host" of a plainURL.
func urlOrigin(u string) string {
	i := strings.Index(u, "://") + len("://")
	if j := strings.IndexByte(u[i:], '/'); j >= 0 {
		return u[:i+j]
	}
	return u
}
