package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/internal/catalog"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil is ok", nil, 0},
		{"plain error fails", errors.New("boom"), 1},
		{"usage", fmt.Errorf("x: %w", catalog.ErrUsage), 2},
		{"rejects over threshold", fmt.Errorf("x: %w", catalog.ErrRejectThreshold), 3},
		{"dependency down", fmt.Errorf("x: %w", catalog.ErrUnavailable), 4},
		{"nothing to do", fmt.Errorf("x: %w", catalog.ErrNothingToDo), 99},
		{"interrupted", fmt.Errorf("x: %w", context.Canceled), 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestWorstError(t *testing.T) {
	nothing := catalog.ErrNothingToDo
	if got := ExitCode(WorstError([]error{nothing, nothing})); got != 99 {
		t.Errorf("all nothing-to-do = %d, want 99", got)
	}
	if got := ExitCode(WorstError([]error{nothing, nil})); got != 0 {
		t.Errorf("nothing + ok = %d, want 0", got)
	}
	if got := ExitCode(WorstError([]error{catalog.ErrUnavailable, errors.New("x"), catalog.ErrRejectThreshold})); got != 1 {
		t.Errorf("mixed = %d, want 1", got)
	}
}

func TestRetry(t *testing.T) {
	fast := Backoff{Attempts: 4, Base: time.Millisecond, Max: 2 * time.Millisecond}
	t.Run("transient errors are retried until success", func(t *testing.T) {
		n := 0
		err := Retry(context.Background(), fast, func(context.Context) error {
			n++
			if n < 3 {
				return catalog.Transient(errors.New("503"))
			}
			return nil
		})
		if err != nil || n != 3 {
			t.Fatalf("err=%v tries=%d, want nil after 3", err, n)
		}
	})
	t.Run("permanent errors fail fast", func(t *testing.T) {
		n := 0
		perm := errors.New("400 bad request")
		err := Retry(context.Background(), fast, func(context.Context) error { n++; return perm })
		if !errors.Is(err, perm) || n != 1 {
			t.Fatalf("err=%v tries=%d, want the permanent error after 1", err, n)
		}
	})
	t.Run("exhausted transient errors are unavailable", func(t *testing.T) {
		n := 0
		err := Retry(context.Background(), fast, func(context.Context) error {
			n++
			return catalog.Transient(errors.New("connection refused"))
		})
		if !errors.Is(err, catalog.ErrUnavailable) || n != 4 || ExitCode(err) != 4 {
			t.Fatalf("err=%v tries=%d, want ErrUnavailable after 4", err, n)
		}
	})
	t.Run("retry-after is honoured", func(t *testing.T) {
		n := 0
		start := time.Now()
		err := Retry(context.Background(), fast, func(context.Context) error {
			n++
			if n == 1 {
				return catalog.Transient(&RetryAfter{Err: errors.New("429"), After: 50 * time.Millisecond})
			}
			return nil
		})
		if err != nil || time.Since(start) < 50*time.Millisecond {
			t.Fatalf("err=%v waited %v, want ≥ 50ms", err, time.Since(start))
		}
	})
	t.Run("cancellation stops the wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		slow := Backoff{Attempts: 3, Base: time.Hour, Max: time.Hour}
		err := Retry(ctx, slow, func(context.Context) error {
			cancel()
			return catalog.Transient(errors.New("timeout"))
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
	})
	t.Run("delays grow and stay capped", func(t *testing.T) {
		b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}
		for n := 1; n < 10; n++ {
			d := b.Delay(n)
			if d <= 0 || d > time.Second {
				t.Fatalf("Delay(%d) = %v out of (0, 1s]", n, d)
			}
		}
	})
}

func TestFileLocker(t *testing.T) {
	l := FileLocker{Dir: t.TempDir()}
	d := catalog.Date{Year: 2026, Month: 11, Day: 26}
	release, err := l.Lock(context.Background(), "crawl", d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Lock(context.Background(), "crawl", d); !errors.Is(err, catalog.ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	other, err := l.Lock(context.Background(), "crawl", d.AddDays(1))
	if err != nil {
		t.Fatalf("another date is independent: %v", err)
	}
	other()
	release()
	again, err := l.Lock(context.Background(), "crawl", d)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again()
}

func newTestRunner(t *testing.T) (*Runner, *bytes.Buffer, string, string) {
	dir := t.TempDir()
	out := &bytes.Buffer{}
	metrics := filepath.Join(dir, "marquee.prom")
	lineage := filepath.Join(dir, "lineage.jsonl")
	return &Runner{
		Stdout:  out,
		Log:     slog.New(slog.DiscardHandler),
		Locker:  FileLocker{Dir: filepath.Join(dir, "locks")},
		Metrics: &Metrics{TextFile: metrics},
		Lineage: &Lineage{File: lineage, ParentRunID: "scheduled__2026-11-26T00:00:00+00:00", ParentJobName: "marquee_daily.crawl"},
	}, out, metrics, lineage
}

func TestRunnerSummaryMetricsLineage(t *testing.T) {
	r, out, metricsFile, lineageFile := newTestRunner(t)
	env := TestEnv("load-mongo", catalog.Date{Year: 2026, Month: 11, Day: 26})
	s, err := r.Run(context.Background(), env, func(ctx context.Context, env *Env) (*Summary, error) {
		s := NewSummary(env)
		s.Read, s.Written, s.Quarantined = 10, 9, 1
		s.Inputs = []string{"/lake/raw/releases/source=a/dt=2026-11-26"}
		s.Outputs = []string{"mongodb://db:27017/marquee.releases"}
		return s, nil
	})
	if err != nil || s.Status != StatusOK {
		t.Fatalf("run: %v %+v", err, s)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last stdout line is not JSON: %q", lines[len(lines)-1])
	}
	for _, k := range []string{"job", "date", "status", "read", "written", "skipped", "quarantined", "duration_s", "outputs"} {
		if _, ok := got[k]; !ok {
			t.Errorf("summary lacks %q: %v", k, got)
		}
	}
	if got["job"] != "load-mongo" || got["date"] != "2026-11-26" || got["written"] != 9.0 {
		t.Errorf("summary = %v", got)
	}
	if err := r.Metrics.Flush(); err != nil {
		t.Fatal(err)
	}
	prom, err := os.ReadFile(metricsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`marquee_job_records{marquee_job="load-mongo",outcome="written"} 9`,
		`marquee_job_last_success_timestamp_seconds{marquee_job="load-mongo"}`,
		`marquee_job_exit_code{marquee_job="load-mongo"} 0`,
	} {
		if !strings.Contains(string(prom), want) {
			t.Errorf("metrics lack %s:\n%s", want, prom)
		}
	}
	evs := readLines(t, lineageFile)
	if len(evs) != 2 || evs[0]["eventType"] != "START" || evs[1]["eventType"] != "COMPLETE" {
		t.Fatalf("lineage events = %v", evs)
	}
	run := evs[1]["run"].(map[string]any)
	if _, err := uuid.Parse(run["runId"].(string)); err != nil {
		t.Errorf("runId %v is not a UUID", run["runId"])
	}
	if _, ok := run["facets"].(map[string]any)["parent"]; !ok {
		t.Errorf("no parent facet: %v", run)
	}
	if outs := evs[1]["outputs"].([]any); len(outs) != 1 {
		t.Errorf("outputs = %v", outs)
	}
}

func TestRunnerFailures(t *testing.T) {
	r, out, metricsFile, lineageFile := newTestRunner(t)
	env := TestEnv("crawl", catalog.Date{Year: 2026, Month: 11, Day: 26})
	_, err := r.Run(context.Background(), env, func(context.Context, *Env) (*Summary, error) {
		panic("index out of range")
	})
	if ExitCode(err) != ExitFailed || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("panic → %v", err)
	}
	if !strings.Contains(out.String(), `"status":"failed"`) {
		t.Errorf("summary after panic: %s", out.String())
	}
	if err := r.Metrics.Flush(); err != nil {
		t.Fatal(err)
	}
	prom, _ := os.ReadFile(metricsFile)
	if strings.Contains(string(prom), "last_success_timestamp_seconds{") {
		t.Errorf("a failed run set last success:\n%s", prom)
	}
	evs := readLines(t, lineageFile)
	if evs[len(evs)-1]["eventType"] != "FAIL" {
		t.Errorf("last lineage event = %v, want FAIL", evs[len(evs)-1]["eventType"])
	}

	// A held lock fails the run without calling the job.
	release, _ := r.Locker.Lock(context.Background(), "crawl", env.Date)
	defer release()
	called := false
	_, err = r.Run(context.Background(), env, func(context.Context, *Env) (*Summary, error) { called = true; return nil, nil })
	if !errors.Is(err, catalog.ErrLocked) || called {
		t.Fatalf("locked run: err=%v called=%v", err, called)
	}
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("bad line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestRunnerLockAllDates(t *testing.T) {
	r, _, _, _ := newTestRunner(t)
	ok := func(context.Context, *Env) (*Summary, error) { return nil, nil }
	d := catalog.Date{Year: 2026, Month: 11, Day: 26}
	release, err := r.Locker.Lock(context.Background(), "export-parquet.events", catalog.Date{})
	if err != nil {
		t.Fatal(err)
	}
	env := TestEnv("export-parquet", d.AddDays(-3))
	env.LockName, env.LockAllDates = "export-parquet.events", true
	if _, err := r.Run(context.Background(), env, ok); !errors.Is(err, catalog.ErrLocked) {
		t.Fatalf("a run of another date ran under the all-dates lock: %v", err)
	}
	release()
	if _, err := r.Run(context.Background(), env, ok); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
