// Package kafka is marquee's Kafka adapter (franz-go): an event log that a
// batch job reads from its consumer group's committed offsets up to the end
// offsets found at the start of the run, and whose offsets it commits only
// after its own output is committed (at-least-once in, exactly-once visible
// out when the job replaces by batch).
//
// It translates broker errors into catalog errors (connection failures and
// retryable broker errors are catalog.Transient) and never imports a job
// package.
package kafka
