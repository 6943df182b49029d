package main

import (
	"context"

	"github.com/spf13/cobra"
)

// runOptions are the flags of `marquee run daily|backfill`.
type runOptions struct {
	Steps     []string
	Only      []string
	Skip      []string
	KeepGoing bool
	Force     bool
	Parallel  int
}

func newRunCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the daily chain of jobs, or a backfill over a date range",
	}
	o := &runOptions{}
	pf := cmd.PersistentFlags()
	pf.StringSliceVar(&o.Steps, "steps", nil, "the steps, in order (default: the config's run steps)")
	pf.StringSliceVar(&o.Only, "only", nil, "run only these steps")
	pf.StringSliceVar(&o.Skip, "skip", nil, "skip these steps")
	pf.BoolVar(&o.KeepGoing, "keep-going", false, "go on after a failed step")
	pf.BoolVar(&o.Force, "force", false, "backfill: rerun dates that already succeeded")
	pf.IntVar(&o.Parallel, "parallel", 1, "backfill: dates run in parallel")
	daily := &cobra.Command{
		Use:   "daily",
		Short: "Run the daily chain for one logical date",
		Long: jobLong(`Run the steps of the daily batch in order, each as its own job with its
own summary line, then a final summary line covering all steps. Default
steps: crawl, ingest-posters, load-mongo, compute-similar, reindex-es, then
export-parquet and build-mart for the previous day's events.`),
		Example: "  marquee run daily --date 2026-11-26\n  marquee run daily --skip reindex-es --keep-going",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDaily(cmd.Context(), f, o)
		},
	}
	backfill := &cobra.Command{
		Use:   "backfill",
		Short: "Run the chain for every date of --from..--to",
		Long: jobLong(`Run the steps for each date from --from to --to, oldest first. Dates
already completed by a successful run are skipped unless --force.`),
		Example: "  marquee run backfill --from 2026-11-01 --to 2026-11-07 --steps load-mongo,export-parquet",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackfill(cmd.Context(), f, o)
		},
	}
	cmd.AddCommand(daily, backfill)
	return cmd
}

func runDaily(_ context.Context, _ *factory, _ *runOptions) error { return notImplemented("run daily") }

func runBackfill(_ context.Context, _ *factory, _ *runOptions) error {
	return notImplemented("run backfill")
}
