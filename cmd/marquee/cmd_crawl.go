package main

import (
	"context"

	"github.com/spf13/cobra"
)

// crawlOptions are the flags of `marquee crawl`.
type crawlOptions struct {
	Sites     []string
	SitesFile string
	Shard     string
}

func newCrawlCmd(f *factory, runF func(context.Context, *crawlOptions) error) *cobra.Command {
	o := &crawlOptions{}
	cmd := &cobra.Command{
		Use:   "crawl",
		Short: "Crawl release listings into the lake's raw zone",
		Long: jobLong(`Crawl the configured sites (static pages, JavaScript pages, JSON APIs,
schema.org JSON-LD) and write what was seen to raw/releases/source=S/dt=D in
the lake. robots.txt is obeyed, each domain is rate-limited, and an
interrupted crawl resumes from its checkpoint.`),
		Example: `  marquee crawl --date 2026-11-26
  marquee crawl --site interpark --site yes24 --sites sites.yaml
  marquee crawl --shard 0/4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCrawl(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringSliceVar(&o.Sites, "site", nil, "crawl only this site (repeatable)")
	cmd.Flags().StringVar(&o.SitesFile, "sites", "", "site definitions file (default: the config's sites key)")
	cmd.Flags().StringVar(&o.Shard, "shard", "", "run shard i of n (i/n) of the sites")
	return cmd
}

func runCrawl(_ context.Context, _ *factory, _ *crawlOptions) error {
	return notImplemented("crawl")
}
