package job

import (
	"encoding/json"
	"io"
)

// Statuses of a Summary.
const (
	StatusOK        = "ok"
	StatusFailed    = "failed"
	StatusRejected  = "rejected" // finished, rejects over threshold (exit 3)
	StatusNothing   = "nothing_to_do"
	StatusCancelled = "interrupted"
	StatusDryRun    = "dry_run"
)

// Summary is a job's result; its JSON is the last line on stdout
// (DESIGN.md §5), so Airflow can read it from XCom.
type Summary struct {
	Job         string         `json:"job"`
	Date        string         `json:"date"`
	RunID       string         `json:"run_id"`
	Status      string         `json:"status"`
	Read        int64          `json:"read"`
	Written     int64          `json:"written"`
	Skipped     int64          `json:"skipped"`
	Quarantined int64          `json:"quarantined"`
	DurationS   float64        `json:"duration_s"`
	Inputs      []string       `json:"inputs,omitempty"`
	Outputs     []string       `json:"outputs"`
	Warnings    []string       `json:"warnings,omitempty"`
	Error       string         `json:"error,omitempty"`
	Details     map[string]any `json:"details,omitempty"`
}

// NewSummary returns an empty summary for env.
func NewSummary(env *Env) *Summary {
	return &Summary{Job: env.Job, Date: env.Date.String(), RunID: env.RunID, Status: StatusOK, Outputs: []string{}}
}

// Detail sets one job-specific detail.
func (s *Summary) Detail(k string, v any) {
	if s.Details == nil {
		s.Details = map[string]any{}
	}
	s.Details[k] = v
}

// WriteLine writes s as one JSON line.
func (s *Summary) WriteLine(w io.Writer) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
