package lake

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestEventsSchemaGolden(t *testing.T) {
	golden(t, "events_schema.golden", EventsSchema.String()+"\n")
}

func sampleEvents(n int) []EventRow {
	base := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).UnixMicro()
	ages := []string{"10s", "20s", "30s", "40s", "50s", "60s+"}
	rows := make([]EventRow, n)
	for i := range rows {
		r := EventRow{
			TS: base + int64(i)*1_000_123, UserID: int64(1000 + i%97), AgeGroup: ages[i%6],
			Gender: []string{"F", "M"}[i%2], Event: catalog.EventTypes[i%5],
			SessionID: fmt.Sprintf("s-%d", i/10), Platform: "ios",
		}
		if r.Event == catalog.EventSearch {
			r.Keyword = []string{"뮤지컬", "콘서트 서울", "Frozen"}[i%3]
			rc := int32(i % 4)
			r.ResultCount = &rc
		} else {
			r.ItemID = fmt.Sprintf("item-%03d", i%50)
		}
		rows[i] = r
	}
	return rows
}

func writeEventsPartition(t *testing.T, s Store, d catalog.Date, runID string, rows []EventRow, opts ParquetOptions) *Manifest {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC) }
	pw := NewPartitionWriter(s, EventsPartition(d), "export-parquet", runID, now)
	w := NewEventsWriter(ctx, pw, opts)
	if err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := pw.Commit(ctx, CommitOptions{Batch: d.String()})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEventsParquetRoundTrip(t *testing.T) {
	s, err := NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := catalog.Date{Year: 2026, Month: 11, Day: 20}
	rows := sampleEvents(5000)
	m := writeEventsPartition(t, s, d, "run1", rows, ParquetOptions{RowGroupRows: 1000, TargetFileBytes: 1})

	t.Run("rolls files at the target size, one row group each", func(t *testing.T) {
		if len(m.Files) != 5 || m.Rows() != 5000 {
			t.Fatalf("files=%d rows=%d, want 5 files of 1000", len(m.Files), m.Rows())
		}
	})
	t.Run("reads back every row as written", func(t *testing.T) {
		var got []EventRow
		err := ReadEventsParquet(context.Background(), s, EventsPartition(d), func(b []EventRow) error {
			for _, r := range b {
				if r.ResultCount != nil {
					v := *r.ResultCount
					r.ResultCount = &v
				}
				got = append(got, r)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) {
			t.Fatalf("read %d rows, want %d", len(got), len(rows))
		}
		for i := range rows {
			a, b := rows[i].Domain(), got[i].Domain()
			if a != b || (rows[i].ResultCount == nil) != (got[i].ResultCount == nil) {
				t.Fatalf("row %d: got %+v want %+v", i, b, a)
			}
		}
	})
	t.Run("DuckDB reads the same rows, types and nulls", func(t *testing.T) {
		glob := filepath.Join(s.URI(), EventsPartition(d), "*.parquet")
		res := duckdbQuery(t, fmt.Sprintf(`SELECT count(*) AS n, sum(user_id) AS su, sum(result_count) AS src,
			count(item_id) AS items, count(keyword) AS kws, count(result_count) AS rcs,
			min(epoch_us(ts)) AS mints, max(epoch_us(ts)) AS maxts,
			any_value(typeof(ts)) AS tstype, any_value(typeof(result_count)) AS rctype,
			count(*) FILTER (WHERE keyword = '콘서트 서울') AS korean
			FROM read_parquet('%s')`, glob))
		var su, src, items, kws int64
		var korean int64
		for _, r := range rows {
			su += r.UserID
			if r.ResultCount != nil {
				src += int64(*r.ResultCount)
			}
			if r.ItemID != "" {
				items++
			}
			if r.Keyword != "" {
				kws++
			}
			if r.Keyword == "콘서트 서울" {
				korean++
			}
		}
		want := map[string]string{
			"n": "5000", "su": fmt.Sprint(su), "src": fmt.Sprint(src), "items": fmt.Sprint(items),
			"kws": fmt.Sprint(kws), "rcs": fmt.Sprint(kws),
			"mints": fmt.Sprint(rows[0].TS), "maxts": fmt.Sprint(rows[len(rows)-1].TS),
			"tstype": "TIMESTAMP WITH TIME ZONE", "rctype": "INTEGER", "korean": fmt.Sprint(korean),
		}
		for k, v := range want {
			if got := fmt.Sprint(res[0][k]); got != v {
				t.Errorf("%s = %s, want %s", k, got, v)
			}
		}
	})
	t.Run("same rows write byte-identical files", func(t *testing.T) {
		s2, _ := NewLocalStore(t.TempDir())
		m2 := writeEventsPartition(t, s2, d, "run1", rows, ParquetOptions{RowGroupRows: 1000, TargetFileBytes: 1})
		for i, f := range m.Files {
			a, _ := ReadAll(context.Background(), s, m.Partition+"/"+f.Name)
			b, _ := ReadAll(context.Background(), s2, m2.Partition+"/"+m2.Files[i].Name)
			if string(a) != string(b) || !strings.HasSuffix(f.Name, ".parquet") {
				t.Fatalf("file %s differs between identical writes", f.Name)
			}
		}
	})
}

func TestReleasesSchemaGolden(t *testing.T) {
	golden(t, "releases_schema.golden", ReleasesSchema.String()+"\n")
}

// TestOptionalNullsExact guards against parquet-go v0.32.0 writing some
// nulls of optional non-pointer fields as empty values: the pattern
// null, set, null×62 inside one 64-row word triggered it. DuckDB counts the
// nulls independently.
func TestOptionalNullsExact(t *testing.T) {
	s, err := NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := catalog.Date{Year: 2026, Month: 11, Day: 20}
	var rows []EventRow
	var items, keywords int
	add := func(search bool) {
		r := EventRow{TS: int64(len(rows)), UserID: 1, AgeGroup: "20s", Gender: "F", Event: "view", SessionID: "s", Platform: "ios"}
		if search {
			rc := int32(0)
			r.Event, r.Keyword, r.ResultCount = "search", "k", &rc
			keywords++
		} else {
			r.ItemID = "i"
			items++
		}
		rows = append(rows, r)
	}
	for w := 0; w < 40; w++ { // the trigger, then pseudo-random words
		for i := 0; i < 64; i++ {
			add(i != 1 && (w == 0 || (i*7+w*13)%(w%5+2) != 0))
		}
	}
	writeEventsPartition(t, s, d, "run1", rows, ParquetOptions{})
	glob := filepath.Join(s.URI(), EventsPartition(d), "*.parquet")
	res := duckdbQuery(t, fmt.Sprintf(`SELECT count(item_id) AS items, count(keyword) AS kws, count(result_count) AS rcs FROM read_parquet('%s')`, glob))
	if got := fmt.Sprint(res[0]["items"], " ", res[0]["kws"], " ", res[0]["rcs"]); got != fmt.Sprint(items, " ", keywords, " ", keywords) {
		t.Errorf("non-null item_id keyword result_count = %s, want %d %d %d", got, items, keywords, keywords)
	}
}
