package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"marquee/crawl"
	"marquee/internal/catalog"
	"marquee/internal/job"
)

// crawlOptions are the flags of `marquee crawl`.
type crawlOptions struct {
	Sites           []string
	SitesFile       string
	Shard           string
	UserAgent       string
	Chromium        string
	Tabs            int
	MaxRunTime      time.Duration
	SiteParallelism int
}

func newCrawlCmd(f *factory, runF func(context.Context, *crawlOptions) error) *cobra.Command {
	o := &crawlOptions{}
	cmd := &cobra.Command{
		Use:   "crawl",
		Short: "Crawl release listings into the lake's raw zone",
		Long: jobLong(`Crawl the configured sites (static pages, JavaScript pages, JSON APIs,
schema.org JSON-LD) and write what was seen to raw/releases/source=S/dt=D in
the lake, one partition per site, committed with a manifest. robots.txt is
obeyed, each host is rate-limited (slower after 429/503), retries honour
Retry-After, and a killed crawl resumes from its checkpoint in the lake's
_state/crawl zone without fetching stored pages again.

Sites come from --sites FILE or the config key "sites" (YAML; see
docs/crawl.md). --shard i/n (0 <= i < n) takes every n-th site by name, so
n workers with the same file split the sites. A site whose every page failed
is not committed and gives exit 4 after the other sites commit.`),
		Example: `  marquee crawl --date 2026-11-26 --sites sites.yaml
  marquee crawl --site interpark --site yes24 --sites sites.yaml
  marquee crawl --shard 0/4 --chromium /usr/bin/chromium`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runCrawl(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&o.Sites, "site", nil, "crawl only this site (repeatable)")
	fl.StringVar(&o.SitesFile, "sites", "", "site definitions file (default: the config's sites key)")
	fl.StringVar(&o.Shard, "shard", "", "run shard i of n (i/n, 0-based) of the sites")
	fl.StringVar(&o.UserAgent, "user-agent", crawl.DefaultUserAgent, "User-Agent header (a site's user_agent wins)")
	fl.StringVar(&o.Chromium, "chromium", "", "Chromium binary for browser sites (default: found on PATH)")
	fl.IntVar(&o.Tabs, "tabs", 2, "browser tabs open at once")
	fl.DurationVar(&o.MaxRunTime, "max-run-time", 0, "stop crawling after this long and commit what was found (0: no cap)")
	fl.IntVar(&o.SiteParallelism, "site-parallelism", 4, "sites crawled at once")
	return cmd
}

// jobOptions turns flags and config into the job's options.
func (o *crawlOptions) jobOptions(sitesFromConfig string) (crawl.Options, error) {
	file := o.SitesFile
	if file == "" {
		file = sitesFromConfig
	}
	if file == "" {
		return crawl.Options{}, catalog.Usagef("crawl: no site definitions: pass --sites FILE or set the config key \"sites\"")
	}
	sites, err := crawl.LoadSites(file)
	if err != nil {
		return crawl.Options{}, err
	}
	shard, err := crawl.ParseShard(o.Shard)
	if err != nil {
		return crawl.Options{}, err
	}
	if o.Tabs < 1 || o.SiteParallelism < 1 || o.MaxRunTime < 0 {
		return crawl.Options{}, catalog.Usagef("crawl: --tabs and --site-parallelism must be >= 1, --max-run-time >= 0")
	}
	return crawl.Options{
		Sites: sites, Only: o.Sites, Shard: shard, UserAgent: o.UserAgent,
		ChromiumPath: o.Chromium, Tabs: o.Tabs, MaxRunTime: o.MaxRunTime,
		SiteParallelism: o.SiteParallelism,
	}, nil
}

func runCrawl(ctx context.Context, f *factory, o *crawlOptions) error {
	opts, err := o.jobOptions(f.cfg.Sites)
	if err != nil {
		return err
	}
	store, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	return f.runDates(withShardLock(ctx, "crawl", o.Shard), "crawl", func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		return crawl.Run(ctx, env, opts, store)
	})
}
