package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"marquee/internal/catalog"
	"marquee/internal/config"
	"marquee/internal/job"
	"marquee/internal/mongo"
	"marquee/lake"
)

// factory wires concrete dependencies for commands. Expensive clients are
// built lazily, so --help never dials anything.
type factory struct {
	stdout, stderr io.Writer
	loader         *config.Loader
	now            func() time.Time

	cfg      *config.Config
	log      *slog.Logger
	isTTY    bool
	started  bool // a command's RunE began (errors after this are the job's)
	reported bool // the error was already logged

	mu      sync.Mutex
	store   lake.Store
	mongo   *mongo.Client
	closers []func(context.Context) error
	metrics *job.Metrics
	lineage *job.Lineage
}

func newFactory(stdout, stderr io.Writer, loader *config.Loader) *factory {
	f := &factory{stdout: stdout, stderr: stderr, loader: loader, now: loader.Now}
	if file, ok := stderr.(*os.File); ok {
		f.isTTY = isatty.IsTerminal(file.Fd())
	}
	return f
}

// configure loads the config for cmd and sets up logging.
func (f *factory) configure(cmd *cobra.Command) error {
	cfg, err := f.loader.Load(cmd)
	if err != nil {
		return err
	}
	f.cfg = cfg
	f.log = newLogger(f.stderr, cfg, f.isTTY)
	f.metrics = &job.Metrics{TextFile: cfg.MetricsFile, Pushgateway: cfg.Pushgateway}
	f.lineage = &job.Lineage{URL: cfg.LineageURL, File: cfg.LineageFile,
		ParentRunID: cfg.ParentRunID, ParentJobName: cfg.ParentJobName}
	f.started = true
	return nil
}

// Close releases clients and flushes metrics.
func (f *factory) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if f.metrics != nil {
		if err := f.metrics.Flush(); err != nil && f.log != nil {
			f.log.Warn("metrics not written", "err", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.closers) - 1; i >= 0; i-- {
		_ = f.closers[i](ctx)
	}
	f.closers = nil
}

// Lake returns the lake store from --lake.
func (f *factory) Lake(ctx context.Context) (lake.Store, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.store != nil {
		return f.store, nil
	}
	uri := f.cfg.Lake
	var s lake.Store
	var err error
	if strings.HasPrefix(uri, "gs://") {
		s, err = openGCSLake(ctx, f, uri)
	} else {
		s, err = lake.NewLocalStore(uri)
	}
	if err != nil {
		return nil, fmt.Errorf("lake %s: %w", uri, err)
	}
	f.store = s
	return s, nil
}

// onClose registers a cleanup run when the process ends.
func (f *factory) onClose(fn func(context.Context) error) {
	f.mu.Lock()
	f.closers = append(f.closers, fn)
	f.mu.Unlock()
}

// Runner returns the job runner for this process.
func (f *factory) Runner(ctx context.Context) *job.Runner {
	r := &job.Runner{
		Stdout:  f.stdout,
		Log:     f.log,
		Locker:  f.locker(ctx),
		Metrics: f.metrics,
		Lineage: f.lineage,
	}
	if s, err := f.Lake(ctx); err == nil {
		r.Recorder = append(r.Recorder, lake.RunRecorder{Store: s})
	}
	r.Recorder = append(r.Recorder, f.extraRecorders(ctx)...)
	return r
}

// Env returns the job environment for one logical date.
func (f *factory) Env(jobName string, d catalog.Date) *job.Env {
	now := f.now
	start := now()
	return &job.Env{
		Job:      jobName,
		Date:     d,
		Loc:      f.cfg.Loc,
		RunID:    job.NewRunID(start),
		Now:      now,
		DryRun:   f.cfg.DryRun,
		Log:      f.log,
		Progress: job.ProgressFactory(f.stderr, f.isTTY, f.log.With("job", jobName), 10*time.Second),
	}
}

// runDates runs fn once per logical date (oldest first), each with its own
// summary line; with several dates a final aggregate line follows. The
// returned error carries the most severe exit code.
func (f *factory) runDates(ctx context.Context, jobName string, fn job.Func) error {
	runner := f.Runner(ctx)
	dates := f.cfg.Dates
	if ds, ok := ctx.Value(datesKey{}).([]catalog.Date); ok {
		dates = ds
	}
	rec, _ := ctx.Value(recorderKey{}).(*summaryRecorder)
	var sums []*job.Summary
	var errs []error
	lk, _ := ctx.Value(lockNameKey{}).(lockSpec)
	for _, d := range dates {
		env := f.Env(jobName, d)
		env.LockName, env.LockAllDates = lk.name, lk.allDates
		s, err := runner.Run(ctx, env, fn)
		sums = append(sums, s)
		errs = append(errs, err)
		if rec != nil {
			rec.add(s)
		}
		if ctx.Err() != nil {
			break
		}
	}
	f.reported = true
	if len(sums) > 1 {
		agg := job.Aggregate(jobName, sums, errs)
		_ = agg.WriteLine(f.stdout)
	}
	return job.WorstError(errs)
}

type lockNameKey struct{}

type lockSpec struct {
	name     string
	allDates bool
}

// withShardLock names the run lock after a shard, so shards of one job and
// date (--shard i/n) run side by side on one machine.
func withShardLock(ctx context.Context, jobName, shard string) context.Context {
	if shard == "" {
		return ctx
	}
	name := jobName + ".shard-" + strings.NewReplacer("/", "-of-").Replace(shard)
	return context.WithValue(ctx, lockNameKey{}, lockSpec{name: name})
}

// withWideLock makes the run lock cover every date under name: for jobs
// whose runs for different dates write the same outputs.
func withWideLock(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, lockNameKey{}, lockSpec{name: name, allDates: true})
}
