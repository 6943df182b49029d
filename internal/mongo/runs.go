package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/internal/job"
)

// RunsCollection is the collection of run history (DESIGN.md §5a).
const RunsCollection = "runs"

// RunStore keeps run history in MongoDB `runs`, one document per run id.
type RunStore struct {
	coll *mongo.Collection
	now  func() time.Time
}

var _ job.Recorder = (*RunStore)(nil)

// NewRunStore returns the run store of database db.
func NewRunStore(c *Client, db string, now func() time.Time) *RunStore {
	return &RunStore{coll: c.Database(db).Collection(RunsCollection), now: now}
}

type runDoc struct {
	ID          string         `bson:"_id"`
	Job         string         `bson:"job"`
	Date        string         `bson:"date"`
	Status      string         `bson:"status"`
	Read        int64          `bson:"read"`
	Written     int64          `bson:"written"`
	Skipped     int64          `bson:"skipped"`
	Quarantined int64          `bson:"quarantined"`
	DurationS   float64        `bson:"duration_s"`
	Inputs      []string       `bson:"inputs,omitempty"`
	Outputs     []string       `bson:"outputs"`
	Warnings    []string       `bson:"warnings,omitempty"`
	Error       string         `bson:"error,omitempty"`
	Details     map[string]any `bson:"details,omitempty"`
	RecordedAt  time.Time      `bson:"recorded_at"`
}

// RecordRun implements job.Recorder: an idempotent upsert by run id.
func (s *RunStore) RecordRun(ctx context.Context, sum *job.Summary) error {
	d := runDoc{
		ID: sum.RunID, Job: sum.Job, Date: sum.Date, Status: sum.Status,
		Read: sum.Read, Written: sum.Written, Skipped: sum.Skipped, Quarantined: sum.Quarantined,
		DurationS: sum.DurationS, Inputs: sum.Inputs, Outputs: sum.Outputs, Warnings: sum.Warnings,
		Error: sum.Error, Details: sum.Details, RecordedAt: s.now().UTC(),
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("runs: record %s: %w", d.ID, Classify(err))
	}
	return nil
}

// ListRuns returns recorded runs, newest first; jobName and date filter when
// non-empty; at most limit (0 = 100).
func (s *RunStore) ListRuns(ctx context.Context, jobName, date string, limit int64) ([]*job.Summary, error) {
	filter := bson.D{}
	if jobName != "" {
		filter = append(filter, bson.E{Key: "job", Value: jobName})
	}
	if date != "" {
		filter = append(filter, bson.E{Key: "date", Value: date})
	}
	if limit <= 0 {
		limit = 100
	}
	cur, err := s.coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("runs: list: %w", Classify(err))
	}
	defer cur.Close(ctx)
	var out []*job.Summary
	for cur.Next(ctx) {
		var d runDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("runs: decode: %w", err)
		}
		out = append(out, &job.Summary{
			Job: d.Job, Date: d.Date, RunID: d.ID, Status: d.Status, Read: d.Read, Written: d.Written,
			Skipped: d.Skipped, Quarantined: d.Quarantined, DurationS: d.DurationS, Inputs: d.Inputs,
			Outputs: d.Outputs, Warnings: d.Warnings, Error: d.Error, Details: d.Details,
		})
	}
	return out, Classify(cur.Err())
}
