package catalog

import (
	"context"
	"time"
)

// SimilarItem is one entry of a release's similar list: another release's
// id and the cosine similarity (0, 1].
type SimilarItem struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// SimilarList is compute-similar's result for one release (MongoDB
// `similar`: {_id: ID, items: [{id, score}], model, computed_at}). Items are
// ordered by score descending, then id ascending.
type SimilarList struct {
	ID         string
	Items      []SimilarItem
	Model      string
	ComputedAt time.Time
}

// SimilarSink stores similar lists (MongoDB `similar`).
type SimilarSink interface {
	// WriteSimilar upserts lists by release id (replacing each list whole).
	// It is idempotent; retryable failures are marked with Transient.
	WriteSimilar(ctx context.Context, lists []SimilarList) error
	// DeleteSimilarExcept removes the lists of releases not in keep (releases
	// that ended or vanished since the last full run) and returns how many.
	DeleteSimilarExcept(ctx context.Context, keep map[string]struct{}) (int64, error)
}

// SimilarSource reads stored similar lists (for incremental runs).
type SimilarSource interface {
	// EachSimilar calls fn for every stored list; fn must not keep l.
	EachSimilar(ctx context.Context, fn func(l *SimilarList) error) error
}
