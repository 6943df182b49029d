// Package lake is marquee's data lake: a Store of objects (a local directory
// or gs://bucket/prefix), date partitions under zones, the manifest commit
// protocol of DESIGN.md §4, and the JSONL and Parquet readers and writers.
//
// Writers put files under names that carry their run id, then commit the
// partition by writing _manifest.json last. Readers read only the files a
// manifest lists, so a partition is always a whole old or a whole new result;
// files a new manifest no longer lists are garbage-collected after commit.
package lake
