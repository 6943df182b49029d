// Command gen-events writes synthetic activity events (DESIGN.md §5a) as
// JSONL to stdout or -o FILE, seeded: the same flags write the same bytes.
//
//	go run ./scripts/bench/gen-events -n 10000000 -days 7 -end 2026-11-22 -o events.jsonl
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"marquee/internal/catalog"
	"marquee/lake/export/gen"
)

func main() {
	cfg := gen.Default()
	var out, end string
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "PRNG seed")
	flag.Int64Var(&cfg.Events, "n", cfg.Events, "number of events")
	flag.IntVar(&cfg.Days, "days", cfg.Days, "days of event time ending with -end")
	flag.StringVar(&end, "end", cfg.End.String(), "last event date (Asia/Seoul)")
	flag.IntVar(&cfg.Items, "items", cfg.Items, "distinct items")
	flag.IntVar(&cfg.Users, "users", cfg.Users, "distinct users")
	flag.Int64Var(&cfg.BadEvery, "bad-every", 0, "make every Nth line malformed (0: none)")
	flag.Int64Var(&cfg.LateEvery, "late-every", 0, "make every Nth event 1-3 days late (0: none)")
	flag.StringVar(&out, "o", "-", "output file (- for stdout)")
	flag.Parse()
	d, err := catalog.ParseDate(end)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-events: -end:", err)
		os.Exit(2)
	}
	cfg.End = d
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen-events:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	if err := gen.Write(w, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gen-events:", err)
		os.Exit(1)
	}
}
