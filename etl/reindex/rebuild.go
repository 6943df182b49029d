package reindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
)

// rebuild builds a new versioned index and moves the alias to it.
func rebuild(ctx context.Context, env *job.Env, opts Options, deps Deps, s *job.Summary, clicks map[string]int64) (err error) {
	analyzer, err := chooseAnalyzer(ctx, env, opts, deps)
	if err != nil {
		return err
	}
	var live []string
	if err := retry(ctx, opts.Backoff, "read alias "+opts.Alias, func(ctx context.Context) error {
		var err error
		live, err = deps.Cluster.AliasIndices(ctx, opts.Alias)
		return err
	}); err != nil {
		return err
	}
	index := IndexName(opts.Alias, env.RunID)
	s.Detail("analyzer", analyzer)
	s.Detail("index", index)
	s.Detail("previous", append([]string{}, live...))
	env.Log.Info("rebuild", "alias", opts.Alias, "index", index, "live", live, "analyzer", analyzer)

	l := &loader{env: env, opts: opts, deps: deps, index: index, analyzer: analyzer, clicks: clicks,
		dry: env.DryRun, q: newQuarantine(ctx, env, deps.Lake), sample: &sampler{k: opts.VerifySample}}
	fill := func() {
		s.Read, s.Written, s.Skipped, s.Quarantined = l.read.Load(), l.written.Load(), l.skipped.Load(), l.q.count()
	}
	defer fill()
	if env.DryRun {
		if err := l.load(ctx, time.Time{}); err != nil {
			return err
		}
		if l.read.Load() == 0 {
			return fmt.Errorf("reindex-es: %w: the release source is empty", catalog.ErrNothingToDo)
		}
		return nil
	}

	meta := map[string]any{MetaState: StateBuilding, MetaAnalyzer: analyzer, MetaRunID: env.RunID, MetaAlias: opts.Alias}
	body, err := IndexBody(analyzer, IndexSettings{Shards: opts.Shards}, meta)
	if err != nil {
		return err
	}
	swapped := false
	defer func() { // any failure before the swap
		if swapped {
			return
		}
		l.q.abortUnlessCommitted(ctx)
		// Failure before the swap: the alias was never touched; drop the
		// half-built index. The context may be cancelled: use a detached one.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if now, aerr := deps.Cluster.AliasIndices(cctx, opts.Alias); aerr == nil && has(now, index) {
			env.Log.Error("not deleting the new index: the alias points to it", "index", index)
			return
		}
		quick := job.Backoff{Attempts: 3, Base: 200 * time.Millisecond, Max: 2 * time.Second}
		if derr := job.Retry(cctx, quick, func(ctx context.Context) error { return deps.Cluster.DeleteIndex(ctx, index) }); derr != nil {
			msg := fmt.Sprintf("half-built index %s may be left behind (the next rebuild deletes it): %v", index, derr)
			s.Warnings = append(s.Warnings, msg)
			env.Log.Warn("cleanup failed", "index", index, "err", derr)
		} else {
			env.Log.Info("half-built index deleted", "index", index)
		}
	}()

	// The cleanup above is registered first: a create whose answer was
	// lost (and whose retry then failed) still gets its index deleted.
	if err := retry(ctx, opts.Backoff, "create index "+index, func(ctx context.Context) error {
		return deps.Cluster.CreateIndex(ctx, index, body)
	}); err != nil {
		return err
	}
	if err := l.load(ctx, time.Time{}); err != nil {
		return err
	}
	fill()
	if l.read.Load() == 0 {
		return fmt.Errorf("reindex-es: %w: the release source is empty", catalog.ErrNothingToDo)
	}
	if rej := l.q.count(); rej > 0 {
		frac := float64(rej) / float64(l.read.Load())
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d documents refused by the cluster, quarantined in %s", rej, l.q.dir()))
		if opts.MaxRejects < 0 || frac > opts.MaxRejects {
			if cerr := l.q.commitOnce(ctx); cerr != nil {
				return cerr
			}
			return fmt.Errorf("reindex-es: %w: %d of %d documents refused (%.2f%% > %.2f%%); alias %s not moved",
				catalog.ErrRejectThreshold, rej, l.read.Load(), 100*frac, 100*max(opts.MaxRejects, 0), opts.Alias)
		}
	}

	settings, _ := json.Marshal(map[string]any{"index": map[string]any{
		"number_of_replicas": opts.Replicas, "refresh_interval": opts.Refresh,
		"translog": map[string]any{"durability": "request"}}})
	if err := retry(ctx, opts.Backoff, "restore settings of "+index, func(ctx context.Context) error {
		return deps.Cluster.PutSettings(ctx, index, settings)
	}); err != nil {
		return err
	}
	if err := retry(ctx, opts.Backoff, "flush "+index, func(ctx context.Context) error {
		return deps.Cluster.Flush(ctx, index)
	}); err != nil {
		return err
	}
	if err := retry(ctx, opts.Backoff, "refresh "+index, func(ctx context.Context) error {
		return deps.Cluster.Refresh(ctx, index)
	}); err != nil {
		return err
	}
	if err := retry(ctx, opts.Backoff, "health of "+index, func(ctx context.Context) error {
		return deps.Cluster.WaitHealthy(ctx, index, opts.HealthTimeout)
	}); err != nil {
		return err
	}
	if err := verify(ctx, opts, deps, l); err != nil {
		return err
	}
	if opts.MinRatio > 0 && len(live) > 0 {
		var liveCount int64
		if err := retry(ctx, opts.Backoff, "count "+opts.Alias, func(ctx context.Context) error {
			var err error
			liveCount, err = deps.Cluster.Count(ctx, opts.Alias)
			return err
		}); err != nil {
			return err
		}
		if float64(l.written.Load()) < opts.MinRatio*float64(liveCount) {
			return fmt.Errorf("reindex-es: the new index has %d documents, the live one %d (below --min-ratio %.2f); alias %s not moved",
				l.written.Load(), liveCount, opts.MinRatio, opts.Alias)
		}
	}
	meta[MetaState] = StateComplete
	meta[MetaDocs] = l.written.Load()
	if err := retry(ctx, opts.Backoff, "mark "+index+" complete", func(ctx context.Context) error {
		return deps.Cluster.PutMeta(ctx, index, meta)
	}); err != nil {
		return err
	}
	if err := l.q.commitOnce(ctx); err != nil {
		return err
	}
	if err := retry(ctx, opts.Backoff, "move alias "+opts.Alias, func(ctx context.Context) error {
		return deps.Cluster.SwapAlias(ctx, opts.Alias, index, live)
	}); err != nil {
		// The call may have been applied with its answer lost (and a retry
		// then refused): ask the cluster where the alias points now.
		if now, aerr := deps.Cluster.AliasIndices(context.WithoutCancel(ctx), opts.Alias); aerr != nil || !slices.Equal(now, []string{index}) {
			return err
		}
		env.Log.Warn("alias move answered with an error but was applied", "alias", opts.Alias, "index", index, "err", err)
	}
	swapped = true
	env.Log.Info("alias moved", "alias", opts.Alias, "to", index, "from", live, "docs", l.written.Load())

	pruned, perr := prune(ctx, env, opts, deps, index)
	s.Detail("pruned", pruned)
	if perr != nil {
		s.Warnings = append(s.Warnings, "prune: "+perr.Error())
		env.Log.Warn("prune failed", "err", perr)
	}
	return nil
}

