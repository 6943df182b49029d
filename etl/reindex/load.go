package reindex

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// loader streams releases into one index with bounded bulk workers.
type loader struct {
	env      *job.Env
	opts     Options
	deps     Deps
	index    string
	analyzer string
	clicks   map[string]int64
	dry      bool // build and validate documents, send nothing
	q        *quarantine
	sample   *sampler

	read, written, deleted, skipped atomic.Int64
}

// load reads the releases updated since (zero: all) and indexes them.
func (l *loader) load(ctx context.Context, since time.Time) error {
	prog := l.env.Progress("reindex-es "+l.index, 0)
	defer prog.Finish()
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan []catalog.BulkOp, l.opts.Workers)
	for w := 0; w < l.opts.Workers; w++ {
		g.Go(func() error {
			for b := range batches {
				if err := l.send(gctx, b); err != nil {
					return err
				}
				prog.Add(int64(len(b)))
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(batches)
		var (
			batch  []catalog.BulkOp
			size   int
			lastID string
		)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			select {
			case batches <- batch:
			case <-gctx.Done():
				return gctx.Err()
			}
			batch, size = nil, 0
			return nil
		}
		err := l.deps.Source.EachRelease(gctx, since, func(r *catalog.Release) error {
			if r.ID == lastID { // the source is in id order: a repeat is a duplicate
				l.skipped.Add(1)
				return nil
			}
			lastID = r.ID
			l.read.Add(1)
			b, err := json.Marshal(NewDocument(r, l.clicks[r.ID], l.analyzer, l.deps.Tokenizer))
			if err != nil {
				return l.q.reject("unencodable: "+err.Error(), l.origin(r.ID), nil)
			}
			if l.sample != nil {
				l.sample.offer(r.ID, b)
			}
			batch = append(batch, catalog.BulkOp{ID: r.ID, Doc: b})
			size += len(b) + len(r.ID) + 32
			if len(batch) >= l.opts.BatchDocs || size >= l.opts.BatchBytes {
				return flush()
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reindex-es: reading releases: %w", err)
		}
		return flush()
	})
	return g.Wait()
}

// deleteIDs deletes ids from the index in batches.
func (l *loader) deleteIDs(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), l.opts.BatchDocs)
		ops := make([]catalog.BulkOp, n)
		for i, id := range ids[:n] {
			ops[i] = catalog.BulkOp{Delete: true, ID: id}
		}
		if err := l.send(ctx, ops); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func (l *loader) origin(id string) string {
	if l.deps.SourceURI != "" {
		return l.deps.SourceURI + "#" + id
	}
	return "release " + id
}

// send applies one batch: whole-request failures are retried by job.Retry
// (transient only); items the node refused for load (429/503) are resent
// with backoff; items refused for their content are quarantined.
func (l *loader) send(ctx context.Context, ops []catalog.BulkOp) error {
	if l.dry {
		l.written.Add(int64(len(ops)))
		return nil
	}
	pending := ops
	attempts := l.opts.Backoff.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	for try := 1; ; try++ {
		var items []catalog.BulkItem
		err := job.Retry(ctx, l.opts.Backoff, func(ctx context.Context) error {
			var err error
			items, err = l.deps.Cluster.Bulk(ctx, l.index, pending)
			return err
		})
		if err != nil {
			return fmt.Errorf("reindex-es: bulk of %d into %s (first id %s): %w", len(pending), l.index, pending[0].ID, err)
		}
		var again []catalog.BulkOp
		for i, it := range items {
			op := pending[i]
			switch {
			case !it.Failed() && op.Delete:
				l.deleted.Add(1)
			case !it.Failed():
				l.written.Add(1)
			case it.Retryable():
				again = append(again, op)
			default:
				reason := fmt.Sprintf("%d %s: %s", it.Status, it.ErrType, it.Reason)
				if err := l.q.reject(reason, l.origin(op.ID), op.Doc); err != nil {
					return err
				}
				l.env.Log.Warn("document rejected", "id", op.ID, "reason", reason)
			}
		}
		if len(again) == 0 {
			return nil
		}
		if try >= attempts {
			return fmt.Errorf("reindex-es: bulk into %s: %w: %d documents still refused after %d tries (first %s)",
				l.index, catalog.ErrUnavailable, len(again), attempts, again[0].ID)
		}
		t := time.NewTimer(l.opts.Backoff.Delay(try))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pending = again
	}
}

// quarantine collects documents the cluster refused. It writes them to the
// lake when there is one, and always remembers their ids.
type quarantine struct {
	q   *lake.Quarantine // nil: count only
	mu  sync.Mutex
	ids map[string]bool
	n   atomic.Int64

	committed bool
}

func newQuarantine(ctx context.Context, env *job.Env, store lake.Store) *quarantine {
	q := &quarantine{ids: map[string]bool{}}
	if store != nil && !env.DryRun {
		q.q = lake.NewQuarantine(ctx, store, JobName, env.RunID, env.Date, env.Now)
	}
	return q
}

func (q *quarantine) reject(reason, origin string, doc []byte) error {
	q.n.Add(1)
	var id struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(doc, &id)
	q.mu.Lock()
	q.ids[id.ID] = true
	q.mu.Unlock()
	if q.q == nil {
		return nil
	}
	if err := q.q.Reject(reason, origin, doc); err != nil {
		return fmt.Errorf("reindex-es: quarantine: %w", err)
	}
	return nil
}

func (q *quarantine) count() int64 { return q.n.Load() }

func (q *quarantine) rejected(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.ids[id]
}

// commitOnce commits the quarantine partition (once; later calls do nothing).
func (q *quarantine) commitOnce(ctx context.Context) error {
	if q.q == nil || q.committed {
		return nil
	}
	if err := q.q.Commit(ctx); err != nil {
		return fmt.Errorf("reindex-es: committing quarantine: %w", err)
	}
	q.committed = true
	return nil
}

// abortUnlessCommitted discards the quarantine of a failed run.
func (q *quarantine) abortUnlessCommitted(ctx context.Context) {
	if q.q != nil && !q.committed {
		q.q.Abort(context.WithoutCancel(ctx))
	}
}

func (q *quarantine) dir() string {
	if q.q == nil {
		return ""
	}
	return q.q.Dir()
}

// sampler keeps the k documents with the smallest id hashes: a sample
// spread over the whole source, the same on every run.
type sampler struct {
	k    int
	docs []sampled // sorted by hash
}

type sampled struct {
	hash uint64
	id   string
	doc  []byte
}

func (s *sampler) offer(id string, doc []byte) {
	h := fnv.New64a()
	h.Write([]byte(id))
	v := h.Sum64()
	if len(s.docs) == s.k && v >= s.docs[len(s.docs)-1].hash {
		return
	}
	i := sort.Search(len(s.docs), func(i int) bool { return s.docs[i].hash > v })
	s.docs = append(s.docs, sampled{})
	copy(s.docs[i+1:], s.docs[i:])
	s.docs[i] = sampled{hash: v, id: id, doc: bytes.Clone(doc)}
	if len(s.docs) > s.k {
		s.docs = s.docs[:s.k]
	}
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
