package mongo

import (
	"bytes"
	"math"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"marquee/internal/catalog"
)

// TestAppendReleaseDoc_SameBytesAsDriver: the inserts' hand-built BSON is
// what the driver makes of toReleaseDoc, for full, empty and odd releases.
func TestAppendReleaseDoc_SameBytesAsDriver(t *testing.T) {
	full := sampleRelease(1)
	full.Poster = &catalog.Poster{URL: "https://img/x.jpg", Object: "posters/ab/x.jpg", SHA256: "ab", ContentType: "image/jpeg",
		Width: 640, Height: 1 << 40, Bytes: 12345}
	full.Artists, full.Platforms = []string{}, []string{"CGV", "롯데시네마"}
	full.ReleaseDate = catalog.Date{Year: 2026, Month: 12, Day: 24}
	long := sampleRelease(2)
	long.Runtime = math.MaxInt32 + 1
	long.Prices = []catalog.Price{}
	long.Poster = &catalog.Poster{URL: "https://img/y.jpg"}
	for i := 0; i < 70; i++ {
		long.Cast = append(long.Cast, string(rune('가'+i)))
	}
	seoul := time.FixedZone("KST", 9*3600)
	zoned := sampleRelease(3)
	zoned.FirstSeen = time.Date(2026, 11, 22, 9, 30, 0, 123456789, seoul)
	zoned.LastSeen = time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC)
	zoned.UpdatedAt = time.Time{}
	for name, r := range map[string]*catalog.Release{
		"full": full, "long lists and a big runtime": long, "zones and odd times": zoned,
		"empty": {}, "only an id": {ID: "x", Kind: catalog.KindMovie, Runtime: -3},
	} {
		want, err := bson.Marshal(toReleaseDoc(r))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendReleaseDoc(nil, r); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", name, bson.Raw(got), bson.Raw(want))
		}
	}
}

func BenchmarkReleaseDoc(b *testing.B) {
	r := sampleRelease(1)
	b.Run("driver", func(b *testing.B) {
		for b.Loop() {
			if _, err := bson.Marshal(toReleaseDoc(r)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf = appendReleaseDoc(buf[:0], r)
		}
	})
}
