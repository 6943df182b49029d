package catalog

import (
	"context"
	"encoding/json"
	"time"
)

// SearchServer identifies a search cluster: its product and version.
type SearchServer struct {
	Distribution string // "opensearch" or "elasticsearch"
	Version      string // e.g. "2.19.1"
	ClusterName  string
}

// SearchIndexInfo describes one concrete index of a search cluster.
type SearchIndexInfo struct {
	Name      string
	CreatedAt time.Time
	Aliases   []string
	// Meta is the index mapping's _meta object (marquee keeps its build
	// state there), nil when there is none.
	Meta map[string]any
}

// BulkOp is one action of a bulk request: index (create or replace) a
// document, or delete one.
type BulkOp struct {
	Delete bool            // delete ID instead of indexing Doc
	ID     string          // the document id
	Doc    json.RawMessage // the document (index only)
}

// BulkItem is the outcome of one BulkOp, in request order. Status is the
// HTTP status of the item; ErrType and Reason are set when it failed.
type BulkItem struct {
	ID      string
	Status  int
	ErrType string
	Reason  string
}

// Failed reports whether the item was not applied (a delete of a missing
// document counts as applied).
func (b BulkItem) Failed() bool { return b.Status >= 300 && !(b.Status == 404 && b.ErrType == "") }

// Retryable reports whether the item failed for a reason worth retrying
// (the node was overloaded or unavailable), not because of the document.
func (b BulkItem) Retryable() bool {
	return b.Status == 429 || b.Status == 502 || b.Status == 503 || b.Status == 504
}

// SearchCluster is the subset of an Elasticsearch/OpenSearch cluster the
// reindex job needs. Implementations (internal/search) are safe for
// concurrent use and return errors marked Transient for failures worth
// retrying (connection errors, 429, 502-504); a missing index is ErrNotFound.
// No method retries by itself: callers wrap them in job.Retry.
type SearchCluster interface {
	// Server returns the cluster's product and version.
	Server(ctx context.Context) (SearchServer, error)
	// Analyzers reports which of the named analysis components the cluster
	// can use ("nori", "cjk"), by trying each.
	Analyzers(ctx context.Context, names ...string) ([]string, error)
	// CreateIndex creates index name with body (settings, mappings, aliases).
	CreateIndex(ctx context.Context, name string, body json.RawMessage) error
	// DeleteIndex deletes index name; a missing index is not an error.
	DeleteIndex(ctx context.Context, name string) error
	// PutSettings updates the dynamic settings of index name.
	PutSettings(ctx context.Context, name string, settings json.RawMessage) error
	// PutMeta replaces the mapping's _meta object of index name.
	PutMeta(ctx context.Context, name string, meta map[string]any) error
	// Flush commits everything indexed into name to disk (Lucene commit),
	// so it survives a node restart whatever the translog durability was.
	Flush(ctx context.Context, name string) error
	// Refresh makes everything indexed into name searchable.
	Refresh(ctx context.Context, name string) error
	// WaitHealthy waits until the shards of index name are allocated
	// (status yellow or better) or the timeout passes.
	WaitHealthy(ctx context.Context, name string, timeout time.Duration) error
	// Count returns the number of documents in index or alias name.
	Count(ctx context.Context, name string) (int64, error)
	// Indices describes the indices matching pattern (e.g. "releases_*");
	// none is an empty slice.
	Indices(ctx context.Context, pattern string) ([]SearchIndexInfo, error)
	// AliasIndices returns the indices alias points to, none when it does
	// not exist.
	AliasIndices(ctx context.Context, alias string) ([]string, error)
	// SwapAlias points alias at index and removes it from every index in
	// from, in ONE atomic _aliases call.
	SwapAlias(ctx context.Context, alias, index string, from []string) error
	// Bulk applies ops to index in one request and returns one item per op,
	// in order. The error is for the whole request; per-item failures are
	// in the items.
	Bulk(ctx context.Context, index string, ops []BulkOp) ([]BulkItem, error)
	// Docs fetches the stored sources of ids from index; missing ids are
	// absent from the map.
	Docs(ctx context.Context, index string, ids []string) (map[string]json.RawMessage, error)
	// EachID calls fn with the id of every document in index (any order).
	EachID(ctx context.Context, index string, fn func(id string) error) error
}
