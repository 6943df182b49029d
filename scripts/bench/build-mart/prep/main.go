// Command prep builds the build-mart benchmark's input: N seeded events
// (lake/export/gen, the same generator as the export-parquet benchmark)
// over D days, exported to parquet/events/dt=D by the export-parquet job
// itself, so the benchmark reads exactly the files production writes.
//
//	go run ./scripts/bench/build-mart/prep -n 10000000 -days 7 -end 2026-11-22 -lake .bench/build-mart/lake
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
	"marquee/lake/export"
	"marquee/lake/export/gen"
)

func main() {
	cfg := gen.Default()
	var dir, end string
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "PRNG seed")
	flag.Int64Var(&cfg.Events, "n", cfg.Events, "number of events")
	flag.IntVar(&cfg.Days, "days", cfg.Days, "days of event time ending with -end")
	flag.StringVar(&end, "end", cfg.End.String(), "last event date (Asia/Seoul)")
	flag.IntVar(&cfg.Items, "items", cfg.Items, "distinct items")
	flag.IntVar(&cfg.Users, "users", cfg.Users, "distinct users")
	flag.StringVar(&dir, "lake", ".bench/build-mart/lake", "lake directory to write")
	genres := flag.String("genres", "", "instead: write item genres of the generated items (JSONL releases) to this file")
	flag.Parse()
	if *genres != "" {
		if err := writeGenres(*genres, cfg.Items); err != nil {
			fmt.Fprintln(os.Stderr, "prep:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(cfg, end, dir); err != nil {
		fmt.Fprintln(os.Stderr, "prep:", err)
		os.Exit(1)
	}
}

func run(cfg gen.Config, end, dir string) error {
	d, err := catalog.ParseDate(end)
	if err != nil {
		return err
	}
	cfg.End = d
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := filepath.Join(filepath.Dir(filepath.Clean(dir)), "events.jsonl")
	f, err := os.Create(src)
	if err != nil {
		return err
	}
	if err := gen.Write(f, cfg); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	defer func() { _ = os.Remove(src) }()
	store, err := lake.NewLocalStore(dir)
	if err != nil {
		return err
	}
	env := &job.Env{
		Job: export.JobName, Date: d, Loc: cfg.Loc, RunID: job.NewRunID(time.Now()),
		Now: time.Now, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Progress: job.NoProgress,
	}
	sum, err := export.Run(context.Background(), env,
		export.Options{Dataset: export.DatasetEvents, Input: src, LateDays: cfg.Days, MaxRejects: -1},
		export.Deps{Lake: store})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "prep: %d events read, %d written to %d partitions\n", sum.Read, sum.Written, len(sum.Outputs))
	return nil
}

// writeGenres writes {"id","genres"} lines for the generated items: two
// genres each, every 13th item none.
func writeGenres(path string, items int) error {
	names := []string{"뮤지컬", "콘서트", "드라마", "액션", "전시", "코미디", "스릴러"}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i := 0; i < items; i++ {
		if i%13 == 0 {
			continue
		}
		b, err := json.Marshal(map[string]any{"id": gen.ItemID(i), "genres": []string{names[i%7], names[(i/7)%7]}})
		if err != nil {
			return err
		}
		_, _ = w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
