package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/internal/catalog"
	"marquee/internal/testenv"
	"marquee/lake"
)

// TestLoadMongoCommand runs load-mongo in-process against the real
// MongoDB-wire server: argv → job → summary line and exit code.
func TestLoadMongoCommand(t *testing.T) {
	uri := testenv.MongoURI(t)
	dir := t.TempDir()
	st, err := lake.NewLocalStore(filepath.Join(dir, "data", "lake"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../etl/testdata/raw/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no fixtures in etl/testdata/raw")
	}
	d := catalog.Date{Year: 2026, Month: 11, Day: 22}
	for _, path := range files {
		source := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		pw := lake.NewPartitionWriter(st, lake.PartitionPath(lake.ZoneRawReleases+"/source="+source, d), "crawl", "r1", time.Now)
		w := lake.NewJSONLWriter(context.Background(), pw)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if err := w.WriteLine(append([]byte(nil), sc.Bytes()...)); err != nil {
				t.Fatal(err)
			}
		}
		f.Close()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Commit(context.Background(), lake.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	dbName := fmt.Sprintf("t_cli_load_%d", time.Now().UnixNano()%1e12)
	t.Cleanup(func() {
		cl, err := driver.Connect(options.Client().ApplyURI(uri))
		if err == nil {
			_ = cl.Database(dbName).Drop(context.Background())
			_ = cl.Disconnect(context.Background())
		}
	})
	t.Setenv("MARQUEE_CONFIG", "/nonexistent")
	global := []string{"--mongo-uri", uri, "--mongo-db", dbName, "--data-dir", filepath.Join(dir, "data"), "--date", "2026-11-22", "--log-format", "json"}
	run := func(args ...string) (int, map[string]any, string) {
		var out, errb bytes.Buffer
		code := Main(append(append([]string{"load-mongo"}, args...), global...), &out, &errb)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var s map[string]any
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
		return code, s, errb.String()
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		check    func(t *testing.T, s map[string]any)
	}{
		{"dry run reports what would change", []string{"--dry-run"}, 0, func(t *testing.T, s map[string]any) {
			det, _ := s["details"].(map[string]any)
			if s["status"] != "dry_run" || s["written"] != 0.0 || det["would_insert"] != 12.0 {
				t.Errorf("summary %v", s)
			}
		}},
		{"first load inserts the merged releases", []string{"--batch-size", "5", "--workers", "2"}, 0, func(t *testing.T, s map[string]any) {
			outs, _ := s["outputs"].([]any)
			if s["written"] != 13.0 || s["read"] != 13.0 || len(outs) != 2 || !strings.HasSuffix(fmt.Sprint(outs[0]), "/"+dbName+".releases") {
				t.Errorf("summary %v", s)
			}
		}},
		{"rerun writes nothing", nil, 0, func(t *testing.T, s map[string]any) {
			if s["written"] != 0.0 || s["skipped"] != 13.0 {
				t.Errorf("summary %v", s)
			}
		}},
		{"bad batch size is a usage error", []string{"--batch-size", "0"}, 2, nil},
		{"max rejects over 1 is a usage error", []string{"--max-rejects", "3"}, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, s, stderr := run(tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}
