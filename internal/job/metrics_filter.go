package job

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// filterJob gathers only the series of one job, without their marquee_job
// label (the Pushgateway carries it as the grouping key instead).
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
				var rest []*dto.LabelPair
				match := false
				for _, l := range m.Label {
					if l.GetName() == "marquee_job" {
						match = l.GetValue() == jobName
						continue
					}
					rest = append(rest, l)
				}
				if match {
					m.Label = rest
					ms = append(ms, m)
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
