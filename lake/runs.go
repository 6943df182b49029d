package lake

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"marquee/internal/catalog"
	"marquee/internal/job"
)

// RunRecorder keeps run history as _runs/<job>/dt=<D>/<run-id>.json.
type RunRecorder struct{ Store Store }

var _ job.Recorder = RunRecorder{}

// RecordRun implements job.Recorder.
func (r RunRecorder) RecordRun(ctx context.Context, s *job.Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return PutBytes(ctx, r.Store, ZoneRuns+"/"+s.Job+"/dt="+s.Date+"/"+s.RunID+".json", b)
}

// ListRuns returns recorded runs, newest run id first; job and date filter
// when non-empty / non-zero.
func ListRuns(ctx context.Context, s Store, jobName string, d catalog.Date) ([]*job.Summary, error) {
	prefix := ZoneRuns + "/"
	if jobName != "" {
		prefix += jobName + "/"
		if !d.IsZero() {
			prefix += "dt=" + d.String() + "/"
		}
	}
	objs, err := s.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var out []*job.Summary
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".json") {
			continue
		}
		if !d.IsZero() && !strings.Contains(o.Key, "/dt="+d.String()+"/") {
			continue
		}
		b, err := ReadAll(ctx, s, o.Key)
		if err != nil {
			return nil, err
		}
		var sum job.Summary
		if json.Unmarshal(b, &sum) == nil {
			out = append(out, &sum)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RunID > out[j].RunID })
	return out, nil
}
