package lake

import (
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress"
	pqzstd "github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// zstdPages is the zstd codec of the lake's Parquet files: level 3 (zstd's
// default, DuckDB's too), single-threaded encoders with a 1 MiB window.
// Pages are at most about 1 MiB, so a larger window (parquet-go's codec
// keeps zstd's 8 MiB) only costs memory: 2 MiB instead of 16 MiB of
// history per encoder. Frames are standard zstd.
type zstdPages struct {
	pool sync.Pool
	dec  pqzstd.Codec
}

var _ compress.Codec = (*zstdPages)(nil)

func (c *zstdPages) String() string { return "ZSTD" }

func (c *zstdPages) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *zstdPages) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.pool.Get().(*zstd.Encoder)
	if e == nil {
		var err error
		e, err = zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithWindowSize(1<<20),
			zstd.WithZeroFrames(true),
			zstd.WithEncoderCRC(false),
		)
		if err != nil {
			return nil, err
		}
	}
	defer c.pool.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}

func (c *zstdPages) Decode(dst, src []byte) ([]byte, error) { return c.dec.Decode(dst, src) }
