package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"marquee/internal/catalog"
)

func TestClassify(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name      string
		ctx       context.Context
		err       error
		transient bool
		is        error
	}{
		{"missing object", nil, storage.ErrObjectNotExist, false, catalog.ErrNotFound},
		{"404", nil, &googleapi.Error{Code: 404}, false, catalog.ErrNotFound},
		{"precondition 412", nil, &googleapi.Error{Code: 412}, false, catalog.ErrPrecondition},
		{"503", nil, &googleapi.Error{Code: 503}, true, nil},
		{"500", nil, &googleapi.Error{Code: 500}, true, nil},
		{"429 rate limit", nil, fmt.Errorf("wrapped: %w", &googleapi.Error{Code: 429}), true, nil},
		{"408 request timeout", nil, &googleapi.Error{Code: 408}, true, nil},
		{"403 forbidden is permanent", nil, &googleapi.Error{Code: 403}, false, nil},
		{"400 bad request is permanent", nil, &googleapi.Error{Code: 400}, false, nil},
		{"connection refused", nil, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true, nil},
		{"connection reset", nil, fmt.Errorf("read: %w", syscall.ECONNRESET), true, nil},
		{"unexpected EOF", nil, io.ErrUnexpectedEOF, true, nil},
		{"deadline of a request", nil, context.DeadlineExceeded, true, nil},
		{"caller cancelled is not transient", cancelled, &googleapi.Error{Code: 503}, false, context.Canceled},
		{"other error is permanent", nil, errors.New("boom"), false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := c.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got := classify(ctx, "stat", "gs://b/k", c.err)
			if catalog.IsTransient(got) != c.transient {
				t.Fatalf("classify(%v) = %v, transient=%v, want %v", c.err, got, catalog.IsTransient(got), c.transient)
			}
			if c.is != nil && !errors.Is(got, c.is) {
				t.Fatalf("classify(%v) = %v, want it to wrap %v", c.err, got, c.is)
			}
		})
	}
	if classify(context.Background(), "x", "y", nil) != nil {
		t.Fatal("classify(nil) != nil")
	}
}

func TestParseURI(t *testing.T) {
	cases := []struct {
		uri, bucket, prefix string
		ok                  bool
	}{
		{"gs://b", "b", "", true},
		{"gs://b/", "b", "", true},
		{"gs://b/lake", "b", "lake", true},
		{"gs://b/lake/v1/", "b", "lake/v1", true},
		{"gs://", "", "", false},
		{"s3://b/x", "", "", false},
		{"/data/lake", "", "", false},
		{"gs://b/a/../c", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			b, p, err := ParseURI(c.uri)
			if (err == nil) != c.ok || b != c.bucket || p != c.prefix {
				t.Fatalf("ParseURI(%q) = %q, %q, %v", c.uri, b, p, err)
			}
			if err != nil && !errors.Is(err, catalog.ErrUsage) {
				t.Fatalf("error %v is not a usage error", err)
			}
		})
	}
}
