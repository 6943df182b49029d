package gcstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	"marquee/internal/testenv"
	"marquee/lake/gcs"
)

// Project is the project id buckets are created in (the emulator ignores it).
const Project = "marquee-test"

// NewBucket creates a unique bucket on the emulator and returns its name and
// a client; both are cleaned up when t ends.
func NewBucket(t testing.TB) (string, *storage.Client) {
	t.Helper()
	testenv.GCSHost(t) // sets STORAGE_EMULATOR_HOST or fails naming services.sh
	ctx := context.Background()
	c, err := storage.NewClient(ctx)
	if err != nil {
		t.Fatalf("gcstest: storage client: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "marquee-test-" + hex.EncodeToString(b[:])
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.Bucket(name).Create(cctx, Project, nil); err != nil {
		_ = c.Close()
		t.Fatalf("gcstest: create bucket %s on %s: %v (is scripts/services.sh start running?)", name, testenv.Lookup(testenv.GCSHostVar), err)
	}
	t.Cleanup(func() {
		defer func() { _ = c.Close() }()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		bh := c.Bucket(name)
		it := bh.Objects(ctx, nil)
		for {
			a, err := it.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				t.Logf("gcstest: list %s for cleanup: %v", name, err)
				return
			}
			_ = bh.Object(a.Name).Delete(ctx)
		}
		if err := bh.Delete(ctx); err != nil {
			t.Logf("gcstest: delete bucket %s: %v", name, err)
		}
	})
	return name, c
}

// NewStore returns a gcs.Store (built by gcs.New, as cmd/marquee builds it)
// on a fresh bucket under prefix ("" for the bucket root).
func NewStore(t testing.TB, prefix string) *gcs.Store {
	t.Helper()
	name, _ := NewBucket(t)
	s, err := gcs.New(context.Background(), name, prefix)
	if err != nil {
		t.Fatalf("gcstest: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
