package export

import (
	"context"
	"strings"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// JobName is the job's name in summaries, locks and the lake.
const JobName = "export-parquet"

// Datasets export-parquet writes.
const (
	DatasetEvents   = "events"
	DatasetReleases = "releases"
)

// Options configures one run.
type Options struct {
	// Dataset is DatasetEvents or DatasetReleases.
	Dataset string
	// Input is the events input: a path, a glob, gs://bucket/glob, or
	// kafka://host:port/topic (then Deps.Log is used).
	Input string
	// Incremental exports only releases updated since the watermark of the
	// latest committed releases partition before the run's date.
	Incremental bool
	// LateDays is how many days before the run's date an event may be and
	// still be written (0: default 7; negative: none); older events are
	// quarantined.
	LateDays int
	// AheadDays is how many days after the run's date an event may be
	// (0: default 1, for midnight and clock skew; negative: none); newer
	// events are quarantined.
	AheadDays int
	// MaxRejects is the largest allowed fraction of quarantined input lines
	// (0: default 0.05; negative: none allowed; 1: no limit). Over it the
	// run still commits and then fails with catalog.ErrRejectThreshold (exit 3).
	MaxRejects float64
	// Workers is the number of parser goroutines (default GOMAXPROCS).
	Workers int
	// ChunkBytes is the size of the input chunks parsed in parallel (default 8 MiB).
	ChunkBytes int
	// Parquet tunes the files (row group rows, target file size).
	Parquet lake.ParquetOptions
}

// Deps are the job's dependencies.
type Deps struct {
	Lake     lake.Store            // the output lake (required)
	Files    Files                 // events input files (default LocalFiles)
	Log      EventLog              // events input when Input is kafka://
	Releases catalog.ReleaseSource // releases input
	// ReleasesURI names the releases source in the summary (mongodb://host/db.releases).
	ReleasesURI string
}

// Run exports one dataset for env.Date.
func Run(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	if deps.Lake == nil {
		return nil, catalog.Usagef("%s: no lake configured", JobName)
	}
	switch opts.Dataset {
	case DatasetEvents:
		return runEvents(ctx, env, opts, deps)
	case DatasetReleases:
		return runReleases(ctx, env, opts, deps)
	default:
		return nil, catalog.Usagef("--dataset %q: want releases or events", opts.Dataset)
	}
}

// IsKafka reports whether input names a Kafka topic.
func IsKafka(input string) bool { return strings.HasPrefix(input, "kafka://") }
