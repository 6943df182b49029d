package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/kafka"
	"marquee/internal/mongo"
	"marquee/lake"
	"marquee/lake/export"
	"marquee/lake/gcs"
)

// exportParquetOptions are the flags of `marquee export-parquet`.
type exportParquetOptions struct {
	Dataset      string
	Input        string
	Incremental  bool
	LateDays     int
	AheadDays    int
	MaxRejects   float64
	Workers      int
	RowGroupRows int64
	TargetFileMB int64
	KafkaGroup   string
}

func newExportParquetCmd(f *factory, runF func(context.Context, *exportParquetOptions) error) *cobra.Command {
	o := &exportParquetOptions{}
	cmd := &cobra.Command{
		Use:   "export-parquet",
		Short: "Export MongoDB releases or activity logs to Parquet",
		Long: jobLong(`Write date-partitioned Parquet (zstd, row groups of ~128k rows) into the lake.

--dataset events reads activity events (JSONL, one object a line; .gz files
are gunzipped) from --input: a path, a glob, gs://bucket/glob, or a Kafka
topic kafka://HOST:PORT/TOPIC (consumer group --kafka-group; offsets are
committed only after the lake is). Each event lands in parquet/events/dt=E,
E being the date of its ts in --tz, not the arrival date. The files of a run
are tagged with its --date (the batch): a rerun replaces that batch's files
in every partition it touched and leaves other batches alone, so late events
are neither lost nor duplicated. Malformed lines, unknown event types and
timestamps outside [--date - late-days, --date + ahead-days] go to
quarantine/export-parquet/dt=D with file and line.

--dataset releases writes parquet/releases/dt=D: a snapshot of MongoDB
releases, or with --incremental only the releases updated since the
watermark of the previous export. See docs/export-parquet.md.`),
		Example: `  marquee export-parquet --dataset releases --date 2026-11-26
  marquee export-parquet --dataset releases --incremental
  marquee export-parquet --dataset events --date 2026-11-26 --input 'logs/2026-11-26/*.jsonl.gz'
  marquee export-parquet --dataset events --input gs://app-logs/2026/11/26/*.jsonl
  marquee export-parquet --dataset events --input kafka://localhost:9092/app-events`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runExportParquet(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Dataset, "dataset", "releases", "dataset: releases|events")
	fl.StringVar(&o.Input, "input", "", "events input: PATH, glob, gs://..., or kafka://HOST:PORT/TOPIC")
	fl.BoolVar(&o.Incremental, "incremental", false, "releases: only documents changed since the last export")
	fl.IntVar(&o.LateDays, "late-days", 7, "events: accept events up to this many days before --date")
	fl.IntVar(&o.AheadDays, "ahead-days", 1, "events: accept events up to this many days after --date")
	fl.Float64Var(&o.MaxRejects, "max-rejects", 0.05, "events: fraction of quarantined lines above which the run exits 3 (after committing); 0: none allowed, 1: no limit")
	fl.IntVar(&o.Workers, "workers", 0, "events: parser goroutines (default: CPUs)")
	fl.Int64Var(&o.RowGroupRows, "row-group-rows", lake.DefaultRowGroupRows, "rows per Parquet row group")
	fl.Int64Var(&o.TargetFileMB, "target-file-size", lake.DefaultTargetFileBytes>>20, "MiB at which a Parquet part file is closed and the next begun")
	fl.StringVar(&o.KafkaGroup, "kafka-group", kafka.DefaultGroup, "events: Kafka consumer group whose offsets mark what was exported")
	return cmd
}

func (o *exportParquetOptions) validate() error {
	switch o.Dataset {
	case export.DatasetEvents:
		if o.Input == "" {
			return catalog.Usagef("export-parquet: --dataset events needs --input")
		}
		if o.Incremental {
			return catalog.Usagef("export-parquet: --incremental applies to --dataset releases")
		}
	case export.DatasetReleases:
		if o.Input != "" {
			return catalog.Usagef("export-parquet: --input applies to --dataset events (releases come from MongoDB)")
		}
	default:
		return catalog.Usagef("export-parquet: --dataset %q: want releases or events", o.Dataset)
	}
	if o.LateDays < 0 || o.AheadDays < 0 || o.Workers < 0 || o.RowGroupRows < 1 || o.TargetFileMB < 1 {
		return catalog.Usagef("export-parquet: --late-days, --ahead-days, --workers must be ≥ 0; --row-group-rows, --target-file-size ≥ 1")
	}
	return nil
}

// jobOptions turns flags into the job's options.
func (o *exportParquetOptions) jobOptions() export.Options {
	opts := export.Options{
		Dataset: o.Dataset, Input: o.Input, Incremental: o.Incremental,
		LateDays: o.LateDays, AheadDays: o.AheadDays, MaxRejects: o.MaxRejects, Workers: o.Workers,
		Parquet: lake.ParquetOptions{RowGroupRows: o.RowGroupRows, TargetFileBytes: o.TargetFileMB << 20},
	}
	if o.LateDays == 0 {
		opts.LateDays = -1 // only --date itself (the job treats 0 as its default)
	}
	if o.AheadDays == 0 {
		opts.AheadDays = -1
	}
	if o.MaxRejects == 0 {
		opts.MaxRejects = -1 // --max-rejects 0: none allowed
	}
	return opts
}

func runExportParquet(ctx context.Context, f *factory, o *exportParquetOptions) error {
	store, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	opts := o.jobOptions()
	deps := export.Deps{Lake: store}
	switch {
	case o.Dataset == export.DatasetReleases:
		c, err := f.Mongo(ctx)
		if err != nil {
			return err
		}
		rs := mongo.NewReleaseStore(c.Database(f.cfg.MongoDB), "")
		deps.Releases = rs
		deps.ReleasesURI = mongoDatasetURI(f.cfg.MongoURI, rs.Name())
	case export.IsKafka(o.Input):
		l, err := kafka.Open(o.Input, o.KafkaGroup)
		if err != nil {
			return err
		}
		f.onClose(func(context.Context) error { l.Close(); return nil })
		deps.Log = l
	case strings.HasPrefix(o.Input, "gs://"):
		bucket, _, err := gcs.ParseURI(o.Input)
		if err != nil {
			return err
		}
		f.mu.Lock()
		s, err := openGCSLake(ctx, f, "gs://"+bucket)
		f.mu.Unlock()
		if err != nil {
			return err
		}
		deps.Files = export.StoreFiles{Store: s, Prefix: "gs://" + bucket + "/"}
	}
	if o.Dataset == "events" {
		// Runs of different dates write the same late-event partitions, whose
		// manifests they update: one events export at a time.
		ctx = withWideLock(ctx, export.JobName+".events")
	}
	return f.runDates(ctx, export.JobName, func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		return export.Run(ctx, env, opts, deps)
	})
}
