package mongo_test

import (
	"context"
	"testing"
	"time"

	"marquee/internal/job"
	"marquee/internal/mongo"
)

func TestRunStoreRecordsAndLists(t *testing.T) {
	c, database := connect(t)
	db := database.Name()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	rs := mongo.NewRunStore(c, db, func() time.Time { return now })

	for i, r := range []*job.Summary{
		{Job: "crawl", Date: "2026-11-26", RunID: "20261126T010000-aaaa", Status: "ok", Read: 5, Outputs: []string{"x"}},
		{Job: "crawl", Date: "2026-11-26", RunID: "20261126T020000-bbbb", Status: "failed", Error: "boom", Outputs: []string{}},
		{Job: "load-mongo", Date: "2026-11-26", RunID: "20261126T030000-cccc", Status: "ok", Written: 7, Outputs: []string{}},
	} {
		if err := rs.RecordRun(ctx, r); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	// Recording the same run twice is an upsert, not a duplicate.
	if err := rs.RecordRun(ctx, &job.Summary{Job: "crawl", Date: "2026-11-26", RunID: "20261126T010000-aaaa", Status: "ok", Read: 6, Outputs: []string{}}); err != nil {
		t.Fatal(err)
	}
	all, err := rs.ListRuns(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].RunID != "20261126T030000-cccc" {
		t.Fatalf("runs = %+v, want 3 newest first", all)
	}
	crawl, err := rs.ListRuns(ctx, "crawl", "2026-11-26", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(crawl) != 2 || crawl[1].Read != 6 || crawl[0].Error != "boom" {
		t.Fatalf("crawl runs = %+v", crawl)
	}
}
