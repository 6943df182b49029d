// Package posters is the ingest-posters job: it downloads the poster images
// of the releases crawled for a date (raw/releases/source=*/dt=D, the
// record's poster_url field or its JSON-LD image) or of the releases in
// MongoDB that lack a stored poster, validates them, and stores each image
// once in the lake at posters/<aa>/<sha256>.<ext>, where aa is the first two
// hex digits of the sha256.
//
// Downloads honour robots.txt (and its Crawl-delay), a per-host concurrency
// limit, and job.Retry for transient failures (5xx, 429 with Retry-After,
// timeouts, resets). Each body is capped while it streams; its type is
// sniffed from the bytes (JPEG, PNG, GIF, WebP), never from headers; it is
// decoded whole, so truncated images and HTML error pages are caught and
// quarantined with a reason, as are images under the minimum dimensions.
//
// The mapping release → object is committed as JSONL in posters/index/dt=D
// (lake manifest protocol), and, when a PosterSink is given, set on the
// release documents. Objects are written with CreateIfAbsent, so an image is
// uploaded once however often it is seen; a URL whose previous index entry
// carries an ETag or Last-Modified is fetched with a conditional GET and a
// 304 reuses the stored object. Killed and rerun, the job leaves no
// duplicate objects and an index whose every entry points at a stored
// object. The package imports no driver: the lake, the release source and
// the poster sink are interfaces.
package posters
