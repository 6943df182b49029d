package job

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"marquee/internal/catalog"
)

// validateRunEvent checks an event against the required shape of the
// OpenLineage 2-0-2 RunEvent schema: eventTime (date-time), producer and
// schemaURL (URIs), run.runId (UUID), job.namespace/name, eventType enum,
// inputs/outputs datasets with namespace and name, facets with _producer
// and _schemaURL.
func validateRunEvent(ev map[string]any) []string {
	var bad []string
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		if s == "" {
			bad = append(bad, "missing "+k)
		}
		return s
	}
	if _, err := time.Parse(time.RFC3339Nano, str(ev, "eventTime")); err != nil {
		bad = append(bad, "eventTime not RFC 3339")
	}
	for _, k := range []string{"producer", "schemaURL"} {
		if !strings.HasPrefix(str(ev, k), "https://") {
			bad = append(bad, k+" not a URI")
		}
	}
	switch ev["eventType"] {
	case "START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER":
	default:
		bad = append(bad, "bad eventType")
	}
	run, _ := ev["run"].(map[string]any)
	if run == nil || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(str(run, "runId")) {
		bad = append(bad, "run.runId not a UUID")
	}
	if facets, ok := run["facets"].(map[string]any); ok {
		for name, f := range facets {
			fm, _ := f.(map[string]any)
			if fm["_producer"] == nil || fm["_schemaURL"] == nil {
				bad = append(bad, "facet "+name+" lacks _producer/_schemaURL")
			}
		}
	}
	jobm, _ := ev["job"].(map[string]any)
	if jobm == nil {
		bad = append(bad, "missing job")
	} else {
		str(jobm, "namespace")
		str(jobm, "name")
	}
	for _, k := range []string{"inputs", "outputs"} {
		list, ok := ev[k].([]any)
		if !ok {
			bad = append(bad, k+" not a list")
		}
		for _, d := range list {
			dm, _ := d.(map[string]any)
			if dm == nil || dm["namespace"] == "" || dm["name"] == "" {
				bad = append(bad, k+" dataset lacks namespace/name")
			}
		}
	}
	return bad
}

func TestLineageHTTPReceiver(t *testing.T) {
	var mu sync.Mutex
	var events []map[string]any
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/lineage" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request line", http.StatusBadRequest)
			return
		}
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		events = append(events, ev)
		problems = append(problems, validateRunEvent(ev)...)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	r := &Runner{Stdout: io.Discard, Log: slog.New(slog.DiscardHandler), Lineage: &Lineage{URL: srv.URL, ParentRunID: "3f9c1a52-1111-4222-8333-444455556666", ParentJobName: "marquee_daily.load_mongo"}}
	env := TestEnv("load-mongo", catalog.Date{Year: 2026, Month: 11, Day: 26})
	_, _ = r.Run(context.Background(), env, func(ctx context.Context, env *Env) (*Summary, error) {
		s := NewSummary(env)
		s.Inputs = []string{"gs://lake/raw/releases/source=a/dt=2026-11-26"}
		s.Outputs = []string{"mongodb://db:27017/marquee.releases"}
		return s, nil
	})
	env2 := TestEnv("crawl", catalog.Date{Year: 2026, Month: 11, Day: 26})
	_, _ = r.Run(context.Background(), env2, func(context.Context, *Env) (*Summary, error) {
		return nil, errors.New("site down")
	})
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("events violate the OpenLineage schema: %v", problems)
	}
	var types []string
	for _, e := range events {
		types = append(types, e["eventType"].(string))
	}
	if strings.Join(types, ",") != "START,COMPLETE,START,FAIL" {
		t.Fatalf("event types = %v", types)
	}
	parent := events[1]["run"].(map[string]any)["facets"].(map[string]any)["parent"].(map[string]any)
	if parent["run"].(map[string]any)["runId"] != "3f9c1a52-1111-4222-8333-444455556666" {
		t.Errorf("parent facet = %v", parent)
	}
	out := events[1]["outputs"].([]any)[0].(map[string]any)
	if out["namespace"] != "mongodb://db:27017" || out["name"] != "marquee.releases" {
		t.Errorf("output dataset = %v", out)
	}
	if msg := events[3]["run"].(map[string]any)["facets"].(map[string]any)["errorMessage"].(map[string]any)["message"]; msg != "site down" {
		t.Errorf("FAIL event error message = %v", msg)
	}
}

func TestPushgatewayExposition(t *testing.T) {
	var mu sync.Mutex
	got := map[string]string{} // path → body
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			http.Error(w, "want PUT", http.StatusMethodNotAllowed)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[r.URL.Path] = r.Header.Get("Content-Type") + "\n" + string(b)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	m := &Metrics{Pushgateway: srv.URL}
	m.Observe(&Summary{Job: "crawl", Read: 3, DurationS: 1.5}, ExitOK, 1700000000)
	m.Observe(&Summary{Job: "load-mongo", Written: 2}, ExitUnavailable, 1700000001)
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	crawl, ok := got["/metrics/job/marquee/marquee_job/crawl"]
	if !ok {
		t.Fatalf("no push for crawl: %v", got)
	}
	names := decodeFamilies(t, crawl)
	if names["marquee_job_last_success_timestamp_seconds"] != 1700000000 || names["marquee_job_duration_seconds"] != 1.5 {
		t.Errorf("crawl push = %v", names)
	}
	if strings.Contains(crawl, "load-mongo") {
		t.Errorf("crawl's push carries another job's series")
	}
	lm := got["/metrics/job/marquee/marquee_job/load-mongo"]
	if lm == "" || strings.Contains(lm, "marquee_job_last_success_timestamp_seconds") {
		t.Errorf("load-mongo (exit 4) push = %q, want one without last success", lm)
	}
}

// decodeFamilies parses a pushed body (content type, newline, body) with
// Prometheus' own decoder and returns the first value of each family.
func decodeFamilies(t *testing.T, pushed string) map[string]float64 {
	t.Helper()
	ctype, body, _ := strings.Cut(pushed, "\n")
	dec := expfmt.NewDecoder(strings.NewReader(body), expfmt.ResponseFormat(http.Header{"Content-Type": []string{ctype}}))
	out := map[string]float64{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatalf("pushed body does not decode: %v", err)
		}
		out[mf.GetName()] = mf.GetMetric()[0].GetGauge().GetValue()
	}
}
