package reindex

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// JobName is the job's name in summaries, locks, the lake and metrics.
const JobName = "reindex-es"

// Options are the flag values of one reindex-es run.
type Options struct {
	Alias       string    // the live alias (default "releases")
	Keep        int       // versioned indices kept after a rebuild, the live one included (default 2)
	Incremental bool      // upsert changes since Since into the live index instead of rebuilding
	Since       time.Time // with Incremental: releases updated at or after it
	// Analyzer is one of Analyzers (default auto: nori, else cjk, else bigram).
	Analyzer string
	Shards   int    // primary shards of a new index (default 1)
	Replicas int    // replicas restored after loading (default 1)
	Refresh  string // refresh_interval restored after loading (default "1s")
	Workers  int    // concurrent bulk requests (default 4)
	// BatchDocs and BatchBytes bound one bulk request (defaults 1000 docs, 5 MiB).
	BatchDocs  int
	BatchBytes int
	// MaxRejects is the fraction of documents the cluster may reject (they
	// are quarantined) before the run fails with exit 3 instead of swapping
	// (default 0.01; negative means none allowed).
	MaxRejects float64
	// VerifySample is how many documents are read back and compared after
	// loading (default 50).
	VerifySample int
	// MinRatio refuses to swap when the new index would hold fewer than
	// this fraction of the live index's documents (default 0.5; 0 disables),
	// so a half-empty source never replaces a good index silently.
	MinRatio float64
	// Backoff is the retry policy for cluster calls (default job.DefaultBackoff).
	Backoff job.Backoff
	// HealthTimeout bounds the wait for the new index's shards (default 60s).
	HealthTimeout time.Duration
}

