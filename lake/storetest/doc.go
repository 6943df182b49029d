// Package storetest is the conformance suite every lake.Store passes: the
// local directory store and the GCS store (against fake-gcs-server) run the
// same tests through Run. It covers the object contract of lake.Store (round
// trip, atomic replace, CreateIfAbsent races, abort, listing, Korean keys,
// large objects) and the manifest commit protocol of DESIGN.md §4 on top of
// it (a writer killed before commit leaves the old partition intact, GC of
// orphans, partitions listed by date range, quarantine).
package storetest
