package job

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// filterJob gathers only the series of one job.
func filterJob(g prometheus.Gatherer, jobName string) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		mfs, err := g.Gather()
		if err != nil {
			return nil, err
		}
		var out []*dto.MetricFamily
		for _, mf := range mfs {
			var ms []*dto.Metric
			for _, m := range mf.Metric {
				for _, l := range m.Label {
					if l.GetName() == "marquee_job" && l.GetValue() == jobName {
						ms = append(ms, m)
					}
				}
			}
			if len(ms) > 0 {
				mf.Metric = ms
				out = append(out, mf)
			}
		}
		return out, nil
	})
}
