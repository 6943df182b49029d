package lake

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"marquee/internal/catalog"
)

// Rejected is one quarantined record: why, where it came from, and the record
// itself (verbatim when it was not valid JSON).
type Rejected struct {
	Job    string          `json:"job"`
	Reason string          `json:"reason"`
	Origin string          `json:"origin"` // file:line, URL, or document id
	At     time.Time       `json:"at"`
	Record json.RawMessage `json:"record,omitempty"`
	Raw    string          `json:"raw,omitempty"`
}

// Quarantine writes rejected records to quarantine/<job>/dt=D/, committed
// with the run like any other partition.
type Quarantine struct {
	pw  *PartitionWriter
	w   *JSONLWriter
	job string
	now func() time.Time
	n   atomic.Int64
}

// NewQuarantine starts the quarantine partition of job for date d.
func NewQuarantine(ctx context.Context, s Store, job, runID string, d catalog.Date, now func() time.Time) *Quarantine {
	pw := NewPartitionWriter(s, PartitionPath(ZoneQuarantine+"/"+job, d), job, runID, now)
	return &Quarantine{pw: pw, w: NewJSONLWriter(ctx, pw), job: job, now: now}
}

// Reject records one bad record. record is kept as JSON when it is valid
// JSON, else as a string (truncated to 1 MiB).
func (q *Quarantine) Reject(reason, origin string, record []byte) error {
	r := Rejected{Job: q.job, Reason: reason, Origin: origin, At: q.now().UTC()}
	if json.Valid(record) {
		r.Record = record
	} else {
		if len(record) > 1<<20 {
			record = record[:1<<20]
		}
		r.Raw = string(record)
	}
	q.n.Add(1)
	return q.w.Write(r)
}

// Count is how many records were rejected.
func (q *Quarantine) Count() int64 { return q.n.Load() }

// Dir is the quarantine partition directory.
func (q *Quarantine) Dir() string { return q.pw.Dir() }

// Commit commits the quarantine partition (even when empty, so a rerun that
// rejects nothing replaces an earlier run's rejects).
func (q *Quarantine) Commit(ctx context.Context) error {
	if err := q.w.Close(); err != nil {
		return err
	}
	_, err := q.pw.Commit(ctx, CommitOptions{})
	return err
}

// Abort discards everything written.
func (q *Quarantine) Abort(ctx context.Context) {
	q.w.Abort()
	_ = q.pw.Abort(ctx)
}
