package lake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"marquee/internal/catalog"
)

// Manifest meta keys and values of releases partitions.
const (
	// ReleasesMetaMode is "snapshot" (every stored release) or "incremental"
	// (only releases updated at or after ReleasesMetaSince).
	ReleasesMetaMode = "mode"
	// ReleasesMetaSince is the RFC 3339 lower bound of an incremental export.
	ReleasesMetaSince = "since"
	// ReleasesMetaWatermark is the largest updated_at exported (RFC 3339
	// nano); the next incremental export starts there.
	ReleasesMetaWatermark = "watermark"

	ReleasesModeSnapshot    = "snapshot"
	ReleasesModeIncremental = "incremental"
)

// PriceRow is one element of ReleaseRow.Prices.
type PriceRow struct {
	Grade    string `parquet:"grade"`
	Amount   int64  `parquet:"amount"`
	Currency string `parquet:"currency,dict"`
}

// PosterRow is ReleaseRow.Poster.
type PosterRow struct {
	URL         string  `parquet:"url"`
	Object      *string `parquet:"object,optional"`
	SHA256      *string `parquet:"sha256,optional"`
	ContentType *string `parquet:"content_type,optional,dict"`
	Width       *int32  `parquet:"width,optional"`
	Height      *int32  `parquet:"height,optional"`
	Bytes       *int64  `parquet:"bytes,optional"`
}

// ReleaseRow is one row of the releases Parquet dataset
// (parquet/releases/dt=D), the data contract for outside readers:
// strings are UTF-8 (empty optional strings are null); genres, cast,
// artists, platforms, tags and sources are LIST<STRING> (empty list when
// none); prices is LIST<STRUCT<grade STRING, amount INT64, currency STRING>>;
// start_date, end_date and release_date are DATE (null when unknown);
// first_seen, last_seen and updated_at are TIMESTAMP(MICROS, UTC); poster
// is an optional STRUCT. Rows are in id order. Optional scalars are
// pointers (nil = null): parquet-go v0.32.0 mis-writes some zero values of
// optional non-pointer fields as present.
type ReleaseRow struct {
	ID            string     `parquet:"id"`
	Source        string     `parquet:"source,dict"`
	SourceID      string     `parquet:"source_id"`
	Sources       []string   `parquet:"sources,list"`
	URL           *string    `parquet:"url,optional"`
	Kind          string     `parquet:"kind,dict"`
	Title         string     `parquet:"title"`
	OriginalTitle *string    `parquet:"original_title,optional"`
	Genres        []string   `parquet:"genres,list"`
	Cast          []string   `parquet:"cast,list"`
	Artists       []string   `parquet:"artists,list"`
	Venue         *string    `parquet:"venue,optional,dict"`
	Region        *string    `parquet:"region,optional,dict"`
	StartDate     *int32     `parquet:"start_date,date"`
	EndDate       *int32     `parquet:"end_date,date"`
	ReleaseDate   *int32     `parquet:"release_date,date"`
	Platforms     []string   `parquet:"platforms,list"`
	Prices        []PriceRow `parquet:"prices,list"`
	AgeRating     *string    `parquet:"age_rating,optional,dict"`
	Runtime       *int32     `parquet:"runtime,optional"`
	Poster        *PosterRow `parquet:"poster,optional"`
	Description   *string    `parquet:"description,optional"`
	Tags          []string   `parquet:"tags,list"`
	Locale        *string    `parquet:"locale,optional,dict"`
	FirstSeen     *int64     `parquet:"first_seen,timestamp(microsecond:utc)"`
	LastSeen      *int64     `parquet:"last_seen,timestamp(microsecond:utc)"`
	UpdatedAt     *int64     `parquet:"updated_at,timestamp(microsecond:utc)"`
	ContentHash   *string    `parquet:"content_hash,optional"`
}

// ReleasesSchema is the Parquet schema of the releases dataset.
var ReleasesSchema = parquet.NewSchema("releases", parquet.SchemaOf(ReleaseRow{}))

// ReleasesPartition is the releases partition of date d.
func ReleasesPartition(d catalog.Date) string { return PartitionPath(ZoneParquetReleases, d) }

func dateDays(d catalog.Date) *int32 {
	if d.IsZero() {
		return nil
	}
	n := int32(d.Time(time.UTC).Unix() / 86400)
	return &n
}

func daysDate(n *int32) catalog.Date {
	if n == nil {
		return catalog.Date{}
	}
	return catalog.DateOf(time.Unix(int64(*n)*86400, 0).UTC())
}

func micros(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixMicro()
	return &n
}

