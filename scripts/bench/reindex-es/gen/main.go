// Command gen writes N synthetic releases as JSONL (one catalog.Release a
// line, in id order), seeded, for the reindex-es benchmark.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"sort"
	"time"

	"marquee/internal/catalog"
)

var (
	words = []string{"뮤지컬", "레미제라블", "오페라의", "유령", "캣츠", "위키드", "시카고", "맘마미아", "지킬앤하이드",
		"노트르담", "드", "파리", "헤드윅", "광화문", "연가", "서울", "재즈", "페스티벌", "콘서트", "전시", "특별전",
		"모네", "반고흐", "빛의", "벙커", "야구", "개막전", "축구", "더비", "Live", "Tour", "2026", "Encore", "Hamlet"}
	names   = []string{"홍광호", "김소현", "조승우", "옥주현", "박효신", "정성화", "아이유", "BTS", "임영웅", "손흥민"}
	venues  = []string{"샤롯데씨어터", "블루스퀘어", "예술의전당", "세종문화회관", "고척스카이돔", "잠실종합운동장", "국립현대미술관"}
	genres  = []string{"뮤지컬", "연극", "콘서트", "클래식", "전시", "야구", "축구", "영화"}
	ratings = []string{"ALL", "7", "12", "15", "19"}
)

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func main() {
	n := flag.Int("n", 100000, "releases")
	seed := flag.Uint64("seed", 42, "seed")
	out := flag.String("out", "-", "output file (- for stdout)")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15))
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rels := make([]catalog.Release, *n)
	for i := range rels {
		sid := fmt.Sprintf("b%07d", i)
		title := pick(r, words) + pick(r, words)
		for k := r.IntN(3); k > 0; k-- {
			title += " " + pick(r, words)
		}
		start := catalog.DateOf(base.AddDate(0, 0, r.IntN(120)))
		rels[i] = catalog.Release{
			ID: catalog.ReleaseID("bench", sid), Source: "bench", SourceID: sid,
			URL: "https://tickets.example/p/" + sid, Kind: catalog.Kinds[r.IntN(len(catalog.Kinds))],
			Title: title, Genres: []string{pick(r, genres)}, Cast: []string{pick(r, names), pick(r, names)},
			Venue: pick(r, venues), Region: catalog.Regions[r.IntN(len(catalog.Regions))],
			StartDate: start, EndDate: start.AddDays(r.IntN(90)), AgeRating: pick(r, ratings),
			Description: title + " — " + pick(r, words) + " " + pick(r, words) + " " + pick(r, names) + " 출연, " + pick(r, venues) + "에서 공연합니다.",
			Tags:        []string{pick(r, genres), pick(r, words)}, Locale: "ko-KR",
			Poster:    &catalog.Poster{URL: "https://img.example/" + sid + ".jpg"},
			FirstSeen: base, LastSeen: base, UpdatedAt: base.Add(time.Duration(i) * time.Second),
		}
	}
	sort.Slice(rels, func(i, j int) bool { return rels[i].ID < rels[j].ID })
	w := os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	for i := range rels {
		if err := enc.Encode(&rels[i]); err != nil {
			log.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
}
