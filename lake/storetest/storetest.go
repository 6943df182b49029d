package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/lake"
)

// Run runs the conformance suite against the stores newStore returns. Each
// subtest gets its own fresh, empty store.
func Run(t *testing.T, newStore func(t *testing.T) lake.Store) {
	t.Run("objects", func(t *testing.T) { runObjects(t, newStore) })
	t.Run("protocol", func(t *testing.T) { runProtocol(t, newStore) })
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Put writes b to key and fails the test on error.
func Put(t testing.TB, s lake.Store, key string, b []byte) {
	t.Helper()
	if err := lake.PutBytes(context.Background(), s, key, b); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// Get reads key and fails the test on error.
func Get(t testing.TB, s lake.Store, key string) []byte {
	t.Helper()
	b, err := lake.ReadAll(context.Background(), s, key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return b
}

// Keys lists prefix and returns the keys, failing the test on error.
func Keys(t testing.TB, s lake.Store, prefix string) []string {
	t.Helper()
	objs, err := s.List(context.Background(), prefix)
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func equalKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func runObjects(t *testing.T, newStore func(t *testing.T) lake.Store) {
	t.Run("round trip keeps bytes, size and listing", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		cases := []struct {
			name string
			key  string
			data []byte
		}{
			{"small text", "a/b/c.txt", []byte("hello lake\n")},
			{"empty object", "a/empty", nil},
			{"binary", "bin/x.bin", []byte{0, 1, 2, 0xff, 0xfe, '\n', 0}},
			{"korean name", "posters/가/레미제라블.jpg", []byte("포스터 바이트")},
			{"korean everywhere", "raw/releases/source=인터파크/dt=2026-11-26/공연-목록.jsonl", []byte(`{"title":"레미제라블"}`)},
			{"spaces and symbols", "x/a b+c=d,e;f@g.txt", []byte("symbols")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				Put(t, s, c.key, c.data)
				if got := Get(t, s, c.key); !bytes.Equal(got, c.data) {
					t.Fatalf("read %q back: got %q, want %q", c.key, got, c.data)
				}
				fi, err := s.Stat(ctx, c.key)
				if err != nil {
					t.Fatalf("stat %q: %v", c.key, err)
				}
				if fi.Key != c.key || fi.Size != int64(len(c.data)) {
					t.Fatalf("stat %q = {%q %d}, want {%q %d}", c.key, fi.Key, fi.Size, c.key, len(c.data))
				}
				if keys := Keys(t, s, c.key); !equalKeys(keys, []string{c.key}) {
					t.Fatalf("list %q = %q, want just the key", c.key, keys)
				}
			})
		}
	})

	t.Run("missing keys are ErrNotFound and deleting them is fine", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		if _, err := s.Open(ctx, "no/such/key"); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("Open missing = %v, want ErrNotFound", err)
		}
		if _, err := s.Stat(ctx, "no/such/key"); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("Stat missing = %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "no/such/key"); err != nil {
			t.Fatalf("Delete missing = %v, want nil", err)
		}
		if _, err := lake.ReadManifest(ctx, s, "no/dt=2026-01-01"); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("ReadManifest of an uncommitted partition = %v, want ErrNotFound", err)
		}
		if keys := Keys(t, s, "no/"); len(keys) != 0 {
			t.Fatalf("list of an empty prefix = %q, want none", keys)
		}
	})

	t.Run("delete removes the object", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		Put(t, s, "d/x", []byte("x"))
		if err := s.Delete(ctx, "d/x"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "d/x"); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("Stat after Delete = %v, want ErrNotFound", err)
		}
		if keys := Keys(t, s, "d/"); len(keys) != 0 {
			t.Fatalf("list after delete = %q", keys)
		}
	})

	t.Run("invalid keys are refused", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		for _, k := range []string{"", "/abs", "a/../b", "a//b", "../x", "trailing/", "./x"} {
			if w, err := s.Create(ctx, k); err == nil {
				_ = w.Abort()
				t.Errorf("Create(%q) accepted an invalid key", k)
			}
			if _, err := s.Open(ctx, k); err == nil || errors.Is(err, catalog.ErrNotFound) {
				t.Errorf("Open(%q) = %v, want an invalid-key error", k, err)
			}
		}
	})

	t.Run("create replaces an existing object", func(t *testing.T) {
		s := newStore(t)
		Put(t, s, "r/k", []byte("old"))
		Put(t, s, "r/k", []byte("new and longer"))
		if got := Get(t, s, "r/k"); string(got) != "new and longer" {
			t.Fatalf("after replace got %q", got)
		}
		if keys := Keys(t, s, "r/"); !equalKeys(keys, []string{"r/k"}) {
			t.Fatalf("list after replace = %q, want one key", keys)
		}
	})

	t.Run("atomic replace: readers see the old or the new object, never a part", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		const size = 1 << 20
		oldB := bytes.Repeat([]byte{'a'}, size)
		newB := bytes.Repeat([]byte{'b'}, size)
		Put(t, s, "atomic/obj", oldB)

		w, err := s.Create(ctx, "atomic/obj")
		if err != nil {
			t.Fatal(err)
		}
		check := func(b []byte) byte {
			t.Helper()
			if len(b) != size {
				t.Fatalf("reader saw %d bytes, want %d", len(b), size)
			}
			c := b[0]
			if bytes.Count(b, []byte{c}) != size {
				t.Fatalf("reader saw a mix of old and new bytes")
			}
			return c
		}
		// Write half, read concurrently, write the rest, read again, commit.
		if _, err := w.Write(newB[:size/2]); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, err := lake.ReadAll(ctx, s, "atomic/obj")
				if err != nil {
					t.Errorf("read during write: %v", err)
					return
				}
				if len(b) != size || bytes.Count(b, []byte{'a'}) != size {
					t.Errorf("read during write saw %d bytes, not the old object", len(b))
				}
			}()
		}
		wg.Wait()
		if _, err := w.Write(newB[size/2:]); err != nil {
			t.Fatal(err)
		}
		if c := check(Get(t, s, "atomic/obj")); c != 'a' {
			t.Fatalf("before Close a reader saw %q, want the old object", c)
		}
		done := make(chan error, 1)
		go func() { done <- w.Close() }()
		// Readers racing the commit see a whole object, old or new.
		for committed := false; !committed; {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("close: %v", err)
				}
				committed = true
			default:
			}
			check(Get(t, s, "atomic/obj"))
		}
		if c := check(Get(t, s, "atomic/obj")); c != 'b' {
			t.Fatalf("after Close a reader saw %q, want the new object", c)
		}
	})

	t.Run("abort leaves no object and keeps the old one", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		w, err := s.Create(ctx, "ab/new")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.Repeat([]byte("x"), 300<<10)); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatalf("abort: %v", err)
		}
		if _, err := s.Stat(ctx, "ab/new"); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("Stat of an aborted object = %v, want ErrNotFound", err)
		}
		Put(t, s, "ab/old", []byte("keep me"))
		w, err = s.Create(ctx, "ab/old")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("partial")); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		// A large write (a resumable upload already under way on GCS) aborted.
		w, err = s.Create(ctx, "ab/old")
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if _, err := w.Write(bytes.Repeat([]byte{'L'}, 1<<20)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if got := Get(t, s, "ab/old"); string(got) != "keep me" {
			t.Fatalf("aborted replace changed the object to %q", got)
		}
		if keys := Keys(t, s, "ab/"); !equalKeys(keys, []string{"ab/old"}) {
			t.Fatalf("list after aborts = %q, want [ab/old]", keys)
		}
	})

	t.Run("objects being written are not listed nor readable", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		Put(t, s, "ip/done", []byte("done"))
		w, err := s.Create(ctx, "ip/pending")
		if err != nil {
			t.Fatal(err)
		}
		// Abandoned as if the process died (the writer is aborted at the end
		// only to free its resources).
		t.Cleanup(func() { _ = w.Abort() })
		// Over 8 MiB, so the GCS store has started a resumable upload.
		for range 9 {
			if _, err := w.Write(bytes.Repeat([]byte{'p'}, 1<<20)); err != nil {
				t.Fatal(err)
			}
		}
		if keys := Keys(t, s, "ip/"); !equalKeys(keys, []string{"ip/done"}) {
			t.Fatalf("list during a write = %q, want only [ip/done]", keys)
		}
		if keys := Keys(t, s, ""); !equalKeys(keys, []string{"ip/done"}) {
			t.Fatalf("list of the root during a write = %q, want only [ip/done]", keys)
		}
		if _, err := s.Stat(ctx, "ip/pending"); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("Stat of an object being written = %v, want ErrNotFound", err)
		}
	})

	t.Run("create if absent: first writer wins, later ones get ErrPrecondition", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		w, err := s.CreateIfAbsent(ctx, "cas/ab/abcdef.jpg")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("first")); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("first CreateIfAbsent: %v", err)
		}
		w, err = s.CreateIfAbsent(ctx, "cas/ab/abcdef.jpg")
		if err != nil {
			t.Fatal(err)
		}
		_, werr := w.Write([]byte("second"))
		cerr := w.Close()
		if !errors.Is(werr, catalog.ErrPrecondition) && !errors.Is(cerr, catalog.ErrPrecondition) {
			t.Fatalf("second CreateIfAbsent: write %v, close %v; want ErrPrecondition", werr, cerr)
		}
		if got := Get(t, s, "cas/ab/abcdef.jpg"); string(got) != "first" {
			t.Fatalf("object = %q, want the first writer's", got)
		}
		if keys := Keys(t, s, "cas/"); !equalKeys(keys, []string{"cas/ab/abcdef.jpg"}) {
			t.Fatalf("list = %q", keys)
		}
	})

	t.Run("create if absent race: of concurrent writers exactly one wins", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		for round := range 3 {
			key := fmt.Sprintf("race/%d", round)
			const n = 2
			ws := make([]lake.ObjectWriter, n)
			for i := range ws {
				w, err := s.CreateIfAbsent(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(fmt.Appendf(nil, "writer %d", i)); err != nil {
					t.Fatal(err)
				}
				ws[i] = w
			}
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range ws {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = ws[i].Close()
				}()
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Fatalf("round %d: writers %d and %d both won", round, winner, i)
					}
					winner = i
				case !errors.Is(err, catalog.ErrPrecondition):
					t.Fatalf("round %d: writer %d: %v, want nil or ErrPrecondition", round, i, err)
				}
			}
			if winner < 0 {
				t.Fatalf("round %d: nobody won: %v", round, errs)
			}
			if got := string(Get(t, s, key)); got != fmt.Sprintf("writer %d", winner) {
				t.Fatalf("round %d: object = %q, want writer %d's", round, got, winner)
			}
		}
	})

	t.Run("list returns the prefix's objects sorted", func(t *testing.T) {
		s := newStore(t)
		keys := []string{
			"l/b/2", "l/a/1", "l/a/10", "l/a/2", "l/ab", "l/b/가", "l/b/나/다", "m/outside", "l/a/0/deep/er",
		}
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for _, k := range keys {
			Put(t, s, k, []byte(k))
		}
		cases := []struct {
			prefix string
			want   []string
		}{
			{"l/a/", []string{"l/a/0/deep/er", "l/a/1", "l/a/10", "l/a/2"}},
			{"l/a", []string{"l/a/0/deep/er", "l/a/1", "l/a/10", "l/a/2", "l/ab"}},
			{"l/b/", []string{"l/b/2", "l/b/가", "l/b/나/다"}},
			{"l/b/나", []string{"l/b/나/다"}},
			{"l/c/", nil},
			{"", []string{"l/a/0/deep/er", "l/a/1", "l/a/10", "l/a/2", "l/ab", "l/b/2", "l/b/가", "l/b/나/다", "m/outside"}},
		}
		for _, c := range cases {
			t.Run("prefix "+c.prefix, func(t *testing.T) {
				got := Keys(t, s, c.prefix)
				if !equalKeys(got, c.want) {
					t.Fatalf("List(%q) = %q, want %q", c.prefix, got, c.want)
				}
				if !sort.StringsAreSorted(got) {
					t.Fatalf("List(%q) not sorted: %q", c.prefix, got)
				}
			})
		}
	})

	t.Run("a 20 MiB object round-trips", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		const size = 20 << 20
		rng := rand.New(rand.NewPCG(20, 26))
		h := sha256.New()
		w, err := s.Create(ctx, "big/20mib.bin")
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1<<20)
		for range size / len(buf) {
			for i := 0; i < len(buf); i += 8 {
				v := rng.Uint64()
				for j := range 8 {
					buf[i+j] = byte(v >> (8 * j))
				}
			}
			h.Write(buf)
			if _, err := w.Write(buf); err != nil {
				_ = w.Abort()
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		want := h.Sum(nil)
		fi, err := s.Stat(ctx, "big/20mib.bin")
		if err != nil || fi.Size != size {
			t.Fatalf("Stat = %+v, %v; want size %d", fi, err, size)
		}
		r, err := s.Open(ctx, "big/20mib.bin")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		h2 := sha256.New()
		n, err := io.Copy(h2, r)
		if err != nil || n != size {
			t.Fatalf("read back %d bytes, %v; want %d", n, err, size)
		}
		if !bytes.Equal(h2.Sum(nil), want) {
			t.Fatal("20 MiB object read back with different content")
		}
	})
}

