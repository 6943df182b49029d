package mart

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"marquee/internal/job"
	"marquee/lake"
	"marquee/lake/gcs/gcstest"
)

// TestRunOnGCSLake reads events from and writes marts to the GCS emulator:
// objects are not local files, so the engine reads them into memory.
func TestRunOnGCSLake(t *testing.T) {
	ctx := context.Background()
	s := gcstest.NewStore(t, "lake")
	loc, _ := time.LoadLocation("Asia/Seoul")
	d := day("2026-11-20")
	evs := genEvents(3, d, loc, 3000, 300, 100, false)
	writeEvents(t, s, d, evs, "lake", 0, 1000)
	sum, err := Run(ctx, job.TestEnv(JobName, d), Options{Marts: []string{PopularDaily, SearchKeywordsDaily}, Top: 5}, Deps{Lake: s})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Outputs) != 2 {
		t.Errorf("outputs %v", sum.Outputs)
	}
	diffRows(t, "popular_daily", readMart(t, s, PopularDaily, d, func(p popularPq) PopularRow {
		return PopularRow{fromDays(p.DT), p.Rank, p.ItemID, p.Views, p.Viewers}
	}), refPopular(evs, d, 5))
	diffRows(t, "search_keywords_daily", readMart(t, s, SearchKeywordsDaily, d, func(p keywordPq) KeywordRow {
		return KeywordRow{fromDays(p.DT), p.Keyword, p.Searches, p.Users, p.ZeroResultRate, p.CTR}
	}), refKeywords(evs, d, 5))
}

// cancelOnMart cancels the run when the first mart file is created.
type cancelOnMart struct {
	lake.Store
	cancel context.CancelFunc
}

func (c cancelOnMart) Create(ctx context.Context, key string) (lake.ObjectWriter, error) {
	if strings.HasPrefix(key, lake.ZoneMart+"/") {
		c.cancel()
	}
	return c.Store.Create(ctx, key)
}

func TestCancelledRunCommitsNothing(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Seoul")
	local, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := day("2026-11-20")
	writeEvents(t, local, d, genEvents(3, d, loc, 2000, 300, 100, false), "lake", 0, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = Run(ctx, job.TestEnv(JobName, d), Options{Marts: []string{PopularDaily}}, Deps{Lake: cancelOnMart{local, cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	objs, err := local.List(context.Background(), lake.ZoneMart+"/")
	if err != nil || len(objs) != 0 {
		t.Errorf("after a cancelled run mart/ holds %v (%v), want nothing", objs, err)
	}
}
