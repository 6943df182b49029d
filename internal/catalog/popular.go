package catalog

import "context"

// PopularItem is one entry of a day's serving "popular" list (the
// popular_daily mart): the Rank-th most viewed item of Date.
type PopularItem struct {
	Date    Date
	Rank    int
	ItemID  string
	Views   int64
	Viewers int64
}

// PopularSink publishes a day's popular list (MongoDB `popular`).
type PopularSink interface {
	// ReplacePopular makes items the whole popular list of day d: entries
	// of d not in items are removed, other days are untouched. It is
	// idempotent; retryable failures are marked with Transient.
	ReplacePopular(ctx context.Context, d Date, items []PopularItem) error
}
