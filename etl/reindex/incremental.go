package reindex

import (
	"context"
	"fmt"
	"sort"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
)

// liveIndex resolves the alias to its one index and that index's info.
func liveIndex(ctx context.Context, b job.Backoff, cluster catalog.SearchCluster, alias string) (catalog.SearchIndexInfo, error) {
	var live []string
	if err := retry(ctx, b, "read alias "+alias, func(ctx context.Context) error {
		var err error
		live, err = cluster.AliasIndices(ctx, alias)
		return err
	}); err != nil {
		return catalog.SearchIndexInfo{}, err
	}
	switch len(live) {
	case 0:
		return catalog.SearchIndexInfo{}, fmt.Errorf("reindex-es: alias %s: %w (run a full rebuild first)", alias, catalog.ErrNotFound)
	case 1:
	default:
		return catalog.SearchIndexInfo{}, fmt.Errorf("reindex-es: alias %s points to %d indices %v; want one", alias, len(live), live)
	}
	var infos []catalog.SearchIndexInfo
	if err := retry(ctx, b, "describe "+live[0], func(ctx context.Context) error {
		var err error
		infos, err = cluster.Indices(ctx, live[0])
		return err
	}); err != nil {
		return catalog.SearchIndexInfo{}, err
	}
	if len(infos) != 1 {
		return catalog.SearchIndexInfo{}, fmt.Errorf("reindex-es: index %s of alias %s: %w", live[0], alias, catalog.ErrNotFound)
	}
	return infos[0], nil
}

// incremental upserts the releases updated since opts.Since into the live
// index and deletes the documents whose release is gone from the source.
func incremental(ctx context.Context, env *job.Env, opts Options, deps Deps, s *job.Summary, clicks map[string]int64) error {
	live, err := liveIndex(ctx, opts.Backoff, deps.Cluster, opts.Alias)
	if err != nil {
		return err
	}
	analyzer := metaString(live.Meta, MetaAnalyzer)
	if analyzer == "" {
		analyzer = AnalyzerStandard // an index marquee did not build: no bigram field
	}
	if analyzer == AnalyzerBigram && deps.Tokenizer == nil {
		return fmt.Errorf("reindex-es: index %s has a bigram field but no tokenizer is wired", live.Name)
	}
	s.Detail("index", live.Name)
	s.Detail("analyzer", analyzer)
	s.Detail("since", opts.Since.UTC().Format(time.RFC3339))
	env.Log.Info("incremental", "alias", opts.Alias, "index", live.Name, "since", opts.Since, "analyzer", analyzer)

	l := &loader{env: env, opts: opts, deps: deps, index: live.Name, analyzer: analyzer, clicks: clicks,
		dry: env.DryRun, q: newQuarantine(ctx, env, deps.Lake)}
	defer func() {
		s.Read, s.Written, s.Skipped, s.Quarantined = l.read.Load(), l.written.Load(), l.skipped.Load(), l.q.count()
		s.Detail("deleted", l.deleted.Load())
	}()
	defer l.q.abortUnlessCommitted(ctx)
	if err := l.load(ctx, opts.Since); err != nil {
		return err
	}

	// Removed releases: ids in the index that the source no longer has.
	inSource := map[string]struct{}{}
	if err := deps.Source.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error {
		inSource[r.ID] = struct{}{}
		return nil
	}); err != nil {
		return fmt.Errorf("reindex-es: reading release ids: %w", err)
	}
	var gone []string
	var total int64
	if err := retry(ctx, opts.Backoff, "list ids of "+live.Name, func(ctx context.Context) error {
		gone, total = gone[:0], 0
		return deps.Cluster.EachID(ctx, live.Name, func(id string) error {
			total++
			if _, ok := inSource[id]; !ok {
				gone = append(gone, id)
			}
			return nil
		})
	}); err != nil {
		return err
	}
	sort.Strings(gone)
	if len(gone) > 0 && (len(inSource) == 0 || (opts.MinRatio > 0 && float64(total-int64(len(gone))) < opts.MinRatio*float64(total))) {
		return fmt.Errorf("reindex-es: the source lacks %d of the %d indexed releases (below --min-ratio %.2f): refusing to delete them",
			len(gone), total, opts.MinRatio)
	}
	if l.dry {
		l.deleted.Store(int64(len(gone)))
	} else if err := l.deleteIDs(ctx, gone); err != nil {
		return err
	}
	if rej := l.q.count(); rej > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d documents refused by the cluster, quarantined in %s", rej, l.q.dir()))
	}
	if env.DryRun {
		return nil
	}
	if err := l.q.commitOnce(ctx); err != nil {
		return err
	}
	if err := retry(ctx, opts.Backoff, "refresh "+live.Name, func(ctx context.Context) error {
		return deps.Cluster.Refresh(ctx, live.Name)
	}); err != nil {
		return err
	}
	if rej := l.q.count(); rej > 0 && l.read.Load() > 0 {
		if frac := float64(rej) / float64(l.read.Load()); opts.MaxRejects < 0 || frac > opts.MaxRejects {
			return fmt.Errorf("reindex-es: %w: %d of %d changed documents refused", catalog.ErrRejectThreshold, rej, l.read.Load())
		}
	}
	return nil
}

