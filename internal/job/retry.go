package job

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"marquee/internal/catalog"
)

// Backoff is a retry policy: exponential backoff with full jitter, for
// transient errors only (catalog.IsTransient).
type Backoff struct {
	Attempts int           // total tries, including the first (default 5)
	Base     time.Duration // first delay (default 200ms)
	Max      time.Duration // delay cap (default 10s)
}

// DefaultBackoff is the policy for dependencies.
var DefaultBackoff = Backoff{Attempts: 5, Base: 200 * time.Millisecond, Max: 10 * time.Second}

// Delay is the jittered wait before try n (n ≥ 1 is the first retry).
func (b Backoff) Delay(n int) time.Duration {
	base, maxd := b.Base, b.Max
	if base <= 0 {
		base = 200 * time.Millisecond
	}
	if maxd <= 0 {
		maxd = 10 * time.Second
	}
	d := base << (n - 1)
	if d > maxd || d <= 0 {
		d = maxd
	}
	return d/2 + rand.N(d/2+1)
}

// RetryAfter is an error that asks the next try to wait at least After
// (HTTP Retry-After). Wrap it in catalog.Transient.
type RetryAfter struct {
	Err   error
	After time.Duration
}

func (e *RetryAfter) Error() string { return e.Err.Error() }
func (e *RetryAfter) Unwrap() error { return e.Err }

// Retry calls fn until it succeeds, returns a permanent error, the context
// ends, or the attempts run out. When transient errors exhaust the attempts
// the result wraps catalog.ErrUnavailable (exit 4).
func Retry(ctx context.Context, b Backoff, fn func(ctx context.Context) error) error {
	attempts := b.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	var err error
	for n := 0; n < attempts; n++ {
		if n > 0 {
			d := b.Delay(n)
			var ra *RetryAfter
			if errors.As(err, &ra) && ra.After > d {
				d = ra.After
			}
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		err = fn(ctx)
		if err == nil || !catalog.IsTransient(err) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ctx.Err(), err)
		}
	}
	return fmt.Errorf("%w after %d tries: %w", catalog.ErrUnavailable, attempts, err)
}
