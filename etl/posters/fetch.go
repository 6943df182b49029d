package posters

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/temoto/robotstxt"

	"marquee/internal/catalog"
	"marquee/internal/job"
)

// hostGate bounds and spaces requests to one host: at most n at a time,
// starts at least delay apart (robots.txt Crawl-delay raises delay).
type hostGate struct {
	slots chan struct{}
	mu    sync.Mutex
	delay time.Duration
	next  time.Time

	robotsOnce sync.Once
	robots     *robotstxt.Group // nil: everything allowed
	robotsNone bool             // robots.txt answered 5xx: nothing allowed
	robotsErr  error            // robots.txt unreachable after retries: the host is down
}

func (g *hostGate) acquire(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	var wait time.Duration
	if g.delay > 0 {
		now := time.Now() // request spacing only; never data
		start := g.next
		if start.Before(now) {
			start = now
		}
		g.next = start.Add(g.delay)
		wait = start.Sub(now)
	}
	g.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			<-g.slots
			return ctx.Err()
		}
	}
	return nil
}

func (g *hostGate) release() { <-g.slots }

// fetcher downloads poster bodies politely.
type fetcher struct {
	client   *http.Client
	agent    string // User-Agent header
	robotsUA string // product token matched against robots.txt groups
	perHost  int
	delay    time.Duration
	maxBytes int64
	backoff  job.Backoff
	noRobots bool
	mu       sync.Mutex
	hosts    map[string]*hostGate
}

func (f *fetcher) gate(u *url.URL) *hostGate {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := u.Scheme + "://" + u.Host
	g := f.hosts[key]
	if g == nil {
		g = &hostGate{slots: make(chan struct{}, max(f.perHost, 1)), delay: f.delay}
		f.hosts[key] = g
	}
	return g
}

// allowed loads the host's robots.txt once (RFC 9309: 4xx allows all,
// 5xx allows nothing) and checks u's path. A host that does not answer at
// all is an error wrapping catalog.ErrUnavailable (nothing is fetched).
func (f *fetcher) allowed(ctx context.Context, u *url.URL, g *hostGate) (bool, error) {
	if f.noRobots {
		return true, nil
	}
	g.robotsOnce.Do(func() {
		status, body, err := f.getRobots(ctx, u.Scheme+"://"+u.Host+"/robots.txt")
		switch {
		case err != nil && errors.Is(err, catalog.ErrUnavailable):
			g.robotsErr = fmt.Errorf("robots.txt: %w", err)
		case err != nil || status >= 500:
			g.robotsNone = true
		case status >= 400:
			// no robots.txt: everything allowed
		default:
			r, perr := robotstxt.FromStatusAndBytes(status, body)
			if perr != nil {
				return
			}
			g.robots = r.FindGroup(f.robotsUA)
			if g.robots != nil && g.robots.CrawlDelay > 0 {
				g.mu.Lock()
				if g.robots.CrawlDelay > g.delay {
					g.delay = g.robots.CrawlDelay
				}
				g.mu.Unlock()
			}
		}
	})
	if g.robotsErr != nil {
		return false, g.robotsErr
	}
	if g.robotsNone {
		return false, nil
	}
	if g.robots == nil {
		return true, nil
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return g.robots.Test(p), nil
}

func (f *fetcher) getRobots(ctx context.Context, u string) (int, []byte, error) {
	var status int
	var body []byte
	err := job.Retry(ctx, f.backoff, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", f.agent)
		resp, err := f.client.Do(req)
		if err != nil {
			return classifyNetErr(ctx, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return catalog.Transient(fmt.Errorf("robots.txt: status %d", resp.StatusCode))
		}
		status = resp.StatusCode
		body, err = io.ReadAll(io.LimitReader(resp.Body, 512<<10))
		if err != nil {
			return classifyNetErr(ctx, err)
		}
		return nil
	})
	return status, body, err
}

// validators are the conditional-GET values of an earlier download.
type validators struct {
	ETag         string
	LastModified string
}

// response is one finished download.
type response struct {
	NotModified  bool
	Body         []byte
	HeaderType   string // Content-Type as sent (kept for quarantine records only)
	ETag         string
	LastModified string
}

// get downloads u with retries. cond, when set, makes it a conditional GET.
// Validation failures (status, size) are *rejectError values; exhausted
// transient failures wrap catalog.ErrUnavailable.
func (f *fetcher) get(ctx context.Context, u *url.URL, g *hostGate, cond *validators) (*response, error) {
	var out *response
	err := job.Retry(ctx, f.backoff, func(ctx context.Context) error {
		if err := g.acquire(ctx); err != nil {
			return err
		}
		defer g.release()
		r, err := f.once(ctx, u, cond)
		if err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

func (f *fetcher) once(ctx context.Context, u *url.URL, cond *validators) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, reject(ReasonBadURL, "%v", err)
	}
	req.Header.Set("User-Agent", f.agent)
	req.Header.Set("Accept", "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.5")
	if cond != nil {
		if cond.ETag != "" {
			req.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			req.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, classifyNetErr(ctx, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && cond != nil:
		return &response{NotModified: true, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		e := fmt.Errorf("status %d", resp.StatusCode)
		if d := retryAfter(resp.Header.Get("Retry-After")); d > 0 {
			return nil, catalog.Transient(&job.RetryAfter{Err: e, After: d})
		}
		return nil, catalog.Transient(e)
	case resp.StatusCode != http.StatusOK:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &rejectError{Reason: ReasonHTTPStatus + "_" + strconv.Itoa(resp.StatusCode), Detail: resp.Status}
	}
	if resp.ContentLength > f.maxBytes {
		return nil, reject(ReasonTooLarge, "Content-Length %d is over the cap of %d bytes", resp.ContentLength, f.maxBytes)
	}
	// The cap holds while streaming, whatever Content-Length claimed.
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, classifyNetErr(ctx, err)
	}
	if int64(len(body)) > f.maxBytes {
		return nil, reject(ReasonTooLarge, "body is over the cap of %d bytes", f.maxBytes)
	}
	return &response{Body: body, HeaderType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
}

// retryAfter parses a Retry-After header (seconds or an HTTP date), capped at
// a minute.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	if d > time.Minute {
		d = time.Minute
	}
	return d
}

// classifyNetErr marks network failures transient; a cancelled context is
// returned as is.
func classifyNetErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.EOF) {
		return catalog.Transient(err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return catalog.Transient(err)
	}
	return err
}
