package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"marquee/crawl/fetch"
	"marquee/internal/catalog"
	"marquee/internal/job"
)

// enqueue adds a task unless its URL was seen, is outside the allowed
// domains or too deep.
func (r *siteRun) enqueue(t task) {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	if !fetch.HostAllowed(u.Hostname(), r.site.AllowedDomains) {
		r.log.Debug("not following: outside allowed domains", "url", t.URL)
		return
	}
	k := canonicalURL(t.URL, false)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[k] {
		return
	}
	if t.Depth > r.site.MaxDepth {
		r.seen[k] = true
		r.stats.PagesTooDeep++
		return
	}
	r.seen[k] = true
	r.queue = append(r.queue, t)
	r.progress.SetTotal(int64(len(r.seen)))
	r.cond.Signal()
}

// next blocks until a task is ready; false when the crawl is over (nothing
// queued or in flight, the page cap reached, or ctx done).
func (r *siteRun) next(ctx context.Context) (task, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return task{}, false
		}
		if len(r.queue) > 0 {
			if r.started >= r.site.MaxPages {
				r.capped = true
				r.cond.Broadcast()
				return task{}, false
			}
			t := r.queue[0]
			r.queue[0] = task{}
			r.queue = r.queue[1:]
			r.inflight++
			r.started++
			return t, true
		}
		if r.inflight == 0 {
			r.cond.Broadcast()
			return task{}, false
		}
		r.cond.Wait()
	}
}

func (r *siteRun) done() {
	r.mu.Lock()
	r.inflight--
	r.cond.Broadcast()
	r.mu.Unlock()
	r.progress.Add(1)
}

func (r *siteRun) gate(host string) (*hostGate, *breaker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.gates[host]
	if g == nil {
		g = newHostGate(r.site.Rate, r.opts.MaxSlowdown)
		r.gates[host] = g
		r.breakers[host] = &breaker{threshold: r.opts.BreakerThreshold, cooldown: r.opts.BreakerCooldown}
	}
	return g, r.breakers[host]
}

func (r *siteRun) fail(t task, err error) {
	r.mu.Lock()
	r.stats.PagesFailed++
	if len(r.errs) < 5 {
		r.errs = append(r.errs, err.Error())
	}
	r.mu.Unlock()
	r.log.Warn("page failed", "url", t.URL, "err", err)
}

// process fetches one page, extracts it, checkpoints and applies the result.
func (r *siteRun) process(ctx context.Context, t task) {
	u, err := url.Parse(t.URL)
	if err != nil {
		r.fail(t, err)
		return
	}
	if *r.site.Robots && !r.robots.allowed(ctx, u) {
		r.mu.Lock()
		r.stats.PagesDisallowed++
		r.mu.Unlock()
		r.log.Info("disallowed by robots.txt, not fetched", "url", t.URL)
		return
	}
	g, br := r.gate(u.Host)
	if *r.site.Robots {
		if d := r.robots.crawlDelay(ctx, u); d > 0 {
			g.atLeast(min(d, r.opts.MaxSlowdown)) // honoured up to the slowdown cap
		}
	}
	if !br.allow(time.Now()) {
		r.fail(t, fmt.Errorf("%s: circuit open for host %s", t.URL, u.Host))
		return
	}
	req := fetch.Request{URL: t.URL}
	if r.site.Render == RenderBrowser {
		req.WaitFor = r.site.WaitFor
	}
	if r.site.Render == RenderAPI {
		req.Accept = "application/json"
	}
	p, err := r.fetchRetry(ctx, r.pages, g, req, r.site.Retries)
	if err != nil {
		if ctx.Err() != nil {
			return // not a page failure: the crawl is stopping
		}
		if br.failure(time.Now()) {
			r.log.Warn("circuit breaker open: host keeps failing", "host", u.Host, "cooldown", r.opts.BreakerCooldown)
		}
		r.fail(t, err)
		return
	}
	br.success()
	fetchedAt := r.env.Now().UTC()
	rules := r.site.List
	if t.Role == roleDetail {
		rules = r.site.Detail
	}
	var ex extraction
	if r.site.Render == RenderAPI {
		ex, err = extractJSON(r.site, rules, t.Role, t.URL, p.Body)
	} else {
		ex, err = extractHTML(r.site, rules, t.Role, t.URL, p.Body)
	}
	e := pageEntry{Task: t, FetchedAt: fetchedAt}
	if err != nil {
		body := string(p.Body)
		if len(body) > 64<<10 {
			body = body[:64<<10]
		}
		e.Reject = &rejectedPage{Reason: "extract: " + err.Error(), Body: body}
		r.log.Warn("page quarantined", "url", t.URL, "err", err)
	}
	e.Items = ex.Items
	for _, l := range ex.Links {
		e.Found = append(e.Found, task{URL: l, Role: roleDetail, Depth: t.Depth + 1, Tmpl: -1})
	}
	// pagination stays at its page's depth (max_pages bounds it); links
	// to detail pages go one deeper
	for _, l := range ex.Next {
		e.Found = append(e.Found, task{URL: l, Role: roleList, Depth: t.Depth, Tmpl: -1})
	}
	if t.Tmpl >= 0 && (len(ex.Items) > 0 || len(ex.Links) > 0) {
		n := t.Page + 1
		e.Found = append(e.Found, task{URL: expandTemplate(r.site.StartURLs[t.Tmpl], r.env.Date, n), Role: roleList, Depth: t.Depth, Tmpl: t.Tmpl, Page: n})
	}
	if err := r.ckpt.add(ctx, e); err != nil {
		r.log.Warn("checkpoint not written; a rerun fetches these pages again", "err", err)
	}
	r.mu.Lock()
	r.stats.PagesFetched++
	r.applyLocked(e)
	r.mu.Unlock()
	for _, f := range e.Found {
		r.enqueue(f)
	}
}

