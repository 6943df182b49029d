package mart

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

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

func TestBadEventsFilesFailNamingTheFile(t *testing.T) {
	ctx := context.Background()
	d := day("2026-11-20")
	type wrongRow struct {
		TS     int64  `parquet:"ts"`
		UserID string `parquet:"user_id"` // should be INT64
	}
	type missingRow struct {
		TS     int64 `parquet:"ts"`
		UserID int64 `parquet:"user_id"`
	}
	cases := []struct {
		name  string
		write func(w io.Writer) error
		want  string
	}{
		{"not parquet", func(w io.Writer) error { _, err := w.Write([]byte("{\"ts\":1}\n")); return err }, "not a readable Parquet file"},
		{"wrong column type", func(w io.Writer) error {
			pw := parquet.NewGenericWriter[wrongRow](w)
			if _, err := pw.Write([]wrongRow{{1, "u"}}); err != nil {
				return err
			}
			return pw.Close()
		}, `column "user_id" is BYTE_ARRAY, want INT64`},
		{"missing column", func(w io.Writer) error {
			pw := parquet.NewGenericWriter[missingRow](w)
			if _, err := pw.Write([]missingRow{{1, 2}}); err != nil {
				return err
			}
			return pw.Close()
		}, `no column "age_group"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := lake.NewLocalStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			pw := lake.NewPartitionWriter(s, lake.EventsPartition(d), "export-parquet", "test", time.Now)
			ow, err := pw.Create(ctx, "part-bad.parquet")
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.write(ow); err != nil {
				t.Fatal(err)
			}
			if err := ow.Close(); err != nil {
				t.Fatal(err)
			}
			pw.Add(lake.FileEntry{Name: "part-bad.parquet", Rows: 1})
			if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
				t.Fatal(err)
			}
			_, err = Run(ctx, job.TestEnv(JobName, d), Options{Marts: []string{PopularDaily}}, Deps{Lake: s})
			if err == nil || !strings.Contains(err.Error(), "part-bad.parquet") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming part-bad.parquet and %q", err, tc.want)
			}
		})
	}
}
