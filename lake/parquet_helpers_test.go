package lake

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"marquee/internal/testenv"
)

// duckdbPython returns the python of the DuckDB/pyarrow env (made on first use).
func duckdbPython(t *testing.T) string {
	t.Helper()
	return testenv.DuckDBPython(t)
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
