package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"marquee/etl/reindex"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/mongo"
	"marquee/internal/search"
	"marquee/lake"
	"marquee/mart"
	"marquee/recommend"
)

// reindexESOptions are the flags of `marquee reindex-es`.
type reindexESOptions struct {
	Alias       string
	Keep        int
	Incremental bool
	Since       string
	Source      string
	Analyzer    string
	Workers     int
	BatchSize   int
	Shards      int
	Replicas    int
	Refresh     string
	MaxRejects  float64
	MinRatio    float64
}

func newReindexESCmd(f *factory, runF func(context.Context, *reindexESOptions) error) *cobra.Command {
	o := &reindexESOptions{}
	cmd := &cobra.Command{
		Use:   "reindex-es",
		Short: "Rebuild the search index with zero downtime",
		Long: jobLong(`Rebuild the Elasticsearch/OpenSearch index of releases: build a new
versioned index <alias>_<run id> (replicas 0, refresh off while loading),
bulk-load it with bounded workers (backoff on 429/503; documents the cluster
refuses go to quarantine/reindex-es/dt=D), restore the settings, verify the
count and a sample of documents, move the alias in ONE atomic _aliases call
and prune old indices beyond --keep. A failure before the swap leaves the
alias untouched and deletes the half-built index.

--incremental --since T upserts the releases changed since T into the live
index and deletes those gone from the source. 'reindex-es rollback' moves
the alias back to the previous index.

The text analyzer is picked from what the cluster has (--analyzer auto):
nori, else cjk bigrams (analysis-common), else a Hangul-bigram field that
marquee computes itself. Works with Elasticsearch 8.x and OpenSearch 2.x/3.x.
See docs/reindex-es.md.`),
		Example: `  marquee reindex-es --search-url http://localhost:9200 --alias releases
  marquee reindex-es --incremental --since 2026-11-25T00:00:00Z
  marquee reindex-es --source releases.jsonl --analyzer cjk --workers 4
  marquee reindex-es rollback --alias releases`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runReindexES(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Alias, "alias", "releases", "index alias")
	fl.IntVar(&o.Keep, "keep", 2, "versioned indices to keep")
	fl.BoolVar(&o.Incremental, "incremental", false, "upsert changed releases into the live index")
	fl.StringVar(&o.Since, "since", "", "with --incremental: releases changed since this time (RFC 3339, or a date in --tz)")
	fl.StringVar(&o.Source, "source", "mongo", "releases from: mongo, lake (parquet/releases as of --date), or a JSONL file of releases")
	fl.StringVar(&o.Analyzer, "analyzer", reindex.AnalyzerAuto, "text analyzer: "+strings.Join(reindex.Analyzers, "|"))
	fl.IntVar(&o.Workers, "workers", 4, "concurrent bulk requests")
	fl.IntVar(&o.BatchSize, "batch-size", 1000, "documents per bulk request (also capped at 5 MiB)")
	fl.IntVar(&o.Shards, "shards", 1, "primary shards of a new index")
	fl.IntVar(&o.Replicas, "replicas", 1, "replicas of a new index once loaded")
	fl.StringVar(&o.Refresh, "refresh-interval", "1s", "refresh_interval of a new index once loaded")
	fl.Float64Var(&o.MaxRejects, "max-rejects", 0.01, "fraction of documents the cluster may refuse (quarantined) before exit 3 without a swap")
	fl.Float64Var(&o.MinRatio, "min-ratio", 0.5, "refuse to swap (or, incremental, to delete) when fewer than this fraction of the live documents would remain; 0 disables")
	cmd.AddCommand(newReindexESRollbackCmd(f, nil))
	return cmd
}

// jobOptions turns flags into the job's options.
func (o *reindexESOptions) jobOptions(loc *time.Location) (reindex.Options, error) {
	opts := reindex.Options{
		Alias: o.Alias, Keep: o.Keep, Incremental: o.Incremental, Analyzer: o.Analyzer,
		Workers: o.Workers, BatchDocs: o.BatchSize, Shards: o.Shards, Replicas: o.Replicas,
		Refresh: o.Refresh, MaxRejects: o.MaxRejects, MinRatio: o.MinRatio,
	}
	if o.MaxRejects == 0 {
		opts.MaxRejects = -1 // --max-rejects 0: none allowed
	}
	if o.Since != "" {
		t, err := parseSince(o.Since, loc)
		if err != nil {
			return opts, err
		}
		opts.Since = t
	}
	if o.Keep < 1 || o.Workers < 1 || o.BatchSize < 1 || o.Shards < 1 || o.Replicas < 0 {
		return opts, catalog.Usagef("reindex-es: --keep, --workers, --batch-size and --shards must be ≥ 1, --replicas ≥ 0")
	}
	return opts, nil
}

// parseSince reads RFC 3339, or a date meaning its midnight in loc.
func parseSince(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := catalog.ParseDate(s); err == nil {
		return d.Time(loc), nil
	}
	return time.Time{}, catalog.Usagef("--since %q: want RFC 3339 (2026-11-25T00:00:00Z) or a date (2026-11-25)", s)
}

func runReindexES(ctx context.Context, f *factory, o *reindexESOptions) error {
	opts, err := o.jobOptions(f.cfg.Loc)
	if err != nil {
		return err
	}
	cluster, err := newSearchClient(f)
	if err != nil {
		return err
	}
	deps := reindex.Deps{Cluster: cluster, Tokenizer: recommend.NewTokenizer(recommend.DefaultStopWords)}
	store, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	deps.Lake = store
	switch o.Source {
	case "mongo":
		c, err := f.Mongo(ctx)
		if err != nil {
			return err
		}
		rs := mongo.NewReleaseStore(c.Database(f.cfg.MongoDB), "")
		deps.Source = rs
		deps.SourceURI = mongoDatasetURI(f.cfg.MongoURI, rs.Name())
	case "lake": // opened per logical date, below
	default:
		deps.Source = reindex.FileSource{Path: o.Source}
		deps.SourceURI = "file://" + o.Source
	}
	// One rebuild per alias at a time, whatever its date: a second would
	// prune the first one's half-built index.
	ctx = withWideLock(ctx, reindex.JobName+"."+o.Alias)
	return f.runDates(ctx, reindex.JobName, func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		deps := deps
		if o.Source == "lake" {
			// The lake's releases dataset as of the logical date: the newest
			// snapshot on or before it plus the increments after it.
			rs, err := lake.OpenReleases(ctx, store, env.Date)
			if errors.Is(err, catalog.ErrNotFound) {
				return nil, fmt.Errorf("reindex-es: %w: no parquet/releases snapshot on or before %s", catalog.ErrNothingToDo, env.Date)
			}
			if err != nil {
				return nil, fmt.Errorf("reindex-es: lake releases: %w", err)
			}
			deps.Source = rs
			deps.SourceURI = store.URI() + "/" + rs.Partitions[0]
			for _, p := range rs.Partitions[1:] {
				deps.MoreInputs = append(deps.MoreInputs, store.URI()+"/"+p)
			}
		}
		// click_count from the newest cumulative item_stats mart of the date.
		deps.Clicks = mart.ItemStatsClicks{Store: store, Date: env.Date}
		deps.ClicksURI = store.URI() + "/" + lake.ZoneMart + "/" + mart.ItemStats
		return reindex.Run(ctx, env, opts, deps)
	})
}

