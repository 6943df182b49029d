// Package normalize turns what the crawler saw (catalog.RawRecord) into
// catalog.Release values: pure functions for dates, prices, age ratings,
// regions, titles, genres, runtimes and people lists, the schema.org JSON-LD
// fallback, validation (which records must be quarantined and why), the
// content hash, and the same-source dedup and cross-source merge.
//
// Nothing here does I/O or reads a clock: the logical date and the time zone
// are arguments. A rule that cannot parse a field leaves the field empty and
// reports an Issue; a record that cannot become a Release at all is a
// *Reject carrying the reason.
package normalize
