package export

import (
	"context"
	"errors"
	"fmt"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// Backoff is the retry policy of a releases scan that fails transiently
// (the scan restarts from the beginning into fresh files).
var Backoff = job.DefaultBackoff

// runReleases writes parquet/releases/dt=D: every stored release, or with
// Incremental those updated at or after the watermark of the newest releases
// partition before D. The watermark is read from partitions strictly before
// D, so rerunning a date exports the same documents again.
func runReleases(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	if deps.Releases == nil {
		return nil, catalog.Usagef("%s: no releases source configured (--mongo-uri)", JobName)
	}
	sum := job.NewSummary(env)
	if deps.ReleasesURI != "" {
		sum.Inputs = []string{deps.ReleasesURI}
	}
	mode := lake.ReleasesModeSnapshot
	var since time.Time
	if opts.Incremental {
		w, from, err := previousWatermark(ctx, deps.Lake, env.Date)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s: watermark: %w", JobName, err)
		case w.IsZero():
			sum.Warnings = append(sum.Warnings, "no earlier releases export: --incremental wrote a full snapshot")
		default:
			mode, since = lake.ReleasesModeIncremental, w
			sum.Detail("watermark_from", from)
		}
	}
	sum.Detail("mode", mode)
	if !since.IsZero() {
		sum.Detail("since", since.Format(time.RFC3339Nano))
	}

	var pw *lake.PartitionWriter
	var w *lake.ReleasesWriter
	var n int64
	var watermark time.Time
	var lastID string
	var unordered bool
	prog := env.Progress("releases", 0)
	defer prog.Finish()
	err := job.Retry(ctx, Backoff, func(ctx context.Context) error {
		if w != nil { // a retry: drop what the failed attempt wrote
			w.Abort()
			_ = pw.Abort(context.WithoutCancel(ctx))
		}
		n, watermark, lastID, unordered = 0, time.Time{}, "", false
		if !env.DryRun {
			pw = lake.NewPartitionWriter(deps.Lake, lake.ReleasesPartition(env.Date), JobName, env.RunID, env.Now)
			w = lake.NewReleasesWriter(ctx, pw, opts.Parquet)
		}
		return deps.Releases.EachRelease(ctx, since, func(r *catalog.Release) error {
			if r.ID <= lastID && n > 0 {
				unordered = true
			}
			lastID = r.ID
			n++
			prog.Add(1)
			if r.UpdatedAt.After(watermark) {
				watermark = r.UpdatedAt
			}
			if w == nil {
				return nil
			}
			if err := w.Write(r); err != nil {
				return fmt.Errorf("release %s: %w", r.ID, err)
			}
			return nil
		})
	})
	sum.Read = n
	abort := func() {
		if w != nil {
			w.Abort()
			_ = pw.Abort(context.WithoutCancel(ctx))
		}
	}
	if err != nil {
		abort()
		return sum, fmt.Errorf("%s: releases: %w", JobName, err)
	}
	if unordered {
		sum.Warnings = append(sum.Warnings, "the releases source did not return ids in order")
	}
	if n == 0 {
		abort()
		if mode == lake.ReleasesModeIncremental {
			return sum, fmt.Errorf("%s: no release changed since %s: %w", JobName, since.Format(time.RFC3339), catalog.ErrNothingToDo)
		}
		return sum, fmt.Errorf("%s: no releases stored: %w", JobName, catalog.ErrNothingToDo)
	}
	if watermark.IsZero() || watermark.Before(since) {
		watermark = since
	}
	sum.Written = n
	sum.Detail("watermark", watermark.UTC().Format(time.RFC3339Nano))
	if env.DryRun {
		return sum, nil
	}
	if err := w.Close(); err != nil {
		abort()
		return sum, fmt.Errorf("%s: %w", JobName, err)
	}
	meta := map[string]string{"dataset": DatasetReleases, lake.ReleasesMetaMode: mode,
		lake.ReleasesMetaWatermark: watermark.UTC().Format(time.RFC3339Nano)}
	if !since.IsZero() {
		meta[lake.ReleasesMetaSince] = since.UTC().Format(time.RFC3339Nano)
	}
	m, err := pw.Commit(ctx, lake.CommitOptions{Meta: meta})
	if err != nil {
		abort()
		return sum, fmt.Errorf("%s: commit %s: %w", JobName, pw.Dir(), err)
	}
	sum.Outputs = append(sum.Outputs, deps.Lake.URI()+"/"+m.Partition)
	sum.Detail("files", len(m.Files))
	return sum, nil
}

// previousWatermark returns the watermark of the newest releases partition
// strictly before d (zero when there is none) and that partition's date.
func previousWatermark(ctx context.Context, s lake.Store, d catalog.Date) (time.Time, string, error) {
	days, err := lake.ListPartitions(ctx, s, lake.ZoneParquetReleases, catalog.Date{}, d.AddDays(-1))
	if err != nil {
		return time.Time{}, "", err
	}
	for i := len(days) - 1; i >= 0; i-- {
		m, err := lake.ReadManifest(ctx, s, lake.ReleasesPartition(days[i]))
		if errors.Is(err, catalog.ErrNotFound) {
			continue
		}
		if err != nil {
			return time.Time{}, "", err
		}
		ws := m.Meta[lake.ReleasesMetaWatermark]
		if ws == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, ws)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%s: watermark %q: %w", m.Partition, ws, err)
		}
		return t, days[i].String(), nil
	}
	return time.Time{}, "", nil
}
