// Command demosite serves the bundled demo sites for `make demo`: a static
// ticket site (list and detail pages with JSON-LD), a JSON API of movies with
// paging, an exhibition page whose list JavaScript builds after a delay, a
// sports site with schema.org JSON-LD only, and generated poster images. With
// -events it also writes a day of activity events for the demo releases.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"html"
	"image"
	"image/color"
	"image/png"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"marquee/internal/catalog"
)

const perPage = 6

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	addrFile := flag.String("addr-file", "", "write the base URL here once listening")
	events := flag.String("events", "", "write a day of activity events (JSONL) here and exit")
	day := flag.String("day", "", "the events' day (YYYY-MM-DD, Asia/Seoul)")
	n := flag.Int("n", 30000, "number of events")
	flag.Parse()
	if *events != "" {
		if err := writeEvents(*events, *day, *n); err != nil {
			log.Fatal(err)
		}
		return
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(base+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("demo sites on %s", base)
	log.Fatal(http.Serve(ln, routes()))
}

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\n")
	})
	mux.HandleFunc("/tickets/", ticketPage)
	mux.HandleFunc("/api/movies", moviesAPI)
	mux.HandleFunc("/exhibitions/", exhibitionsPage)
	mux.HandleFunc("/sports/", sportsPage)
	mux.HandleFunc("/posters/", poster)
	return mux
}

func writeHTML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, body)
}

var esc = html.EscapeString

func ticketPage(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/tickets/")
	if p, ok := strings.CutPrefix(name, "list-"); ok {
		page, err := strconv.Atoi(strings.TrimSuffix(p, ".html"))
		if err != nil || page < 1 || (page-1)*perPage >= len(performances) {
			http.NotFound(w, r)
			return
		}
		var b strings.Builder
		b.WriteString("<html><head><title>마키 티켓 - 공연 목록</title></head><body><h1>공연 예매</h1><ul class=\"shows\">")
		end := min(page*perPage, len(performances))
		for _, s := range performances[(page-1)*perPage : end] {
			fmt.Fprintf(&b, `<li><a class="more" href="/tickets/show/%d.html"><span class="title">%s</span></a> <span class="period">%s</span> <span class="venue">%s</span></li>`,
				s.ID, esc(s.Title), esc(s.Period), esc(s.Venue))
		}
		b.WriteString("</ul>")
		if end < len(performances) {
			fmt.Fprintf(&b, `<a class="next" href="/tickets/list-%d.html">다음</a>`, page+1)
		}
		b.WriteString("</body></html>")
		writeHTML(w, b.String())
		return
	}
	if p, ok := strings.CutPrefix(name, "show/"); ok {
		id, _ := strconv.Atoi(strings.TrimSuffix(p, ".html"))
		for _, s := range performances {
			if s.ID == id {
				writeHTML(w, detailHTML(s, "TheaterEvent"))
				return
			}
		}
	}
	http.NotFound(w, r)
}

func detailHTML(s show, ldType string) string {
	var cast strings.Builder
	for _, c := range s.Cast {
		fmt.Fprintf(&cast, "<li>%s</li>", esc(c))
	}
	var prices strings.Builder
	for _, p := range strings.Split(s.Prices, " / ") {
		fmt.Fprintf(&prices, "<li>%s</li>", esc(p))
	}
	ld, _ := json.Marshal(map[string]any{
		"@context": "https://schema.org", "@type": ldType, "name": s.Title,
		"location": map[string]any{"@type": "Place", "name": s.Venue, "address": s.Address},
		"image":    fmt.Sprintf("/posters/%d.png", s.ID),
	})
	return fmt.Sprintf(`<html><head><title>%s</title><script type="application/ld+json">%s</script></head><body>
<h1 class="title">%s</h1><p class="genre">%s</p><p class="period">%s</p><p class="venue">%s</p><p class="address">%s</p>
<ul class="prices">%s</ul><p class="age">%s</p><ul class="cast">%s</ul><p class="runtime">%s</p>
<img class="poster" src="/posters/%d.png"><div class="desc">%s</div></body></html>`,
		esc(s.Title), ld, esc(s.Title), esc(s.Genre), esc(s.Period), esc(s.Venue), esc(s.Address),
		prices.String(), esc(s.Age), cast.String(), esc(s.Runtime), s.ID, esc(s.Desc))
}

func moviesAPI(w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	const size = 4
	items := []map[string]any{}
	for i := (page - 1) * size; i < min(page*size, len(movies)); i++ {
		m := movies[i]
		items = append(items, map[string]any{
			"id": m.ID, "title": m.Title, "original_title": m.Original, "open_date": m.Open,
			"genres": m.Genres, "cast": m.Cast, "rating": m.Rating, "runtime": m.Runtime,
			"platforms": m.Platforms, "summary": m.Summary, "poster": map[string]string{"url": "/posters/" + m.ID + ".png"},
		})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"page": page, "items": items}})
}

func exhibitionsPage(w http.ResponseWriter, _ *http.Request) {
	data, _ := json.Marshal(exhibitions)
	writeHTML(w, `<html><head><title>전시 모아보기</title></head><body><h1>이번 시즌 전시</h1><ul id="list"></ul>
<script>
const data = `+string(data)+`;
setTimeout(() => {
  const ul = document.getElementById('list');
  for (const e of data) {
    const li = document.createElement('li');
    li.className = 'exhibition';
    li.dataset.id = e.ID;
    li.innerHTML = '<b class="title"></b> <span class="period"></span> <span class="venue"></span> <span class="address"></span> <span class="price"></span> <img class="poster">';
    li.querySelector('.title').textContent = e.Title;
    li.querySelector('.period').textContent = e.Period;
    li.querySelector('.venue').textContent = e.Venue;
    li.querySelector('.address').textContent = e.Address;
    li.querySelector('.price').textContent = e.Prices;
    li.querySelector('.poster').src = '/posters/' + e.ID + '.png';
    ul.appendChild(li);
  }
  document.body.classList.add('ready');
}, 300);
</script></body></html>`)
}