// applyLocked adds a page's items and rejects (r.mu held).
func (r *siteRun) applyLocked(e pageEntry) {
	for _, it := range e.Items {
		r.items = append(r.items, found{item: it, FetchedAt: e.FetchedAt})
	}
	r.stats.ItemsFound += int64(len(e.Items))
	if e.Reject != nil {
		r.rejects = append(r.rejects, rejectAt{url: e.Task.URL, at: e.FetchedAt, r: *e.Reject})
		r.stats.Quarantined++
	}
}

// fetchRetry fetches through the host gate with retries: 408/425/429/5xx
// and network errors are retried with backoff (Retry-After honoured, up to
// MaxRetryAfter); a 429 or 503 also slows the host down. Other statuses,
// ErrTooLarge and ErrOffsite fail at once.
func (r *siteRun) fetchRetry(ctx context.Context, f fetch.Fetcher, g *hostGate, req fetch.Request, attempts int) (*fetch.Page, error) {
	b := r.opts.Backoff
	b.Attempts = attempts
	var page *fetch.Page
	err := job.Retry(ctx, b, func(ctx context.Context) error {
		if err := g.acquire(ctx); err != nil {
			return err
		}
		p, err := f.Fetch(ctx, req)
		g.release()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, fetch.ErrTooLarge) || errors.Is(err, fetch.ErrOffsite) {
				return err
			}
			return catalog.Transient(err)
		}
		if p.Status >= 200 && p.Status < 300 {
			g.speedUp()
			page = p
			return nil
		}
		se := &fetch.StatusError{URL: req.URL, Status: p.Status}
		if p.Header != nil {
			se.RetryAfter = fetch.ParseRetryAfter(p.Header.Get("Retry-After"), time.Now())
		}
		if p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
			g.slowDown()
			r.log.Info("host asks to slow down", "url", req.URL, "status", p.Status,
				"retry_after", se.RetryAfter, "delay", g.currentDelay())
		}
		if !se.Retryable() {
			return se
		}
		if ra := min(se.RetryAfter, r.opts.MaxRetryAfter); ra > 0 {
			return catalog.Transient(&job.RetryAfter{Err: se, After: ra})
		}
		return catalog.Transient(se)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// fetchRobots gets a robots.txt: any final status is a page (robotstxt
// reads 4xx as allow-all); an error means it stayed unreachable.
func (r *siteRun) fetchRobots(ctx context.Context, u string) (*fetch.Page, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	g, _ := r.gate(pu.Host)
	p, err := r.fetchRetry(ctx, r.http, g, fetch.Request{URL: u, Accept: "text/plain"}, min(r.site.Retries, 3))
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) && se.Status < 500 {
			return &fetch.Page{URL: u, Status: se.Status}, nil
		}
		return nil, err
	}
	if !strings.HasPrefix(p.URL, pu.Scheme+"://"+pu.Host) {
		r.log.Debug("robots.txt redirected", "to", p.URL)
	}
	return p, nil
}

// logLoop logs the site's progress every LogEvery until stopped.
func (r *siteRun) logLoop(ctx context.Context) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(r.opts.LogEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.mu.Lock()
				st, q, inf := r.stats, len(r.queue), r.inflight
				r.mu.Unlock()
				r.log.Info("crawl progress", "pages_fetched", st.PagesFetched, "pages_queued", q+inf,
					"pages_failed", st.PagesFailed, "items", st.ItemsFound)
			}
		}
	}()
	return func() { cancel(); <-done }
}
