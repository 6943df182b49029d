package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"marquee/internal/catalog"
)

// retryableCodes are server error codes that say "this node cannot serve you
// right now, another try may succeed": the driver's retryable codes plus the
// legacy not-primary code.
var retryableCodes = []int{
	6,     // HostUnreachable
	7,     // HostNotFound
	89,    // NetworkTimeout
	91,    // ShutdownInProgress
	134,   // ReadConcernMajorityNotAvailableYet
	189,   // PrimarySteppedDown
	262,   // ExceededTimeLimit
	9001,  // SocketException
	10058, // LegacyNotPrimary
	10107, // NotWritablePrimary
	11600, // InterruptedAtShutdown
	11602, // InterruptedDueToReplStateChange
	13435, // NotPrimaryNoSecondaryOk
	13436, // NotPrimaryOrSecondary
}

// retryableLabels are error labels the server or driver attach to errors that
// are safe to retry.
var retryableLabels = []string{
	"NetworkError",
	"NetworkTimeoutError",
	"ExceededTimeLimitError",
	"RetryableWriteError",
	"TransientTransactionError",
	"SystemOverloadedError",
	"RetryableError",
}

// Classify translates a driver error into marquee's error vocabulary and
// returns it; nil stays nil and an error already classified is returned as
// is. The original error stays in the chain, so [IsDuplicateKey] and
// errors.As on driver types still work on the result.
//
//   - No reachable server within the server selection timeout (the driver
//     has already retried for that long): catalog.Transient wrapping
//     catalog.ErrUnavailable.
//   - Network errors, timeouts, not-primary and node-recovering codes and
//     retryable labels: catalog.Transient.
//   - mongo.ErrNoDocuments: wraps catalog.ErrNotFound.
//   - Cancellation, duplicate keys and everything else: unchanged
//     (permanent).
func Classify(err error) error {
	switch {
	case err == nil:
		return nil
	case catalog.IsTransient(err), errors.Is(err, catalog.ErrUnavailable), errors.Is(err, catalog.ErrNotFound):
		return err
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%w: %w", catalog.ErrNotFound, err)
	case IsDuplicateKey(err):
		return err
	case isServerSelection(err):
		return catalog.Transient(fmt.Errorf("%w: mongodb: %w", catalog.ErrUnavailable, err))
	case isRetryable(err):
		return catalog.Transient(err)
	}
	return err
}

// IsDuplicateKey reports whether err (or anything it wraps, including one of
// the errors of a bulk write) is a duplicate-key error (E11000).
func IsDuplicateKey(err error) bool { return mongo.IsDuplicateKeyError(err) }

func isServerSelection(err error) bool {
	var sse topology.ServerSelectionError
	return errors.As(err, &sse)
}

func isRetryable(err error) bool {
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		for _, code := range retryableCodes {
			if se.HasErrorCode(code) {
				return true
			}
		}
	}
	var le mongo.LabeledError
	if errors.As(err, &le) {
		for _, label := range retryableLabels {
			if le.HasErrorLabel(label) {
				return true
			}
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ce topology.ConnectionError
	if errors.As(err, &ce) {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}