func sportsPage(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/sports/")
	if name == "list.html" {
		var b strings.Builder
		b.WriteString("<html><body><h1>경기 일정</h1><ul class=\"games\">")
		for _, g := range games {
			fmt.Fprintf(&b, `<li><a class="game" href="/sports/game-%d.html">%s</a></li>`, g.ID, esc(g.Title))
		}
		writeHTML(w, b.String()+"</ul></body></html>")
		return
	}
	id, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "game-"), ".html"))
	for _, g := range games {
		if g.ID != id {
			continue
		}
		start, _, _ := strings.Cut(g.Period, " ~ ")
		ld, _ := json.Marshal(map[string]any{
			"@context": "https://schema.org", "@type": "SportsEvent", "name": g.Title,
			"startDate": strings.ReplaceAll(start, ".", "-") + "T19:00:00+09:00",
			"location":  map[string]any{"@type": "Place", "name": g.Venue, "address": g.Address},
			"competitor": func() []map[string]string {
				var out []map[string]string
				for _, c := range g.Cast {
					out = append(out, map[string]string{"@type": "SportsTeam", "name": c})
				}
				return out
			}(),
			"offers":      map[string]any{"@type": "Offer", "price": strings.TrimSuffix(strings.Fields(g.Prices)[1], "원"), "priceCurrency": "KRW"},
			"image":       fmt.Sprintf("/posters/%d.png", g.ID),
			"description": g.Desc,
		})
		writeHTML(w, fmt.Sprintf(`<html><head><script type="application/ld+json">%s</script></head><body><div id="app"></div></body></html>`, ld))
		return
	}
	http.NotFound(w, r)
}

// poster draws a 300×420 PNG whose colours come from the name.
func poster(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/posters/"), ".png")
	h := fnv.New32a()
	h.Write([]byte(name))
	v := h.Sum32()
	img := image.NewRGBA(image.Rect(0, 0, 300, 420))
	bg := color.RGBA{uint8(v), uint8(v >> 8), uint8(v >> 16), 255}
	fg := color.RGBA{255 - bg.R, 255 - bg.G, 255 - bg.B, 255}
	for y := 0; y < 420; y++ {
		for x := 0; x < 300; x++ {
			c := bg
			if (x/30+y/30)%5 == int(v%5) {
				c = fg
			}
			img.Set(x, y, c)
		}
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=86400")
	_ = png.Encode(w, img)
}

// demoItems are the release ids of every demo release, as load-mongo will
// key them (the source names match scripts/demo/sites.yaml).
func demoItems() []string {
	var ids []string
	for _, s := range performances {
		ids = append(ids, catalog.ReleaseID("demo-tickets", strconv.Itoa(s.ID)))
	}
	for _, m := range movies {
		ids = append(ids, catalog.ReleaseID("demo-movies", m.ID))
	}
	for _, e := range exhibitions {
		ids = append(ids, catalog.ReleaseID("demo-exhibitions", strconv.Itoa(e.ID)))
	}
	for _, g := range games {
		ids = append(ids, catalog.ReleaseID("demo-sports", strconv.Itoa(g.ID)))
	}
	return ids
}

var demoKeywords = []string{"레미제라블", "뮤지컬", "아이유 콘서트", "아바타", "모네 전시", "크리스마스 발레", "K리그", "범죄도시", "오페라의 유령", " 레미제라블 ", "없는공연"}

// writeEvents writes n activity events of one day (Asia/Seoul), seeded.
func writeEvents(path, day string, n int) error {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return err
	}
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return fmt.Errorf("-day %q: %w", day, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(7, 11))
	items := demoItems()
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 5)), 1.2, 2, uint64(len(items)-1))
	ages := []string{"10s", "20s", "30s", "40s", "50s", "60s+"}
	for i := 0; i < n; i++ {
		user := rng.IntN(3000) + 1
		ts := d.Add(time.Duration(int64(i) * int64(24*time.Hour) / int64(n)))
		ev := map[string]any{
			"ts": ts.UTC().Format(time.RFC3339Nano), "user_id": user, "age_group": ages[user%len(ages)],
			"gender": []string{"F", "M"}[user%2], "session_id": fmt.Sprintf("s%d-%d", user, i/40),
			"platform": []string{"ios", "android", "web"}[user%3],
		}
		switch x := rng.Float64(); {
		case x < 0.12:
			kw := demoKeywords[rng.IntN(len(demoKeywords))]
			ev["event"], ev["keyword"] = "search", kw
			ev["result_count"] = 0
			if kw != "없는공연" {
				ev["result_count"] = 1 + rng.IntN(20)
			}
		default:
			item := items[zipf.Uint64()]
			ev["item_id"] = item
			switch y := rng.Float64(); {
			case y < 0.70:
				ev["event"] = "view"
			case y < 0.88:
				ev["event"] = "click"
			case y < 0.96:
				ev["event"] = "like"
			default:
				ev["event"] = "book"
			}
		}
		b, _ := json.Marshal(ev)
		bw.Write(append(b, '\n'))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
