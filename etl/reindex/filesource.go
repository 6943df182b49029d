package reindex

import "marquee/recommend"

// FileSource is a catalog.ReleaseSource over a local JSONL file of releases
// (gzip when the name ends in .gz): the same reader compute-similar uses.
type FileSource = recommend.FileSource
