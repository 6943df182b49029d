// Command prep builds the build-mart benchmark's input: N seeded events
// (lake/export/gen, the same generator as the export-parquet benchmark)
// over D days, exported to parquet/events/dt=D by the export-parquet job
// itself, so the benchmark reads exactly the files production writes.
//
//	go run ./scripts/bench/build-mart/prep -n 10000000 -days 7 -end 2026-11-22 -lake .bench/build-mart/lake
package main

import (
	"context"
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
	flag.Parse()
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
