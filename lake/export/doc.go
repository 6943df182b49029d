// Package export is the export-parquet job: it writes the lake's Parquet
// datasets, parquet/events/dt=D (activity events from JSONL files or a Kafka
// topic, partitioned by event date in the configured zone) and
// parquet/releases/dt=D (a snapshot, or an incremental delta, of the stored
// releases).
//
// The job reads through interfaces (Files, EventLog, catalog.ReleaseSource)
// and writes through lake.Store; it never imports a driver. Parquet encoding
// lives in package lake; this package parses, validates, partitions and
// commits. Events parsing is a hand-rolled scanner over the fixed schema,
// run in parallel over chunks of the input and merged back in input order,
// so the same input always gives byte-identical files.
package export
