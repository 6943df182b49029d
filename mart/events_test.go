package mart

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"marquee/internal/catalog"
	"marquee/lake"
)

// Test input: activity events written as Parquet with the DESIGN.md §5a
// schema, in two physical layouts the engine must read alike.

// evRowDict is the layout the export-parquet job writes: required columns,
// dictionary-encoded strings.
type evRowDict struct {
	TS          time.Time `parquet:"ts,timestamp(microsecond)"`
	UserID      int64     `parquet:"user_id"`
	AgeGroup    string    `parquet:"age_group,dict"`
	Gender      string    `parquet:"gender,dict"`
	Event       string    `parquet:"event,dict"`
	ItemID      string    `parquet:"item_id,dict"`
	Keyword     string    `parquet:"keyword,dict"`
	ResultCount int32     `parquet:"result_count"`
	SessionID   string    `parquet:"session_id,dict"`
	Platform    string    `parquet:"platform,dict"`
}

// evRowOpt has optional (nullable) columns and plain-encoded strings.
type evRowOpt struct {
	TS          time.Time `parquet:"ts,timestamp(microsecond)"`
	UserID      int64     `parquet:"user_id"`
	AgeGroup    *string   `parquet:"age_group,optional"`
	Gender      string    `parquet:"gender"`
	Event       string    `parquet:"event"`
	ItemID      *string   `parquet:"item_id,optional"`
	Keyword     *string   `parquet:"keyword,optional"`
	ResultCount *int32    `parquet:"result_count,optional"`
	SessionID   string    `parquet:"session_id"`
	Platform    string    `parquet:"platform"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

var kwSamples = []string{
	"뮤지컬", " 뮤지컬 ", "뮤지컬  레미제라블", "뮤지컬\u3000레미제라블", "BTS 콘서트", "bts   콘서트",
	"Bts 콘서트 ", "\u1100\u1161\u11a8", "각", "전시회", "Exhibition", "EXHIBITION", "   ", "영화 개봉",
	"오페라의 유령", "오페라의  유령", "야구", "축구 K리그", "축구 k리그", "연극", "IU", "iu",
}

var testAges = []string{"10s", "20s", "30s", "40s", "50s", "60s+"}

// genEvents makes n seeded events on day d (in loc): a few hundred items
// with skewed popularity, sessions mixing searches and clicks, and some
// malformed rows (unknown event, missing item or keyword).
func genEvents(seed uint64, d catalog.Date, loc *time.Location, n, users, items int, bigUsers bool) []catalog.Event {
	r := rand.New(rand.NewPCG(seed, uint64(d.Day)))
	start := d.Time(loc)
	out := make([]catalog.Event, 0, n)
	for len(out) < n {
		u := int64(r.IntN(users)) + 1
		if bigUsers && u%97 == 0 {
			u += 1 << 40 // a few ids beyond the packed width
		}
		age := testAges[u%int64(len(testAges))]
		if u%31 == 0 {
			age = ""
		}
		sess := fmt.Sprintf("s-%d-%d-%d", d.Day, u, r.IntN(3))
		ts := start.Add(time.Duration(r.Int64N(int64(24*time.Hour))) / time.Microsecond * time.Microsecond)
		burst := 1 + r.IntN(6)
		for j := 0; j < burst && len(out) < n; j++ {
			ts = ts.Add(time.Duration(r.IntN(600)) * time.Second)
			if ts.After(start.Add(24*time.Hour - time.Microsecond)) {
				ts = start.Add(24*time.Hour - time.Microsecond)
			}
			e := catalog.Event{TS: ts.UTC(), UserID: u, AgeGroup: age, Gender: []string{"f", "m"}[u%2], SessionID: sess, Platform: "ios"}
			// Zipf-ish item popularity: low ids far more often.
			item := fmt.Sprintf("item-%04d", int(float64(items)*r.Float64()*r.Float64()*r.Float64()))
			switch p := r.IntN(100); {
			case p < 55:
				e.Event, e.ItemID = catalog.EventView, item
			case p < 70:
				e.Event, e.ItemID = catalog.EventClick, item
			case p < 85:
				e.Event = catalog.EventSearch
				e.Keyword = kwSamples[r.IntN(len(kwSamples))]
				e.ResultCount = int32(r.IntN(4)) * int32(r.IntN(20))
			case p < 92:
				e.Event, e.ItemID = catalog.EventLike, item
			case p < 97:
				e.Event, e.ItemID = catalog.EventBook, item
			case p < 98:
				e.Event, e.ItemID = "share", item // unknown type
			case p < 99:
				e.Event = catalog.EventView // no item
			default:
				e.Event = catalog.EventSearch // no keyword
			}
			out = append(out, e)
		}
	}
	return out
}

// writeEvents commits events as parquet/events/dt=d in files of perFile
// rows and row groups of perGroup rows, in layout "dict", "opt" or "lake"
// (lake.EventsWriter, what export-parquet writes).
func writeEvents(t testing.TB, s lake.Store, d catalog.Date, evs []catalog.Event, layout string, perFile, perGroup int) {
	t.Helper()
	writeEventsAt(t, s, d, evs, layout, perFile, perGroup, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

// writeEventsAt is writeEvents with the manifest's commit time.
func writeEventsAt(t testing.TB, s lake.Store, d catalog.Date, evs []catalog.Event, layout string, perFile, perGroup int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return at }
	pw := lake.NewPartitionWriter(s, lake.PartitionPath(lake.ZoneParquetEvents, d), "export-parquet", "test", now)
	if layout == "lake" { // the export-parquet job's own writer
		w := lake.NewEventsWriter(ctx, pw, lake.ParquetOptions{RowGroupRows: int64(perGroup)})
		rows := make([]lake.EventRow, len(evs))
		for i := range evs {
			rows[i] = lake.EventRowOf(&evs[i])
		}
		if err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	for lo := 0; lo < len(evs); lo += perFile {
		chunk := evs[lo:min(lo+perFile, len(evs))]
		name := pw.NextName("part", ".parquet")
		ow, err := pw.Create(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		opts := []parquet.WriterOption{parquet.MaxRowsPerRowGroup(int64(perGroup)), parquet.PageBufferSize(4 << 10)}
		switch layout {
		case "dict":
			w := parquet.NewGenericWriter[evRowDict](ow, opts...)
			rows := make([]evRowDict, len(chunk))
			for i, e := range chunk {
				rows[i] = evRowDict{e.TS, e.UserID, e.AgeGroup, e.Gender, e.Event, e.ItemID, e.Keyword, e.ResultCount, e.SessionID, e.Platform}
			}
			if _, err := w.Write(rows); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		case "opt":
			w := parquet.NewGenericWriter[evRowOpt](ow, opts...)
			rows := make([]evRowOpt, len(chunk))
			for i, e := range chunk {
				var rc *int32
				if e.Event == catalog.EventSearch {
					v := e.ResultCount
					rc = &v
				}
				rows[i] = evRowOpt{e.TS, e.UserID, strOrNil(e.AgeGroup), e.Gender, e.Event, strOrNil(e.ItemID), strOrNil(e.Keyword), rc, e.SessionID, e.Platform}
			}
			if _, err := w.Write(rows); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("layout %q", layout)
		}
		if err := ow.Close(); err != nil {
			t.Fatal(err)
		}
		pw.Add(lake.FileEntry{Name: name, Rows: int64(len(chunk))})
	}
	if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
}
