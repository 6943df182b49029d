package mart

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// JSONLGenres is ItemGenres read from a JSON-lines file of releases (one
// catalog.Release object a line; only "id" and "genres" are used), plain
// or gzip-compressed (.gz). Blank lines are skipped; a malformed line is an
// error naming the file and line.
type JSONLGenres struct {
	Path string
}

// Genres implements ItemGenres.
func (j JSONLGenres) Genres(ctx context.Context) (map[string][]string, error) {
	f, err := os.Open(j.Path)
	if err != nil {
		return nil, fmt.Errorf("item genres: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(j.Path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("item genres: %s: %w", j.Path, err)
		}
		defer func() { _ = gz.Close() }()
		r = gz
	}
	out := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if line%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var rel struct {
			ID     string   `json:"id"`
			Genres []string `json:"genres"`
		}
		if err := json.Unmarshal(b, &rel); err != nil {
			return nil, fmt.Errorf("item genres: %s:%d: %w", j.Path, line, err)
		}
		if rel.ID != "" && len(rel.Genres) > 0 {
			out[rel.ID] = rel.Genres
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("item genres: %s:%d: %w", j.Path, line+1, err)
	}
	return out, nil
}

// StaticGenres is ItemGenres from a map (tests, small fixtures).
type StaticGenres map[string][]string

// Genres implements ItemGenres.
func (s StaticGenres) Genres(context.Context) (map[string][]string, error) { return s, nil }

var (
	_ ItemGenres = JSONLGenres{}
	_ ItemGenres = StaticGenres(nil)
	_ ItemGenres = ReleaseGenres{}
)
