// Package job is the runtime every marquee subcommand runs in: the logical
// date and clock, the run id, the summary that becomes the last stdout line,
// logs and progress on stderr, the exit codes of DESIGN.md §5, retries with
// backoff, the per-(job, date) run lock, metrics and lineage.
//
// Jobs (crawl, etl, lake, mart, recommend) receive an *Env and return a
// *Summary; they never print and never call os.Exit.
package job
