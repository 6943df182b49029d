package lake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"marquee/internal/catalog"
)

// ManifestName is the file that commits a partition.
const ManifestName = "_manifest.json"

// Zones of the lake (DESIGN.md §4).
const (
	ZoneRawReleases     = "raw/releases"
	ZonePosters         = "posters"
	ZoneParquetReleases = "parquet/releases"
	ZoneParquetEvents   = "parquet/events"
	ZoneMart            = "mart"
	ZoneQuarantine      = "quarantine"
	ZoneRuns            = "_runs"
)

// PartitionPath is "<zone>/dt=<YYYY-MM-DD>"; zone may carry key=value
// segments of its own (raw/releases/source=S).
func PartitionPath(zone string, d catalog.Date) string {
	return zone + "/dt=" + d.String()
}

// FileEntry is one committed file of a partition.
type FileEntry struct {
	Name  string `json:"name"` // relative to the partition directory
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
	Batch string `json:"batch,omitempty"` // the run's logical date, for batch-scoped replace
	RunID string `json:"run_id"`
}

// Manifest lists the files that make up a partition. It is the only thing
// readers trust.
type Manifest struct {
	Version     int               `json:"version"`
	Partition   string            `json:"partition"`
	Job         string            `json:"job"`
	RunID       string            `json:"run_id"`
	CommittedAt time.Time         `json:"committed_at"`
	Files       []FileEntry       `json:"files"`
	Meta        map[string]string `json:"meta,omitempty"`
}

// Rows is the total row count of the partition.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Rows
	}
	return n
}

// Keys returns the full store keys of the manifest's files.
func (m *Manifest) Keys() []string {
	out := make([]string, len(m.Files))
	for i, f := range m.Files {
		out[i] = m.Partition + "/" + f.Name
	}
	return out
}

// ReadManifest reads the manifest of partition dir; catalog.ErrNotFound when
// the partition was never committed.
func ReadManifest(ctx context.Context, s Store, dir string) (*Manifest, error) {
	b, err := ReadAll(ctx, s, dir+"/"+ManifestName)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("lake: %s/%s: %w", dir, ManifestName, err)
	}
	return &m, nil
}

// ListPartitions returns the committed dt= partitions directly under zone
// whose dates lie in [from, to] (zero bounds are open), oldest first.
func ListPartitions(ctx context.Context, s Store, zone string, from, to catalog.Date) ([]catalog.Date, error) {
	objs, err := s.List(ctx, zone+"/dt=")
	if err != nil {
		return nil, err
	}
	var out []catalog.Date
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, zone+"/dt=")
		ds, name, ok := strings.Cut(rest, "/")
		if !ok || name != ManifestName {
			continue
		}
		d, err := catalog.ParseDate(ds)
		if err != nil {
			continue
		}
		if (!from.IsZero() && d.Before(from)) || (!to.IsZero() && to.Before(d)) {
			continue
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, nil
}

// PartitionWriter writes the files of one partition for one run and commits
// them with a manifest. Files are named "<stem>-<runID>-<seq><ext>"; nothing
// is visible to readers until Commit.
type PartitionWriter struct {
	store Store
	dir   string
	runID string
	job   string
	now   func() time.Time

	mu      sync.Mutex
	files   []FileEntry
	written []string // keys of every object this writer closed
	seq     int
}

// NewPartitionWriter starts a run's write of partition dir.
func NewPartitionWriter(s Store, dir, job, runID string, now func() time.Time) *PartitionWriter {
	return &PartitionWriter{store: s, dir: dir, runID: runID, job: job, now: now}
}

// Dir is the partition directory.
func (w *PartitionWriter) Dir() string { return w.dir }

// NextName returns a fresh file name "<stem>-<runID>-<seq><ext>" for this run.
func (w *PartitionWriter) NextName(stem, ext string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	name := fmt.Sprintf("%s-%s-%05d%s", stem, w.runID, w.seq, ext)
	w.seq++
	return name
}

