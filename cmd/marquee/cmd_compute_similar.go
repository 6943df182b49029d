package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/mongo"
	"marquee/lake"
	"marquee/recommend"
)

// computeSimilarOptions are the flags of `marquee compute-similar`.
type computeSimilarOptions struct {
	K            int
	Source       string
	Shard        string
	SameKind     bool
	OnlyChanged  bool
	FieldWeights map[string]string
	StopWords    []string
	Workers      int
	CommonDF     int
	MidDF        int
}

func newComputeSimilarCmd(f *factory, runF func(context.Context, *computeSimilarOptions) error) *cobra.Command {
	o := &computeSimilarOptions{}
	cmd := &cobra.Command{
		Use:   "compute-similar",
		Short: "Compute TF-IDF top-k similar releases",
		Long: jobLong(`For every release still running on --date (no end date, or ending on or after
it), compute the k most similar releases by TF-IDF cosine over title, genres,
cast, artists, venue, description and tags, and write them to MongoDB similar
({_id, items: [{id, score}], model, computed_at}; only when a MongoDB is
configured) and to the lake as mart/similar/dt=D (item_id, rank, similar_id,
score). Korean text is cut into Hangul syllable bigrams, Latin words are
lower-cased, numbers kept; sublinear tf, smoothed idf, L2 norm. The top k is
exact (equal to a brute-force scan) and found through an inverted index,
never an n×n matrix. Ties: score descending, then id ascending.

Releases come from MongoDB (--source mongo), the lake's parquet/releases as
of --date (--source lake), or a JSONL file of releases (--source FILE.jsonl,
.jsonl.gz too). Field weights and stop words: --field-weights / --stop-words
or the config keys compute-similar.field-weights and compute-similar.stop-words.
See docs/compute-similar.md.`),
		Example: `  marquee compute-similar --k 10
  marquee compute-similar --source releases.jsonl --k 3 --same-kind
  marquee compute-similar --shard 0/4          # Airflow fan-out, one task per shard
  marquee compute-similar --only-changed       # recompute only what the day's changes affect
  marquee compute-similar --field-weights title=4,description=0.5 --stop-words 뮤지컬,공연`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := o.jobOptions(nil); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runComputeSimilar(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.K, "k", 10, "neighbours per release (1-1000)")
	fl.StringVar(&o.Source, "source", "mongo", "releases from: mongo|lake|FILE.jsonl")
	fl.StringVar(&o.Shard, "shard", "", "compute the lists of shard i of n (i/n, 0 ≤ i < n) of the releases")
	fl.BoolVar(&o.SameKind, "same-kind", false, "neighbours only of the same kind (movie, performance, ...)")
	fl.BoolVar(&o.OnlyChanged, "only-changed", false, "recompute only the lists the releases changed since the last run can affect")
	fl.StringToStringVar(&o.FieldWeights, "field-weights", nil, "field weights, e.g. title=3,cast=2 (others keep their config/default weight)")
	fl.StringSliceVar(&o.StopWords, "stop-words", nil, "stop words, replacing the configured/default list")
	fl.IntVar(&o.Workers, "workers", 0, "goroutines (default: all CPUs)")
	fl.IntVar(&o.CommonDF, "common-df", 0, "document frequency above which a term is bounded instead of walked (tuning; default n/20)")
	fl.IntVar(&o.MidDF, "mid-df", 0, "document frequency above which a list may be skipped block by block (tuning; default n/256)")
	return cmd
}

// jobOptions turns flags (and the config section, when cfg is not nil)
// into the job's options.
func (o *computeSimilarOptions) jobOptions(section map[string]any) (recommend.Options, error) {
	opts := recommend.Options{K: o.K, SameKind: o.SameKind, OnlyChanged: o.OnlyChanged,
		Workers: o.Workers, CommonDF: o.CommonDF, MidDF: o.MidDF, Weights: recommend.DefaultFieldWeights}
	if o.K < 1 || o.K > 1000 {
		return opts, catalog.Usagef("compute-similar: --k must be between 1 and 1000, got %d", o.K)
	}
	if o.Source == "" {
		return opts, catalog.Usagef("compute-similar: --source must be mongo, lake or a JSONL file")
	}
	sh, err := recommend.ParseShard(o.Shard)
	if err != nil {
		return opts, err
	}
	opts.Shard = sh
	if raw, ok := section["field-weights"]; ok {
		m, ok := raw.(map[string]any)
		if !ok {
			return opts, catalog.Usagef("config compute-similar.field-weights: want a map of field to weight")
		}
		for k, v := range m {
			s := fmt.Sprint(v)
			if err := setFieldWeight(&opts.Weights, k, s); err != nil {
				return opts, fmt.Errorf("config compute-similar.field-weights: %w", err)
			}
		}
	}
	keys := make([]string, 0, len(o.FieldWeights))
	for k := range o.FieldWeights {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := setFieldWeight(&opts.Weights, k, o.FieldWeights[k]); err != nil {
			return opts, fmt.Errorf("--field-weights: %w", err)
		}
	}
	if raw, ok := section["stop-words"]; ok {
		list, ok := raw.([]any)
		if !ok {
			return opts, catalog.Usagef("config compute-similar.stop-words: want a list of words")
		}
		opts.StopWords = []string{}
		for _, w := range list {
			opts.StopWords = append(opts.StopWords, fmt.Sprint(w))
		}
	}
	if o.StopWords != nil {
		opts.StopWords = o.StopWords
	}
	if err := opts.Weights.Validate(); err != nil {
		return opts, err
	}
	if opts.OnlyChanged && !sh.All() {
		return opts, catalog.Usagef("compute-similar: --only-changed works on the whole catalog; drop --shard")
	}
	return opts, nil
}

func setFieldWeight(w *recommend.FieldWeights, field, value string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return catalog.Usagef("weight of %q: %v", field, err)
	}
	switch strings.ToLower(strings.TrimSpace(field)) {
	case "title":
		w.Title = v
	case "genres":
		w.Genres = v
	case "cast":
		w.Cast = v
	case "artists":
		w.Artists = v
	case "venue":
		w.Venue = v
	case "description":
		w.Description = v
	case "tags":
		w.Tags = v
	default:
		return catalog.Usagef("unknown field %q (want title, genres, cast, artists, venue, description, tags)", field)
	}
	return nil
}

