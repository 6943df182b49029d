package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"marquee/etl/load"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/mongo"
)

// loadMongoOptions are the flags of `marquee load-mongo`.
type loadMongoOptions struct {
	BatchSize  int
	Workers    int
	MaxRejects float64
	NoMerge    bool
	Sources    []string
	Collection string
	OpTimeout  time.Duration
}

func newLoadMongoCmd(f *factory, runF func(context.Context, *loadMongoOptions) error) *cobra.Command {
	o := &loadMongoOptions{}
	cmd := &cobra.Command{
		Use:   "load-mongo",
		Short: "Normalise raw records and upsert them into MongoDB",
		Long: jobLong(`Read the raw partitions raw/releases/source=*/dt=D of the date, normalise
each record (Korean dates, prices, age ratings, regions, titles, genres; the
page's schema.org JSON-LD fills missing fields), validate, keep one record
per source item, merge the same release seen on several sites (one release
with sources: [...]; --no-merge turns this off), and upsert the releases into
the MongoDB collection (default releases) with parallel unordered bulk
writes. Only releases whose content hash or seen dates changed are written:
rerunning an unchanged date writes nothing. Records that cannot become a
release go to quarantine/load-mongo/dt=D with the reason. --dry-run reports
what would be inserted, updated, touched and quarantined without writing.
See docs/load-mongo.md.`),
		Example: `  marquee load-mongo --date 2026-11-26 --mongo-uri mongodb://localhost:27017
  marquee load-mongo --from 2026-11-01 --to 2026-11-07 --workers 4
  marquee load-mongo --date 2026-11-26 --dry-run
  marquee load-mongo --date 2026-11-26 --source nol --source ticketlink --no-merge`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := o.jobOptions(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runLoadMongo(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.BatchSize, "batch-size", load.DefaultBatchSize, "documents per bulk write")
	fl.IntVar(&o.Workers, "workers", 4, "parallel bulk writers (and normalisers)")
	fl.Float64Var(&o.MaxRejects, "max-rejects", load.DefaultMaxRejects, "fail with exit 3 when more than this share of records is quarantined (0: none allowed)")
	fl.BoolVar(&o.NoMerge, "no-merge", false, "do not merge the same release seen on several sites")
	fl.StringArrayVar(&o.Sources, "source", nil, "load only this raw source (repeatable; default: every source of the date)")
	fl.StringVar(&o.Collection, "collection", mongo.ReleasesCollection, "MongoDB collection of releases")
	fl.DurationVar(&o.OpTimeout, "op-timeout", mongo.DefaultOpTimeout, "deadline of each MongoDB call (bulk write, lookup)")
	return cmd
}

// jobOptions turns flags into the job's options.
func (o *loadMongoOptions) jobOptions() (load.Options, error) {
	if o.BatchSize < 1 || o.Workers < 1 || o.Workers > 256 {
		return load.Options{}, catalog.Usagef("load-mongo: --batch-size must be ≥ 1 and --workers between 1 and 256")
	}
	if o.MaxRejects < 0 || o.MaxRejects > 1 {
		return load.Options{}, catalog.Usagef("load-mongo: --max-rejects is a fraction between 0 and 1, got %g", o.MaxRejects)
	}
	if o.Collection == "" || o.OpTimeout <= 0 {
		return load.Options{}, catalog.Usagef("load-mongo: --collection must not be empty and --op-timeout must be positive")
	}
	opts := load.Options{BatchSize: o.BatchSize, Workers: o.Workers, MaxRejects: o.MaxRejects,
		NoMerge: o.NoMerge, Sources: o.Sources}
	if o.MaxRejects == 0 {
		opts.MaxRejects = -1 // --max-rejects 0: none allowed
	}
	return opts, nil
}

func runLoadMongo(ctx context.Context, f *factory, o *loadMongoOptions) error {
	opts, err := o.jobOptions()
	if err != nil {
		return err
	}
	st, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	return f.runDates(ctx, load.JobName, func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		// Connecting inside the run: a server that stays down ends with a
		// summary line and exit 4.
		c, err := f.Mongo(ctx)
		if err != nil {
			s := job.NewSummary(env)
			return s, err
		}
		store := mongo.NewReleaseStore(c.Database(f.cfg.MongoDB), o.Collection)
		store.OpTimeout = o.OpTimeout
		opts := opts
		opts.Output = mongoDatasetURI(f.cfg.MongoURI, store.Name())
		return load.Run(ctx, env, opts, load.Deps{Lake: st, Sink: store})
	})
}