// newSearchClient builds the search client from --search-url and the
// search credentials (env or *_file only).
func newSearchClient(f *factory) (*search.Client, error) {
	if f.cfg.SearchURL == "" {
		return nil, catalog.Usagef("no search server configured: set --search-url or MARQUEE_SEARCH_URL")
	}
	return search.New(search.Config{URL: f.cfg.SearchURL, APIKey: f.cfg.SearchAPIKey,
		Username: f.cfg.SearchUsername, Password: f.cfg.SearchPassword})
}

// mongoDatasetURI is mongodb://host/db.collection, without credentials.
func mongoDatasetURI(uri, name string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return "mongodb:///" + name
	}
	return "mongodb://" + u.Host + "/" + name
}

// reindexESRollbackOptions are the flags of `marquee reindex-es rollback`.
type reindexESRollbackOptions struct {
	Alias string
	To    string
}

func newReindexESRollbackCmd(f *factory, runF func(context.Context, *reindexESRollbackOptions) error) *cobra.Command {
	o := &reindexESRollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Move the search alias back to the previous index",
		Long: jobLong(`Move the alias back to the newest complete index older than the live
one (or to --to-index INDEX), in one atomic _aliases call. Indices are kept for
this by reindex-es --keep (default 2: the live one and one before it).`),
		Example: `  marquee reindex-es rollback --alias releases
  marquee reindex-es rollback --alias releases --to-index releases_20261125t060000-1a2b3c4d`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runReindexESRollback(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Alias, "alias", "releases", "index alias")
	cmd.Flags().StringVar(&o.To, "to-index", "", "the index to move the alias to (default: the previous complete one)")
	return cmd
}

func runReindexESRollback(ctx context.Context, f *factory, o *reindexESRollbackOptions) error {
	if len(f.cfg.Dates) > 1 {
		return catalog.Usagef("reindex-es rollback: moves the alias once; no --from/--to range")
	}
	cluster, err := newSearchClient(f)
	if err != nil {
		return err
	}
	ctx = withWideLock(ctx, reindex.JobName+"."+o.Alias)
	return f.runDates(ctx, reindex.JobName+"-rollback", func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		return reindex.Rollback(ctx, env, reindex.RollbackOptions{Alias: o.Alias, To: o.To}, cluster)
	})
}
