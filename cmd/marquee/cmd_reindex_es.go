package main

import (
	"context"

	"github.com/spf13/cobra"
)

// reindexESOptions are the flags of `marquee reindex-es`.
type reindexESOptions struct {
	Alias       string
	Keep        int
	Incremental bool
	Since       string
}

func newReindexESCmd(f *factory, runF func(context.Context, *reindexESOptions) error) *cobra.Command {
	o := &reindexESOptions{}
	cmd := &cobra.Command{
		Use:   "reindex-es",
		Short: "Rebuild the search index with zero downtime",
		Long: jobLong(`Rebuild the Elasticsearch/OpenSearch index of releases: build a new
versioned index, verify it, move the alias in one atomic call, prune old
indices. 'reindex-es rollback' moves the alias back.`),
		Example: `  marquee reindex-es --search-url http://localhost:9200 --alias releases
  marquee reindex-es --incremental --since 2026-11-25T00:00:00Z
  marquee reindex-es rollback --alias releases`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runReindexES(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Alias, "alias", "releases", "index alias")
	cmd.Flags().IntVar(&o.Keep, "keep", 2, "versioned indices to keep")
	cmd.Flags().BoolVar(&o.Incremental, "incremental", false, "upsert changed releases into the live index")
	cmd.Flags().StringVar(&o.Since, "since", "", "with --incremental: releases changed since this time (RFC 3339)")
	return cmd
}

func runReindexES(_ context.Context, _ *factory, _ *reindexESOptions) error {
	return notImplemented("reindex-es")
}
