package reindex

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"marquee/internal/catalog"
)

// FileSource is a catalog.ReleaseSource over a local JSONL file of
// releases (one catalog.Release JSON object a line, as export tools and
// tests write them). Releases come in file order; a line that is not a
// release is an error naming the file and line.
type FileSource struct {
	Path string
}

var _ catalog.ReleaseSource = FileSource{}

// EachRelease implements catalog.ReleaseSource.
func (s FileSource) EachRelease(ctx context.Context, since time.Time, fn func(r *catalog.Release) error) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return fmt.Errorf("releases file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if line%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var r catalog.Release
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("releases file %s:%d: %w", s.Path, line, err)
		}
		if r.ID == "" {
			return fmt.Errorf("releases file %s:%d: no id", s.Path, line)
		}
		if !since.IsZero() && r.UpdatedAt.Before(since) {
			continue
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("releases file %s:%d: %w", s.Path, line, err)
	}
	return nil
}
