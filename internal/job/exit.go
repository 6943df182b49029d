package job

import (
	"context"
	"errors"

	"marquee/internal/catalog"
)

// Exit codes (DESIGN.md §5).
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitRejected    = 3
	ExitUnavailable = 4
	ExitNothing     = 99
	ExitInterrupted = 130
)

// ExitCodesHelp is the exit-code table printed at the end of every --help.
const ExitCodesHelp = `Exit codes:
  0    ok
  1    failed
  2    usage or configuration error
  3    finished, but rejected records over the allowed threshold (--max-rejects, --strict)
  4    a dependency (MongoDB, search, GCS, a site) unavailable after retries
  99   nothing to do for this date (Airflow: skip_on_exit_code=99)
  130  interrupted (SIGINT/SIGTERM); nothing partial was committed`

// ExitCode maps an error to its exit code.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, catalog.ErrUsage):
		return ExitUsage
	case errors.Is(err, catalog.ErrNothingToDo):
		return ExitNothing
	case errors.Is(err, catalog.ErrRejectThreshold):
		return ExitRejected
	case errors.Is(err, catalog.ErrUnavailable):
		return ExitUnavailable
	default:
		return ExitFailed
	}
}

// StatusFor is the summary status for err.
func StatusFor(err error) string {
	switch ExitCode(err) {
	case ExitOK:
		return StatusOK
	case ExitNothing:
		return StatusNothing
	case ExitRejected:
		return StatusRejected
	case ExitInterrupted:
		return StatusCancelled
	default:
		return StatusFailed
	}
}
