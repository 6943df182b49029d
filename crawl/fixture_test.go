package crawl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fixture serves the fixture sites of testdata/sites by host name
// (<site>.test) or, for clients that cannot be redirected (Chromium), by
// the first path segment on 127.0.0.1.
type fixture struct {
	srv *httptest.Server

	mu    sync.Mutex
	hits  map[string]int         // "<site><path>" → requests
	times map[string][]time.Time // request times

	hugeWritten atomic.Int64
	hugeDone    atomic.Bool  // the 50 MB handler returned
	bigDelay    atomic.Int64 // nanoseconds per page of the "big" site
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{hits: map[string]int{}, times: map[string][]time.Time{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// client dials the fixture server whatever the host.
func (f *fixture) client() *http.Client {
	addr := f.srv.Listener.Addr().String()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 16,
	}
	return &http.Client{Transport: tr}
}

func (f *fixture) hit(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[key]++
	f.times[key] = append(f.times[key], time.Now())
	return f.hits[key]
}

func (f *fixture) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[key]
}

func (f *fixture) resetHits() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits = map[string]int{}
	f.times = map[string][]time.Time{}
}

func (f *fixture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	site, path := strings.TrimSuffix(host, ".test"), r.URL.Path
	if net.ParseIP(host) != nil {
		seg, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		site, path = seg, "/"+rest
	}
	n := f.hit(site + path)
	switch site {
	case "edge":
		f.edge(w, r, path, n)
		return
	case "dead":
		http.Error(w, "down", http.StatusInternalServerError)
		return
	case "big":
		f.big(w, r, path)
		return
	case "api":
		if path == "/api/events" {
			p, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if r.URL.Query().Get("date") == "" {
				http.Error(w, "date required", http.StatusBadRequest)
				return
			}
			path = fmt.Sprintf("/page-%d.json", p)
			if _, err := os.Stat(filepath.Join("testdata", "sites", "api", path)); err != nil {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"status":"ok","data":{"items":[]}}`)
				return
			}
		}
		if path == "/broken.json" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"data": {"items": [ {"title": "잘린 응답"`)
			return
		}
	}
	file := filepath.Join("testdata", "sites", site, filepath.FromSlash(path))
	b, err := os.ReadFile(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(file, ".json"):
		w.Header().Set("Content-Type", "application/json")
	case strings.HasSuffix(file, ".txt"):
		w.Header().Set("Content-Type", "text/plain")
	case site == "legacy" && strings.Contains(path, "movie-"):
		// detail pages declare EUC-KR in the header; the list only in <meta>
		w.Header().Set("Content-Type", "text/html; charset=EUC-KR")
	default:
		w.Header().Set("Content-Type", "text/html")
	}
	w.Write(b)
}

const edgeList = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><ul>
<li><a href="/retry503.html">재시도 503</a></li>
<li><a href="/retry429.html">재시도 429</a></li>
<li><a href="/redirect-in.html">내부 이동</a></li>
<li><a href="/redirect-off.html">외부 이동</a></li>
<li><a href="/huge.html">거대한 응답</a></li>
<li><a href="/gone.html">사라진 공연</a></li>
<li><a href="/retry503.html">재시도 503</a></li>
</ul></body></html>`

func edgeDetail(title string) string {
	return `<html><head><meta charset="utf-8"></head><body><h1>` + title + `</h1><p class="when">2027.01.01</p></body></html>`
}

func (f *fixture) edge(w http.ResponseWriter, r *http.Request, path string, n int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch path {
	case "/robots.txt":
		http.NotFound(w, r)
	case "/list.html":
		fmt.Fprint(w, edgeList)
	case "/retry503.html":
		if n == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, edgeDetail("503 뒤 성공"))
	case "/retry429.html":
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, edgeDetail("429 뒤 성공"))
	case "/redirect-in.html":
		http.Redirect(w, r, "/landing.html", http.StatusMovedPermanently)
	case "/landing.html":
		fmt.Fprint(w, edgeDetail("이동한 페이지"))
	case "/redirect-off.html":
		http.Redirect(w, r, "http://elsewhere.example/steal.html", http.StatusFound)
	case "/huge.html":
		// 50 MB, generated (never committed), streamed without a length
		chunk := []byte(strings.Repeat("<p>가나다라마바사</p>\n", 2048))
		var sent int64
		for sent < 50<<20 {
			m, err := w.Write(chunk)
			sent += int64(m)
			if err != nil {
				break
			}
		}
		f.hugeWritten.Store(sent)
		f.hugeDone.Store(true)
	default:
		http.NotFound(w, r)
	}
}

// big is a generated ticket site: /list?page=N (N ≤ 12, 6 items each) and
// /item/<id>.html detail pages, for resume and load tests.
func (f *fixture) big(w http.ResponseWriter, r *http.Request, path string) {
	if d := time.Duration(f.bigDelay.Load()); d > 0 {
		time.Sleep(d) // simulated server latency
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch {
	case path == "/robots.txt":
		http.NotFound(w, r)
	case path == "/list":
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		var sb strings.Builder
		sb.WriteString(`<html><body><ul class="items">`)
		if p >= 1 && p <= 12 {
			for i := range 6 {
				id := p*100 + i
				fmt.Fprintf(&sb, `<li><a href="/item/%d.html">공연 %d</a> <span class="v">공연장 %d</span></li>`, id, id, id%7)
			}
		}
		sb.WriteString(`</ul></body></html>`)
		fmt.Fprint(w, sb.String())
	case strings.HasPrefix(path, "/item/"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/item/"), ".html")
		fmt.Fprintf(w, `<html><body><h1>공연 %s</h1><p class="d">2027.01.%02d</p><p class="p">%s0,000원</p></body></html>`, id, len(id)%28+1, id)
	default:
		http.NotFound(w, r)
	}
}
