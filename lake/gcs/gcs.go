package gcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"cloud.google.com/go/storage"
	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"marquee/internal/catalog"
	"marquee/lake"
)

// DefaultChunkSize is the resumable-upload chunk of a writer. Objects smaller
// than it are sent in one request (buffered by the writer first, so small
// objects never allocate a whole chunk).
const DefaultChunkSize = 8 << 20

// DefaultAttempts is how many times the client library tries one request
// before the error reaches the caller (marked transient when it is).
const DefaultAttempts = 3

// Store is a lake.Store on a GCS bucket, under an optional key prefix.
// It is safe for concurrent use.
type Store struct {
	client     *storage.Client
	bucket     *storage.BucketHandle
	name       string
	prefix     string // "" or "a/b" (no slashes at either end)
	ownsClient bool

	// ChunkSize is the resumable-upload chunk (rounded up to 256 KiB by the
	// client library); zero means DefaultChunkSize. Set it before use.
	ChunkSize int
}

var _ lake.Store = (*Store)(nil)

// ParseURI splits "gs://bucket/prefix" into bucket and prefix (the prefix
// without leading or trailing slashes, possibly empty).
func ParseURI(uri string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(uri, "gs://")
	if !ok {
		return "", "", fmt.Errorf("%w: lake URI %q: want gs://bucket[/prefix]", catalog.ErrUsage, uri)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%w: lake URI %q: no bucket", catalog.ErrUsage, uri)
	}
	if prefix != "" {
		if err := lake.CheckKey(prefix); err != nil {
			return "", "", fmt.Errorf("%w: lake URI %q: bad prefix", catalog.ErrUsage, uri)
		}
	}
	return bucket, prefix, nil
}

// New returns a Store on bucket under prefix with a new storage client built
// from opts (credentials, endpoint). With STORAGE_EMULATOR_HOST set, the
// client library talks to that emulator without authentication. New does not
// dial; use Ping to check the bucket. Close releases the client.
func New(ctx context.Context, bucket, prefix string, opts ...option.ClientOption) (*Store, error) {
	c, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcs: client for gs://%s: %w", bucket, err)
	}
	// The library retries transient errors until the context ends; bound it
	// so a dead endpoint surfaces as a transient error that job.Retry (and
	// the exit code 4) can handle.
	// Every write is a whole object (replace or DoesNotExist), so retrying
	// an upload is safe: RetryAlways.
	c.SetRetry(storage.WithMaxAttempts(DefaultAttempts), storage.WithPolicy(storage.RetryAlways),
		storage.WithBackoff(gax.Backoff{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Multiplier: 2}))
	s := NewWithClient(c, bucket, prefix)
	s.ownsClient = true
	return s, nil
}

// OpenURI is New for a "gs://bucket/prefix" URI.
func OpenURI(ctx context.Context, uri string, opts ...option.ClientOption) (*Store, error) {
	b, p, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	return New(ctx, b, p, opts...)
}

// NewWithClient returns a Store that uses an existing client; Close leaves
// the client open.
func NewWithClient(c *storage.Client, bucket, prefix string) *Store {
	return &Store{client: c, bucket: c.Bucket(bucket), name: bucket, prefix: strings.Trim(prefix, "/")}
}

// Close releases the client when the Store created it.
func (s *Store) Close() error {
	if s.ownsClient {
		return s.client.Close()
	}
	return nil
}

// Ping checks that the bucket exists and is reachable.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.bucket.Attrs(ctx)
	if errors.Is(err, storage.ErrBucketNotExist) {
		return fmt.Errorf("gcs: bucket %s does not exist", s.name)
	}
	return classify(ctx, "ping", s.URI(), err)
}

// URI implements lake.Store.
func (s *Store) URI() string {
	if s.prefix == "" {
		return "gs://" + s.name
	}
	return "gs://" + s.name + "/" + s.prefix
}

// Bucket is the bucket name.
func (s *Store) Bucket() string { return s.name }

