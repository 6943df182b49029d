package job

import (
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
)

// Metrics collects per-job Prometheus metrics for one process (a chain of
// jobs in `run daily` shares it) and writes them as a node_exporter textfile
// and/or pushes them to a Pushgateway.
type Metrics struct {
	TextFile    string // --metrics-file; "" for none
	Pushgateway string // --pushgateway URL; "" for none

	once     sync.Once
	reg      *prometheus.Registry
	duration *prometheus.GaugeVec
	records  *prometheus.GaugeVec
	success  *prometheus.GaugeVec
	exit     *prometheus.GaugeVec
	jobs     []string
}

func (m *Metrics) init() {
	m.once.Do(func() {
		m.reg = prometheus.NewRegistry()
		m.duration = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "marquee_job_duration_seconds", Help: "Wall time of the job's last run.",
		}, []string{"marquee_job"})
		m.records = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "marquee_job_records", Help: "Records of the job's last run, by outcome.",
		}, []string{"marquee_job", "outcome"})
		m.success = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "marquee_job_last_success_timestamp_seconds", Help: "Unix time of the job's last successful run.",
		}, []string{"marquee_job"})
		m.exit = prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "marquee_job_exit_code", Help: "Exit code of the job's last run.",
		}, []string{"marquee_job"})
		m.reg.MustRegister(m.duration, m.records, m.success, m.exit)
	})
}

// Enabled reports whether any sink is configured.
func (m *Metrics) Enabled() bool { return m != nil && (m.TextFile != "" || m.Pushgateway != "") }

// Observe records one finished job. The last-success gauge is set only when
// the run succeeded (exit 0).
func (m *Metrics) Observe(s *Summary, code int, endUnix float64) {
	if !m.Enabled() {
		return
	}
	m.init()
	j := s.Job
	m.duration.WithLabelValues(j).Set(s.DurationS)
	m.records.WithLabelValues(j, "read").Set(float64(s.Read))
	m.records.WithLabelValues(j, "written").Set(float64(s.Written))
	m.records.WithLabelValues(j, "skipped").Set(float64(s.Skipped))
	m.records.WithLabelValues(j, "quarantined").Set(float64(s.Quarantined))
	m.exit.WithLabelValues(j).Set(float64(code))
	if code == ExitOK {
		m.success.WithLabelValues(j).Set(endUnix)
	}
	m.jobs = append(m.jobs, j)
}

// Flush writes the textfile (atomically) and pushes to the Pushgateway.
func (m *Metrics) Flush() error {
	if !m.Enabled() || len(m.jobs) == 0 {
		return nil
	}
	if m.TextFile != "" {
		if err := prometheus.WriteToTextfile(m.TextFile, m.reg); err != nil {
			return fmt.Errorf("metrics file %s: %w", m.TextFile, err)
		}
	}
	if m.Pushgateway != "" {
		// One group per job so jobs of a chain do not overwrite each other.
		for _, j := range uniq(m.jobs) {
			p := push.New(m.Pushgateway, "marquee").Grouping("marquee_job", j).Gatherer(filterJob(m.reg, j))
			if err := p.Push(); err != nil {
				return fmt.Errorf("pushgateway: %w", err)
			}
		}
	}
	return nil
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
