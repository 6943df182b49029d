package normalize

import (
	"reflect"
	"testing"
	"time"

	"marquee/internal/catalog"
)

func rel(source, sid, title, venue string, start catalog.Date) *catalog.Release {
	seen := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	r, _, err := Release(&catalog.RawRecord{Source: source, SourceID: sid, Kind: catalog.KindPerformance, FetchedAt: seen,
		Fields: map[string]string{"title": title, "venue": venue, "start_date": start.String()}}, Options{Ref: d(2026, 11, 22), Loc: seoul})
	if err != nil {
		panic(err)
	}
	return r
}

func TestMergeCrossSource(t *testing.T) {
	start := d(2026, 11, 1)
	a := rel("ticketlink", "TL-1", "[단독판매] 뮤지컬 〈레미제라블〉", "블루스퀘어 신한카드홀", start)
	a.Cast = []string{"민우혁"}
	b := rel("nol", "N-9", "레미제라블", "블루스퀘어 신한카드홀(구 인터파크홀)", start)
	b.Cast = []string{"민우혁", "최재림"}
	b.Runtime = 180
	c := rel("yes24", "Y-3", "뮤지컬 레미제라블", "대전예술의전당", start)         // same title, other city
	e := rel("nol", "N-10", "뮤지컬 레미제라블", "블루스퀘어", start.AddDays(1)) // other start date
	f := rel("nol", "N-11", "뮤지컬 〈레미제라블〉", "블루스퀘어", start)          // second item of a source already in the group

	t.Run("same performance on two sites is one release", func(t *testing.T) {
		out, folded := MergeCrossSource([]*catalog.Release{a, b, c, e}, nil)
		if len(out) != 3 {
			t.Fatalf("got %d releases, want 3", len(out))
		}
		m := out[0]
		if m.ID != b.ID { // primary: first by (source, source_id): nol < ticketlink
			t.Errorf("primary id = %s (%s), want nol's %s", m.ID, m.Source, b.ID)
		}
		if want := []string{"nol:N-9", "ticketlink:TL-1"}; !reflect.DeepEqual(m.Sources, want) {
			t.Errorf("sources = %v, want %v", m.Sources, want)
		}
		if !reflect.DeepEqual(m.Cast, []string{"민우혁", "최재림"}) || m.Runtime != 180 {
			t.Errorf("merged fields: cast %v runtime %d", m.Cast, m.Runtime)
		}
		if !reflect.DeepEqual(m.Tags, []string{"단독판매"}) {
			t.Errorf("tags = %v", m.Tags)
		}
		if !reflect.DeepEqual(folded, []string{a.ID}) {
			t.Errorf("folded = %v, want [%s]", folded, a.ID)
		}
	})
	t.Run("a stored release stays the primary", func(t *testing.T) {
		out, _ := MergeCrossSource([]*catalog.Release{a, b}, func(id string) bool { return id == a.ID })
		if len(out) != 1 || out[0].ID != a.ID {
			t.Errorf("primary = %s, want stored %s", out[0].ID, a.ID)
		}
	})
	t.Run("two items of one source are never merged", func(t *testing.T) {
		out, _ := MergeCrossSource([]*catalog.Release{b, f}, nil)
		if len(out) != 2 {
			t.Errorf("got %d releases, want 2", len(out))
		}
	})
	t.Run("unknown start date never merges", func(t *testing.T) {
		x, y := *a, *b
		x.StartDate, y.StartDate = catalog.Date{}, catalog.Date{}
		if out, _ := MergeCrossSource([]*catalog.Release{&x, &y}, nil); len(out) != 2 {
			t.Errorf("got %d releases, want 2", len(out))
		}
	})
}

func TestDedupBySource(t *testing.T) {
	a := rel("nol", "N-1", "햄릿", "예술의전당", d(2026, 12, 1))
	later := *a
	later.Title = "햄릿 (앵콜)"
	later.LastSeen = a.LastSeen.Add(time.Hour)
	later.FirstSeen = later.LastSeen
	out, dropped := DedupBySource([]*catalog.Release{a, &later})
	if len(out) != 1 || dropped != 1 {
		t.Fatalf("got %d kept, %d dropped", len(out), dropped)
	}
	if out[0].Title != later.Title || !out[0].FirstSeen.Equal(a.FirstSeen) {
		t.Errorf("kept %q first_seen %v; want the later record with the earliest first_seen", out[0].Title, out[0].FirstSeen)
	}
}
