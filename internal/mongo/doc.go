// Package mongo holds marquee's MongoDB driver code, on
// go.mongodb.org/mongo-driver/v2: the client adapter (Connect, Ping, Health,
// Close with bounded timeouts), error classification, connection string
// redaction, and the stores that implement catalog interfaces on MongoDB
// collections.
//
// Boundary: this package knows the driver and marquee's catalog, nothing of
// its jobs. Jobs never import it; cmd/marquee builds a Client and hands its
// stores to jobs as catalog interfaces. Every driver error leaving the
// package should pass through [Classify], so that retryable trouble is marked
// [catalog.Transient] and a server that stayed out of reach wraps
// [catalog.ErrUnavailable]. A connection string reaches a log line, an error
// or `config show` only through [RedactURI].
package mongo
