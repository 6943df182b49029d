package catalog

import (
	"errors"
	"fmt"
)

// Sentinel errors. The runtime maps them to exit codes (DESIGN.md §5):
// ErrUsage → 2, ErrRejectThreshold → 3, ErrUnavailable → 4, ErrNothingToDo → 99.
var (
	// ErrUsage: a bad flag, config value or argument.
	ErrUsage = errors.New("usage error")
	// ErrRejectThreshold: the job finished but rejected more records than allowed.
	ErrRejectThreshold = errors.New("rejected records over the allowed threshold")
	// ErrUnavailable: a dependency (MongoDB, search, GCS, a site) stayed unavailable after retries.
	ErrUnavailable = errors.New("dependency unavailable")
	// ErrNothingToDo: there is no input for this logical date.
	ErrNothingToDo = errors.New("nothing to do for this date")
	// ErrNotFound: an object, document or partition does not exist.
	ErrNotFound = errors.New("not found")
	// ErrPrecondition: a conditional write lost (the object exists / changed).
	ErrPrecondition = errors.New("precondition failed")
	// ErrLocked: another run holds the lock for this job and date.
	ErrLocked = errors.New("another run holds the lock")
)

// TransientError marks an error as worth retrying (timeouts, 5xx, 429,
// connection resets). Drivers wrap such errors with Transient.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Transient wraps err as retryable; nil stays nil.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return &TransientError{Err: err}
}

// IsTransient reports whether err (or anything it wraps) is marked retryable.
func IsTransient(err error) bool {
	var t *TransientError
	return errors.As(err, &t)
}

// Usagef returns an ErrUsage error with a message.
func Usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}
