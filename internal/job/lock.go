package job

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"marquee/internal/catalog"
)

// Locker takes the run lock of (job, date) — a zero date locks the job for
// every date — so overlapping cron or Airflow
// runs cannot both write. Lock fails fast with catalog.ErrLocked when another
// run holds it; release is idempotent. A MongoDB-backed Locker serves
// distributed runs; FileLocker serves one machine.
type Locker interface {
	Lock(ctx context.Context, job string, d catalog.Date) (release func(), err error)
}

// FileLocker locks with flock(2) on files under Dir. The kernel drops the
// lock when the process dies, so kill -9 never leaves a stale lock.
type FileLocker struct{ Dir string }

var _ Locker = FileLocker{}

// Lock implements Locker.
func (l FileLocker) Lock(_ context.Context, jobName string, d catalog.Date) (func(), error) {
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock dir %s: %w", l.Dir, err)
	}
	when := d.String()
	if d.IsZero() {
		when = "all-dates"
	}
	p := filepath.Join(l.Dir, jobName+"_"+when+".lock")
	fl := flock.New(p)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	if !ok {
		return nil, fmt.Errorf("%s for %s (%s): %w", jobName, d, p, catalog.ErrLocked)
	}
	return func() { _ = fl.Unlock() }, nil
}

// NoLocker takes no lock (dry runs).
type NoLocker struct{}

// Lock implements Locker.
func (NoLocker) Lock(context.Context, string, catalog.Date) (func(), error) { return func() {}, nil }
