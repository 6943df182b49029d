package job

// severity orders exit codes for combining several runs: a failure beats an
// unavailable dependency, which beats rejects, which beat success; "nothing
// to do" counts only when every run had nothing to do.
func severity(code int) int {
	switch code {
	case ExitInterrupted:
		return 6
	case ExitFailed:
		return 5
	case ExitUsage:
		return 4
	case ExitUnavailable:
		return 3
	case ExitRejected:
		return 2
	case ExitOK:
		return 1
	default: // ExitNothing
		return 0
	}
}

// WorstError returns the error with the most severe exit code (nil when all
// succeeded; ErrNothingToDo only when every run had nothing to do).
func WorstError(errs []error) error {
	var worst error
	best := -1
	for _, err := range errs {
		if s := severity(ExitCode(err)); s > best {
			best, worst = s, err
		}
	}
	return worst
}

// Aggregate sums several runs' summaries into one (the final line of a
// multi-date run or a chain).
func Aggregate(name string, sums []*Summary, errs []error) *Summary {
	a := &Summary{Job: name, Outputs: []string{}}
	var dates []string
	for _, s := range sums {
		if s == nil {
			continue
		}
		a.Read += s.Read
		a.Written += s.Written
		a.Skipped += s.Skipped
		a.Quarantined += s.Quarantined
		a.DurationS += s.DurationS
		a.Outputs = append(a.Outputs, s.Outputs...)
		a.Inputs = append(a.Inputs, s.Inputs...)
		a.Warnings = append(a.Warnings, s.Warnings...)
		dates = append(dates, s.Date)
	}
	if len(dates) > 0 {
		a.Date = dates[0]
		if len(dates) > 1 {
			a.Date = dates[0] + ".." + dates[len(dates)-1]
		}
	}
	a.DurationS = roundMillis(a.DurationS)
	a.Inputs, a.Outputs = dedupe(a.Inputs), dedupe(a.Outputs)
	err := WorstError(errs)
	a.Status = StatusFor(err)
	if err != nil {
		a.Error = err.Error()
	}
	runs := make([]map[string]any, 0, len(sums))
	for i, s := range sums {
		if s == nil {
			continue
		}
		runs = append(runs, map[string]any{"job": s.Job, "date": s.Date, "status": s.Status, "exit_code": ExitCode(errs[i])})
	}
	a.Detail("runs", runs)
	return a
}

// dedupe drops repeated strings, keeping the first of each in order.
func dedupe(in []string) []string {
	if in == nil {
		return nil
	}
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
