package job

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Lineage emits OpenLineage run events (START, COMPLETE, FAIL) to an HTTP
// endpoint and/or appends them to a file, one JSON object a line.
type Lineage struct {
	URL           string // --openlineage-url (the /api/v1/lineage endpoint or its base)
	File          string // --openlineage-file
	Namespace     string // job namespace, default "marquee"
	ParentRunID   string // --parent-run-id (Airflow task run id)
	ParentJobName string // --parent-job-name (Airflow dag.task)
	ParentNS      string // parent namespace, default "airflow"
	Client        *http.Client

	mu sync.Mutex
}

// Producer identifies marquee in lineage events.
const Producer = "https://github.com/marquee/marquee"

const olSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

// RunUUID maps a run id to the UUID OpenLineage wants, stably.
func RunUUID(runID string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("marquee:"+runID)).String()
}

type olDataset struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// DatasetOf splits a dataset URI (gs://b/p, /local/path, mongodb://host/db.coll,
// search alias) into OpenLineage namespace and name.
func DatasetOf(uri string) olDataset {
	if i := strings.Index(uri, "://"); i > 0 {
		rest := uri[i+3:]
		host, path, _ := strings.Cut(rest, "/")
		return olDataset{Namespace: uri[:i] + "://" + host, Name: path}
	}
	if strings.HasPrefix(uri, "/") {
		return olDataset{Namespace: "file", Name: uri}
	}
	return olDataset{Namespace: "marquee", Name: uri}
}

func (l *Lineage) emit(ctx context.Context, log *slog.Logger, env *Env, typ string, s *Summary, runErr error) {
	if l == nil || (l.URL == "" && l.File == "") {
		return
	}
	ns := l.Namespace
	if ns == "" {
		ns = "marquee"
	}
	run := map[string]any{"runId": RunUUID(env.RunID)}
	facets := map[string]any{}
	if l.ParentRunID != "" {
		pns := l.ParentNS
		if pns == "" {
			pns = "airflow"
		}
		pj := l.ParentJobName
		if pj == "" {
			pj = "unknown"
		}
		facets["parent"] = map[string]any{
			"_producer":  Producer,
			"_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet",
			"run":        map[string]any{"runId": parentUUID(l.ParentRunID)},
			"job":        map[string]any{"namespace": pns, "name": pj},
		}
	}
	if runErr != nil {
		facets["errorMessage"] = map[string]any{
			"_producer": Producer, "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
			"message": runErr.Error(), "programmingLanguage": "go",
		}
	}
	if len(facets) > 0 {
		run["facets"] = facets
	}
	ev := map[string]any{
		"eventType": typ,
		"eventTime": env.Now().UTC().Format(time.RFC3339Nano),
		"run":       run,
		"job":       map[string]any{"namespace": ns, "name": env.Job},
		"producer":  Producer,
		"schemaURL": olSchema,
		"inputs":    []olDataset{},
		"outputs":   []olDataset{},
	}
	if s != nil {
		in, out := []olDataset{}, []olDataset{}
		for _, u := range s.Inputs {
			in = append(in, DatasetOf(u))
		}
		for _, u := range s.Outputs {
			out = append(out, DatasetOf(u))
		}
		ev["inputs"], ev["outputs"] = in, out
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return
	}
	if err := l.send(ctx, b); err != nil {
		log.Warn("openlineage event not delivered", "event", typ, "err", err)
	}
}

// parentUUID keeps a parent run id that is already a UUID, else maps it stably.
func parentUUID(id string) string {
	if u, err := uuid.Parse(id); err == nil {
		return u.String()
	}
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(id)).String()
}

func (l *Lineage) send(ctx context.Context, b []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.File != "" {
		f, err := os.OpenFile(l.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		_, err = f.Write(append(b, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if l.URL != "" {
		url := l.URL
		if !strings.Contains(url, "/api/") {
			url = strings.TrimRight(url, "/") + "/api/v1/lineage"
		}
		c := l.Client
		if c == nil {
			c = &http.Client{Timeout: 10 * time.Second}
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("openlineage endpoint answered %s", resp.Status)
		}
	}
	return nil
}
