package lake

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"marquee/internal/catalog"
)

func TestSimilarParquetRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, err := NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := catalog.Date{Year: 2026, Month: time.November, Day: 26}
	dir := SimilarPartition(d)
	if dir != "mart/similar/dt=2026-11-26" {
		t.Fatalf("partition %q", dir)
	}
	if err := ReadSimilarParquet(ctx, st, dir, func([]SimilarRow) error { return nil }); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("uncommitted partition: %v", err)
	}
	now := func() time.Time { return d.Time(time.UTC) }
	pw := NewPartitionWriter(st, dir, "compute-similar", "run1", now)
	w := NewSimilarWriter(ctx, pw, ParquetOptions{RowGroupRows: 2})
	want := []SimilarRow{
		{ItemID: "a", Rank: 1, SimilarID: "b", Score: 0.9},
		{ItemID: "a", Rank: 2, SimilarID: "레미제라블-부산", Score: 0.5},
		{ItemID: "b", Rank: 1, SimilarID: "a", Score: 0.9},
	}
	if err := w.Write(want); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(ctx, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []SimilarRow
	if err := ReadSimilarParquet(ctx, st, dir, func(rows []SimilarRow) error {
		got = append(got, rows...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
