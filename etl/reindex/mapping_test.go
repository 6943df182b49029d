package reindex

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"marquee/internal/catalog"
	"marquee/recommend"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}

func TestIndexBodyGolden(t *testing.T) {
	for _, a := range []string{AnalyzerStandard, AnalyzerCJK, AnalyzerNori, AnalyzerBigram} {
		t.Run(a, func(t *testing.T) {
			meta := map[string]any{MetaState: StateBuilding, MetaAnalyzer: a, MetaRunID: "20261126T060000-00000000", MetaAlias: "releases"}
			b, err := IndexBody(a, IndexSettings{Shards: 1}, meta)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "mapping_"+a+".golden.json", append(b, '\n'))
		})
	}
	if _, err := IndexBody(AnalyzerAuto, IndexSettings{}, nil); err == nil {
		t.Fatal("IndexBody(auto) did not fail: auto must be resolved first")
	}
}

func TestDocumentFields(t *testing.T) {
	r := genReleases(1, "doc")[0]
	r.Poster = &catalog.Poster{URL: "https://img.example/p.jpg"}
	r.OriginalTitle = "Les Misérables"
	r.Title = "뮤지컬레미제라블"
	tok := recommend.NewTokenizer(nil)
	for _, tc := range []struct {
		analyzer string
		bigrams  string
	}{
		{AnalyzerCJK, ""},
		{AnalyzerBigram, "뮤지 지컬 컬레 레미 미제 제라 라블 les misérables"},
	} {
		t.Run(tc.analyzer, func(t *testing.T) {
			d := NewDocument(&r, 42, tc.analyzer, tok)
			b, _ := json.Marshal(d)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			for k, want := range map[string]any{
				"url": r.URL, "title": r.Title, "summary": r.Description, "content_type": "movie",
				"created_at": "2026-11-20T03:00:00.000Z", "locale": "ko-KR", "click_count": 42.0,
				"start_date": "2026-12-01", "poster_url": "https://img.example/p.jpg",
			} {
				if fmt.Sprint(m[k]) != fmt.Sprint(want) {
					t.Errorf("%s = %v, want %v", k, m[k], want)
				}
			}
			if tags, _ := m["tags"].([]any); len(tags) != 1 {
				t.Errorf("tags %v", m["tags"])
			}
			if d.TitleBigrams != tc.bigrams {
				t.Errorf("title_bigrams %q, want %q", d.TitleBigrams, tc.bigrams)
			}
			if _, ok := m["release_date"]; ok {
				t.Error("an unknown release_date is sent (want it omitted)")
			}
		})
	}
}

func TestQueryShapes(t *testing.T) {
	tok := recommend.NewTokenizer(nil)
	for _, tc := range []struct {
		analyzer string
		has      []string
	}{
		{AnalyzerCJK, []string{`"multi_match"`, `"operator":"and"`}},
		{AnalyzerBigram, []string{`"title_bigrams"`, `"레미 미제 제라 라블"`, `"minimum_should_match":1`}},
	} {
		q := string(Query(tc.analyzer, tok, "레미제라블", 5))
		for _, h := range tc.has {
			if !strings.Contains(q, h) {
				t.Errorf("%s query %s lacks %s", tc.analyzer, q, h)
			}
		}
	}
}

func TestSamplerKeepsSmallestHashes(t *testing.T) {
	s := &sampler{k: 5}
	all := &sampler{k: 1000}
	for i := 0; i < 500; i++ {
		id := fmt.Sprint("id", i)
		s.offer(id, []byte(id))
		all.offer(id, []byte(id))
	}
	if len(s.docs) != 5 {
		t.Fatalf("kept %d, want 5", len(s.docs))
	}
	for i, d := range s.docs {
		if d.id != all.docs[i].id {
			t.Fatalf("sample[%d] = %s, want %s (the 5 smallest hashes)", i, d.id, all.docs[i].id)
		}
	}
}
