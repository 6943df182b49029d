package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// runOptions are the flags of `marquee run daily|backfill`.
type runOptions struct {
	Steps     []string
	Only      []string
	Skip      []string
	KeepGoing bool
	Force     bool
	Parallel  int
}

// step is one job of the chain. Offset shifts the logical date: the event
// steps process the previous day's events (D-1).
type step struct {
	Name   string
	Offset int
}

// defaultSteps is the daily chain of DESIGN.md: releases first, then the
// previous day's events.
var defaultSteps = []string{"crawl", "ingest-posters", "load-mongo", "compute-similar", "reindex-es", "export-parquet", "build-mart"}

// stepOffsets gives the date offset of each step (events are a day behind).
var stepOffsets = map[string]int{"export-parquet": -1, "build-mart": -1}

func newRunCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the daily chain of jobs, or a backfill over a date range",
	}
	o := &runOptions{}
	pf := cmd.PersistentFlags()
	pf.StringSliceVar(&o.Steps, "steps", nil, "the steps, in order (default: "+strings.Join(defaultSteps, ",")+")")
	pf.StringSliceVar(&o.Only, "only", nil, "run only these steps")
	pf.StringSliceVar(&o.Skip, "skip", nil, "skip these steps")
	pf.BoolVar(&o.KeepGoing, "keep-going", false, "go on after a failed step")
	pf.BoolVar(&o.Force, "force", false, "backfill: rerun dates that already succeeded")
	pf.IntVar(&o.Parallel, "parallel", 1, "backfill: dates run in parallel")
	daily := &cobra.Command{
		Use:   "daily",
		Short: "Run the daily chain for one logical date",
		Long: jobLong(`Run the steps of the daily batch in order, each as its own job with its
own summary line, then a final summary line ("job":"run daily") covering all
steps. Default steps: crawl, ingest-posters, load-mongo, compute-similar,
reindex-es, then export-parquet and build-mart for the previous day's events
(D-1). A step with nothing to do (exit 99) does not stop the chain; a failed
step does, unless --keep-going. Each step reads its own settings from the
config file ("<step>.<flag>" keys) as when run alone.`),
		Example: "  marquee run daily --date 2026-11-26\n  marquee run daily --skip reindex-es --keep-going\n  marquee run daily --only load-mongo,compute-similar",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			steps, err := o.plan()
			if err != nil {
				return err
			}
			var errs []error
			var sums []*job.Summary
			for _, d := range f.cfg.Dates {
				s, e := runChain(cmd.Context(), f, steps, d, o.KeepGoing)
				sums, errs = append(sums, s...), append(errs, e...)
			}
			return f.finishChain(cmd.Context(), "run daily", sums, errs)
		},
	}
	backfill := &cobra.Command{
		Use:   "backfill",
		Short: "Run the chain for every date of --from..--to",
		Long: jobLong(`Run the steps for each date from --from to --to, oldest first (with
--parallel N, up to N dates at once). A date whose steps all succeeded in an
earlier run (per the lake's _runs history) is skipped unless --force, so an
interrupted backfill resumes where it stopped.`),
		Example: "  marquee run backfill --from 2026-11-01 --to 2026-11-07 --steps load-mongo,export-parquet\n  marquee run backfill --from 2026-10-01 --to 2026-10-31 --steps build-mart --parallel 2 --force",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBackfill(cmd.Context(), f, o)
		},
	}
	cmd.AddCommand(daily, backfill)
	return cmd
}

// plan resolves --steps, --only and --skip into the ordered steps.
func (o *runOptions) plan() ([]step, error) {
	names := o.Steps
	if len(names) == 0 {
		names = defaultSteps
	}
	for _, list := range [][]string{names, o.Only, o.Skip} {
		for _, n := range list {
			if _, ok := stepRunners[n]; !ok {
				return nil, catalog.Usagef("unknown step %q (steps: %s)", n, strings.Join(defaultSteps, ", "))
			}
		}
	}
	var out []step
	for _, n := range names {
		if (len(o.Only) > 0 && !slices.Contains(o.Only, n)) || slices.Contains(o.Skip, n) {
			continue
		}
		out = append(out, step{Name: n, Offset: stepOffsets[n]})
	}
	if len(out) == 0 {
		return nil, catalog.Usagef("no steps left to run after --only/--skip")
	}
	return out, nil
}

// stepRunners builds each step's command the way it runs alone, so a step in
// the chain has exactly its command's defaults and config.
var stepRunners = map[string]func(*factory) *cobra.Command{
	"crawl":           func(f *factory) *cobra.Command { return newCrawlCmd(f, nil) },
	"ingest-posters":  func(f *factory) *cobra.Command { return newIngestPostersCmd(f, nil) },
	"load-mongo":      func(f *factory) *cobra.Command { return newLoadMongoCmd(f, nil) },
	"export-parquet":  func(f *factory) *cobra.Command { return newExportParquetCmd(f, nil) },
	"build-mart":      func(f *factory) *cobra.Command { return newBuildMartCmd(f, nil) },
	"compute-similar": func(f *factory) *cobra.Command { return newComputeSimilarCmd(f, nil) },
	"reindex-es":      func(f *factory) *cobra.Command { return newReindexESCmd(f, nil) },
}

