package posters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"marquee/internal/catalog"
	"marquee/lake"
)

// IndexZone is where the poster index partitions live: posters/index/dt=D.
const IndexZone = lake.ZonePosters + "/index"

// IndexEntry is one line of posters/index/dt=D: a release, the URL its
// poster came from, and the stored object. Object and Thumbnails are keys
// relative to the lake root.
type IndexEntry struct {
	ReleaseID    string            `json:"release_id"`
	Source       string            `json:"source,omitempty"`
	URL          string            `json:"url"`
	Object       string            `json:"object"`
	SHA256       string            `json:"sha256"`
	ContentType  string            `json:"content_type"`
	Width        int               `json:"width"`
	Height       int               `json:"height"`
	Bytes        int64             `json:"bytes"`
	ETag         string            `json:"etag,omitempty"`
	LastModified string            `json:"last_modified,omitempty"`
	Thumbnails   map[string]string `json:"thumbnails,omitempty"` // width → key
}

// Poster is the entry as the catalog's poster value.
func (e *IndexEntry) Poster() catalog.Poster {
	return catalog.Poster{URL: e.URL, Object: e.Object, SHA256: e.SHA256, ContentType: e.ContentType,
		Width: e.Width, Height: e.Height, Bytes: e.Bytes}
}

// ObjectKey is posters/<aa>/<sha256>.<ext>.
func ObjectKey(sha, ext string) string {
	return lake.ZonePosters + "/" + sha[:2] + "/" + sha + "." + ext
}

// ThumbnailKey is posters/<aa>/<sha256>_w<width>.jpg, next to the original.
func ThumbnailKey(sha string, width int) string {
	return lake.ZonePosters + "/" + sha[:2] + "/" + sha + "_w" + strconv.Itoa(width) + ".jpg"
}

// IndexPartition is posters/index/dt=D.
func IndexPartition(d catalog.Date) string { return lake.PartitionPath(IndexZone, d) }

// ReadIndex reads the committed index partition of d, in file order.
// A date never indexed is catalog.ErrNotFound.
func ReadIndex(ctx context.Context, s lake.Store, d catalog.Date) ([]IndexEntry, error) {
	var out []IndexEntry
	err := lake.ScanPartition(ctx, s, IndexPartition(d), func(o lake.Origin, line []byte, lerr error) error {
		if lerr != nil {
			return fmt.Errorf("%s: %w", o, lerr)
		}
		var e IndexEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return fmt.Errorf("%s: %w", o, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// previousEntries maps URL → the newest index entry for it from the index of
// d (an earlier run of the same date) and the latest index before d, for
// conditional GETs.
func previousEntries(ctx context.Context, s lake.Store, d catalog.Date) (map[string]IndexEntry, error) {
	out := map[string]IndexEntry{}
	dates, err := lake.ListPartitions(ctx, s, IndexZone, catalog.Date{}, d.AddDays(-1))
	if err != nil {
		return nil, err
	}
	var read []catalog.Date
	if len(dates) > 0 {
		read = append(read, dates[len(dates)-1])
	}
	read = append(read, d)
	for _, pd := range read {
		es, err := ReadIndex(ctx, s, pd)
		if errors.Is(err, catalog.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("previous index dt=%s: %w", pd, err)
		}
		for _, e := range es {
			if e.URL != "" && e.Object != "" {
				out[e.URL] = e
			}
		}
	}
	return out, nil
}
