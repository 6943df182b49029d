package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/crawl/fetch"
	"marquee/internal/testenv"
)

func TestPool(t *testing.T) {
	chromium := testenv.Chromium(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<p>없음</p>")
		case "/away":
			http.Redirect(w, r, "http://localhost:1/elsewhere", http.StatusFound)
		default:
			fmt.Fprintf(w, `<div id="root"></div><script>setTimeout(function(){document.getElementById("root").innerHTML='<b id="ok">%s 완료</b>'}, 100)</script>`, r.URL.Path)
		}
	}))
	defer srv.Close()
	p, err := New(context.Background(), Options{ExecPath: chromium, Tabs: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := p.Dir()
	f := p.Fetcher(SiteOptions{Timeout: 5 * time.Second, AllowedDomains: []string{"127.0.0.1"}})

	t.Run("pages render in parallel tabs", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pg, err := f.Fetch(context.Background(), fetch.Request{URL: fmt.Sprintf("%s/p%d", srv.URL, i), WaitFor: "#ok"})
				if err == nil && (pg.Status != 200 || !strings.Contains(string(pg.Body), fmt.Sprintf("/p%d 완료", i))) {
					err = fmt.Errorf("page %d: status %d body %q", i, pg.Status, pg.Body)
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the HTTP status is reported", func(t *testing.T) {
		pg, err := f.Fetch(context.Background(), fetch.Request{URL: srv.URL + "/missing"})
		if err != nil || pg.Status != 404 {
			t.Errorf("page %+v, err %v", pg, err)
		}
	})
	t.Run("a redirect out of the allowed domains fails", func(t *testing.T) {
		_, err := f.Fetch(context.Background(), fetch.Request{URL: srv.URL + "/away"})
		if err == nil {
			t.Error("off-domain redirect accepted")
		}
	})
	t.Run("a cancelled fetch returns and the pool still works", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := f.Fetch(ctx, fetch.Request{URL: srv.URL + "/x", WaitFor: "#never"}); err == nil {
			t.Error("cancelled fetch succeeded")
		}
		if _, err := f.Fetch(context.Background(), fetch.Request{URL: srv.URL + "/y", WaitFor: "#ok"}); err != nil {
			t.Errorf("pool broken after a cancelled fetch: %v", err)
		}
	})
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("user-data-dir %s still there: %v", dir, err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