func (o *Options) defaults() error {
	if o.Alias == "" {
		o.Alias = "releases"
	}
	if !aliasRe.MatchString(o.Alias) {
		return catalog.Usagef("reindex-es: bad alias %q (lower-case letters, digits, - and _)", o.Alias)
	}
	if o.Keep <= 0 {
		o.Keep = 2
	}
	if o.Analyzer == "" {
		o.Analyzer = AnalyzerAuto
	}
	if !valid(o.Analyzer) {
		return catalog.Usagef("reindex-es: --analyzer %q: want one of %s", o.Analyzer, strings.Join(Analyzers, ", "))
	}
	if o.Incremental && o.Since.IsZero() {
		return catalog.Usagef("reindex-es: --incremental needs --since")
	}
	if !o.Incremental && !o.Since.IsZero() {
		return catalog.Usagef("reindex-es: --since only goes with --incremental")
	}
	if o.Shards <= 0 {
		o.Shards = 1
	}
	if o.Replicas < 0 {
		return catalog.Usagef("reindex-es: --replicas %d", o.Replicas)
	}
	if o.Refresh == "" {
		o.Refresh = "1s"
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.BatchDocs <= 0 {
		o.BatchDocs = 1000
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 5 << 20
	}
	if o.MaxRejects == 0 {
		o.MaxRejects = 0.01
	}
	if o.VerifySample <= 0 {
		o.VerifySample = 50
	}
	if o.Backoff.Attempts == 0 {
		o.Backoff = job.DefaultBackoff
	}
	if o.HealthTimeout <= 0 {
		o.HealthTimeout = 60 * time.Second
	}
	return nil
}

var aliasRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,100}$`)

// ClickCounts gives the click count of each release id (from
// mart/item_stats). A missing mart is catalog.ErrNotFound: the run goes on
// with zero counts and a warning.
type ClickCounts interface {
	ClickCounts(ctx context.Context) (map[string]int64, error)
}

// Deps are the job's dependencies; cmd/marquee wires the concrete ones.
type Deps struct {
	Cluster   catalog.SearchCluster // required
	Source    catalog.ReleaseSource // required except for Rollback
	SourceURI string                // the source as a dataset URI (mongodb://host/db.releases, a lake partition)
	// MoreInputs are further input dataset URIs of the source (the lake's
	// incremental partitions merged over a snapshot).
	MoreInputs []string
	Clicks     ClickCounts // optional
	ClicksURI  string      // the click-count dataset URI
	Lake       lake.Store  // quarantine; nil quarantines nowhere (tests, dry runs)
	Tokenizer  Tokenizer   // required in bigram mode
}

// IndexName is the versioned index a run builds: <alias>_<run id>, the run
// id lower-cased (it starts with the UTC start time, so names sort by age).
func IndexName(alias, runID string) string { return alias + "_" + strings.ToLower(runID) }

func versionedRe(alias string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(alias) + `_[0-9]{8}t[0-9]{6}-[0-9a-z]+$`)
}

// retry runs one cluster call under the backoff policy, naming the step.
func retry(ctx context.Context, b job.Backoff, step string, fn func(ctx context.Context) error) error {
	if err := job.Retry(ctx, b, fn); err != nil {
		return fmt.Errorf("reindex-es: %s: %w", step, err)
	}
	return nil
}

// Run runs reindex-es for env: a full rebuild, or an incremental update
// with opts.Incremental.
func Run(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if deps.Cluster == nil || deps.Source == nil {
		return nil, errors.New("reindex-es: a cluster and a release source are required")
	}
	s := job.NewSummary(env)
	if deps.SourceURI != "" {
		s.Inputs = append(s.Inputs, deps.SourceURI)
	}
	s.Inputs = append(s.Inputs, deps.MoreInputs...)
	s.Outputs = []string{"search://" + opts.Alias}

	var server catalog.SearchServer
	if err := retry(ctx, opts.Backoff, "connect", func(ctx context.Context) error {
		var err error
		server, err = deps.Cluster.Server(ctx)
		return err
	}); err != nil {
		return s, err
	}
	env.Log.Info("search server", "distribution", server.Distribution, "version", server.Version, "cluster", server.ClusterName)
	s.Detail("server", server.Distribution+" "+server.Version)

	clicks, err := loadClicks(ctx, env, deps, s)
	if err != nil {
		return s, err
	}
	if opts.Incremental {
		return s, incremental(ctx, env, opts, deps, s, clicks)
	}
	return s, rebuild(ctx, env, opts, deps, s, clicks)
}

func loadClicks(ctx context.Context, env *job.Env, deps Deps, s *job.Summary) (map[string]int64, error) {
	if deps.Clicks == nil {
		return nil, nil
	}
	m, err := deps.Clicks.ClickCounts(ctx)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
		s.Warnings = append(s.Warnings, "no click counts (mart/item_stats missing): click_count is 0")
		env.Log.Warn("no click counts", "err", err)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reindex-es: click counts: %w", err)
	}
	if deps.ClicksURI != "" {
		s.Inputs = append(s.Inputs, deps.ClicksURI)
	}
	return m, nil
}

// chooseAnalyzer resolves auto to what the cluster has, and checks that an
// explicit nori or cjk is installed.
func chooseAnalyzer(ctx context.Context, env *job.Env, opts Options, deps Deps) (string, error) {
	a := opts.Analyzer
	if a == AnalyzerStandard {
		return a, nil
	}
	if a == AnalyzerBigram {
		if deps.Tokenizer == nil {
			return "", errors.New("reindex-es: bigram analyzer without a tokenizer")
		}
		return a, nil
	}
	var have []string
	if err := retry(ctx, opts.Backoff, "probe analyzers", func(ctx context.Context) error {
		var err error
		have, err = deps.Cluster.Analyzers(ctx, AnalyzerNori, AnalyzerCJK)
		return err
	}); err != nil {
		return "", err
	}
	has := func(n string) bool {
		for _, h := range have {
			if h == n {
				return true
			}
		}
		return false
	}
	switch {
	case a == AnalyzerAuto && has(AnalyzerNori):
		a = AnalyzerNori
	case a == AnalyzerAuto && has(AnalyzerCJK):
		a = AnalyzerCJK
	case a == AnalyzerAuto:
		if deps.Tokenizer == nil {
			return "", errors.New("reindex-es: the cluster has neither nori nor cjk and no tokenizer is wired for the bigram field")
		}
		a = AnalyzerBigram
	case !has(a):
		return "", catalog.Usagef("reindex-es: --analyzer %s: the cluster does not have it (it has: %v)", a, have)
	}
	env.Log.Info("analyzer chosen", "analyzer", a, "requested", opts.Analyzer, "cluster_has", have)
	return a, nil
}
