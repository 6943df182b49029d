package mongo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
)

func TestLockerLeases(t *testing.T) {
	c, database := connect(t)
	db := database.Name()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var mu sync.Mutex
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := mongo.NewLocker(c, db, "host-a", time.Hour, clock)
	b := mongo.NewLocker(c, db, "host-b", time.Hour, clock)
	d := catalog.Date{Year: 2026, Month: 11, Day: 26}

	release, err := a.Lock(ctx, "load-mongo", d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, "load-mongo", d); !errors.Is(err, catalog.ErrLocked) {
		t.Fatalf("second holder: %v, want ErrLocked", err)
	}
	relOther, err := b.Lock(ctx, "load-mongo", d.AddDays(1))
	if err != nil {
		t.Fatalf("another date: %v", err)
	}
	relOther()
	release()
	relB, err := b.Lock(ctx, "load-mongo", d)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	// host-b dies without releasing (kill -9): its lease expires, then a takes over.
	_ = relB
	if _, err := a.Lock(ctx, "load-mongo", d); !errors.Is(err, catalog.ErrLocked) {
		t.Fatalf("live lease taken: %v", err)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	relA, err := a.Lock(ctx, "load-mongo", d)
	if err != nil {
		t.Fatalf("expired lease not taken over: %v", err)
	}
	relA()
}
