package lake

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Key     string // slash-separated, relative to the store root
	Size    int64
	ModTime time.Time
}

// ObjectWriter writes one object. The object becomes visible, whole, only
// when Close returns nil; Abort discards it. Exactly one of Close or Abort
// must be called.
type ObjectWriter interface {
	io.Writer
	Close() error
	Abort() error
}

// Store is a flat namespace of objects addressed by slash-separated keys.
// Implementations are safe for concurrent use. Keys may contain any UTF-8
// (Korean names included) but no "..", leading "/" or empty segments.
type Store interface {
	// URI is the root, e.g. "/data/lake" or "gs://bucket/prefix"; it carries no secret.
	URI() string
	// Create starts writing key, replacing any existing object atomically at Close.
	Create(ctx context.Context, key string) (ObjectWriter, error)
	// CreateIfAbsent is Create that fails at Close with catalog.ErrPrecondition
	// when key already exists (content-addressed objects, first writer wins).
	CreateIfAbsent(ctx context.Context, key string) (ObjectWriter, error)
	// Open reads key; a missing key is catalog.ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes key; a missing key is catalog.ErrNotFound.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// List returns every object whose key starts with prefix, sorted by key.
	// Objects being written (not yet closed) are not listed.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// TempCleaner is implemented by stores whose writers can leave temporary
// objects behind when their process is killed (the local store; a GCS
// upload that never finished leaves nothing). GC calls it.
type TempCleaner interface {
	RemoveStaleTemp(ctx context.Context, dir string, olderThan time.Duration) error
}

// CheckKey rejects keys that could escape the store root.
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return fmt.Errorf("lake: invalid key %q", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("lake: invalid key %q", key)
		}
	}
	return nil
}

// PutBytes writes b to key in one call.
func PutBytes(ctx context.Context, s Store, key string, b []byte) error {
	w, err := s.Create(ctx, key)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		_ = w.Abort()
		return err
	}
	return w.Close()
}

// ReadAll reads the whole object at key.
func ReadAll(ctx context.Context, s Store, key string) ([]byte, error) {
	r, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
