package mongo_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
)

func TestSimilarStore(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	s := mongo.NewSimilarStore(c, db.Name())
	at := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	lists := []catalog.SimilarList{
		{ID: "레미제라블-서울", Items: []catalog.SimilarItem{{ID: "레미제라블-부산", Score: 0.91}, {ID: "c", Score: 0.2}}, Model: "m1", ComputedAt: at},
		{ID: "레미제라블-부산", Items: []catalog.SimilarItem{{ID: "레미제라블-서울", Score: 0.91}}, Model: "m1", ComputedAt: at},
		{ID: "c", Items: []catalog.SimilarItem{}, Model: "m1", ComputedAt: at},
	}
	t.Run("write then read back", func(t *testing.T) {
		if err := s.WriteSimilar(ctx, lists); err != nil {
			t.Fatal(err)
		}
		got, err := s.Similar(ctx, "레미제라블-서울")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, lists[0]) {
			t.Errorf("got %+v, want %+v", *got, lists[0])
		}
	})
	t.Run("rewrite replaces the whole list", func(t *testing.T) {
		l := lists[0]
		l.Items = l.Items[:1]
		l.Model = "m2"
		if err := s.WriteSimilar(ctx, []catalog.SimilarList{l}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Similar(ctx, l.ID)
		if got == nil || !reflect.DeepEqual(*got, l) {
			t.Errorf("got %+v, want %+v", got, l)
		}
	})
	t.Run("delete except keeps only the running releases", func(t *testing.T) {
		n, err := s.DeleteSimilarExcept(ctx, map[string]struct{}{"레미제라블-서울": {}, "c": {}})
		if err != nil || n != 1 {
			t.Fatalf("deleted %d, %v", n, err)
		}
		if _, err := s.Similar(ctx, "레미제라블-부산"); !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("deleted list still there: %v", err)
		}
		var ids []string
		if err := s.EachSimilar(ctx, func(l *catalog.SimilarList) error { ids = append(ids, l.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids, []string{"c", "레미제라블-서울"}) {
			t.Errorf("EachSimilar ids %v", ids)
		}
	})
}
