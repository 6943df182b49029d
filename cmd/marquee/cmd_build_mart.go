package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/mongo"
	"marquee/lake"
	"marquee/mart"
)

// buildMartOptions are the flags of `marquee build-mart`.
type buildMartOptions struct {
	Mart     string
	Top      int
	Window   string
	Strict   bool
	HalfLife float64
	Weights  string
	Drift    float64
	Workers  int
	Genres   string
	Publish  bool
}

func newBuildMartCmd(f *factory, runF func(context.Context, *buildMartOptions) error) *cobra.Command {
	o := &buildMartOptions{}
	cmd := &cobra.Command{
		Use:   "build-mart",
		Short: "Build analytics marts from activity events",
		Long: jobLong(`Build marts from parquet/events: popular_daily, ranking_age_daily,
search_keywords_daily, genre_preference and item_stats, each written to
mart/<name>/dt=D; popular_daily also replaces MongoDB popular for the day
(when MongoDB is configured).

With --from/--to one invocation builds every day of the range, reading each
events partition once; genre_preference reads only the --window partitions
each day needs, item_stats continues from the latest earlier item_stats
partition. Data tests run on every built partition (keys not null and
unique, ranks 1..N, counts non-negative, row-count drift vs the previous
day); their failures are warnings in the summary, exit 3 with --strict.

Item genres for genre_preference come from --genres FILE (JSON lines of
releases with "id" and "genres"), else from the lake's parquet/releases as of
the last date, else from MongoDB releases. Definitions: docs/build-mart.md.`),
		Example: `  marquee build-mart --mart all --date 2026-11-25
  marquee build-mart --mart popular_daily,ranking_age_daily --from 2026-11-01 --to 2026-11-07 --top 10
  marquee build-mart --mart genre_preference --window 28d --half-life 7 --weights view=1,click=2,like=3,book=5 --genres releases.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := mart.ParseMarts(o.Mart); err != nil {
				return err
			}
			if _, err := mart.ParseWindow(o.Window); err != nil {
				return err
			}
			if _, err := mart.ParseWeights(o.Weights); err != nil {
				return err
			}
			if o.HalfLife <= 0 || o.Top < 0 || o.Workers < 0 {
				return catalog.Usagef("--half-life must be positive, --top and --workers not negative")
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runBuildMart(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Mart, "mart", "all", "marts to build: NAME[,NAME...] or all ("+strings.Join(mart.Names, ", ")+")")
	cmd.Flags().IntVar(&o.Top, "top", mart.DefaultTop, "rows per ranking (popular_daily, each age group, search keywords); 0 = all")
	cmd.Flags().StringVar(&o.Window, "window", "28d", "trailing window of genre_preference (28d, 4w, 672h)")
	cmd.Flags().BoolVar(&o.Strict, "strict", false, "turn data-test warnings into exit 3")
	cmd.Flags().Float64Var(&o.HalfLife, "half-life", mart.DefaultHalfLife, "genre_preference decay half-life in days")
	cmd.Flags().StringVar(&o.Weights, "weights", "view=1,click=2,like=3,book=5", "genre_preference weight per event type")
	cmd.Flags().Float64Var(&o.Drift, "drift", mart.DefaultDrift, "row-count change vs the previous day that warns (0.5 = 50%; 0 = off)")
	cmd.Flags().IntVar(&o.Workers, "workers", 0, "row groups scanned in parallel (0 = number of CPUs)")
	cmd.Flags().StringVar(&o.Genres, "genres", "", "item genres: a JSONL file of releases (default: parquet/releases in the lake, else MongoDB releases)")
	cmd.Flags().BoolVar(&o.Publish, "publish", true, "replace MongoDB popular with popular_daily (when MongoDB is configured)")
	return cmd
}

func runBuildMart(ctx context.Context, f *factory, o *buildMartOptions) error {
	marts, err := mart.ParseMarts(o.Mart)
	if err != nil {
		return err
	}
	window, err := mart.ParseWindow(o.Window)
	if err != nil {
		return err
	}
	weights, err := mart.ParseWeights(o.Weights)
	if err != nil {
		return err
	}
	store, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	dates := f.cfg.Dates
	if ds, ok := ctx.Value(datesKey{}).([]catalog.Date); ok {
		dates = ds
	}
	if len(dates) == 0 {
		return catalog.Usagef("build-mart: no logical date")
	}
	opts := mart.Options{
		Marts: marts, From: dates[0], To: dates[len(dates)-1],
		Top: o.Top, Window: window, HalfLife: o.HalfLife, Weights: weights,
		Strict: o.Strict, Drift: o.Drift, Workers: o.Workers,
	}
	if o.Top == 0 {
		opts.Top = -1 // all
	}
	if o.Drift == 0 {
		opts.Drift = -1 // off
	}
	deps := mart.Deps{Lake: store}
	mongoOK := f.cfg.MongoURI != ""
	if slices.Contains(marts, mart.GenrePreference) {
		rs, lerr := lake.OpenReleases(ctx, store, opts.To)
		if lerr != nil && !errors.Is(lerr, catalog.ErrNotFound) {
			return fmt.Errorf("build-mart: releases in the lake: %w", lerr)
		}
		switch {
		case o.Genres != "":
			deps.Genres = mart.JSONLGenres{Path: o.Genres}
		case rs != nil:
			deps.Genres = mart.ReleaseGenres{Source: rs}
		case mongoOK:
			c, err := f.Mongo(ctx)
			if err != nil {
				return err
			}
			deps.Genres = mart.ReleaseGenres{Source: mongo.NewReleaseStore(c.Database(f.cfg.MongoDB), "")}
		case strings.Contains(o.Mart, "all"):
			f.log.Warn("genre_preference skipped: no item genres (no parquet/releases in the lake; set --genres FILE or --mongo-uri)")
			opts.Marts = slices.DeleteFunc(slices.Clone(marts), func(m string) bool { return m == mart.GenrePreference })
		default:
			return catalog.Usagef("genre_preference needs item genres: parquet/releases in the lake, --genres FILE or --mongo-uri")
		}
	}
	if o.Publish && mongoOK && slices.Contains(opts.Marts, mart.PopularDaily) && !f.cfg.DryRun {
		c, err := f.Mongo(ctx)
		if err != nil {
			return err
		}
		ps := mongo.NewPopularStore(c, f.cfg.MongoDB)
		if err := job.Retry(ctx, job.DefaultBackoff, ps.EnsureIndexes); err != nil {
			return err
		}
		deps.Popular = ps
		deps.PopularURI = mongoDatasetURI(f.cfg.MongoURI, f.cfg.MongoDB+"."+mongo.PopularCollection)
	}
	rec, _ := ctx.Value(recorderKey{}).(*summaryRecorder)
	s, err := f.Runner(ctx).Run(ctx, f.Env(mart.JobName, opts.To), func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		return mart.Run(ctx, env, opts, deps)
	})
	if rec != nil {
		rec.add(s)
	}
	f.reported = true
	return err
}
