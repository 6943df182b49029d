// Package mongo is marquee's thin adapter on the MongoDB Go driver
// (go.mongodb.org/mongo-driver/v2): it opens clients with bounded timeouts,
// checks their health, translates driver errors into catalog errors and
// redacts credentials from connection strings.
//
// Boundary: this package knows the driver and nothing of marquee's jobs. Jobs
// never import it; they see catalog interfaces, which stores built on this
// package implement. Every error leaving a store should pass through
// [Classify], so that retryable trouble is marked [catalog.Transient] and a
// server that stayed out of reach wraps [catalog.ErrUnavailable]. A
// connection string is never logged or wrapped into an error unless it went
// through [RedactURI].
package mongo
