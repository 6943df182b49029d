package gen

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"marquee/internal/catalog"
)

func TestWriteIsSeededAndValid(t *testing.T) {
	cfg := Default()
	cfg.Events, cfg.Items, cfg.Users, cfg.Days = 3000, 100, 50, 2
	var a, b bytes.Buffer
	if err := Write(&a, cfg); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same config wrote different bytes")
	}
	lines := bytes.Split(bytes.TrimSpace(a.Bytes()), []byte("\n"))
	if len(lines) != 3000 {
		t.Fatalf("%d lines", len(lines))
	}
	from, to := cfg.End.AddDays(-1).Time(cfg.Loc), cfg.End.AddDays(1).Time(cfg.Loc)
	for i, l := range lines {
		var e catalog.Event
		if err := json.Unmarshal(l, &e); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if e.TS.Before(from) || !e.TS.Before(to) || (e.Event == catalog.EventSearch) == (e.ItemID != "") {
			t.Fatalf("line %d out of contract: %s", i+1, l)
		}
	}
	cfg.Seed++
	var c bytes.Buffer
	_ = Write(&c, cfg)
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("another seed wrote the same bytes")
	}
	_ = time.UTC
}

func TestWriteBadLines(t *testing.T) {
	cfg := Default()
	cfg.Events, cfg.Items, cfg.Users, cfg.BadEvery = 400, 10, 10, 100
	var a bytes.Buffer
	if err := Write(&a, cfg); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, l := range bytes.Split(bytes.TrimSpace(a.Bytes()), []byte("\n")) {
		var e catalog.Event
		if json.Unmarshal(l, &e) != nil || e.TS.IsZero() || e.AgeGroup == "70s" || e.Event == "purchase" {
			bad++
		}
	}
	if bad != 4 {
		t.Errorf("%d bad lines, want 4", bad)
	}
}
