package lake_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"marquee/lake"
	"marquee/lake/storetest"
)

func TestLocalStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lake.Store {
		s, err := lake.NewLocalStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// A writer killed mid-write (kill -9) leaves a temporary file; GC at the
// partition's next commit removes it once it is older than StaleTempAge,
// and never touches a fresh one (a write in progress).
func TestGCRemovesStaleTempFiles(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := lake.NewLocalStore(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := "raw/releases/source=a/dt=2026-11-26"
	w, err := s.Create(ctx, dir+"/part-dead-00000.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("half a file")); err != nil {
		t.Fatal(err)
	}
	// The process "dies": the writer is never closed. Age its temp file.
	tmps, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), ".*"))
	if len(tmps) != 1 {
		t.Fatalf("temp files = %v, want 1", tmps)
	}
	old := time.Now().Add(-2 * lake.StaleTempAge)
	if err := os.Chtimes(tmps[0], old, old); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Create(ctx, dir+"/part-live-00000.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Abort()

	pw := lake.NewPartitionWriter(s, dir, "crawl", "run2", time.Now)
	if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), ".*"))
	if len(left) != 1 || left[0] == tmps[0] {
		t.Fatalf("after GC temp files = %v, want only the fresh one", left)
	}
}
