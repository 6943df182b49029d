package static

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/text/encoding/korean"

	"marquee/crawl/fetch"
)

func TestFetch(t *testing.T) {
	euc, _ := korean.EUCKR.NewEncoder().String("<p>개봉 예정</p>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/euc":
			w.Header().Set("Content-Type", "text/html; charset=euc-kr")
			fmt.Fprint(w, euc)
		case "/meta":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<meta charset="euc-kr">`+euc)
		case "/big-declared":
			w.Header().Set("Content-Length", "2000")
			fmt.Fprint(w, strings.Repeat("x", 2000))
		case "/big-streamed":
			for range 10 {
				fmt.Fprint(w, strings.Repeat("y", 300))
				w.(http.Flusher).Flush()
			}
		case "/away":
			http.Redirect(w, r, "http://elsewhere.example/", http.StatusFound)
		case "/gone":
			http.Error(w, "gone", http.StatusGone)
		case "/ua":
			fmt.Fprint(w, r.Header.Get("User-Agent")+"|"+r.Header.Get("X-Test"))
		}
	}))
	defer srv.Close()
	f := New(context.Background(), Options{UserAgent: "marquee-test", MaxBytes: 1000,
		AllowedDomains: []string{"127.0.0.1"}, Headers: map[string]string{"X-Test": "1"}})
	get := func(p string) (*fetch.Page, error) {
		return f.Fetch(context.Background(), fetch.Request{URL: srv.URL + p})
	}
	for _, p := range []string{"/euc", "/meta"} {
		t.Run("EUC-KR via "+p, func(t *testing.T) {
			pg, err := get(p)
			if err != nil || !strings.Contains(string(pg.Body), "<p>개봉 예정</p>") {
				t.Errorf("body %q, err %v", pg.Body, err)
			}
		})
	}
	for _, p := range []string{"/big-declared", "/big-streamed"} {
		t.Run("over the cap: "+p, func(t *testing.T) {
			if _, err := get(p); !errors.Is(err, fetch.ErrTooLarge) {
				t.Errorf("err = %v, want ErrTooLarge", err)
			}
		})
	}
	t.Run("redirect out of the allowed domains", func(t *testing.T) {
		if _, err := get("/away"); !errors.Is(err, fetch.ErrOffsite) {
			t.Errorf("err = %v, want ErrOffsite", err)
		}
	})
	t.Run("an error status is a page, not an error", func(t *testing.T) {
		pg, err := get("/gone")
		if err != nil || pg.Status != http.StatusGone {
			t.Errorf("page %+v, err %v", pg, err)
		}
	})
	t.Run("user agent and headers are sent", func(t *testing.T) {
		pg, err := get("/ua")
		if err != nil || string(pg.Body) != "marquee-test|1" {
			t.Errorf("body %q, err %v", pg.Body, err)
		}
	})
}
