package mart

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/testenv"
	"marquee/lake"
)

// benchPython returns the bench venv's python (scripts/bench/venv.sh
// creates it once, with DuckDB).
func benchPython(t *testing.T) string {
	t.Helper()
	root := testenv.RepoRoot()
	out, err := exec.Command("bash", filepath.Join(root, "scripts/bench/venv.sh"), "test").Output()
	if err != nil {
		t.Fatalf("scripts/bench/venv.sh (creates the DuckDB venv): %v", err)
	}
	return strings.TrimSpace(string(out))
}

// writePyarrowEvents commits evs as the events partition of d written by
// pyarrow (mart/sql/testdata/pyarrow_events.py: page v1, snappy, partial
// dictionaries), as an outside writer would.
func writePyarrowEvents(t *testing.T, py, lakeDir string, d catalog.Date, evs []catalog.Event) {
	t.Helper()
	var buf bytes.Buffer
	for _, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(b, '\n'))
	}
	src := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, filepath.Join(testenv.RepoRoot(), "mart/sql/testdata/pyarrow_events.py"), src, lakeDir, d.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("pyarrow_events.py: %v\n%s", err, out)
	}
}

// TestSQLMartsEqualEngineOnDuckDB runs mart/sql/duckdb/*.sql on DuckDB over
// the same small lake build-mart reads and compares every row of every mart.
func TestSQLMartsEqualEngineOnDuckDB(t *testing.T) {
	py := benchPython(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Seoul")
	dir := t.TempDir()
	s, err := lake.NewLocalStore(filepath.Join(dir, "lake"))
	if err != nil {
		t.Fatal(err)
	}
	const items = 200
	for d := day("2026-11-17"); !day("2026-11-20").Before(d); d = d.AddDays(1) {
		evs := genEvents(uint64(d.Day), d, loc, 4000, 600, items, false) // packed user ids (the job test covers dense ones)
		if d.Day == 19 {
			writePyarrowEvents(t, py, s.URI(), d, evs)
			continue
		}
		writeEvents(t, s, d, evs, []string{"dict", "opt", "lake"}[d.Day%3], 1500, 700)
	}
	genres := testGenres(items)
	var buf bytes.Buffer
	for id, gs := range genres {
		b, _ := json.Marshal(map[string]any{"id": id, "genres": gs, "title": "공연 " + id})
		buf.Write(append(b, '\n'))
	}
	gpath := filepath.Join(dir, "releases.jsonl")
	if err := os.WriteFile(gpath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	from, to := day("2026-11-18"), day("2026-11-20")
	opts := Options{From: from, To: to, Top: 10, Window: 3, HalfLife: 1.5, Drift: -1}
	if _, err := Run(ctx, job.TestEnv(JobName, to), opts, Deps{Lake: s, Genres: JSONLGenres{Path: gpath}}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, filepath.Join(testenv.RepoRoot(), "mart/sql/duckdb_marts.py"),
		"--lake", s.URI(), "--from", from.String(), "--to", to.String(), "--marts", strings.Join(Names, ","),
		"--top", "10", "--window", "3", "--half-life", "1.5", "--genres", gpath, "--threads", "2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var res struct {
		Marts map[string]struct {
			Rows        int64
			MarqueeRows int64 `json:"marquee_rows"`
			Equal       bool
			Diff        [][]string
		}
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		t.Fatalf("duckdb_marts.py: %v %v\n%s\n%s", err, jerr, out, stderr.String())
	}
	for _, m := range Names {
		r, ok := res.Marts[m]
		switch {
		case !ok:
			t.Errorf("%s: not compared", m)
		case r.MarqueeRows == 0:
			t.Errorf("%s: no rows to compare", m)
		case !r.Equal || r.Rows != r.MarqueeRows:
			t.Errorf("%s: DuckDB SQL and build-mart differ (%d marquee rows): %v", m, r.MarqueeRows, r.Diff)
		}
	}
}