func (s *Store) object(key string) (string, error) {
	if err := lake.CheckKey(key); err != nil {
		return "", err
	}
	if s.prefix == "" {
		return key, nil
	}
	return s.prefix + "/" + key, nil
}

func (s *Store) keyOf(name string) string {
	if s.prefix == "" {
		return name
	}
	return strings.TrimPrefix(name, s.prefix+"/")
}

// objectWriter buffers an object until it reaches a chunk, so small objects
// go up in one request with a right-sized buffer; larger ones stream as a
// resumable upload. Cancelling its context aborts the upload.
type objectWriter struct {
	s        *Store
	ctx      context.Context
	cancel   context.CancelFunc
	obj      *storage.ObjectHandle
	key      string
	chunk    int
	ifAbsent bool

	buf  bytes.Buffer
	w    *storage.Writer
	err  error
	done bool
}

func (w *objectWriter) open(chunk int) {
	o := w.obj
	if w.ifAbsent {
		o = o.If(storage.Conditions{DoesNotExist: true})
	}
	w.w = o.NewWriter(w.ctx)
	w.w.ChunkSize = chunk
	// Preconditioned writes are idempotent, so the library may retry them.
	w.w.ContentType = "application/octet-stream"
}

func (w *objectWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, fmt.Errorf("gcs: write %s after close", w.key)
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.w == nil {
		w.buf.Write(p)
		if w.buf.Len() < w.chunk {
			return len(p), nil
		}
		w.open(w.chunk)
		if _, err := w.w.Write(w.buf.Bytes()); err != nil {
			w.err = classify(w.ctx, "write", w.s.URI()+"/"+w.key, err)
			return 0, w.err
		}
		w.buf = bytes.Buffer{}
		return len(p), nil
	}
	n, err := w.w.Write(p)
	if err != nil {
		w.err = classify(w.ctx, "write", w.s.URI()+"/"+w.key, err)
		return n, w.err
	}
	return n, nil
}

func (w *objectWriter) Close() error {
	if w.done {
		return w.err
	}
	w.done = true
	defer w.cancel()
	if w.err != nil {
		w.cancel()
		if w.w != nil {
			_ = w.w.Close()
		}
		return w.err
	}
	if w.w == nil {
		// Whole object in memory: one request, with a buffer just large
		// enough for the library to retry it.
		chunk := w.buf.Len()
		if chunk < 256<<10 {
			chunk = 256 << 10
		}
		w.open(chunk)
		if _, err := w.w.Write(w.buf.Bytes()); err != nil {
			_ = w.w.Close()
			w.err = classify(w.ctx, "write", w.s.URI()+"/"+w.key, err)
			return w.err
		}
		w.buf = bytes.Buffer{}
	}
	if err := w.w.Close(); err != nil {
		w.err = classify(w.ctx, "close", w.s.URI()+"/"+w.key, err)
		return w.err
	}
	return nil
}

func (w *objectWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.cancel() // the upload fails; nothing becomes visible
	if w.w != nil {
		_ = w.w.Close()
	}
	w.buf = bytes.Buffer{}
	return nil
}

func (s *Store) create(ctx context.Context, key string, ifAbsent bool) (lake.ObjectWriter, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	chunk := s.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	wctx, cancel := context.WithCancel(ctx)
	return &objectWriter{
		s: s, ctx: wctx, cancel: cancel, obj: s.bucket.Object(name).Retryer(storage.WithPolicy(storage.RetryAlways), storage.WithErrorFunc(limitRetries(DefaultAttempts))),
		key: key, chunk: chunk, ifAbsent: ifAbsent,
	}, nil
}

// Create implements lake.Store: the object replaces any existing one
// atomically when Close returns nil.
func (s *Store) Create(ctx context.Context, key string) (lake.ObjectWriter, error) {
	return s.create(ctx, key, false)
}

// CreateIfAbsent implements lake.Store with the DoesNotExist precondition:
// Close fails with catalog.ErrPrecondition when key exists.
func (s *Store) CreateIfAbsent(ctx context.Context, key string) (lake.ObjectWriter, error) {
	return s.create(ctx, key, true)
}