func runComputeSimilar(ctx context.Context, f *factory, o *computeSimilarOptions) error {
	opts, err := o.jobOptions(f.cfg.Sections["compute-similar"])
	if err != nil {
		return err
	}
	store, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	mongoOK := f.cfg.MongoURI != ""
	if o.Source == "mongo" && !mongoOK {
		return catalog.Usagef("compute-similar: --source mongo needs --mongo-uri (or use --source lake|FILE.jsonl)")
	}
	return f.runDates(withShardLock(ctx, recommend.JobName, o.Shard), recommend.JobName, func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		deps := recommend.Deps{Lake: store}
		opts := opts
		if mongoOK {
			// Connecting inside the run: a server that stays down ends with a
			// summary line and exit 4.
			c, err := f.Mongo(ctx)
			if err != nil {
				return job.NewSummary(env), err
			}
			ss := mongo.NewSimilarStore(c, f.cfg.MongoDB)
			deps.Sink, deps.Previous = ss, ss
			opts.MongoOutput = mongoDatasetURI(f.cfg.MongoURI, ss.Name())
			if o.Source == "mongo" {
				rs := mongo.NewReleaseStore(c.Database(f.cfg.MongoDB), "")
				deps.Source = rs
				opts.Input = mongoDatasetURI(f.cfg.MongoURI, rs.Name())
			}
		}
		switch o.Source {
		case "mongo":
		case "lake":
			rs, err := lake.OpenReleases(ctx, store, env.Date)
			if errors.Is(err, catalog.ErrNotFound) {
				return nil, fmt.Errorf("compute-similar: %w: no parquet/releases snapshot on or before %s", catalog.ErrNothingToDo, env.Date)
			}
			if err != nil {
				return nil, fmt.Errorf("compute-similar: lake releases: %w", err)
			}
			deps.Source = rs
			opts.Input = store.URI() + "/" + rs.Partitions[len(rs.Partitions)-1]
		default:
			deps.Source = recommend.FileSource{Path: o.Source}
			opts.Input = "file://" + o.Source
		}
		return recommend.Run(ctx, env, opts, deps)
	})
}
