// Package load is the load-mongo job: it reads a logical date's raw
// partitions (raw/releases/source=*/dt=D), normalises every record with
// etl/normalize, quarantines what cannot become a release
// (quarantine/load-mongo/dt=D), merges the same release seen on several
// sites, and upserts only what changed into a Sink (the MongoDB releases
// collection, wired by cmd/marquee) in parallel unordered bulk calls.
//
// The job never imports a driver: it gets a lake.Store and a Sink.
package load