// RollbackOptions are the flag values of reindex-es rollback.
type RollbackOptions struct {
	Alias   string // default "releases"
	To      string // the index to move to; default the newest complete one older than the live one
	Backoff job.Backoff
}

// Rollback moves the alias back to the previous complete index (or To) in
// one atomic _aliases call.
func Rollback(ctx context.Context, env *job.Env, opts RollbackOptions, cluster catalog.SearchCluster) (*job.Summary, error) {
	if opts.Alias == "" {
		opts.Alias = "releases"
	}
	if !aliasRe.MatchString(opts.Alias) {
		return nil, catalog.Usagef("reindex-es rollback: bad alias %q", opts.Alias)
	}
	if opts.Backoff.Attempts == 0 {
		opts.Backoff = job.DefaultBackoff
	}
	s := job.NewSummary(env)
	s.Outputs = []string{"search://" + opts.Alias}
	live, err := liveIndex(ctx, opts.Backoff, cluster, opts.Alias)
	if err != nil {
		return s, err
	}
	var infos []catalog.SearchIndexInfo
	if err := retry(ctx, opts.Backoff, "list indices", func(ctx context.Context) error {
		var err error
		infos, err = cluster.Indices(ctx, opts.Alias+"_*")
		return err
	}); err != nil {
		return s, err
	}
	re := versionedRe(opts.Alias)
	newestFirst(infos)
	var target string
	for _, in := range infos {
		if in.Name == live.Name || metaString(in.Meta, MetaState) != StateComplete || !re.MatchString(in.Name) {
			continue
		}
		if opts.To != "" {
			if in.Name == opts.To {
				target = in.Name
				break
			}
			continue
		}
		if in.CreatedAt.Before(live.CreatedAt) || (in.CreatedAt.Equal(live.CreatedAt) && in.Name < live.Name) {
			target = in.Name
			break
		}
	}
	if target == "" {
		if opts.To != "" {
			return s, catalog.Usagef("reindex-es rollback: %s is not a complete index of alias %s", opts.To, opts.Alias)
		}
		return s, fmt.Errorf("reindex-es rollback: no complete index of alias %s older than %s (keep more with --keep)", opts.Alias, live.Name)
	}
	s.Detail("from", live.Name)
	s.Detail("to", target)
	if env.DryRun {
		env.Log.Info("rollback (dry run)", "alias", opts.Alias, "from", live.Name, "to", target)
		return s, nil
	}
	if err := retry(ctx, opts.Backoff, "move alias "+opts.Alias, func(ctx context.Context) error {
		return cluster.SwapAlias(ctx, opts.Alias, target, []string{live.Name})
	}); err != nil {
		return s, err
	}
	env.Log.Info("alias rolled back", "alias", opts.Alias, "from", live.Name, "to", target)
	return s, nil
}
