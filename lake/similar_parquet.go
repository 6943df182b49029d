package lake

import (
	"context"

	"github.com/parquet-go/parquet-go"

	"marquee/internal/catalog"
)

// SimilarMart is the mart name compute-similar writes (mart/similar/dt=D).
const SimilarMart = "similar"

// SimilarRow is one row of the similar mart (DESIGN.md §5a): for item_id,
// its rank-th most similar release similar_id with cosine score. Rank starts
// at 1: score descending, then similar_id ascending. Rows are written in
// item_id, rank order.
type SimilarRow struct {
	ItemID    string  `parquet:"item_id"`
	Rank      int32   `parquet:"rank"`
	SimilarID string  `parquet:"similar_id"`
	Score     float64 `parquet:"score"`
}

// SimilarSchema is the Parquet schema of the similar mart.
var SimilarSchema = parquet.NewSchema("similar", parquet.SchemaOf(SimilarRow{}))

// SimilarPartition is the similar mart partition of day d.
func SimilarPartition(d catalog.Date) string {
	return PartitionPath(ZoneMart+"/"+SimilarMart, d)
}

// SimilarWriter writes SimilarRow Parquet part files into one partition.
// It is not safe for concurrent use; Close, then commit the PartitionWriter.
type SimilarWriter struct{ p *partWriter[SimilarRow] }

// NewSimilarWriter returns a similar-mart writer into pw.
func NewSimilarWriter(ctx context.Context, pw *PartitionWriter, opts ParquetOptions) *SimilarWriter {
	return &SimilarWriter{p: newPartWriter[SimilarRow](ctx, pw, SimilarSchema, opts)}
}

// Write appends rows in order. The writer keeps the rows' strings until
// Close, so they must not point into reused buffers.
func (w *SimilarWriter) Write(rows []SimilarRow) error { return w.p.Write(rows) }

// Rows is how many rows were written.
func (w *SimilarWriter) Rows() int64 { return w.p.Rows() }

// Close finishes the current file and adds it to the partition writer.
func (w *SimilarWriter) Close() error { return w.p.Close() }

// Abort discards the file being written.
func (w *SimilarWriter) Abort() { w.p.Abort() }

// ReadSimilarParquet calls fn with batches of the rows of similar partition
// dir, reading only the files its manifest lists. The slice is reused after
// fn returns. A partition never committed is catalog.ErrNotFound.
func ReadSimilarParquet(ctx context.Context, s Store, dir string, fn func(rows []SimilarRow) error) error {
	return readParquetRows(ctx, s, dir, 4096, func(_ string, rows []SimilarRow) error { return fn(rows) })
}