// Open implements lake.Store.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	r, err := s.bucket.Object(name).NewReader(ctx)
	if err != nil {
		return nil, classify(ctx, "open", s.URI()+"/"+key, err)
	}
	return &reader{r: r, ctx: ctx, uri: s.URI() + "/" + key}, nil
}

type reader struct {
	r   *storage.Reader
	ctx context.Context
	uri string
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = classify(r.ctx, "read", r.uri, err)
	}
	return n, err
}

func (r *reader) Close() error { return r.r.Close() }

// Stat implements lake.Store.
func (s *Store) Stat(ctx context.Context, key string) (lake.ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return lake.ObjectInfo{}, err
	}
	a, err := s.bucket.Object(name).Attrs(ctx)
	if err != nil {
		return lake.ObjectInfo{}, classify(ctx, "stat", s.URI()+"/"+key, err)
	}
	return lake.ObjectInfo{Key: key, Size: a.Size, ModTime: a.Updated}, nil
}

// List implements lake.Store. Uploads in progress are not objects yet, so
// they are never listed.
func (s *Store) List(ctx context.Context, prefix string) ([]lake.ObjectInfo, error) {
	full := prefix
	if s.prefix != "" {
		full = s.prefix + "/" + prefix
	}
	q := &storage.Query{Prefix: full}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Updated"}); err != nil {
		return nil, err
	}
	it := s.bucket.Objects(ctx, q)
	var out []lake.ObjectInfo
	for {
		a, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, classify(ctx, "list", s.URI()+"/"+prefix, err)
		}
		if strings.HasSuffix(a.Name, "/") {
			continue // a "directory" placeholder made by other tools
		}
		out = append(out, lake.ObjectInfo{Key: s.keyOf(a.Name), Size: a.Size, ModTime: a.Updated})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Delete implements lake.Store; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	err = s.bucket.Object(name).Retryer(storage.WithPolicy(storage.RetryAlways)).Delete(ctx)
	if errors.Is(err, storage.ErrObjectNotExist) {
		return nil
	}
	return classify(ctx, "delete", s.URI()+"/"+key, err)
}

// limitRetries bounds an upload's retries: the library retries uploads until
// the context ends and ignores WithMaxAttempts for them. Object handles
// clone their retry config, so the counter belongs to one writer.
func limitRetries(attempts int) func(error) bool {
	var tries atomic.Int64
	return func(err error) bool {
		return storage.ShouldRetry(err) && tries.Add(1) < int64(attempts)
	}
}

// classify wraps err with the operation and object, translating it into the
// catalog's errors: not found, precondition, transient (retry) or permanent.
func classify(ctx context.Context, op, uri string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("gcs: %s %s: %w", op, uri, catalog.ErrNotFound)
	}
	wrapped := fmt.Errorf("gcs: %s %s: %w", op, uri, err)
	if ctx.Err() != nil {
		// The caller cancelled: not worth retrying, and not the store's fault.
		return fmt.Errorf("gcs: %s %s: %w", op, uri, ctx.Err())
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		switch {
		case ge.Code == 412 || ge.Code == 409 && strings.Contains(strings.ToLower(ge.Message), "precondition"):
			return fmt.Errorf("gcs: %s %s: %w", op, uri, catalog.ErrPrecondition)
		case ge.Code == 404:
			return fmt.Errorf("gcs: %s %s: %w", op, uri, catalog.ErrNotFound)
		case ge.Code == 408 || ge.Code == 429 || ge.Code >= 500:
			return catalog.Transient(wrapped)
		}
		return wrapped
	}
	if IsTransientErr(err) {
		return catalog.Transient(wrapped)
	}
	return wrapped
}

// IsTransientErr reports whether err is a network-level failure worth
// retrying: timeouts, refused or reset connections, unexpected EOFs.
func IsTransientErr(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de)
}
