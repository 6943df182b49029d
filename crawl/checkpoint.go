package crawl

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"marquee/internal/catalog"
	"marquee/lake"
)

// StateZone is where the crawler keeps its checkpoints in the lake:
// _state/crawl/source=<site>/dt=<D>/seg-<run>-<seq>.jsonl. It is outside the
// data zones, so no reader mistakes it for a partition, and it is deleted
// once the site's partition is committed.
const StateZone = "_state/crawl"

// statePrefix is the checkpoint directory of one site and date.
func statePrefix(site string, d catalog.Date) string {
	return lake.PartitionPath(StateZone+"/source="+site, d)
}

// siteFingerprint identifies a site definition: a checkpoint written under
// another definition (the site file changed between runs) is not replayed.
func siteFingerprint(s *Site) string {
	b, _ := json.Marshal(s)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// pageEntry is one stored page: the task, what it yielded and the tasks it
// discovered. Replaying the entries rebuilds the items and the frontier.
type pageEntry struct {
	Task      task          `json:"task"`
	FetchedAt time.Time     `json:"fetched_at"`
	Items     []item        `json:"items,omitempty"`
	Found     []task        `json:"found,omitempty"`
	Reject    *rejectedPage `json:"reject,omitempty"`
}

// rejectedPage is a fetched page whose content could not be read.
type rejectedPage struct {
	Reason string `json:"reason"`
	Body   string `json:"body"`
}

// checkpoint appends page entries to the lake in segments: one object per
// `every` pages or per `interval`, whichever comes first. A kill -9 loses
// at most the pages of the segment being filled; they are fetched again.
type checkpoint struct {
	store    lake.Store
	prefix   string
	site     string // siteFingerprint
	runID    string
	every    int
	interval time.Duration
	disabled bool // dry run

	mu      sync.Mutex
	buf     []pageEntry
	seq     int
	last    time.Time
	written int
}

func (c *checkpoint) add(ctx context.Context, e pageEntry) error {
	if c.disabled {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, e)
	if c.last.IsZero() {
		c.last = time.Now()
	}
	if len(c.buf) >= c.every || time.Since(c.last) >= c.interval {
		return c.flushLocked(ctx)
	}
	return nil
}

// flush writes the buffered entries as one segment.
func (c *checkpoint) flush(ctx context.Context) error {
	if c.disabled {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked(ctx)
}

func (c *checkpoint) flushLocked(ctx context.Context) error {
	c.last = time.Now()
	if len(c.buf) == 0 {
		return nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, e := range c.buf {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	key := fmt.Sprintf("%s/seg-%s-%s-%06d.jsonl", c.prefix, c.site, c.runID, c.seq)
	if err := lake.PutBytes(ctx, c.store, key, b.Bytes()); err != nil {
		return fmt.Errorf("checkpoint %s: %w", key, err)
	}
	c.seq++
	c.written += len(c.buf)
	c.buf = c.buf[:0]
	return nil
}

// loadCheckpoint reads the stored entries of a site and date written under
// the site definition with fingerprint fp, oldest segment first. It also
// reports how many segments it ignored (written under another definition).
func loadCheckpoint(ctx context.Context, s lake.Store, prefix, fp string) ([]pageEntry, int, error) {
	objs, err := s.List(ctx, prefix+"/")
	if err != nil {
		return nil, 0, err
	}
	var out []pageEntry
	ignored := 0
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".jsonl") {
			continue
		}
		if !strings.HasPrefix(lake.Base(o.Key), "seg-"+fp+"-") {
			ignored++
			continue
		}
		b, err := lake.ReadAll(ctx, s, o.Key)
		if err != nil {
			return nil, 0, fmt.Errorf("checkpoint %s: %w", o.Key, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 1<<20), lake.MaxLineBytes)
		for sc.Scan() {
			var e pageEntry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				// segments are written whole; a bad line is a bad
				// segment: ignore it, its pages are fetched again
				break
			}
			out = append(out, e)
		}
	}
	return out, ignored, nil
}

// clearCheckpoint deletes a site's checkpoint after its commit.
func clearCheckpoint(ctx context.Context, s lake.Store, prefix string) error {
	objs, err := s.List(ctx, prefix+"/")
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := s.Delete(ctx, o.Key); err != nil {
			return err
		}
	}
	return nil
}
