package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"marquee/internal/catalog"
)

// Func is one job's body for one logical date. It fills and returns the
// summary (counts, outputs, warnings); a non-nil error decides the exit code.
// A job returns a summary even on error when it has counts worth reporting.
type Func func(ctx context.Context, env *Env) (*Summary, error)

// Recorder keeps run history (the lake's _runs manifests, MongoDB runs).
type Recorder interface {
	RecordRun(ctx context.Context, s *Summary) error
}

// Runner runs jobs under the runtime contract: lock, timing, summary line,
// metrics, lineage and run history. cmd/marquee builds one per process.
type Runner struct {
	Stdout   io.Writer
	Log      *slog.Logger
	Locker   Locker
	Metrics  *Metrics   // nil for none
	Lineage  *Lineage   // nil for none
	Recorder []Recorder // run history sinks; failures are logged, not fatal
}

// Run runs fn for env and prints the summary as the last stdout line. It
// returns the summary and the error whose ExitCode is the process's.
func (r *Runner) Run(ctx context.Context, env *Env, fn Func) (*Summary, error) {
	start := env.Now()
	wall := time.Now() // duration only; jobs see env.Now
	log := r.Log.With("job", env.Job, "date", env.Date.String(), "run_id", env.RunID)
	env.Log = log

	var s *Summary
	var err error
	lockName := env.LockName
	if lockName == "" {
		lockName = env.Job
	}
	lockDate := env.Date
	if env.LockAllDates {
		lockDate = catalog.Date{}
	}
	release, lerr := r.locker(env).Lock(ctx, lockName, lockDate)
	if lerr != nil {
		err = lerr
	} else {
		r.Lineage.emit(ctx, log, env, "START", nil, nil)
		log.Info("job started", "dry_run", env.DryRun)
		s, err = r.safeRun(ctx, env, fn)
		release()
	}
	if s == nil {
		s = NewSummary(env)
	}
	s.Job, s.Date, s.RunID = env.Job, env.Date.String(), env.RunID
	s.DurationS = roundMillis(time.Since(wall).Seconds())
	s.Status = StatusFor(err)
	if err == nil && env.DryRun {
		s.Status = StatusDryRun
	}
	if err != nil {
		s.Error = err.Error()
	}
	code := ExitCode(err)
	end := start.Add(time.Since(wall))
	if code == ExitOK || code == ExitNothing {
		r.Lineage.emit(ctx, log, env, "COMPLETE", s, nil)
	} else {
		r.Lineage.emit(ctx, log, env, "FAIL", s, err)
	}
	r.Metrics.Observe(s, code, float64(end.UnixMilli())/1000)
	if !env.DryRun && lerr == nil {
		for _, rec := range r.Recorder {
			if rerr := rec.RecordRun(context.WithoutCancel(ctx), s); rerr != nil {
				log.Warn("run history not recorded", "err", rerr)
			}
		}
	}
	lvl := slog.LevelInfo
	if code != ExitOK && code != ExitNothing {
		lvl = slog.LevelError
	}
	log.Log(ctx, lvl, "job finished", "status", s.Status, "exit_code", code,
		"read", s.Read, "written", s.Written, "skipped", s.Skipped,
		"quarantined", s.Quarantined, "duration_s", s.DurationS)
	if werr := s.WriteLine(r.Stdout); werr != nil && err == nil {
		err = werr
	}
	return s, err
}

func (r *Runner) locker(env *Env) Locker {
	if r.Locker == nil || env.DryRun {
		return NoLocker{}
	}
	return r.Locker
}

// safeRun turns a panic in a job into an error so the summary still prints.
func (r *Runner) safeRun(ctx context.Context, env *Env, fn Func) (s *Summary, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: internal error: %v", env.Job, p)
		}
	}()
	s, err = fn(ctx, env)
	if err != nil && ctx.Err() != nil && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("%w: %w", context.Canceled, err)
	}
	return s, err
}

func roundMillis(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
