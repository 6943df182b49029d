// Package search is marquee's Elasticsearch/OpenSearch adapter: a small
// client over the REST API both products share (plain net/http, so neither
// go-elasticsearch's product check nor a client's version pinning gets in
// the way), implementing catalog.SearchCluster.
//
// It connects and pings, detects the product and version, classifies
// failures (connection errors, 429 and 502-504 are catalog.Transient; a
// missing index is catalog.ErrNotFound; everything else is permanent and
// carries the server's error type and reason), sends bulk requests and
// reports per-item outcomes, manages aliases atomically and probes which
// analysis components (nori, cjk bigrams) the cluster has.
//
// It never retries by itself and never imports job packages: the reindex job
// (etl/reindex) decides what to retry, through job.Retry.
package search
