package lake_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marquee/internal/catalog"
	"marquee/lake"
)

func TestCheckKey(t *testing.T) {
	cases := []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"posters/가/레미제라블.jpg", true},
		{"raw/releases/source=s/dt=2026-11-26/part-1.jsonl.gz", true},
		{"a..b/c", true},
		{"", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"a/./b", false},
		{"a/../b", false},
		{"..", false},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			if err := lake.CheckKey(c.key); (err == nil) != c.ok {
				t.Fatalf("CheckKey(%q) = %v, want ok=%v", c.key, err, c.ok)
			}
		})
	}
}

func TestPartitionPathAndNames(t *testing.T) {
	d := catalog.Date{Year: 2026, Month: 1, Day: 5}
	if got := lake.PartitionPath("raw/releases/source=cgv", d); got != "raw/releases/source=cgv/dt=2026-01-05" {
		t.Fatalf("PartitionPath = %q", got)
	}
	pw := lake.NewPartitionWriter(newLocal(t), "p/dt=2026-01-05", "j", "20260105T000000-abcd", now)
	seen := map[string]bool{}
	for range 100 {
		n := pw.NextName("part", ".jsonl.gz")
		if seen[n] || !strings.HasPrefix(n, "part-20260105T000000-abcd-") {
			t.Fatalf("NextName gave %q (seen before: %v)", n, seen[n])
		}
		seen[n] = true
	}
}

func TestManifestRowsAndKeys(t *testing.T) {
	m := &lake.Manifest{Partition: "z/dt=2026-11-26", Files: []lake.FileEntry{{Name: "a", Rows: 2}, {Name: "b", Rows: 5}}}
	if m.Rows() != 7 {
		t.Fatalf("Rows = %d", m.Rows())
	}
	if k := m.Keys(); len(k) != 2 || k[0] != "z/dt=2026-11-26/a" || k[1] != "z/dt=2026-11-26/b" {
		t.Fatalf("Keys = %q", k)
	}
}

func TestReadManifestRejectsGarbage(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	if err := lake.PutBytes(ctx, s, "z/dt=2026-11-26/"+lake.ManifestName, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	_, err := lake.ReadManifest(ctx, s, "z/dt=2026-11-26")
	if err == nil || errors.Is(err, catalog.ErrNotFound) || !strings.Contains(err.Error(), "z/dt=2026-11-26") {
		t.Fatalf("err = %v, want a decode error naming the partition", err)
	}
}

func TestGCKeepsNestedAndListedFiles(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	dir := "posters/index/dt=2026-11-26"
	pw := lake.NewPartitionWriter(s, dir, "j", "r1", now)
	writeOne := func(pw *lake.PartitionWriter) string {
		name := pw.NextName("part", ".jsonl")
		w, err := pw.Create(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("{}\n")); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		pw.Add(lake.FileEntry{Name: name, Rows: 1, Bytes: 3})
		return name
	}
	kept := writeOne(pw)
	if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{dir + "/stray.jsonl", dir + "/sub/nested.bin"} {
		if err := lake.PutBytes(ctx, s, k, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := lake.GC(ctx, s, dir); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List(ctx, dir+"/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, strings.TrimPrefix(o.Key, dir+"/"))
	}
	want := []string{lake.ManifestName, kept, "sub/nested.bin"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Fatalf("after GC: %q, want %q", keys, want)
	}
	// GC of a partition that was never committed deletes nothing.
	if err := lake.PutBytes(ctx, s, "other/dt=2026-11-26/f", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := lake.GC(ctx, s, "other/dt=2026-11-26"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "other/dt=2026-11-26/f"); err != nil {
		t.Fatalf("GC of an uncommitted partition removed its file: %v", err)
	}
}

func TestLocalStoreHidesTempFilesOfKilledWriters(t *testing.T) {
	dir := t.TempDir()
	s, err := lake.NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := lake.PutBytes(ctx, s, "a/done", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	// What a kill -9 during Create leaves behind: a temp file next to the target.
	w, err := s.Create(ctx, "a/half")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("half")); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		t.Fatalf("want the done file and one temp file on disk, got %d entries", len(ents))
	}
	objs, err := s.List(ctx, "a/")
	if err != nil || len(objs) != 1 || objs[0].Key != "a/done" {
		t.Fatalf("List = %+v, %v; want only a/done", objs, err)
	}
	if _, err := s.Stat(ctx, "a/half"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("Stat a/half = %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	ents, _ = os.ReadDir(filepath.Join(dir, "a"))
	if len(ents) != 1 {
		t.Fatalf("Abort left %d entries, want 1", len(ents))
	}
}

func TestLocalStoreStatOfADirectoryIsNotFound(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	if err := lake.PutBytes(ctx, s, "d/x/y", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "d/x"); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("Stat of a directory = %v, want ErrNotFound", err)
	}
	if s.URI() == "" || !filepath.IsAbs(s.URI()) {
		t.Fatalf("URI = %q, want an absolute path", s.URI())
	}
}
