// Package reindex is the reindex-es job: it rebuilds the search index of
// releases with zero downtime and keeps it current.
//
// A full rebuild (Run) creates a versioned index <alias>_<run id> with the
// mapping of this package (the text analyzer picked from what the cluster
// has: nori, cjk bigrams, or a Hangul-bigram field computed here with the
// compute-similar tokenizer), loads it with bulk workers (replicas 0,
// refresh off; backoff on 429/503; per-item failures quarantined), restores
// the settings, verifies counts and a sample of documents, moves the alias
// in ONE atomic _aliases call and prunes old indices beyond Keep. Anything
// that fails before the swap leaves the alias untouched and deletes the
// half-built index. Run with Incremental upserts releases changed since a
// time into the live index and deletes the removed ones; Rollback moves the
// alias back to the previous complete index.
//
// The job talks to the cluster through catalog.SearchCluster and reads
// releases through catalog.ReleaseSource; it never imports a driver.
// cmd/marquee wires internal/search, MongoDB or the lake, and the
// recommend tokenizer.
package reindex
