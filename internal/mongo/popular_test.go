package mongo_test

import (
	"context"
	"reflect"
	"testing"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
)

func TestPopularStoreReplacesOneDay(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	s := mongo.NewPopularStore(c, db.Name())
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	d1 := catalog.Date{Year: 2026, Month: 11, Day: 20}
	d2 := d1.AddDays(1)
	list := func(d catalog.Date, ids ...string) []catalog.PopularItem {
		out := make([]catalog.PopularItem, len(ids))
		for i, id := range ids {
			out[i] = catalog.PopularItem{Date: d, Rank: i + 1, ItemID: id, Views: int64(100 - i), Viewers: int64(50 - i)}
		}
		return out
	}
	steps := []struct {
		name string
		day  catalog.Date
		set  []catalog.PopularItem
	}{
		{"first day", d1, list(d1, "뮤지컬-1", "b", "c")},
		{"second day leaves the first alone", d2, list(d2, "x", "y")},
		{"rerun of the first day drops items no longer listed and reranks", d1, list(d1, "c", "뮤지컬-1")},
		{"same list again is idempotent", d1, list(d1, "c", "뮤지컬-1")},
	}
	want := map[catalog.Date][]catalog.PopularItem{}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.ReplacePopular(ctx, st.day, st.set); err != nil {
				t.Fatal(err)
			}
			want[st.day] = st.set
			for d, w := range want {
				got, err := s.Popular(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("popular %s = %+v, want %+v", d, got, w)
				}
			}
		})
	}
	t.Run("an empty list empties the day", func(t *testing.T) {
		if err := s.ReplacePopular(ctx, d2, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Popular(ctx, d2)
		if err != nil || len(got) != 0 {
			t.Fatalf("popular %s = %v, %v; want empty", d2, got, err)
		}
	})
}
