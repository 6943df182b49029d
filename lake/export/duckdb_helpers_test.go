package export

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"marquee/internal/testenv"
)

// duckdbPython returns the bench venv's python (which has duckdb and
// pyarrow), failing the test with the command that creates it when absent.
func duckdbPython(t *testing.T) string {
	t.Helper()
	venv := os.Getenv("MARQUEE_BENCH_VENV")
	if venv == "" {
		venv = filepath.Join(testenv.RepoRoot(), ".bench", "venv")
	}
	py := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(filepath.Join(venv, ".marquee-ok-1")); err != nil {
		if os.Getenv(testenv.SkipVar) == "1" {
			t.Skipf("DuckDB venv missing (%s); run scripts/bench/venv.sh", venv)
		}
		t.Fatalf("DuckDB venv missing (%s): run scripts/bench/venv.sh", venv)
	}
	return py
}

// duckdbQuery runs one SQL query in DuckDB and returns its rows as JSON objects.
func duckdbQuery(t *testing.T, sql string) []map[string]any {
	t.Helper()
	py := duckdbPython(t)
	script := `
import duckdb, json, sys
con = duckdb.connect()
con.execute("SET threads=1")
cur = con.execute(sys.argv[1])
cols = [d[0] for d in cur.description]
print(json.dumps([dict(zip(cols, r)) for r in cur.fetchall()], default=str))
`
	cmd := exec.Command(py, "-c", script, sql)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb %q: %v\n%s", sql, err, stderr.String())
	}
	var rows []map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&rows); err != nil {
		t.Fatalf("duckdb output %q: %v", out, err)
	}
	return rows
}
