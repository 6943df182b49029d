package main

import (
	"context"

	"github.com/spf13/cobra"
)

// loadMongoOptions are the flags of `marquee load-mongo`.
type loadMongoOptions struct {
	BatchSize  int
	Workers    int
	MaxRejects float64
}

func newLoadMongoCmd(f *factory, runF func(context.Context, *loadMongoOptions) error) *cobra.Command {
	o := &loadMongoOptions{}
	cmd := &cobra.Command{
		Use:   "load-mongo",
		Short: "Normalise raw records and upsert them into MongoDB",
		Long: jobLong(`Read the raw partitions of the date, normalise each record (Korean dates,
prices, age ratings, regions, titles), validate, merge duplicates and upsert
the releases into MongoDB. Bad records go to quarantine/load-mongo/dt=D with
a reason.`),
		Example: `  marquee load-mongo --date 2026-11-26 --mongo-uri mongodb://localhost:27017
  marquee load-mongo --from 2026-11-01 --to 2026-11-07 --workers 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runLoadMongo(cmd.Context(), f, o)
		},
	}
	cmd.Flags().IntVar(&o.BatchSize, "batch-size", 1000, "documents per bulk write")
	cmd.Flags().IntVar(&o.Workers, "workers", 2, "parallel bulk writers")
	cmd.Flags().Float64Var(&o.MaxRejects, "max-rejects", 0.05, "fail with exit 3 when more than this share is quarantined")
	return cmd
}

func runLoadMongo(_ context.Context, _ *factory, _ *loadMongoOptions) error {
	return notImplemented("load-mongo")
}
