package catalog

import (
	"context"
	"time"
)

// ReleaseSource streams stored releases (MongoDB, the lake, a JSONL file).
type ReleaseSource interface {
	// EachRelease calls fn for every release, in id order; with a non-zero
	// since, only those updated at or after it. fn must not keep r.
	EachRelease(ctx context.Context, since time.Time, fn func(r *Release) error) error
}
