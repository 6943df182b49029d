package main

import (
	"context"

	"github.com/spf13/cobra"
)

// buildMartOptions are the flags of `marquee build-mart`.
type buildMartOptions struct {
	Mart   string
	Top    int
	Window string
	Strict bool
}

func newBuildMartCmd(f *factory, runF func(context.Context, *buildMartOptions) error) *cobra.Command {
	o := &buildMartOptions{}
	cmd := &cobra.Command{
		Use:   "build-mart",
		Short: "Build analytics marts from activity events",
		Long: jobLong(`Build marts from parquet/events: popular_daily, ranking_age_daily,
search_keywords_daily, genre_preference and item_stats, each written to
mart/<name>/dt=D; popular_daily also replaces MongoDB popular for the day.`),
		Example: `  marquee build-mart --mart all --date 2026-11-25
  marquee build-mart --mart popular_daily,ranking_age_daily --from 2026-11-01 --to 2026-11-07 --top 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runBuildMart(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Mart, "mart", "all", "marts to build: NAME[,NAME...] or all")
	cmd.Flags().IntVar(&o.Top, "top", 100, "rows per ranking")
	cmd.Flags().StringVar(&o.Window, "window", "28d", "trailing window of genre_preference")
	cmd.Flags().BoolVar(&o.Strict, "strict", false, "turn data-test warnings into exit 3")
	return cmd
}

func runBuildMart(_ context.Context, _ *factory, _ *buildMartOptions) error {
	return notImplemented("build-mart")
}
