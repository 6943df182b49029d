package normalize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marquee/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../testdata/golden")

// goldenResult is one raw line's outcome in a golden file.
type goldenResult struct {
	Line    int              `json:"line"`
	Release *catalog.Release `json:"release,omitempty"`
	Issues  []Issue          `json:"issues,omitempty"`
	Reject  string           `json:"reject,omitempty"`
}

func readRaw(t *testing.T, path string) []catalog.RawRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []catalog.RawRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r catalog.RawRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, r)
	}
	return out
}

func normalizeAll(raws []catalog.RawRecord) []goldenResult {
	var out []goldenResult
	for i := range raws {
		r, issues, err := Release(&raws[i], Options{Ref: d(2026, 11, 22), Loc: seoul})
		g := goldenResult{Line: i + 1, Release: r, Issues: issues}
		if err != nil {
			g.Reject = err.Error()
		} else {
			r.ContentHash = ContentHash(r)
		}
		out = append(out, g)
	}
	return out
}

// TestRelease_Golden normalises the Korean raw fixtures of etl/testdata/raw
// and compares with etl/testdata/golden (refresh with -update).
func TestRelease_Golden(t *testing.T) {
	files, err := filepath.Glob("../testdata/raw/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no raw fixtures: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(normalizeAll(readRaw(t, path)), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("../testdata/golden", name+".releases.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update and review the diff):\n%s", path, golden, got)
			}
		})
	}
}

// TestRelease_CrawlGolden runs the crawler's golden raw records (every
// fixture site of crawl/testdata/golden) through the normaliser and compares
// with etl/testdata/golden/crawl-<site>.releases.json (refresh with
// -update). A crawl fixture without a golden yet is checked for invariants
// only: no panic, every accepted release valid, the hash stable.
func TestRelease_CrawlGolden(t *testing.T) {
	files, _ := filepath.Glob("../../crawl/testdata/golden/*.jsonl")
	if len(files) == 0 {
		t.Log("no crawl golden records (crawl/testdata/golden/*.jsonl)")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		t.Run(name, func(t *testing.T) {
			raws := readRaw(t, path)
			a, b := normalizeAll(raws), normalizeAll(raws)
			accepted := 0
			for i, g := range a {
				if g.Reject != "" {
					t.Logf("line %d rejected: %s", g.Line, g.Reject)
					continue
				}
				accepted++
				r := g.Release
				if r.Title == "" || !r.Kind.Valid() || r.ID != catalog.ReleaseID(r.Source, r.SourceID) {
					t.Errorf("line %d: invalid release %+v", g.Line, r)
				}
				if r.Region != "" && !contains(catalog.Regions, r.Region) {
					t.Errorf("line %d: region %q not in catalog.Regions", g.Line, r.Region)
				}
				if r.ContentHash != b[i].Release.ContentHash {
					t.Errorf("line %d: content hash not stable", g.Line)
				}
			}
			if accepted == 0 && len(raws) > 0 {
				t.Errorf("all %d records of %s rejected", len(raws), path)
			}
			got, err := json.MarshalIndent(a, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("../testdata/golden", "crawl-"+name+".releases.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if os.IsNotExist(err) {
				t.Logf("no golden %s yet (run with -update)", golden)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update and review the diff):\n%s", path, golden, got)
			}
		})
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestRelease_Rejects(t *testing.T) {
	base := func() catalog.RawRecord {
		return catalog.RawRecord{Source: "s", SourceID: "1", Kind: catalog.KindMovie, Fields: map[string]string{"title": "하얼빈"}}
	}
	tests := []struct {
		name   string
		mutate func(r *catalog.RawRecord)
		want   string
	}{
		{"missing title", func(r *catalog.RawRecord) { r.Fields["title"] = " \u3000 " }, "missing title"},
		{"title of only badges", func(r *catalog.RawRecord) { r.Fields["title"] = "[단독판매]" }, "missing title"},
		{"missing source id", func(r *catalog.RawRecord) { r.SourceID = "" }, "missing source_id"},
		{"missing source", func(r *catalog.RawRecord) { r.Source = "" }, "missing source"},
		{"missing kind", func(r *catalog.RawRecord) { r.Kind = "" }, "missing kind"},
		{"unknown kind", func(r *catalog.RawRecord) { r.Kind = "podcast" }, "invalid kind"},
		{"absurd date", func(r *catalog.RawRecord) { r.Fields["release_date"] = "2026.02.31" }, "absurd date in release_date"},
		{"far future", func(r *catalog.RawRecord) { r.Fields["start_date"] = "3026-01-01" }, "absurd date in start_date"},
		{"end before start", func(r *catalog.RawRecord) {
			r.Fields["start_date"] = "2026.12.01"
			r.Fields["end_date"] = "2026.11.01"
		}, "end_date 2026-11-01 before start_date"},
		{"huge field", func(r *catalog.RawRecord) { r.Fields["description"] = strings.Repeat("가", 30000) }, "field description is 90000 bytes"},
		{"huge title", func(r *catalog.RawRecord) { r.Fields["title"] = strings.Repeat("가", 400) }, "title is 400 characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := base()
			tc.mutate(&raw)
			r, _, err := Release(&raw, Options{Ref: d(2026, 11, 22), Loc: seoul})
			if err == nil || !IsReject(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Release = %+v, %v; want reject %q", r, err, tc.want)
			}
		})
	}
}

func TestRelease_IssuesLeaveFieldsEmpty(t *testing.T) {
	raw := catalog.RawRecord{Source: "s", SourceID: "1", Kind: catalog.KindPerformance, Fields: map[string]string{
		"title": "연극 〈갈매기〉", "start_date": "곧 공개", "price": "가격 문의", "age_rating": "확인 필요", "runtime": "미정",
		"venue": "소극장 하늘",
	}}
	r, issues, err := Release(&raw, Options{Ref: d(2026, 11, 22), Loc: seoul})
	if err != nil {
		t.Fatal(err)
	}
	if !r.StartDate.IsZero() || r.Prices != nil || r.AgeRating != "" || r.Runtime != 0 || r.Region != "" {
		t.Errorf("unparsed fields not left empty: %+v", r)
	}
	fields := map[string]bool{}
	for _, is := range issues {
		fields[is.Field] = true
	}
	for _, f := range []string{"start_date", "price", "age_rating", "runtime", "region"} {
		if !fields[f] {
			t.Errorf("no issue recorded for %s (issues %v)", f, issues)
		}
	}
}

func TestContentHash(t *testing.T) {
	raw := readRaw(t, "../testdata/raw/cinema.jsonl")[0]
	a, _, _ := Release(&raw, Options{Ref: d(2026, 11, 22), Loc: seoul})
	b := *a
	b.FirstSeen = b.FirstSeen.AddDate(0, 0, 3)
	b.LastSeen = b.LastSeen.AddDate(0, 0, 3)
	b.Poster = &catalog.Poster{URL: a.Poster.URL, SHA256: "abc", Object: "posters/ab/abc.jpg"}
	if ContentHash(a) != ContentHash(&b) {
		t.Error("hash changed with seen times or stored poster")
	}
	b.Cast = append([]string{}, a.Cast...)
	b.Cast[0] = "다른 배우"
	if ContentHash(a) == ContentHash(&b) {
		t.Error("hash did not change with the cast")
	}
}
