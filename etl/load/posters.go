package load

import (
	"context"
	"errors"
	"fmt"

	"marquee/etl/posters"
	"marquee/internal/catalog"
	"marquee/internal/job"
)

// attachPosters puts the images ingest-posters stored for this date
// (posters/index/dt=D) on the loaded releases. In the daily chain
// ingest-posters runs before load-mongo, so a release seen for the first
// time gets its stored poster in the same run. Only releases whose poster
// URL is the indexed one and whose stored poster is not already that image
// are written, so a rerun of an unchanged day writes nothing.
func attachPosters(ctx context.Context, env *job.Env, opts Options, deps Deps, releases []*catalog.Release, stored map[string]*catalog.Release) (int64, error) {
	entries, err := posters.ReadIndex(ctx, deps.Lake, env.Date)
	if errors.Is(err, catalog.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%s: poster index: %w", JobName, err)
	}
	byID := make(map[string]*posters.IndexEntry, len(entries))
	for i := range entries {
		byID[entries[i].ReleaseID] = &entries[i]
	}
	var n int64
	for _, r := range releases {
		e := byID[r.ID]
		if e == nil || r.Poster == nil || r.Poster.URL != e.URL || e.SHA256 == "" {
			continue
		}
		if old := stored[r.ID]; old != nil && old.Poster != nil && old.Poster.URL == e.URL && old.Poster.SHA256 == e.SHA256 {
			continue
		}
		p := e.Poster()
		err := job.Retry(ctx, opts.Retry, func(ctx context.Context) error { return deps.Sink.SetPoster(ctx, r.ID, p) })
		if err != nil && !errors.Is(err, catalog.ErrNotFound) {
			return n, fmt.Errorf("%s: attach poster of %s: %w", JobName, r.ID, err)
		}
		n++
	}
	return n, nil
}