type datesKey struct{}

// withDates makes runDates use dates instead of the configured ones.
func withDates(ctx context.Context, dates []catalog.Date) context.Context {
	return context.WithValue(ctx, datesKey{}, dates)
}

// runChain runs steps for logical date d, in order. It returns one summary
// and one error per step that ran.
func runChain(ctx context.Context, f *factory, steps []step, d catalog.Date, keepGoing bool) ([]*job.Summary, []error) {
	var sums []*job.Summary
	var errs []error
	for _, st := range steps {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		sd := d.AddDays(st.Offset)
		cmd := stepRunners[st.Name](f)
		if err := f.loader.ApplyFlags(f.cfg, cmd.Flags(), st.Name); err != nil {
			errs = append(errs, err)
			sums = append(sums, failedSummary(st.Name, sd, err))
			break
		}
		rec := &summaryRecorder{}
		sctx := withRecorder(withDates(ctx, []catalog.Date{sd}), rec)
		cmd.SetContext(sctx)
		err := cmd.RunE(cmd, nil)
		s := rec.last()
		if s == nil { // the step failed before its job ran (e.g. not configured)
			s = failedSummary(st.Name, sd, err)
			_ = s.WriteLine(f.stdout)
			f.log.Error("step failed before it started", "step", st.Name, "date", sd.String(), "err", err)
		}
		sums, errs = append(sums, s), append(errs, err)
		code := job.ExitCode(err)
		if code != job.ExitOK && code != job.ExitNothing && !keepGoing {
			f.log.Error("chain stopped at failed step", "step", st.Name, "exit_code", code)
			break
		}
	}
	return sums, errs
}

func failedSummary(name string, d catalog.Date, err error) *job.Summary {
	s := &job.Summary{Job: name, Date: d.String(), Status: job.StatusFor(err), Outputs: []string{}}
	if err != nil {
		s.Error = err.Error()
	}
	return s
}

// finishChain prints the chain's final summary line and returns its error.
// Its date is the chain's logical date (or range), not the steps' dates.
func (f *factory) finishChain(_ context.Context, name string, sums []*job.Summary, errs []error) error {
	agg := job.Aggregate(name, sums, errs)
	if ds := f.cfg.Dates; len(ds) == 1 {
		agg.Date = ds[0].String()
	} else if len(ds) > 1 {
		agg.Date = ds[0].String() + ".." + ds[len(ds)-1].String()
	}
	_ = agg.WriteLine(f.stdout)
	f.reported = true
	return job.WorstError(errs)
}

func runBackfill(ctx context.Context, f *factory, o *runOptions) error {
	steps, err := o.plan()
	if err != nil {
		return err
	}
	if o.Parallel < 1 {
		return catalog.Usagef("--parallel %d: want at least 1", o.Parallel)
	}
	store, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	var todo []catalog.Date
	for _, d := range f.cfg.Dates {
		if !o.Force && dateDone(ctx, store, steps, d) {
			f.log.Info("date already done, skipped (use --force to rerun)", "date", d.String())
			continue
		}
		todo = append(todo, d)
	}
	type result struct {
		sums []*job.Summary
		errs []error
	}
	results := make([]result, len(todo))
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	for i, d := range todo {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, e := runChain(ctx, f, steps, d, o.KeepGoing)
			results[i] = result{s, e}
		}()
	}
	wg.Wait()
	var sums []*job.Summary
	var errs []error
	for _, r := range results {
		sums, errs = append(sums, r.sums...), append(errs, r.errs...)
	}
	if len(todo) == 0 {
		errs = append(errs, fmt.Errorf("every date of the range already succeeded: %w", catalog.ErrNothingToDo))
	}
	return f.finishChain(ctx, "run backfill", sums, errs)
}

// dateDone reports whether every step has a successful recorded run for its
// date of the chain at d.
func dateDone(ctx context.Context, s lake.Store, steps []step, d catalog.Date) bool {
	for _, st := range steps {
		runs, err := lake.ListRuns(ctx, s, st.Name, d.AddDays(st.Offset))
		if err != nil {
			return false
		}
		ok := false
		for _, r := range runs {
			if r.Status == job.StatusOK || r.Status == job.StatusNothing {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

type recorderKey struct{}

// summaryRecorder collects the summaries runDates produces for one step.
type summaryRecorder struct {
	mu   sync.Mutex
	sums []*job.Summary
}

func (r *summaryRecorder) add(s *job.Summary) {
	r.mu.Lock()
	r.sums = append(r.sums, s)
	r.mu.Unlock()
}

func (r *summaryRecorder) last() *job.Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sums) == 0 {
		return nil
	}
	return r.sums[len(r.sums)-1]
}

func withRecorder(ctx context.Context, r *summaryRecorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, r)
}
