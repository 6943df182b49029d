// Package gen generates synthetic activity events (DESIGN.md §5a) as JSONL,
// seeded and deterministic: the same Config always writes the same bytes.
// The export-parquet and build-mart benchmarks and tests use it.
package gen