// Create starts a file of the partition. Close the returned writer, then
// call Add with its row count.
func (w *PartitionWriter) Create(ctx context.Context, name string) (ObjectWriter, error) {
	ow, err := w.store.Create(ctx, w.dir+"/"+name)
	if err != nil {
		return nil, err
	}
	return &trackedWriter{ObjectWriter: ow, pw: w, key: w.dir + "/" + name}, nil
}

type trackedWriter struct {
	ObjectWriter
	pw  *PartitionWriter
	key string
}

func (t *trackedWriter) Close() error {
	if err := t.ObjectWriter.Close(); err != nil {
		return err
	}
	t.pw.mu.Lock()
	t.pw.written = append(t.pw.written, t.key)
	t.pw.mu.Unlock()
	return nil
}

// Add records a closed file for the manifest.
func (w *PartitionWriter) Add(e FileEntry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e.RunID == "" {
		e.RunID = w.runID
	}
	w.files = append(w.files, e)
}

// Files returns the entries added so far.
func (w *PartitionWriter) Files() []FileEntry {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]FileEntry(nil), w.files...)
}

// CommitOptions tunes Commit.
type CommitOptions struct {
	// Batch, when set, replaces only the files of that batch: files of other
	// batches listed by the current manifest are kept (late-event partitions).
	Batch string
	// Meta is stored in the manifest.
	Meta map[string]string
}

// Commit writes the manifest (the commit point), then deletes files the new
// manifest no longer lists: superseded files of earlier runs and leftovers
// of killed runs. It returns the committed manifest.
func (w *PartitionWriter) Commit(ctx context.Context, opt CommitOptions) (*Manifest, error) {
	old, err := ReadManifest(ctx, w.store, w.dir)
	if err != nil && !errors.Is(err, catalog.ErrNotFound) {
		return nil, err
	}
	files := w.Files()
	for i := range files {
		if opt.Batch != "" {
			files[i].Batch = opt.Batch
		}
	}
	if opt.Batch != "" && old != nil {
		for _, f := range old.Files {
			if f.Batch != opt.Batch {
				files = append(files, f)
			}
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	m := &Manifest{
		Version: 1, Partition: w.dir, Job: w.job, RunID: w.runID,
		CommittedAt: w.now().UTC(), Files: files, Meta: opt.Meta,
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := PutBytes(ctx, w.store, w.dir+"/"+ManifestName, b); err != nil {
		return nil, fmt.Errorf("lake: commit %s: %w", w.dir, err)
	}
	if err := GC(ctx, w.store, w.dir); err != nil {
		return m, fmt.Errorf("lake: gc %s after commit: %w", w.dir, err)
	}
	return m, nil
}

// Abort deletes every file this writer wrote; the partition stays as it was.
func (w *PartitionWriter) Abort(ctx context.Context) error {
	w.mu.Lock()
	keys := append([]string(nil), w.written...)
	w.mu.Unlock()
	var first error
	for _, k := range keys {
		if err := w.store.Delete(ctx, k); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// GC deletes the objects directly in partition dir that its manifest does
// not list, and temporary files of writers killed mid-write. Call it only
// while holding the job's run lock.
func GC(ctx context.Context, s Store, dir string) error {
	m, err := ReadManifest(ctx, s, dir)
	if err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return nil
		}
		return err
	}
	keep := map[string]bool{ManifestName: true}
	for _, f := range m.Files {
		keep[f.Name] = true
	}
	if tc, ok := s.(TempCleaner); ok {
		if err := tc.RemoveStaleTemp(ctx, dir, StaleTempAge); err != nil {
			return err
		}
	}
	objs, err := s.List(ctx, dir+"/")
	if err != nil {
		return err
	}
	for _, o := range objs {
		name := strings.TrimPrefix(o.Key, dir+"/")
		if keep[name] || strings.Contains(name, "/") {
			continue
		}
		if err := s.Delete(ctx, o.Key); err != nil {
			return err
		}
	}
	return nil
}

// Base returns the last path segment of key.
func Base(key string) string { return path.Base(key) }
