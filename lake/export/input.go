package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"marquee/internal/catalog"
	"marquee/lake"
)

// Files lists and opens event log files.
type Files interface {
	// Expand returns the names pattern matches, sorted. A pattern without
	// glob characters names one file, which must exist. No match is not an
	// error (the job then has nothing to do).
	Expand(ctx context.Context, pattern string) ([]string, error)
	// Open reads one name Expand returned.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
}

// LocalFiles reads local paths and globs (filepath.Glob syntax).
type LocalFiles struct{}

var _ Files = LocalFiles{}

// Expand implements Files.
func (LocalFiles) Expand(_ context.Context, pattern string) ([]string, error) {
	if !hasMeta(pattern) {
		fi, err := os.Stat(pattern)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("input %s: %w", pattern, catalog.ErrNotFound)
			}
			return nil, err
		}
		if fi.IsDir() {
			return LocalFiles{}.Expand(context.Background(), filepath.Join(pattern, "*"))
		}
		return []string{pattern}, nil
	}
	m, err := filepath.Glob(pattern)
	if err != nil {
		return nil, catalog.Usagef("--input %q: %v", pattern, err)
	}
	var out []string
	for _, p := range m {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open implements Files.
func (LocalFiles) Open(_ context.Context, name string) (io.ReadCloser, error) { return os.Open(name) }

// StoreFiles reads objects of a lake.Store (a gs://bucket store) named by
// URIs under Prefix (e.g. "gs://logs/"): the pattern "gs://logs/app/*.jsonl.gz"
// lists the keys under "app/" that match "app/*.jsonl.gz" (path.Match syntax).
type StoreFiles struct {
	Store  lake.Store
	Prefix string
}

var _ Files = StoreFiles{}

// Expand implements Files.
func (f StoreFiles) Expand(ctx context.Context, pattern string) ([]string, error) {
	rel, ok := strings.CutPrefix(pattern, f.Prefix)
	if !ok {
		return nil, catalog.Usagef("--input %q is not under %s", pattern, f.Prefix)
	}
	if !hasMeta(rel) {
		if _, err := f.Store.Stat(ctx, rel); err != nil {
			return nil, fmt.Errorf("input %s: %w", pattern, err)
		}
		return []string{pattern}, nil
	}
	lit := rel
	if i := strings.IndexAny(rel, "*?["); i >= 0 {
		lit = rel[:i]
	}
	objs, err := f.Store.List(ctx, lit)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range objs {
		if ok, err := path.Match(rel, o.Key); err != nil {
			return nil, catalog.Usagef("--input %q: %v", pattern, err)
		} else if ok {
			out = append(out, f.Prefix+o.Key)
		}
	}
	return out, nil
}

// Open implements Files.
func (f StoreFiles) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	return f.Store.Open(ctx, strings.TrimPrefix(name, f.Prefix))
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// EventLog is a stream of event records (a Kafka topic read by a consumer
// group). Read and Commit are called from one goroutine.
type EventLog interface {
	// URI names the stream without credentials, e.g. kafka://host:9092/topic.
	URI() string
	// Read calls fn for every record from the group's committed offsets up
	// to the end offsets found when Read starts, in offset order within each
	// partition. origin names the record (topic/partition@offset). batch
	// names the start offsets, so a rerun after a crash between the lake
	// commit and Commit replaces what the first run wrote. fn must not keep
	// value.
	Read(ctx context.Context, fn func(origin string, value []byte) error) (batch string, err error)
	// Commit commits the offsets of everything Read returned. Call it only
	// after every partition manifest is committed.
	Commit(ctx context.Context) error
}
