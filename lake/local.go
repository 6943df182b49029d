package lake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"marquee/internal/catalog"
)

// tmpMarker is part of the names of objects being written; List skips them.
const tmpMarker = ".tmp-"

// LocalStore is a Store on a local directory. Writes go to a temporary file
// in the same directory and are renamed into place at Close, so a reader or
// a kill -9 never sees half an object.
type LocalStore struct {
	root string
}

var _ Store = (*LocalStore)(nil)

// NewLocalStore returns a store rooted at dir, creating it if needed.
func NewLocalStore(dir string) (*LocalStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("lake: create root %s: %w", abs, err)
	}
	return &LocalStore{root: abs}, nil
}

// URI implements Store.
func (s *LocalStore) URI() string { return s.root }

func (s *LocalStore) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

type localWriter struct {
	f        *os.File
	final    string
	ifAbsent bool
	done     bool
}

func (w *localWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

func (w *localWriter) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	tmp := w.f.Name()
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		_ = os.Remove(tmp)
		return err
	}
	if err := w.f.Close(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if w.ifAbsent {
		// link fails if the target exists: first writer wins, atomically.
		err := os.Link(tmp, w.final)
		_ = os.Remove(tmp)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("lake: %s: %w", w.final, catalog.ErrPrecondition)
		}
		return err
	}
	if err := os.Rename(tmp, w.final); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

func (w *localWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	return os.Remove(w.f.Name())
}

func (s *LocalStore) create(key string, ifAbsent bool) (ObjectWriter, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+tmpMarker+"*")
	if err != nil {
		return nil, err
	}
	return &localWriter{f: f, final: p, ifAbsent: ifAbsent}, nil
}

// Create implements Store.
func (s *LocalStore) Create(_ context.Context, key string) (ObjectWriter, error) {
	return s.create(key, false)
}

// CreateIfAbsent implements Store.
func (s *LocalStore) CreateIfAbsent(_ context.Context, key string) (ObjectWriter, error) {
	return s.create(key, true)
}

// Open implements Store.
func (s *LocalStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lake: %s: %w", key, catalog.ErrNotFound)
	}
	return f, err
}

// Stat implements Store.
func (s *LocalStore) Stat(_ context.Context, key string) (ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.IsDir()) {
		return ObjectInfo{}, fmt.Errorf("lake: %s: %w", key, catalog.ErrNotFound)
	}
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// List implements Store.
func (s *LocalStore) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	// Walk from the deepest directory the prefix names.
	start := s.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(s.root, filepath.FromSlash(prefix[:i]))
	}
	var out []ObjectInfo
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || strings.Contains(d.Name(), tmpMarker) {
			return nil
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		out = append(out, ObjectInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// Delete implements Store.
func (s *LocalStore) Delete(_ context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// StaleTempAge is how old a temporary object must be before GC deletes it:
// the leftovers of a writer killed mid-write (kill -9) are older than any
// write in progress.
const StaleTempAge = time.Minute

// RemoveStaleTemp deletes the temporary files directly in dir (objects
// whose writers died before Close) last modified more than olderThan ago.
func (s *LocalStore) RemoveStaleTemp(_ context.Context, dir string, olderThan time.Duration) error {
	p, err := s.path(dir)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-olderThan)
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), ".") || !strings.Contains(e.Name(), tmpMarker) {
			continue
		}
		fi, err := e.Info()
		if err != nil || fi.ModTime().After(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(p, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