func fromMicros(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.UnixMicro(*n).UTC()
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func strv(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func i32p(n int32) *int32 {
	if n == 0 {
		return nil
	}
	return &n
}

func i32v(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// ReleaseRowOf converts a release to its row. Times are kept to the microsecond.
func ReleaseRowOf(r *catalog.Release) ReleaseRow {
	row := ReleaseRow{
		ID: r.ID, Source: r.Source, SourceID: r.SourceID, Sources: nonEmpty(r.Sources), URL: strp(r.URL),
		Kind: string(r.Kind), Title: r.Title, OriginalTitle: strp(r.OriginalTitle),
		Genres: nonEmpty(r.Genres), Cast: nonEmpty(r.Cast), Artists: nonEmpty(r.Artists),
		Venue: strp(r.Venue), Region: strp(r.Region),
		StartDate: dateDays(r.StartDate), EndDate: dateDays(r.EndDate), ReleaseDate: dateDays(r.ReleaseDate),
		Platforms: nonEmpty(r.Platforms), AgeRating: strp(r.AgeRating), Runtime: i32p(int32(r.Runtime)),
		Description: strp(r.Description), Tags: nonEmpty(r.Tags), Locale: strp(r.Locale),
		FirstSeen: micros(r.FirstSeen), LastSeen: micros(r.LastSeen), UpdatedAt: micros(r.UpdatedAt),
		ContentHash: strp(r.ContentHash),
	}
	for _, p := range r.Prices {
		row.Prices = append(row.Prices, PriceRow(p))
	}
	if p := r.Poster; p != nil {
		row.Poster = &PosterRow{URL: p.URL, Object: strp(p.Object), SHA256: strp(p.SHA256), ContentType: strp(p.ContentType),
			Width: i32p(int32(p.Width)), Height: i32p(int32(p.Height))}
		if p.Bytes != 0 {
			n := p.Bytes
			row.Poster.Bytes = &n
		}
	}
	return row
}

// Release converts the row back to the domain type (empty lists are nil).
func (row *ReleaseRow) Release() *catalog.Release {
	r := &catalog.Release{
		ID: row.ID, Source: row.Source, SourceID: row.SourceID, Sources: nonEmpty(row.Sources), URL: strv(row.URL),
		Kind: catalog.Kind(row.Kind), Title: row.Title, OriginalTitle: strv(row.OriginalTitle),
		Genres: nonEmpty(row.Genres), Cast: nonEmpty(row.Cast), Artists: nonEmpty(row.Artists),
		Venue: strv(row.Venue), Region: strv(row.Region),
		StartDate: daysDate(row.StartDate), EndDate: daysDate(row.EndDate), ReleaseDate: daysDate(row.ReleaseDate),
		Platforms: nonEmpty(row.Platforms), AgeRating: strv(row.AgeRating), Runtime: int(i32v(row.Runtime)),
		Description: strv(row.Description), Tags: nonEmpty(row.Tags), Locale: strv(row.Locale),
		FirstSeen: fromMicros(row.FirstSeen), LastSeen: fromMicros(row.LastSeen), UpdatedAt: fromMicros(row.UpdatedAt),
		ContentHash: strv(row.ContentHash),
	}
	for _, p := range row.Prices {
		r.Prices = append(r.Prices, catalog.Price(p))
	}
	if p := row.Poster; p != nil {
		r.Poster = &catalog.Poster{URL: p.URL, Object: strv(p.Object), SHA256: strv(p.SHA256), ContentType: strv(p.ContentType),
			Width: int(i32v(p.Width)), Height: int(i32v(p.Height))}
		if p.Bytes != nil {
			r.Poster.Bytes = *p.Bytes
		}
	}
	return r
}

// ReleasesWriter writes release rows into part files of one partition
// (normally parquet/releases/dt=D). Not safe for concurrent use.
type ReleasesWriter struct{ p *partWriter[ReleaseRow] }

// NewReleasesWriter returns a releases writer into pw.
func NewReleasesWriter(ctx context.Context, pw *PartitionWriter, opts ParquetOptions) *ReleasesWriter {
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = 32 * 1024 // wide rows
	}
	return &ReleasesWriter{p: newPartWriter[ReleaseRow](ctx, pw, ReleasesSchema, opts)}
}

// Write appends one release.
func (w *ReleasesWriter) Write(r *catalog.Release) error {
	row := ReleaseRowOf(r)
	return w.p.Write([]ReleaseRow{row})
}

// Rows is how many rows were written.
func (w *ReleasesWriter) Rows() int64 { return w.p.Rows() }

// Close finishes the current file and adds it to the partition writer.
func (w *ReleasesWriter) Close() error { return w.p.Close() }

// Abort discards the file being written.
func (w *ReleasesWriter) Abort() { w.p.Abort() }

// ReadReleasesParquet calls fn for every release of partition dir, in the
// order written (id order). fn must not keep r. A partition that was never
// committed is catalog.ErrNotFound.
func ReadReleasesParquet(ctx context.Context, s Store, dir string, fn func(r *catalog.Release) error) error {
	return readParquetRows(ctx, s, dir, 256, func(_ string, rows []ReleaseRow) error {
		for i := range rows {
			if err := fn(rows[i].Release()); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReleasesSource is a catalog.ReleaseSource over the lake's releases
// dataset as of a date: the newest snapshot partition on or before it,
// merged with the incremental partitions after that snapshot (newest
// version of each id wins). Build it with OpenReleases.
type ReleasesSource struct {
	store Store
	// Partitions are the partition directories merged, oldest first (the snapshot first).
	Partitions []string
}

var _ catalog.ReleaseSource = (*ReleasesSource)(nil)

// OpenReleases finds the releases partitions that make up the dataset as
// of d (zero d: the newest). No snapshot on or before d is catalog.ErrNotFound.
func OpenReleases(ctx context.Context, s Store, d catalog.Date) (*ReleasesSource, error) {
	days, err := ListPartitions(ctx, s, ZoneParquetReleases, catalog.Date{}, d)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for i := len(days) - 1; i >= 0; i-- {
		dir := ReleasesPartition(days[i])
		m, err := ReadManifest(ctx, s, dir)
		if err != nil {
			return nil, err
		}
		dirs = append([]string{dir}, dirs...)
		if m.Meta[ReleasesMetaMode] != ReleasesModeIncremental {
			return &ReleasesSource{store: s, Partitions: dirs}, nil
		}
	}
	return nil, fmt.Errorf("lake: no releases snapshot on or before %s: %w", d, catalog.ErrNotFound)
}

// EachRelease implements catalog.ReleaseSource: every release in id order
// (the newest version of each id); with a non-zero since, only those
// updated at or after it. fn must not keep r.
func (rs *ReleasesSource) EachRelease(ctx context.Context, since time.Time, fn func(r *catalog.Release) error) error {
	its := make([]*releaseIter, len(rs.Partitions))
	for i, dir := range rs.Partitions {
		m, err := ReadManifest(ctx, rs.store, dir)
		if err != nil {
			return err
		}
		its[i] = &releaseIter{ctx: ctx, s: rs.store, keys: m.Keys()}
		defer its[i].close()
		if err := its[i].next(); err != nil {
			return err
		}
	}
	for {
		// the smallest id; among equals the newest partition wins.
		best := -1
		for i, it := range its {
			if it.cur == nil {
				continue
			}
			if best < 0 || it.cur.ID < its[best].cur.ID || it.cur.ID == its[best].cur.ID {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		row := its[best].cur
		id := row.ID
		r := row.Release()
		for _, it := range its {
			for it.cur != nil && it.cur.ID == id {
				if err := it.next(); err != nil {
					return err
				}
			}
		}
		if !since.IsZero() && r.UpdatedAt.Before(since) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// releaseIter walks the rows of a partition's files in order.
type releaseIter struct {
	ctx  context.Context
	s    Store
	keys []string
	done func()
	r    *parquet.GenericReader[ReleaseRow]
	buf  []ReleaseRow
	pos  int
	cur  *ReleaseRow
}

func (it *releaseIter) next() error {
	for {
		if it.pos < len(it.buf) {
			it.cur = &it.buf[it.pos]
			it.pos++
			return nil
		}
		if it.r != nil {
			it.buf = it.buf[:cap(it.buf)]
			clear(it.buf)
			n, err := it.r.Read(it.buf)
			it.buf, it.pos = it.buf[:n], 0
			if n > 0 {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("lake: releases parquet: %w", err)
			}
			it.close()
		}
		if len(it.keys) == 0 {
			it.cur = nil
			return nil
		}
		key := it.keys[0]
		it.keys = it.keys[1:]
		ra, size, done, err := openParquet(it.ctx, it.s, key)
		if err != nil {
			return err
		}
		f, err := parquet.OpenFile(ra, size)
		if err != nil {
			done()
			return fmt.Errorf("lake: parquet %s: %w", key, err)
		}
		it.done = done
		it.r = parquet.NewGenericReader[ReleaseRow](f)
		if it.buf == nil {
			it.buf = make([]ReleaseRow, 0, 256)
		}
	}
}

func (it *releaseIter) close() {
	if it.r != nil {
		_ = it.r.Close()
		it.r = nil
	}
	if it.done != nil {
		it.done()
		it.done = nil
	}
}
