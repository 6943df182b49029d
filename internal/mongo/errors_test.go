package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"marquee/internal/catalog"
)

func TestClassify(t *testing.T) {
	permanent := errors.New("bad document")
	tests := []struct {
		name            string
		err             error
		wantTransient   bool
		wantUnavailable bool
		wantNotFound    bool
	}{
		{name: "nil stays nil", err: nil},
		{name: "plain error is permanent", err: permanent},
		{name: "canceled is permanent", err: fmt.Errorf("find: %w", context.Canceled)},
		{name: "deadline exceeded is transient", err: fmt.Errorf("find: %w", context.DeadlineExceeded), wantTransient: true},
		{name: "no documents is not found", err: mongo.ErrNoDocuments, wantNotFound: true},
		{name: "server selection is unavailable", err: topology.ServerSelectionError{Wrapped: errors.New("connection refused")},
			wantTransient: true, wantUnavailable: true},
		{name: "network label", err: mongo.CommandError{Code: 0, Labels: []string{"NetworkError"}}, wantTransient: true},
		{name: "retryable write label", err: mongo.CommandError{Code: 123, Labels: []string{"RetryableWriteError"}}, wantTransient: true},
		{name: "not writable primary", err: mongo.CommandError{Code: 10107, Name: "NotWritablePrimary"}, wantTransient: true},
		{name: "primary stepped down", err: mongo.CommandError{Code: 189}, wantTransient: true},
		{name: "shutdown in progress in a write concern error", err: mongo.WriteException{
			WriteConcernError: &mongo.WriteConcernError{Code: 91}}, wantTransient: true},
		{name: "unknown command error is permanent", err: mongo.CommandError{Code: 2, Name: "BadValue"}},
		{name: "duplicate key is permanent", err: mongo.WriteException{
			WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}},
		{name: "connection refused", err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, wantTransient: true},
		{name: "connection reset", err: fmt.Errorf("read: %w", syscall.ECONNRESET), wantTransient: true},
		{name: "unexpected EOF", err: io.ErrUnexpectedEOF, wantTransient: true},
		{name: "already transient stays as is", err: catalog.Transient(permanent), wantTransient: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if tt.err == nil {
				if got != nil {
					t.Fatalf("Classify(nil) = %v", got)
				}
				return
			}
			if !strings.Contains(got.Error(), tt.err.Error()) {
				t.Errorf("Classify lost the original message: %v", got)
			}
			if g := catalog.IsTransient(got); g != tt.wantTransient {
				t.Errorf("IsTransient = %v, want %v (%v)", g, tt.wantTransient, got)
			}
			if g := errors.Is(got, catalog.ErrUnavailable); g != tt.wantUnavailable {
				t.Errorf("Is(ErrUnavailable) = %v, want %v (%v)", g, tt.wantUnavailable, got)
			}
			if g := errors.Is(got, catalog.ErrNotFound); g != tt.wantNotFound {
				t.Errorf("Is(ErrNotFound) = %v, want %v (%v)", g, tt.wantNotFound, got)
			}
			again := Classify(got)
			if again.Error() != got.Error() || catalog.IsTransient(again) != catalog.IsTransient(got) {
				t.Errorf("Classify is not idempotent: %v → %v", got, again)
			}
		})
	}
}

func TestIsDuplicateKey(t *testing.T) {
	dup := mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}
	bulk := mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{
		{WriteError: mongo.WriteError{Code: 2}},
		{WriteError: mongo.WriteError{Code: 11000}},
	}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"write exception", dup, true},
		{"wrapped", fmt.Errorf("batch 1: %w", dup), true},
		{"one of a bulk write", bulk, true},
		{"other code", mongo.CommandError{Code: 2}, false},
		{"plain", errors.New("E11000"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsDuplicateKey(tt.err); got != tt.want {
				t.Errorf("IsDuplicateKey(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