// verify checks the new index against what was sent: the count, and a
// sample of documents read back.
func verify(ctx context.Context, opts Options, deps Deps, l *loader) error {
	want := l.written.Load()
	var got int64
	if err := retry(ctx, opts.Backoff, "count "+l.index, func(ctx context.Context) error {
		var err error
		got, err = deps.Cluster.Count(ctx, l.index)
		return err
	}); err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("reindex-es: verify %s: %d documents in the index, want %d (%d read - %d refused)",
			l.index, got, want, l.read.Load(), l.q.count())
	}
	var ids []string
	for _, d := range l.sample.docs {
		if !l.q.rejected(d.id) {
			ids = append(ids, d.id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var docs map[string]json.RawMessage
	if err := retry(ctx, opts.Backoff, "read back sample of "+l.index, func(ctx context.Context) error {
		var err error
		docs, err = deps.Cluster.Docs(ctx, l.index, ids)
		return err
	}); err != nil {
		return err
	}
	for _, d := range l.sample.docs {
		if l.q.rejected(d.id) {
			continue
		}
		back, ok := docs[d.id]
		if !ok {
			return fmt.Errorf("reindex-es: verify %s: sampled document %s is missing", l.index, d.id)
		}
		if !jsonEqual(back, d.doc) {
			return fmt.Errorf("reindex-es: verify %s: sampled document %s differs from what was sent", l.index, d.id)
		}
	}
	return nil
}

// prune deletes versioned indices of the alias beyond opts.Keep (newest
// complete ones are kept, the live one always) and half-built indices left
// by failed runs. It returns the deleted names.
func prune(ctx context.Context, env *job.Env, opts Options, deps Deps, current string) ([]string, error) {
	var infos []catalog.SearchIndexInfo
	if err := retry(ctx, opts.Backoff, "list indices", func(ctx context.Context) error {
		var err error
		infos, err = deps.Cluster.Indices(ctx, opts.Alias+"_*")
		return err
	}); err != nil {
		return nil, err
	}
	re := versionedRe(opts.Alias)
	newestFirst(infos)
	deleted := []string{}
	kept := 0
	var errs []error
	for _, in := range infos {
		if !re.MatchString(in.Name) {
			continue
		}
		aliased := in.Name == current || has(in.Aliases, opts.Alias)
		complete := metaString(in.Meta, MetaState) == StateComplete
		switch {
		case aliased:
			kept++
			continue
		case complete && kept < opts.Keep:
			kept++
			continue
		}
		if err := retry(ctx, opts.Backoff, "delete "+in.Name, func(ctx context.Context) error {
			return deps.Cluster.DeleteIndex(ctx, in.Name)
		}); err != nil {
			errs = append(errs, err)
			continue
		}
		env.Log.Info("index pruned", "index", in.Name, "complete", complete)
		deleted = append(deleted, in.Name)
	}
	return deleted, errors.Join(errs...)
}

func newestFirst(infos []catalog.SearchIndexInfo) {
	sort.SliceStable(infos, func(i, j int) bool {
		if !infos[i].CreatedAt.Equal(infos[j].CreatedAt) {
			return infos[i].CreatedAt.After(infos[j].CreatedAt)
		}
		return infos[i].Name > infos[j].Name
	})
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func metaString(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
