package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/etl/reindex"
	"marquee/internal/catalog"
	"marquee/internal/search"
	"marquee/internal/testenv"
	"marquee/lake"
)

// TestReindexESCommand runs the command in-process against the real search
// node: argv → job → summary line and exit code.
func TestReindexESCommand(t *testing.T) {
	url := testenv.SearchURL(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "releases.jsonl")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := 0; i < 40; i++ {
		sid := fmt.Sprint(i)
		r := catalog.Release{ID: catalog.ReleaseID("cli", sid), Source: "cli", SourceID: sid, Kind: catalog.KindPerformance,
			Title: fmt.Sprintf("뮤지컬레미제라블 %d", i), UpdatedAt: time.Date(2026, 11, 20, 0, 0, i, 0, time.UTC)}
		_ = enc.Encode(r)
	}
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	alias := "t-cli-" + hex.EncodeToString(b[:])
	client, err := search.New(search.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		infos, _ := client.Indices(context.Background(), alias+"_*")
		for _, in := range infos {
			_ = client.DeleteIndex(context.Background(), in.Name)
		}
	})
	t.Setenv("MARQUEE_CONFIG", "/nonexistent")
	global := []string{"--search-url", url, "--data-dir", filepath.Join(dir, "data")}
	run := func(args ...string) (int, map[string]any, string) {
		var out, errb bytes.Buffer
		argv := append(append([]string{}, args...), global...)
		if !slices.Contains(args, "--date") {
			argv = append(argv, "--date", "2026-11-26")
		}
		code := Main(argv, &out, &errb)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var s map[string]any
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
		return code, s, errb.String()
	}

	code, s, stderr := run("reindex-es", "--alias", alias, "--source", src, "--replicas", "0", "--analyzer", "bigram")
	if code != 0 || s["written"] != 40.0 || s["status"] != "ok" {
		t.Fatalf("rebuild: exit %d, summary %v\n%s", code, s, stderr)
	}
	first := s["details"].(map[string]any)["index"].(string)

	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"rollback with nothing older fails", []string{"reindex-es", "rollback", "--alias", alias}, 1},
		{"incremental without since", []string{"reindex-es", "--alias", alias, "--source", src, "--incremental"}, 2},
		{"bad since", []string{"reindex-es", "--alias", alias, "--source", src, "--incremental", "--since", "yesterday"}, 2},
		{"bad analyzer", []string{"reindex-es", "--alias", alias, "--source", src, "--analyzer", "kuromoji"}, 2},
		{"incremental", []string{"reindex-es", "--alias", alias, "--source", src, "--incremental", "--since", "2026-11-20T00:00:30Z"}, 0},
		{"second rebuild", []string{"reindex-es", "--alias", alias, "--source", src, "--replicas", "0"}, 0},
		{"rollback", []string{"reindex-es", "rollback", "--alias", alias}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, s, stderr := run(tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; summary %v\n%s", code, tc.code, s, stderr)
			}
			if tc.name == "incremental" && s["read"] != 10.0 {
				t.Fatalf("incremental read %v, want 10", s["read"])
			}
		})
	}
	live, err := client.AliasIndices(context.Background(), alias)
	if err != nil || len(live) != 1 || live[0] != first {
		t.Fatalf("after rollback the alias points to %v (%v), want %s", live, err, first)
	}

	t.Run("from the lake", func(t *testing.T) {
		ctx := context.Background()
		store, err := lake.NewLocalStore(filepath.Join(dir, "data", "lake"))
		if err != nil {
			t.Fatal(err)
		}
		day := catalog.Date{Year: 2026, Month: 11, Day: 25}
		pw := lake.NewPartitionWriter(store, lake.ReleasesPartition(day), "export-parquet", "run1", time.Now)
		w := lake.NewReleasesWriter(ctx, pw, lake.ParquetOptions{})
		err = reindex.FileSource{Path: src}.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error { return w.Write(r) })
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Commit(ctx, lake.CommitOptions{Meta: map[string]string{lake.ReleasesMetaMode: lake.ReleasesModeSnapshot}}); err != nil {
			t.Fatal(err)
		}
		code, s, stderr := run("reindex-es", "--alias", alias, "--source", "lake", "--replicas", "0")
		if code != 0 || s["written"] != 40.0 {
			t.Fatalf("exit %d, summary %v\n%s", code, s, stderr)
		}
		if in, _ := s["inputs"].([]any); len(in) != 1 || !strings.HasSuffix(in[0].(string), "/parquet/releases/dt=2026-11-25") {
			t.Fatalf("inputs %v", s["inputs"])
		}
	})
	t.Run("no lake snapshot is nothing to do", func(t *testing.T) {
		code, _, stderr := run("reindex-es", "--alias", alias, "--source", "lake", "--date", "2026-11-01")
		if code != 99 {
			t.Fatalf("exit %d, want 99\n%s", code, stderr)
		}
	})
}
