// Package mart is build-mart: the analytics marts of DESIGN.md §5a computed
// from the activity events in parquet/events/dt=D and written to
// mart/<name>/dt=D (Parquet, manifest-committed).
//
// The marts are popular_daily, ranking_age_daily, search_keywords_daily,
// genre_preference and item_stats; Definitions documents each one's columns
// and docs/build-mart.md their exact semantics. mart/sql holds the same
// definitions as SQL for DuckDB, BigQuery and Spark.
//
// The engine is columnar: it reads only the column chunks a mart needs,
// straight from the Parquet pages (dictionary ids, not strings), translates
// per-chunk dictionaries to run-wide integer ids once per chunk, packs the
// group keys into uint64s and aggregates them with radix sorts, parallel
// over row groups. Memory follows the number of distinct groups (item ×
// user × age group, sessions) rather than the number of events; the one
// per-event record is kept for searches, until the day's clicks are known.
//
// Boundary: mart imports lake, internal/catalog and internal/job. As a
// deliberate exception to "only lake imports parquet-go" (DESIGN.md §2), it
// imports github.com/parquet-go/parquet-go to read event column chunks
// directly and to write its own small mart files; nothing else in it touches
// a driver. MongoDB is reached only through catalog.PopularSink, wired by
// cmd/marquee.
package mart
