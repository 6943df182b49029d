package main

import (
	"context"

	"github.com/spf13/cobra"
)

// exportParquetOptions are the flags of `marquee export-parquet`.
type exportParquetOptions struct {
	Dataset     string
	Input       string
	Incremental bool
}

func newExportParquetCmd(f *factory, runF func(context.Context, *exportParquetOptions) error) *cobra.Command {
	o := &exportParquetOptions{}
	cmd := &cobra.Command{
		Use:   "export-parquet",
		Short: "Export MongoDB releases or activity logs to Parquet",
		Long: jobLong(`Write date-partitioned Parquet into the lake: parquet/releases/dt=D (a
snapshot of MongoDB releases) or parquet/events/dt=D (activity events from
JSONL files or Kafka, partitioned by event date in --tz).`),
		Example: `  marquee export-parquet --dataset releases --date 2026-11-26
  marquee export-parquet --dataset events --input 'logs/2026-11-26/*.jsonl.gz'
  marquee export-parquet --dataset events --input kafka://localhost:9092/app-events`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runExportParquet(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Dataset, "dataset", "releases", "dataset: releases|events")
	cmd.Flags().StringVar(&o.Input, "input", "", "events input: PATH, glob, gs://..., or kafka://HOST:PORT/TOPIC")
	cmd.Flags().BoolVar(&o.Incremental, "incremental", false, "releases: only documents changed since the last export")
	return cmd
}

func runExportParquet(_ context.Context, _ *factory, _ *exportParquetOptions) error {
	return notImplemented("export-parquet")
}
