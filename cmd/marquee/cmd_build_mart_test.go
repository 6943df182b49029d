package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
	"marquee/internal/testenv"
	"marquee/lake"
)

// writeTestEvents commits a small events partition per day: item-1 is
// viewed most, then item-2, ...
func writeTestEvents(t *testing.T, dir string, days ...string) {
	t.Helper()
	ctx := context.Background()
	s, err := lake.NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range days {
		d, _ := catalog.ParseDate(ds)
		pw := lake.NewPartitionWriter(s, lake.EventsPartition(d), "export-parquet", "test", time.Now)
		w := lake.NewEventsWriter(ctx, pw, lake.ParquetOptions{})
		var rows []lake.EventRow
		ts := d.Time(time.UTC).Add(3 * time.Hour)
		for i := 1; i <= 5; i++ {
			for u := 0; u < 6-i; u++ {
				e := catalog.Event{TS: ts, UserID: int64(u + 1), AgeGroup: "20s", Event: "view",
					ItemID: fmt.Sprintf("item-%d", i), SessionID: "s1", Platform: "web"}
				rows = append(rows, lake.EventRowOf(&e))
			}
		}
		e := catalog.Event{TS: ts, UserID: 1, AgeGroup: "20s", Event: "search", Keyword: " 뮤지컬 ", SessionID: "s1"}
		rows = append(rows, lake.EventRowOf(&e))
		if err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBuildMartCommand(t *testing.T) {
	t.Setenv("MARQUEE_CONFIG", "/nonexistent")
	t.Setenv("MARQUEE_MONGO_URI", "")
	dir := t.TempDir()
	lakeDir := filepath.Join(dir, "lake")
	writeTestEvents(t, lakeDir, "2026-11-20", "2026-11-21")
	run := func(args ...string) (int, map[string]any, string) {
		var out, errb bytes.Buffer
		global := []string{"--data-dir", filepath.Join(dir, "data"), "--lake", lakeDir, "--log-format", "json"}
		code := Main(append(append([]string{"build-mart"}, args...), global...), &out, &errb)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var s map[string]any
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
		return code, s, errb.String()
	}

	t.Run("a range is one run; all without genres skips genre_preference", func(t *testing.T) {
		code, s, stderr := run("--from", "2026-11-20", "--to", "2026-11-21", "--top", "3")
		if code != 0 || s["status"] != "ok" || s["date"] != "2026-11-21" {
			t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
		}
		if outs, _ := s["outputs"].([]any); len(outs) != 8 {
			t.Errorf("outputs %v, want 4 marts × 2 days", outs)
		}
		if !strings.Contains(stderr, "genre_preference skipped") {
			t.Errorf("no warning about genre_preference:\n%s", stderr)
		}
	})

	t.Run("usage errors exit 2", func(t *testing.T) {
		for _, args := range [][]string{
			{"--mart", "nope", "--date", "2026-11-20"},
			{"--window", "0d", "--date", "2026-11-20"},
			{"--weights", "share=1", "--date", "2026-11-20"},
			{"--mart", "genre_preference", "--date", "2026-11-20"},
		} {
			if code, _, _ := run(args...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})

	t.Run("no events for the date exits 99", func(t *testing.T) {
		if code, s, _ := run("--date", "2026-11-25", "--mart", "popular_daily"); code != 99 || s["status"] != "nothing_to_do" {
			t.Errorf("exit %d summary %v", code, s)
		}
	})

	t.Run("genres from a releases file", func(t *testing.T) {
		gpath := filepath.Join(dir, "releases.jsonl")
		lines := `{"id":"item-1","genres":["뮤지컬"]}` + "\n" + `{"id":"item-2","genres":["콘서트","뮤지컬"]}` + "\n"
		if err := os.WriteFile(gpath, []byte(lines), 0o644); err != nil {
			t.Fatal(err)
		}
		code, s, stderr := run("--date", "2026-11-21", "--mart", "genre_preference", "--genres", gpath, "--window", "2d")
		if code != 0 {
			t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
		}
		rows := s["details"].(map[string]any)["rows_by_mart"].(map[string]any)["genre_preference"]
		// item-1 (뮤지컬) is viewed by users 1-5, item-2 (콘서트, 뮤지컬) by users 1-4.
		if rows != float64(9) {
			t.Errorf("genre_preference rows %v, want 5 뮤지컬 + 4 콘서트", rows)
		}
	})

	t.Run("genres from the lake's parquet/releases", func(t *testing.T) {
		ctx := context.Background()
		s, err := lake.NewLocalStore(lakeDir)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := catalog.ParseDate("2026-11-21")
		pw := lake.NewPartitionWriter(s, lake.ReleasesPartition(d), "export-parquet", "test", time.Now)
		w := lake.NewReleasesWriter(ctx, pw, lake.ParquetOptions{})
		for _, r := range []catalog.Release{
			{ID: "item-1", Kind: catalog.KindPerformance, Title: "레미제라블", Genres: []string{"뮤지컬"}},
			{ID: "item-3", Kind: catalog.KindMovie, Title: "듄", Genres: []string{"SF"}},
		} {
			if err := w.Write(&r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		code, s2, stderr := run("--date", "2026-11-21", "--mart", "genre_preference", "--window", "1d")
		if code != 0 {
			t.Fatalf("exit %d summary %v\n%s", code, s2, stderr)
		}
		// item-1 (뮤지컬): users 1-5; item-3 (SF): users 1-3.
		if rows := s2["details"].(map[string]any)["rows_by_mart"].(map[string]any)["genre_preference"]; rows != float64(8) {
			t.Errorf("genre_preference rows %v, want 8", rows)
		}
	})

	t.Run("popular_daily replaces MongoDB popular", func(t *testing.T) {
		uri := testenv.MongoURI(t)
		db := fmt.Sprintf("marquee_test_build_mart_%d", time.Now().UnixNano())
		t.Setenv("MARQUEE_MONGO_URI", uri)
		code, s, stderr := run("--date", "2026-11-21", "--mart", "popular_daily", "--top", "2", "--mongo-db", db)
		if code != 0 {
			t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
		}
		ctx := context.Background()
		c, err := mongo.Connect(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = c.Database(db).Drop(ctx)
			_ = c.Close(ctx)
		}()
		d, _ := catalog.ParseDate("2026-11-21")
		got, err := mongo.NewPopularStore(c, db).Popular(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ItemID != "item-1" || got[0].Views != 5 || got[1].ItemID != "item-2" {
			t.Errorf("popular = %+v", got)
		}
		outs, _ := s["outputs"].([]any)
		if !strings.HasSuffix(fmt.Sprint(outs[len(outs)-1]), "/"+db+".popular") {
			t.Errorf("outputs %v: no popular collection", outs)
		}
	})
}
