// Package gcs is the lake.Store driver for Google Cloud Storage
// (gs://bucket/prefix) on cloud.google.com/go/storage.
//
// It is a driver: jobs never import it; they receive a lake.Store, and only
// cmd/marquee builds one with New (or OpenURI). Objects are written with
// resumable uploads that become visible whole when the writer's Close
// returns; Abort cancels the upload so nothing appears. CreateIfAbsent uses
// the DoesNotExist (ifGenerationMatch=0) precondition. Errors are translated
// into catalog errors: a missing object is catalog.ErrNotFound, a lost
// precondition catalog.ErrPrecondition, and 5xx, 429, timeouts and
// connection failures are marked catalog.Transient so job.Retry retries them.
//
// Tests reach fake-gcs-server through STORAGE_EMULATOR_HOST, which the
// storage client reads itself (see package gcstest).
package gcs