// part writes one JSONL part of rows into pw and closes it.
func writeRows(t *testing.T, ctx context.Context, pw *lake.PartitionWriter, rows ...string) {
	t.Helper()
	jw := lake.NewJSONLWriter(ctx, pw)
	for _, r := range rows {
		if err := jw.Write(map[string]string{"v": r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
}

func scanRows(t *testing.T, ctx context.Context, s lake.Store, dir string) []string {
	t.Helper()
	var out []string
	err := lake.ScanPartition(ctx, s, dir, func(o lake.Origin, line []byte, lerr error) error {
		if lerr != nil {
			return lerr
		}
		var m map[string]string
		if err := json.Unmarshal(line, &m); err != nil {
			return fmt.Errorf("%s: %w", o, err)
		}
		out = append(out, m["v"])
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	sort.Strings(out)
	return out
}

func fixedNow() time.Time { return time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) }

func runProtocol(t *testing.T, newStore func(t *testing.T) lake.Store) {
	d := catalog.Date{Year: 2026, Month: 11, Day: 26}
	dir := lake.PartitionPath("raw/releases/source=인터파크", d)

	t.Run("commit makes the files visible through the manifest", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		pw := lake.NewPartitionWriter(s, dir, "crawl", "run1", fixedNow)
		writeRows(t, ctx, pw, "레미제라블", "오페라의 유령")
		if _, err := lake.ReadManifest(ctx, s, dir); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("manifest before commit: %v, want ErrNotFound", err)
		}
		m, err := pw.Commit(ctx, lake.CommitOptions{Meta: map[string]string{"k": "v"}})
		if err != nil {
			t.Fatal(err)
		}
		if m.Rows() != 2 || len(m.Files) != 1 || m.Files[0].RunID != "run1" || m.Files[0].Bytes == 0 {
			t.Fatalf("manifest = %+v", m)
		}
		got, err := lake.ReadManifest(ctx, s, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got.RunID != "run1" || got.Job != "crawl" || got.Partition != dir || got.Meta["k"] != "v" || !got.CommittedAt.Equal(fixedNow()) {
			t.Fatalf("read manifest = %+v", got)
		}
		if rows := scanRows(t, ctx, s, dir); !equalKeys(rows, []string{"레미제라블", "오페라의 유령"}) {
			t.Fatalf("rows = %q", rows)
		}
	})

	t.Run("a writer killed before commit leaves the old partition intact; GC removes its orphans later", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		pw1 := lake.NewPartitionWriter(s, dir, "crawl", "run1", fixedNow)
		writeRows(t, ctx, pw1, "old-1", "old-2")
		m1, err := pw1.Commit(ctx, lake.CommitOptions{})
		if err != nil {
			t.Fatal(err)
		}

		// run2 writes whole files and one half-written file, then "dies":
		// no Commit, no Abort.
		pw2 := lake.NewPartitionWriter(s, dir, "crawl", "run2", fixedNow)
		writeRows(t, ctx, pw2, "new-1", "new-2", "new-3")
		half, err := pw2.Create(ctx, pw2.NextName("part", ".jsonl.gz"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = half.Abort() })
		if _, err := half.Write([]byte("half a file")); err != nil {
			t.Fatal(err)
		}

		got, err := lake.ReadManifest(ctx, s, dir)
		if err != nil {
			t.Fatal(err)
		}
		if !equalKeys(got.Keys(), m1.Keys()) || got.RunID != "run1" {
			t.Fatalf("manifest after the killed run lists %q (run %s), want run1's %q", got.Keys(), got.RunID, m1.Keys())
		}
		if rows := scanRows(t, ctx, s, dir); !equalKeys(rows, []string{"old-1", "old-2"}) {
			t.Fatalf("readers see %q after the killed run, want the old rows", rows)
		}
		orphans := 0
		for _, k := range Keys(t, s, dir+"/") {
			if strings.Contains(k, "run2") {
				orphans++
			}
		}
		if orphans != 1 {
			t.Fatalf("want the killed run's one closed file left as an orphan, found %d", orphans)
		}

		// A later run commits: its rows replace run1's and GC removes the
		// superseded and orphaned files.
		pw3 := lake.NewPartitionWriter(s, dir, "crawl", "run3", fixedNow)
		writeRows(t, ctx, pw3, "newest")
		m3, err := pw3.Commit(ctx, lake.CommitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rows := scanRows(t, ctx, s, dir); !equalKeys(rows, []string{"newest"}) {
			t.Fatalf("rows after rerun = %q", rows)
		}
		want := append(m3.Keys(), dir+"/"+lake.ManifestName)
		sort.Strings(want)
		if keys := Keys(t, s, dir+"/"); !equalKeys(keys, want) {
			t.Fatalf("partition after GC holds %q, want %q", keys, want)
		}
	})

	t.Run("abort deletes the run's files and keeps the old partition", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		pw1 := lake.NewPartitionWriter(s, dir, "crawl", "run1", fixedNow)
		writeRows(t, ctx, pw1, "keep")
		if _, err := pw1.Commit(ctx, lake.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		before := Keys(t, s, dir+"/")
		pw2 := lake.NewPartitionWriter(s, dir, "crawl", "run2", fixedNow)
		writeRows(t, ctx, pw2, "drop-1")
		writeRows(t, ctx, pw2, "drop-2")
		if err := pw2.Abort(ctx); err != nil {
			t.Fatal(err)
		}
		if keys := Keys(t, s, dir+"/"); !equalKeys(keys, before) {
			t.Fatalf("after abort the partition holds %q, want %q", keys, before)
		}
		if rows := scanRows(t, ctx, s, dir); !equalKeys(rows, []string{"keep"}) {
			t.Fatalf("rows = %q", rows)
		}
	})

	t.Run("batch commit replaces only its own batch", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		ev := lake.PartitionPath("parquet/events", d)
		pwA := lake.NewPartitionWriter(s, ev, "export", "runA", fixedNow)
		writeRows(t, ctx, pwA, "a1")
		if _, err := pwA.Commit(ctx, lake.CommitOptions{Batch: "2026-11-26"}); err != nil {
			t.Fatal(err)
		}
		pwB := lake.NewPartitionWriter(s, ev, "export", "runB", fixedNow)
		writeRows(t, ctx, pwB, "late-b1")
		if _, err := pwB.Commit(ctx, lake.CommitOptions{Batch: "2026-11-27"}); err != nil {
			t.Fatal(err)
		}
		pwA2 := lake.NewPartitionWriter(s, ev, "export", "runA2", fixedNow)
		writeRows(t, ctx, pwA2, "a1-rerun")
		if _, err := pwA2.Commit(ctx, lake.CommitOptions{Batch: "2026-11-26"}); err != nil {
			t.Fatal(err)
		}
		if rows := scanRows(t, ctx, s, ev); !equalKeys(rows, []string{"a1-rerun", "late-b1"}) {
			t.Fatalf("rows = %q, want the rerun batch and the other batch", rows)
		}
	})

	t.Run("partitions are listed by date range, committed ones only", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		zone := "raw/releases/source=cgv"
		for day := 1; day <= 5; day++ {
			pd := catalog.Date{Year: 2026, Month: 11, Day: day}
			pw := lake.NewPartitionWriter(s, lake.PartitionPath(zone, pd), "crawl", "r", fixedNow)
			writeRows(t, ctx, pw, fmt.Sprint(day))
			if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		// dt=2026-11-06 has files but was never committed; a sibling zone
		// and a stray object must not show up either.
		pw := lake.NewPartitionWriter(s, lake.PartitionPath(zone, catalog.Date{Year: 2026, Month: 11, Day: 6}), "crawl", "r", fixedNow)
		writeRows(t, ctx, pw, "uncommitted")
		other := lake.NewPartitionWriter(s, lake.PartitionPath("raw/releases/source=cgv2", catalog.Date{Year: 2026, Month: 11, Day: 3}), "crawl", "r", fixedNow)
		writeRows(t, ctx, other, "x")
		if _, err := other.Commit(ctx, lake.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		Put(t, s, zone+"/dt=garbage/"+lake.ManifestName, []byte("{}"))

		day := func(n int) catalog.Date { return catalog.Date{Year: 2026, Month: 11, Day: n} }
		cases := []struct {
			name     string
			from, to catalog.Date
			want     []int
		}{
			{"closed range", day(2), day(4), []int{2, 3, 4}},
			{"single day", day(3), day(3), []int{3}},
			{"open start", catalog.Date{}, day(2), []int{1, 2}},
			{"open end", day(4), catalog.Date{}, []int{4, 5}},
			{"everything", catalog.Date{}, catalog.Date{}, []int{1, 2, 3, 4, 5}},
			{"empty range", day(7), day(9), nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := lake.ListPartitions(ctx, s, zone, c.from, c.to)
				if err != nil {
					t.Fatal(err)
				}
				var gotDays []int
				for _, g := range got {
					gotDays = append(gotDays, g.Day)
				}
				if fmt.Sprint(gotDays) != fmt.Sprint(c.want) {
					t.Fatalf("ListPartitions(%s, %s) = %v, want %v", c.from, c.to, gotDays, c.want)
				}
			})
		}
	})

	t.Run("quarantine commits rejected records with reason and origin", func(t *testing.T) {
		s := newStore(t)
		ctx := ctxT(t)
		q := lake.NewQuarantine(ctx, s, "ingest-posters", "run1", d, fixedNow)
		if err := q.Reject("html_instead_of_image", "https://example.test/p/1.jpg", []byte(`{"release_id":"r1"}`)); err != nil {
			t.Fatal(err)
		}
		if err := q.Reject("bad_json", "raw/x.jsonl:3", []byte("{not json 한글")); err != nil {
			t.Fatal(err)
		}
		if q.Count() != 2 {
			t.Fatalf("Count = %d", q.Count())
		}
		if err := q.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		var got []lake.Rejected
		err := lake.ScanPartition(ctx, s, q.Dir(), func(_ lake.Origin, line []byte, lerr error) error {
			if lerr != nil {
				return lerr
			}
			var r lake.Rejected
			if err := json.Unmarshal(line, &r); err != nil {
				return err
			}
			got = append(got, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Reason != "html_instead_of_image" || string(got[0].Record) != `{"release_id":"r1"}` ||
			got[1].Raw != "{not json 한글" || got[1].Origin != "raw/x.jsonl:3" || got[0].Job != "ingest-posters" {
			t.Fatalf("quarantined = %+v", got)
		}

		// A rerun that rejects nothing replaces the rejects with an empty partition.
		q2 := lake.NewQuarantine(ctx, s, "ingest-posters", "run2", d, fixedNow)
		if err := q2.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		m, err := lake.ReadManifest(ctx, s, q2.Dir())
		if err != nil || len(m.Files) != 0 || m.RunID != "run2" {
			t.Fatalf("rerun quarantine manifest = %+v, %v; want empty from run2", m, err)
		}
	})
}
