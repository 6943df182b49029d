package mart

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"marquee/internal/catalog"
	"marquee/lake"
)

// Parquet row layouts of the marts (DESIGN.md §5a column names and order).
// dt is a Parquet DATE (days since 1970-01-01).

type popularPq struct {
	DT      int32  `parquet:"dt,date"`
	Rank    int32  `parquet:"rank"`
	ItemID  string `parquet:"item_id"`
	Views   int64  `parquet:"views"`
	Viewers int64  `parquet:"viewers"`
}

type ageRankPq struct {
	DT       int32  `parquet:"dt,date"`
	AgeGroup string `parquet:"age_group,dict"`
	Rank     int32  `parquet:"rank"`
	ItemID   string `parquet:"item_id"`
	Views    int64  `parquet:"views"`
	Viewers  int64  `parquet:"viewers"`
}

type keywordPq struct {
	DT             int32   `parquet:"dt,date"`
	Keyword        string  `parquet:"keyword"`
	Searches       int64   `parquet:"searches"`
	Users          int64   `parquet:"users"`
	ZeroResultRate float64 `parquet:"zero_result_rate"`
	CTR            float64 `parquet:"ctr"`
}

type genrePq struct {
	UserID int64   `parquet:"user_id"`
	Genre  string  `parquet:"genre,dict"`
	Score  float64 `parquet:"score"`
}

type itemStatPq struct {
	ItemID string `parquet:"item_id"`
	Views  int64  `parquet:"views"`
	Clicks int64  `parquet:"clicks"`
	Likes  int64  `parquet:"likes"`
	Books  int64  `parquet:"books"`
}

func epochDays(d catalog.Date) int32 {
	return int32(daysBetween(catalog.Date{Year: 1970, Month: 1, Day: 1}, d))
}

func toPq[T, P any](rows []T, f func(T) P) []P {
	out := make([]P, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// martRows is a built mart partition, ready to write.
type martRows struct {
	name string
	date catalog.Date
	n    int
	// write encodes the rows as one Parquet file.
	write func(w io.Writer) error
}

func writeParquet[P any](rows []P) func(io.Writer) error {
	return func(w io.Writer) error {
		pw := parquet.NewGenericWriter[P](w, parquet.Compression(&parquet.Zstd))
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	}
}

func popularPart(d catalog.Date, rows []PopularRow) martRows {
	return martRows{name: PopularDaily, date: d, n: len(rows), write: writeParquet(toPq(rows, func(r PopularRow) popularPq {
		return popularPq{epochDays(r.Date), r.Rank, r.ItemID, r.Views, r.Viewers}
	}))}
}

func ageRankPart(d catalog.Date, rows []AgeRankRow) martRows {
	return martRows{name: RankingAgeDaily, date: d, n: len(rows), write: writeParquet(toPq(rows, func(r AgeRankRow) ageRankPq {
		return ageRankPq{epochDays(r.Date), r.AgeGroup, r.Rank, r.ItemID, r.Views, r.Viewers}
	}))}
}

func keywordPart(d catalog.Date, rows []KeywordRow) martRows {
	return martRows{name: SearchKeywordsDaily, date: d, n: len(rows), write: writeParquet(toPq(rows, func(r KeywordRow) keywordPq {
		return keywordPq{epochDays(r.Date), r.Keyword, r.Searches, r.Users, r.ZeroResultRate, r.CTR}
	}))}
}

func genrePart(d catalog.Date, rows []GenreRow) martRows {
	return martRows{name: GenrePreference, date: d, n: len(rows), write: writeParquet(toPq(rows, func(r GenreRow) genrePq {
		return genrePq(r)
	}))}
}

func itemStatPart(d catalog.Date, rows []ItemStatRow) martRows {
	return martRows{name: ItemStats, date: d, n: len(rows), write: writeParquet(toPq(rows, func(r ItemStatRow) itemStatPq {
		return itemStatPq(r)
	}))}
}

// MartPartition is the lake partition of mart name for day d.
func MartPartition(name string, d catalog.Date) string {
	return lake.PartitionPath(lake.ZoneMart+"/"+name, d)
}

// commitMart writes m as one file of its partition and commits the
// partition's manifest; on error nothing new is visible.
func commitMart(ctx context.Context, s lake.Store, m martRows, job, runID string, now func() time.Time) (*lake.Manifest, error) {
	dir := MartPartition(m.name, m.date)
	pw := lake.NewPartitionWriter(s, dir, job, runID, now)
	name := pw.NextName("part", ".parquet")
	ow, err := pw.Create(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	cw := &countWriter{w: ow}
	if err := m.write(cw); err != nil {
		_ = ow.Abort()
		_ = pw.Abort(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	if err := ow.Close(); err != nil {
		_ = pw.Abort(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	pw.Add(lake.FileEntry{Name: name, Rows: int64(m.n), Bytes: cw.n})
	if err := ctx.Err(); err != nil {
		_ = pw.Abort(context.WithoutCancel(ctx))
		return nil, err
	}
	man, err := pw.Commit(ctx, lake.CommitOptions{Meta: map[string]string{"mart": m.name}})
	if err != nil && man == nil {
		_ = pw.Abort(context.WithoutCancel(ctx))
		return nil, err
	}
	return man, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// readParquetRows reads every row of the files a partition's manifest lists.
func readParquetRows[P any](ctx context.Context, s lake.Store, dir string) ([]P, error) {
	m, err := lake.ReadManifest(ctx, s, dir)
	if err != nil {
		return nil, err
	}
	var out []P
	for _, key := range m.Keys() {
		b, err := lake.ReadAll(ctx, s, key)
		if err != nil {
			return nil, err
		}
		rows, err := parquet.Read[P](bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, rows...)
	}
	return out, nil
}
