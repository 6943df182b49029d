package export

import (
	"testing"

	"marquee/internal/testenv"
)

// duckdbQuery runs one SQL query in DuckDB and returns its rows as JSON objects.
func duckdbQuery(t *testing.T, sql string) []map[string]any {
	t.Helper()
	return testenv.DuckDBQuery(t, sql)
}
