package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"marquee/crawl/fetch"
)

// Options configures a Pool.
type Options struct {
	ExecPath  string // Chromium binary; "" lets chromedp look on PATH
	Tabs      int    // tabs open at once (default 2)
	UserAgent string
	Log       *slog.Logger
}

// Pool is one headless Chromium with at most Tabs tabs. Safe for concurrent use.
type Pool struct {
	allocCancel   context.CancelFunc
	browserCtx    context.Context
	browserCancel context.CancelFunc
	dir           string
	tabs          chan *tab // idle tabs; nil entries are free slots
	log           *slog.Logger

	stop func() bool // unregisters the close-on-cancel hook

	mu     sync.Mutex
	closed bool
}

type tab struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Flags are the Chromium command-line flags the pool starts with, besides
// --user-data-dir and the remote-debugging pipe.
var Flags = []string{"headless", "no-sandbox", "disable-gpu", "disable-background-networking",
	"disable-component-update", "disable-sync", "no-first-run"}

// New starts Chromium. ctx bounds the browser's life; Close ends it sooner.
func New(ctx context.Context, o Options) (*Pool, error) {
	if o.Tabs <= 0 {
		o.Tabs = 2
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	dir, err := os.MkdirTemp("", "marquee-chromium-")
	if err != nil {
		return nil, err
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.UserDataDir(dir)}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	opts = append(opts, chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-default-browser-check", true))
	if o.ExecPath != "" {
		opts = append(opts, chromedp.ExecPath(o.ExecPath))
	}
	if o.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(o.UserAgent))
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	bctx, bcancel := chromedp.NewContext(allocCtx)
	p := &Pool{allocCancel: allocCancel, browserCtx: bctx, browserCancel: bcancel, dir: dir,
		tabs: make(chan *tab, o.Tabs), log: o.Log}
	// the first Run starts the browser; it must not carry a timeout
	if err := chromedp.Do(bctx); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	for range o.Tabs {
		p.tabs <- nil
	}
	stop := context.AfterFunc(ctx, func() { _ = p.Close() })
	p.mu.Lock()
	p.stop = stop
	p.mu.Unlock()
	return p, nil
}

// Close closes every tab and the browser and removes its temporary
// user-data-dir. It is safe to call more than once.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	stop := p.stop
	p.mu.Unlock()
	if stop != nil {
		stop()
	}
	p.browserCancel()
	p.allocCancel() // waits for the process to exit
	var err error
	for i := 0; i < 20; i++ { // Chromium's children may still be writing
		if err = os.RemoveAll(p.dir); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// Dir is the browser's temporary user-data-dir (removed by Close).
func (p *Pool) Dir() string { return p.dir }

func (p *Pool) acquire(ctx context.Context) (*tab, error) {
	select {
	case t := <-p.tabs:
		if t == nil {
			tctx, cancel := chromedp.NewContext(p.browserCtx)
			t = &tab{ctx: tctx, cancel: cancel}
		}
		return t, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.browserCtx.Done():
		return nil, errors.New("browser closed")
	}
}

// releaseTab returns a tab to the pool; a tab that erred is closed and its
// slot freed for a fresh one.
func (p *Pool) releaseTab(t *tab, broken bool) {
	if broken {
		t.cancel()
		t = nil
	}
	p.tabs <- t
}

// SiteOptions are the per-site limits of a browser fetch.
type SiteOptions struct {
	Timeout        time.Duration // per page (default 30s)
	MaxBytes       int64         // cap on the rendered HTML (default 10 MiB)
	AllowedDomains []string      // the final URL must be inside these
}

// Fetcher returns a fetch.Fetcher that renders pages in the pool's tabs
// with the site's limits.
func (p *Pool) Fetcher(o SiteOptions) fetch.Fetcher {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	return &siteFetcher{p: p, o: o}
}

type siteFetcher struct {
	p *Pool
	o SiteOptions
}

func (f *siteFetcher) Close() error { return nil }

// Fetch navigates a tab to the URL, waits for req.WaitFor to be visible and
// returns the rendered HTML with the document's HTTP status.
func (f *siteFetcher) Fetch(ctx context.Context, req fetch.Request) (*fetch.Page, error) {
	t, err := f.p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	broken := true
	defer func() { f.p.releaseTab(t, broken) }()

	rctx, cancel := context.WithTimeout(t.ctx, f.o.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel) // the caller's cancellation too
	defer stop()

	if _, err := chromedp.Run(t.ctx, chromedp.Func(func(context.Context, *chromedp.Target) error { return nil })); err != nil {
		return nil, fmt.Errorf("%s: open tab: %w", req.URL, err)
	}
	resp, err := chromedp.Run(rctx, chromedp.NavigateResponse(req.URL))
	if err != nil {
		return nil, fmt.Errorf("%s: navigate: %w", req.URL, err)
	}
	page := &fetch.Page{URL: req.URL, Status: http.StatusOK, Header: http.Header{}}
	if resp != nil {
		page.Status = int(resp.Status)
		if resp.URL != "" {
			page.URL = resp.URL
		}
		for k, v := range resp.Headers {
			page.Header.Set(k, fmt.Sprint(v))
		}
		page.ContentType = resp.MimeType
	}
	if u, err := url.Parse(page.URL); err == nil && !fetch.HostAllowed(u.Hostname(), f.o.AllowedDomains) {
		return nil, fmt.Errorf("%s: %w: %s", req.URL, fetch.ErrOffsite, page.URL)
	}
	if page.Status >= 200 && page.Status < 300 && req.WaitFor != "" {
		if err := chromedp.Do(rctx, chromedp.WaitVisible(chromedp.CSS(req.WaitFor))); err != nil {
			return nil, fmt.Errorf("%s: wait for %q: %w", req.URL, req.WaitFor, err)
		}
	}
	html, err := chromedp.Run(rctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		return nil, fmt.Errorf("%s: read page: %w", req.URL, err)
	}
	if int64(len(html)) > f.o.MaxBytes {
		return nil, fmt.Errorf("%s: %w (%d bytes)", req.URL, fetch.ErrTooLarge, f.o.MaxBytes)
	}
	page.Body = []byte(html)
	page.ContentType = "text/html; charset=utf-8"
	broken = false
	return page, nil
}
