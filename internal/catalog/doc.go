// Package catalog holds marquee's domain: releases, activity events, raw crawl
// records, their stable identifiers, the small interfaces jobs are written
// against, and the sentinel errors that the runtime maps to exit codes.
//
// It imports the standard library only. Drivers (MongoDB, search, GCS) keep
// their own document structs and map to and from these types.
package catalog
