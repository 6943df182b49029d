package main

import (
	"context"

	"github.com/spf13/cobra"
)

// ingestPostersOptions are the flags of `marquee ingest-posters`.
type ingestPostersOptions struct {
	From       string
	Thumbnails string
}

func newIngestPostersCmd(f *factory, runF func(context.Context, *ingestPostersOptions) error) *cobra.Command {
	o := &ingestPostersOptions{}
	cmd := &cobra.Command{
		Use:   "ingest-posters",
		Short: "Download, validate and store poster images in the lake",
		Long: jobLong(`Download the poster images of the releases crawled for the date (or of
releases in MongoDB without a stored poster), validate them, and store each
image once at posters/<aa>/<sha256>.<ext> in the lake.`),
		Example: `  marquee ingest-posters --date 2026-11-26
  marquee ingest-posters --from mongo --thumbnails 320,640`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runIngestPosters(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.From, "from", "raw", "where poster URLs come from: raw|mongo (this command's --from names a source, not a date; use --date or run backfill for ranges)")
	cmd.Flags().StringVar(&o.Thumbnails, "thumbnails", "", "thumbnail widths, e.g. 320,640")
	return cmd
}

func runIngestPosters(_ context.Context, _ *factory, _ *ingestPostersOptions) error {
	return notImplemented("ingest-posters")
}
