package static

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gocolly/colly/v2"

	"marquee/crawl/fetch"
)

// Options configures a Fetcher.
type Options struct {
	UserAgent      string
	Timeout        time.Duration     // per request, headers and body (default 30s)
	MaxBytes       int64             // response body cap (default 10 MiB)
	AllowedDomains []string          // redirect targets must be inside these; empty allows all
	Charset        string            // fallback charset label when a page declares none
	Headers        map[string]string // extra request headers
	// Client is the HTTP client to use (tests inject one); nil makes one on
	// a clone of http.DefaultTransport. Its CheckRedirect and Timeout are
	// replaced on a copy; the caller's client is not changed.
	Client *http.Client
}

// Fetcher is a fetch.Fetcher on a colly collector. Safe for concurrent use.
type Fetcher struct {
	c    *colly.Collector
	opts Options
}

var _ fetch.Fetcher = (*Fetcher)(nil)

const (
	ctxPage    = "marquee.page"
	ctxTooBig  = "marquee.toobig"
	maxRedirec = 10
)

// New returns a Fetcher. ctx bounds every request it makes.
func New(ctx context.Context, o Options) *Fetcher {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	c := colly.NewCollector(
		colly.AllowURLRevisit(),
		colly.IgnoreRobotsTxt(), // package crawl checks robots.txt itself
		colly.ParseHTTPErrorResponse(),
		colly.StdlibContext(ctx),
		colly.UserAgent(o.UserAgent),
	)
	c.MaxBodySize = int(o.MaxBytes + 1)
	c.CheckHead = false
	var client http.Client
	if o.Client != nil {
		client = *o.Client
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32 // keep connections for parallel requests to one host
		client.Transport = tr
	}
	c.SetClient(&client)
	c.SetRequestTimeout(o.Timeout)
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirec {
			return fmt.Errorf("stopped after %d redirects", maxRedirec)
		}
		if !fetch.HostAllowed(req.URL.Hostname(), o.AllowedDomains) {
			return fmt.Errorf("%w: %s", fetch.ErrOffsite, req.URL)
		}
		return nil
	})
	c.OnResponseHeaders(func(r *colly.Response) {
		if cl := r.Headers.Get("Content-Length"); cl != "" {
			var n int64
			if _, err := fmt.Sscan(cl, &n); err == nil && n > o.MaxBytes {
				r.Ctx.Put(ctxTooBig, true)
				r.Request.Abort()
			}
		}
	})
	c.OnResponse(func(r *colly.Response) { r.Ctx.Put(ctxPage, r) })
	return &Fetcher{c: c, opts: o}
}

// Fetch implements fetch.Fetcher.
func (f *Fetcher) Fetch(ctx context.Context, req fetch.Request) (*fetch.Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cctx := colly.NewContext()
	hdr := http.Header{}
	hdr.Set("User-Agent", f.opts.UserAgent)
	for k, v := range f.opts.Headers {
		hdr.Set(k, v)
	}
	if req.Accept != "" {
		hdr.Set("Accept", req.Accept)
	}
	// colly binds every request to the collector's context (the run's), so
	// cancelling the run stops requests in flight.
	err := f.c.Request(http.MethodGet, req.URL, nil, cctx, hdr)
	if v, _ := cctx.GetAny(ctxTooBig).(bool); v {
		return nil, fmt.Errorf("%s: %w (%d bytes)", req.URL, fetch.ErrTooLarge, f.opts.MaxBytes)
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		var ue *url.Error
		if errors.As(err, &ue) && errors.Is(ue.Err, fetch.ErrOffsite) {
			return nil, fmt.Errorf("%s: %w", req.URL, ue.Err)
		}
		return nil, fmt.Errorf("%s: %w", req.URL, err)
	}
	r, _ := cctx.GetAny(ctxPage).(*colly.Response)
	if r == nil {
		return nil, fmt.Errorf("%s: no response", req.URL)
	}
	if int64(len(r.Body)) > f.opts.MaxBytes {
		return nil, fmt.Errorf("%s: %w (%d bytes)", req.URL, fetch.ErrTooLarge, f.opts.MaxBytes)
	}
	p := &fetch.Page{URL: r.Request.URL.String(), Status: r.StatusCode, Body: r.Body}
	if r.Headers != nil {
		p.Header = r.Headers.Clone()
		p.ContentType = r.Headers.Get("Content-Type")
	}
	// colly already decoded a charset declared in the header; decode what
	// is declared only in the page (meta) or not at all.
	if fetch.IsText(p.ContentType) && fetch.HeaderCharset(p.ContentType) == "" {
		b, err := fetch.ToUTF8(p.Body, p.ContentType, f.opts.Charset)
		if err != nil {
			return nil, fmt.Errorf("%s: decode: %w", req.URL, err)
		}
		p.Body = b
	}
	return p, nil
}

// Close implements fetch.Fetcher; a static fetcher holds nothing.
func (f *Fetcher) Close() error { return nil }
