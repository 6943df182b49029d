package gcs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"marquee/internal/catalog"
	"marquee/lake/gcs"

	"marquee/lake"
	"marquee/lake/gcs/gcstest"
	"marquee/lake/storetest"
)

func TestGCSStoreConformance(t *testing.T) {
	t.Run("bucket root", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) lake.Store { return gcstest.NewStore(t, "") })
	})
	t.Run("under a prefix", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) lake.Store { return gcstest.NewStore(t, "lake/v1") })
	})
}

func TestGCSStoreURIAndPing(t *testing.T) {
	ctx := context.Background()
	s := gcstest.NewStore(t, "lake/v1")
	if !strings.HasPrefix(s.URI(), "gs://marquee-test-") || !strings.HasSuffix(s.URI(), "/lake/v1") {
		t.Fatalf("URI = %q", s.URI())
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	missing, err := gcs.New(ctx, "marquee-no-such-bucket", "")
	if err != nil {
		t.Fatal(err)
	}
	defer missing.Close()
	if err := missing.Ping(ctx); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Ping of a missing bucket = %v", err)
	}
}

// A server that answers 503 (or refuses connections) gives transient errors
// once the client's own retries are spent; 403 gives a permanent one.
func TestGCSStoreErrorsAreClassified(t *testing.T) {
	ctx := context.Background()
	var status, hits atomic.Int64
	status.Store(http.StatusServiceUnavailable)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		code := int(status.Load())
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":{"code":%d,"message":"injected"}}`, code)
	}))
	defer srv.Close()
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL, "http://"))
	s, err := gcs.New(ctx, "b", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	_, err = s.Stat(ctx, "k")
	if !catalog.IsTransient(err) {
		t.Fatalf("Stat against 503 = %v, want transient", err)
	}
	if n := hits.Load(); n != gcs.DefaultAttempts {
		t.Fatalf("503 was tried %d times, want %d", n, gcs.DefaultAttempts)
	}
	w, err := s.Create(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("x"))
	if err := w.Close(); !catalog.IsTransient(err) {
		t.Fatalf("upload against 503 = %v, want transient", err)
	}

	status.Store(http.StatusForbidden)
	hits.Store(0)
	_, err = s.Stat(ctx, "k")
	if err == nil || catalog.IsTransient(err) {
		t.Fatalf("Stat against 403 = %v, want a permanent error", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("403 was tried %d times, want 1", hits.Load())
	}
	if _, err := s.List(ctx, "p/"); err == nil || catalog.IsTransient(err) {
		t.Fatalf("List against 403 = %v, want a permanent error", err)
	}

	srv.Close()
	_, err = s.Stat(ctx, "k")
	if !catalog.IsTransient(err) {
		t.Fatalf("Stat against a closed port = %v, want transient", err)
	}
}
