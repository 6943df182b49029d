// Package testenv finds the real services that scripts/services.sh starts for
// tests: the MongoDB-wire server, the GCS emulator, the search node and
// Chromium. Endpoints come from the environment or, when unset there, from
// the env file services.sh writes (.services/env at the repository root).
//
// A missing service fails the test with the command that starts it; it is
// skipped only when MARQUEE_TEST_SKIP_SERVICES=1 is set on purpose.
package testenv

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Environment variable names written by scripts/services.sh.
const (
	MongoURIVar  = "MARQUEE_TEST_MONGO_URI"     // mongodb://127.0.0.1:PORT
	GCSHostVar   = "STORAGE_EMULATOR_HOST"      // 127.0.0.1:PORT (fake-gcs-server)
	SearchURLVar = "MARQUEE_TEST_SEARCH_URL"    // http://127.0.0.1:PORT (OpenSearch)
	ChromiumVar  = "MARQUEE_TEST_CHROMIUM"      // path to the chromium binary
	SkipVar      = "MARQUEE_TEST_SKIP_SERVICES" // "1" skips tests whose service is missing
)

var (
	fileOnce sync.Once
	fileEnv  map[string]string
)

// RepoRoot returns the repository root (the directory holding go.mod), found
// by walking up from the working directory, or "" when there is none.
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func loadFile() {
	fileEnv = map[string]string{}
	root := RepoRoot()
	if root == "" {
		return
	}
	f, err := os.Open(filepath.Join(root, ".services", "env"))
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		fileEnv[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
}

// Lookup returns the value of name from the environment, else from the
// services env file.
func Lookup(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	fileOnce.Do(loadFile)
	return fileEnv[name]
}

func need(t testing.TB, name, what string) string {
	t.Helper()
	if v := Lookup(name); v != "" {
		return v
	}
	msg := what + " is not running (" + name + " unset): start it with `scripts/services.sh start` (or `make services`)"
	if os.Getenv(SkipVar) == "1" {
		t.Skip(msg)
	}
	t.Fatal(msg)
	return ""
}

// MongoURI returns the URI of the test MongoDB-wire server.
func MongoURI(t testing.TB) string { return need(t, MongoURIVar, "the MongoDB-wire test server") }

// GCSHost returns host:port of the GCS emulator and sets STORAGE_EMULATOR_HOST
// for the test so cloud.google.com/go/storage talks to it.
func GCSHost(t testing.TB) string {
	v := need(t, GCSHostVar, "the GCS emulator (fake-gcs-server)")
	if os.Getenv(GCSHostVar) == "" {
		t.Setenv(GCSHostVar, v)
	}
	return v
}

// SearchURL returns the base URL of the test OpenSearch node.
func SearchURL(t testing.TB) string { return need(t, SearchURLVar, "the OpenSearch test node") }

// Chromium returns the path of the Chromium binary for browser tests.
func Chromium(t testing.TB) string { return need(t, ChromiumVar, "Chromium") }

// DuckDBPython returns the python of the Python env with DuckDB and pyarrow
// that tests use as an independent Parquet reader, creating it with
// `scripts/bench/venv.sh test` when missing (from PyPI; a no-op once made).
func DuckDBPython(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("bash", filepath.Join(RepoRoot(), "scripts", "bench", "venv.sh"), "test").Output()
	if err != nil {
		msg := "the DuckDB Python env could not be made: run `scripts/bench/venv.sh test`: " + err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(ee.Stderr)
		}
		if os.Getenv(SkipVar) == "1" {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	return strings.TrimSpace(string(out))
}

// DuckDBQuery runs one SQL query in DuckDB (through DuckDBPython) and
// returns its rows as JSON objects (numbers as json.Number).
func DuckDBQuery(t testing.TB, sql string) []map[string]any {
	t.Helper()
	script := `
import duckdb, json, sys
con = duckdb.connect()
con.execute("SET threads=1")
cur = con.execute(sys.argv[1])
cols = [d[0] for d in cur.description]
print(json.dumps([dict(zip(cols, r)) for r in cur.fetchall()], default=str))
`
	cmd := exec.Command(DuckDBPython(t), "-c", script, sql)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb %q: %v\n%s", sql, err, stderr.String())
	}
	var rows []map[string]any
	dec := json.NewDecoder(strings.NewReader(string(out)))
	dec.UseNumber()
	if err := dec.Decode(&rows); err != nil {
		t.Fatalf("duckdb output: %v\n%s", err, out)
	}
	return rows
}
