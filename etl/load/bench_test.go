package load_test

import (
	"context"
	"testing"
	"time"

	"marquee/etl/load"
	"marquee/internal/catalog"
	"marquee/lake"
)

// nopSink stores nothing: the benchmark measures reading and normalising.
type nopSink struct{}

func (nopSink) EnsureIndexes(context.Context) error { return nil }
func (nopSink) LookupReleases(context.Context, []string) (map[string]*catalog.Release, error) {
	return nil, nil
}
func (nopSink) WriteReleaseBatch(context.Context, []*catalog.Release, []*catalog.Release, []*catalog.Release) error {
	return nil
}
func (nopSink) SetPoster(context.Context, string, catalog.Poster) error { return nil }
func (nopSink) DeleteReleases(context.Context, []string) error          { return nil }

// BenchmarkRun_ReadNormalise loads 5,000 generated raw records into a sink
// that stores nothing.
func BenchmarkRun_ReadNormalise(b *testing.B) {
	st, err := lake.NewLocalStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	writeRaw(b, st, "site", day, genRaw("site", 5000, time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := run(b, st, nopSink{}, day, load.Options{Workers: 2}, true); err != nil {
			b.Fatal(err)
		}
	}
}
