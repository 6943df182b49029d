package lake_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/lake"
)

func newLocal(t *testing.T) *lake.LocalStore {
	t.Helper()
	s, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func now() time.Time { return time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC) }

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type line struct {
	origin string
	text   string
	err    error
}

func scan(t *testing.T, s lake.Store, key string) ([]line, error) {
	t.Helper()
	var out []line
	err := lake.ScanJSONL(context.Background(), s, key, func(o lake.Origin, l []byte, lerr error) error {
		out = append(out, line{o.String(), string(l), lerr})
		return nil
	})
	return out, err
}

func TestScanJSONL(t *testing.T) {
	cases := []struct {
		name string
		key  string
		data func(t *testing.T) []byte
		want []line
	}{
		{
			name: "plain lines with 1-based origins",
			key:  "a.jsonl",
			data: func(*testing.T) []byte { return []byte("{\"a\":1}\n{\"b\":2}\n") },
			want: []line{{"a.jsonl:1", `{"a":1}`, nil}, {"a.jsonl:2", `{"b":2}`, nil}},
		},
		{
			name: "blank lines are skipped but counted",
			key:  "b.jsonl",
			data: func(*testing.T) []byte { return []byte("\n{\"a\":1}\n   \n\t\n{\"b\":2}") },
			want: []line{{"b.jsonl:2", `{"a":1}`, nil}, {"b.jsonl:5", `{"b":2}`, nil}},
		},
		{
			name: "CRLF line ends are stripped",
			key:  "c.jsonl",
			data: func(*testing.T) []byte { return []byte("{\"t\":\"레미제라블\"}\r\n{\"t\":\"캣츠\"}\r\n") },
			want: []line{{"c.jsonl:1", `{"t":"레미제라블"}`, nil}, {"c.jsonl:2", `{"t":"캣츠"}`, nil}},
		},
		{
			name: "gzip by suffix",
			key:  "d.jsonl.gz",
			data: func(t *testing.T) []byte { return gz(t, "{\"x\":1}\n{\"x\":2}\n") },
			want: []line{{"d.jsonl.gz:1", `{"x":1}`, nil}, {"d.jsonl.gz:2", `{"x":2}`, nil}},
		},
		{
			name: "concatenated gzip members read as one stream",
			key:  "e.jsonl.gz",
			data: func(t *testing.T) []byte { return append(gz(t, "{\"m\":1}\n"), gz(t, "{\"m\":2}\n")...) },
			want: []line{{"e.jsonl.gz:1", `{"m":1}`, nil}, {"e.jsonl.gz:2", `{"m":2}`, nil}},
		},
		{
			name: "a line longer than the read buffer arrives whole",
			key:  "f.jsonl",
			data: func(*testing.T) []byte {
				return []byte(`{"long":"` + strings.Repeat("가", 1<<19) + "\"}\n{\"s\":1}\n")
			},
			want: []line{{"f.jsonl:1", `{"long":"` + strings.Repeat("가", 1<<19) + `"}`, nil}, {"f.jsonl:2", `{"s":1}`, nil}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newLocal(t)
			if err := lake.PutBytes(context.Background(), s, c.key, c.data(t)); err != nil {
				t.Fatal(err)
			}
			got, err := scan(t, s, c.key)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d lines, want %d", len(got), len(c.want))
			}
			for i := range got {
				if got[i] != c.want[i] {
					g, w := got[i], c.want[i]
					if len(g.text) > 80 {
						g.text = g.text[:80] + "…"
					}
					if len(w.text) > 80 {
						w.text = w.text[:80] + "…"
					}
					t.Fatalf("line %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestScanJSONLErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("missing object is ErrNotFound", func(t *testing.T) {
		_, err := scan(t, newLocal(t), "nope.jsonl")
		if !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a truncated gzip file is an error naming the key", func(t *testing.T) {
		s := newLocal(t)
		full := gz(t, strings.Repeat("{\"x\":\"0123456789\"}\n", 5000))
		if err := lake.PutBytes(ctx, s, "raw/t.jsonl.gz", full[:len(full)/2]); err != nil {
			t.Fatal(err)
		}
		_, err := scan(t, s, "raw/t.jsonl.gz")
		if err == nil || !strings.Contains(err.Error(), "raw/t.jsonl.gz") {
			t.Fatalf("err = %v, want an error naming the file", err)
		}
	})
	t.Run("not gzip at all is an error naming the key", func(t *testing.T) {
		s := newLocal(t)
		if err := lake.PutBytes(ctx, s, "raw/n.jsonl.gz", []byte("{\"plain\":1}\n")); err != nil {
			t.Fatal(err)
		}
		_, err := scan(t, s, "raw/n.jsonl.gz")
		if err == nil || !strings.Contains(err.Error(), "raw/n.jsonl.gz") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("the callback's error stops the scan", func(t *testing.T) {
		s := newLocal(t)
		if err := lake.PutBytes(ctx, s, "k.jsonl", []byte("1\n2\n3\n")); err != nil {
			t.Fatal(err)
		}
		stop := errors.New("stop")
		n := 0
		err := lake.ScanJSONL(ctx, s, "k.jsonl", func(lake.Origin, []byte, error) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 2 {
			t.Fatalf("err = %v after %d lines", err, n)
		}
	})
	t.Run("a cancelled context stops the scan", func(t *testing.T) {
		s := newLocal(t)
		if err := lake.PutBytes(ctx, s, "k.jsonl", []byte(strings.Repeat("{}\n", 10000))); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := lake.ScanJSONL(cctx, s, "k.jsonl", func(lake.Origin, []byte, error) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestJSONLWriterRollsFilesAndCounts(t *testing.T) {
	ctx := context.Background()
	s := newLocal(t)
	dir := "raw/releases/source=s/dt=2026-11-26"
	pw := lake.NewPartitionWriter(s, dir, "crawl", "run7", now)
	jw := lake.NewJSONLWriter(ctx, pw)
	jw.RowsPerFile = 3
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				if err := jw.Write(map[string]any{"g": g, "i": i, "title": "공연"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
	files := pw.Files()
	// 20 rows at 3 a file: six full files and one of 2.
	if len(files) != 7 {
		t.Fatalf("got %d files, want 7: %+v", len(files), files)
	}
	var rows int64
	for _, f := range files {
		rows += f.Rows
		if !strings.HasPrefix(f.Name, "part-run7-") || !strings.HasSuffix(f.Name, ".jsonl.gz") || f.RunID != "run7" {
			t.Fatalf("file entry %+v", f)
		}
		fi, err := s.Stat(ctx, dir+"/"+f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size != f.Bytes {
			t.Fatalf("%s: manifest says %d bytes, object has %d", f.Name, f.Bytes, fi.Size)
		}
	}
	if rows != 20 {
		t.Fatalf("rows = %d, want 20", rows)
	}
	m, err := pw.Commit(ctx, lake.CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = lake.ScanPartition(ctx, s, dir, func(o lake.Origin, l []byte, lerr error) error {
		var v struct{ G, I int }
		if err := json.Unmarshal(l, &v); err != nil {
			return err
		}
		k := fmt.Sprint(v.G, v.I)
		if seen[k] {
			return fmt.Errorf("row %s twice", k)
		}
		seen[k] = true
		return nil
	})
	if err != nil || len(seen) != 20 || m.Rows() != 20 {
		t.Fatalf("scan: %v, %d distinct rows, manifest rows %d", err, len(seen), m.Rows())
	}
}

func TestJSONLWriterAbortRemovesEverything(t *testing.T) {
	ctx := context.Background()
	s := newLocal(t)
	dir := "x/dt=2026-11-26"
	pw := lake.NewPartitionWriter(s, dir, "j", "r1", now)
	jw := lake.NewJSONLWriter(ctx, pw)
	jw.RowsPerFile = 2
	for i := range 5 {
		if err := jw.Write(i); err != nil {
			t.Fatal(err)
		}
	}
	jw.Abort()
	if err := pw.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List(ctx, "x/")
	if err != nil || len(objs) != 0 {
		t.Fatalf("after abort: %v %v", objs, err)
	}
}
