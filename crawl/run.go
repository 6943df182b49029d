package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"marquee/crawl/browser"
	"marquee/crawl/fetch"
	"marquee/crawl/static"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// DefaultUserAgent is sent when neither the run nor the site sets one.
const DefaultUserAgent = "marquee-crawler/1.0 (+https://github.com/marquee)"

// Options configures a crawl run. Zero values take the documented defaults.
type Options struct {
	Sites     []Site   // every defined site
	Only      []string // --site: crawl only these (names)
	Shard     Shard    // --shard i/n
	UserAgent string   // default DefaultUserAgent; a site's user_agent wins

	// HTTPClient is the client of the static and api fetchers (tests inject
	// one); nil uses a fresh transport.
	HTTPClient *http.Client
	// ChromiumPath is the Chromium binary for browser sites ("" finds one
	// on PATH).
	ChromiumPath string
	// Tabs bounds the browser tabs open at once for the run (default 2).
	Tabs int

	MaxRunTime      time.Duration // stop crawling after this, commit what was found (0: none)
	SiteParallelism int           // sites crawled at once (default 4)

	CheckpointEvery    int           // pages per checkpoint segment (default 20)
	CheckpointInterval time.Duration // or this long, whichever first (default 5s)

	Backoff          job.Backoff   // retry delays per page (attempts come from the site)
	MaxRetryAfter    time.Duration // longest Retry-After honoured (default 2m)
	MaxSlowdown      time.Duration // adaptive delay cap after 429/503 (default 30s)
	BreakerThreshold int           // consecutive failed pages that open a host's breaker (default 5)
	BreakerCooldown  time.Duration // how long it stays open (default 1m)
	LogEvery         time.Duration // progress log period per site (default 10s)
}

func (o *Options) defaults() {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Tabs <= 0 {
		o.Tabs = 2
	}
	if o.SiteParallelism <= 0 {
		o.SiteParallelism = 4
	}
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = 20
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = 5 * time.Second
	}
	if o.Backoff.Base <= 0 {
		o.Backoff.Base = 500 * time.Millisecond
	}
	if o.Backoff.Max <= 0 {
		o.Backoff.Max = 30 * time.Second
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 2 * time.Minute
	}
	if o.MaxSlowdown <= 0 {
		o.MaxSlowdown = 30 * time.Second
	}
	if o.BreakerThreshold <= 0 {
		o.BreakerThreshold = 5
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = time.Minute
	}
	if o.LogEvery <= 0 {
		o.LogEvery = 10 * time.Second
	}
}

// SiteStats are one site's counts, reported in the summary details.
type SiteStats struct {
	PagesFetched    int64    `json:"pages_fetched"`
	PagesResumed    int64    `json:"pages_resumed"`
	PagesFailed     int64    `json:"pages_failed"`
	PagesDisallowed int64    `json:"pages_disallowed"`
	PagesQueued     int64    `json:"pages_queued"`
	PagesTooDeep    int64    `json:"pages_too_deep"` // links beyond max_depth, not followed
	ItemsFound      int64    `json:"items_found"`
	Duplicates      int64    `json:"duplicates"`
	Filtered        int64    `json:"filtered"`
	Quarantined     int64    `json:"quarantined"`
	Written         int64    `json:"written"`
	Output          string   `json:"output,omitempty"`
	Errors          []string `json:"errors,omitempty"` // the first few page failures
}

// Run crawls the selected sites for env.Date and commits one raw partition
// per site, raw/releases/source=<site>/dt=<D>. A site whose every page
// failed is not committed and makes the run fail with catalog.ErrUnavailable
// (after the other sites commit). Cancelled runs commit nothing; their
// checkpoint lets the next run of the date resume.
func Run(ctx context.Context, env *job.Env, opts Options, store lake.Store) (*job.Summary, error) {
	opts.defaults()
	sum := job.NewSummary(env)
	sites, err := selectSites(opts.Sites, opts.Only, opts.Shard)
	if err != nil {
		return sum, err
	}
	if len(sites) == 0 {
		return sum, fmt.Errorf("crawl: no site in shard %s: %w", opts.Shard, catalog.ErrNothingToDo)
	}

	crawlCtx := ctx
	if opts.MaxRunTime > 0 {
		var cancel context.CancelFunc
		crawlCtx, cancel = context.WithTimeout(ctx, opts.MaxRunTime)
		defer cancel()
	}

	// one Chromium for the run, started only when a browser site is selected;
	// when it cannot start, the browser sites fail and the others still run
	var pool *browser.Pool
	var poolErr error
	for _, s := range sites {
		if s.Render == RenderBrowser {
			pool, poolErr = browser.New(ctx, browser.Options{ExecPath: opts.ChromiumPath, Tabs: opts.Tabs, UserAgent: opts.UserAgent, Log: env.Log})
			if poolErr != nil {
				env.Log.Error("Chromium did not start; browser sites fail", "err", poolErr)
			} else {
				defer func() {
					if err := pool.Close(); err != nil {
						env.Log.Warn("Chromium's temporary profile not removed", "dir", pool.Dir(), "err", err)
					}
				}()
			}
			break
		}
	}

	results := make([]*siteResult, len(sites))
	var g errgroup.Group
	g.SetLimit(opts.SiteParallelism)
	for i := range sites {
		g.Go(func() error {
			if sites[i].Render == RenderBrowser && poolErr != nil {
				results[i] = &siteResult{err: fmt.Errorf("crawl: site %s: start Chromium: %w: %w", sites[i].Name, poolErr, catalog.ErrUnavailable)}
				return nil
			}
			r := newSiteRun(crawlCtx, env, &opts, &sites[i], store, pool)
			results[i] = r.run(ctx, crawlCtx)
			return nil
		})
	}
	_ = g.Wait()

	var failed []error
	details := map[string]*SiteStats{}
	for i, res := range results {
		s := sites[i]
		details[s.Name] = &res.stats
		sum.Read += res.stats.ItemsFound
		sum.Written += res.stats.Written
		sum.Skipped += res.stats.Duplicates + res.stats.Filtered
		sum.Quarantined += res.stats.Quarantined
		sum.Inputs = append(sum.Inputs, res.inputs...)
		sum.Outputs = append(sum.Outputs, res.outputs...)
		for _, w := range res.warnings {
			sum.Warnings = append(sum.Warnings, s.Name+": "+w)
		}
		if res.err != nil {
			failed = append(failed, res.err)
		}
	}
	sort.Strings(sum.Inputs)
	sum.Detail("sites", details)
	if opts.Shard.Count > 1 {
		sum.Detail("shard", opts.Shard.String())
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("crawl: %w", err)
	}
	if len(failed) > 0 {
		return sum, errors.Join(failed...)
	}
	return sum, nil
}

// task is one page to fetch.
type task struct {
	URL   string `json:"url"`
	Role  string `json:"role"`
	Depth int    `json:"depth"`
	Tmpl  int    `json:"tmpl"` // index of the {page} start URL it came from; -1 for none
	Page  int    `json:"page,omitempty"`
}

type siteResult struct {
	stats    SiteStats
	inputs   []string
	outputs  []string
	warnings []string
	err      error
}

// siteRun is the crawl of one site.
type siteRun struct {
	env   *job.Env
	opts  *Options
	site  *Site
	store lake.Store
	log   *slog.Logger

	http     fetch.Fetcher // static and api pages, robots.txt
	pages    fetch.Fetcher // the site's page fetcher (http or a browser)
	robots   *robotsCache
	ckpt     *checkpoint
	filter   keywordFilter
	progress job.Progress

	mu       sync.Mutex
	cond     *sync.Cond
	queue    []task
	seen     map[string]bool
	inflight int
	started  int
	capped   bool
	items    []found
	rejects  []rejectAt
	gates    map[string]*hostGate
	breakers map[string]*breaker
	stats    SiteStats
	errs     []string
}

type rejectAt struct {
	url string
	at  time.Time
	r   rejectedPage
}

// newSiteRun prepares the crawl of one site; ctx bounds its HTTP requests.
func newSiteRun(ctx context.Context, env *job.Env, opts *Options, s *Site, store lake.Store, pool *browser.Pool) *siteRun {
	ua := opts.UserAgent
	if s.UserAgent != "" {
		ua = s.UserAgent
	}
	r := &siteRun{
		env: env, opts: opts, site: s, store: store,
		log:      env.Log.With("site", s.Name),
		seen:     map[string]bool{},
		gates:    map[string]*hostGate{},
		breakers: map[string]*breaker{},
		filter:   newKeywordFilter(s.Include, s.Exclude),
		ckpt: &checkpoint{
			store: store, prefix: statePrefix(s.Name, env.Date), site: siteFingerprint(s), runID: env.RunID,
			every: opts.CheckpointEvery, interval: opts.CheckpointInterval, disabled: env.DryRun,
		},
	}
	r.cond = sync.NewCond(&r.mu)
	r.http = static.New(ctx, static.Options{
		UserAgent: ua, Timeout: s.Timeout, MaxBytes: s.MaxBytes,
		AllowedDomains: s.AllowedDomains, Charset: s.Charset, Client: opts.HTTPClient,
		Headers: s.Headers,
	})
	r.pages = r.http
	if s.Render == RenderBrowser && pool != nil {
		r.pages = pool.Fetcher(browser.SiteOptions{Timeout: s.Timeout, MaxBytes: s.MaxBytes, AllowedDomains: s.AllowedDomains})
	}
	r.robots = newRobotsCache(ua, r.fetchRobots)
	return r
}

// run crawls until the frontier is empty, the caps are hit or crawlCtx
// ends, then commits (unless ctx, the run's context, was cancelled).
func (r *siteRun) run(ctx, crawlCtx context.Context) *siteResult {
	res := &siteResult{}
	s := r.site
	for _, u := range s.StartURLs {
		if pu, err := url.Parse(u); err == nil {
			res.inputs = append(res.inputs, pu.Scheme+"://"+pu.Host)
		}
	}
	res.inputs = uniqueSorted(res.inputs)
	r.progress = r.env.Progress("crawl "+s.Name, 0)
	defer r.progress.Finish()

	if !r.env.DryRun {
		entries, ignored, err := loadCheckpoint(ctx, r.store, r.ckpt.prefix, r.ckpt.site)
		if err != nil {
			res.err = fmt.Errorf("crawl: site %s: %w", s.Name, err)
			return res
		}
		if ignored > 0 {
			res.warnings = append(res.warnings, fmt.Sprintf("checkpoint of a different site definition ignored (%d segments); crawling afresh", ignored))
		}
		r.replay(entries)
		if len(entries) > 0 {
			r.log.Info("resuming from checkpoint", "pages", len(entries), "items", len(r.items))
		}
	}
	for i, raw := range s.StartURLs {
		t := task{URL: expandTemplate(raw, r.env.Date, *s.PageStart), Role: roleList, Tmpl: -1}
		if strings.Contains(raw, "{page}") {
			t.Tmpl, t.Page = i, *s.PageStart
		}
		r.enqueue(t)
	}

	stopLog := r.logLoop(crawlCtx)
	workers := s.Rate.Parallelism
	if s.Render == RenderBrowser && workers > r.opts.Tabs {
		workers = r.opts.Tabs
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t, ok := r.next(crawlCtx)
				if !ok {
					return
				}
				r.process(crawlCtx, t)
				r.done()
			}
		}()
	}
	// wake workers blocked in next when the crawl context ends
	stopWake := context.AfterFunc(crawlCtx, func() {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	wg.Wait()
	stopWake()
	stopLog()

	r.mu.Lock()
	res.stats = r.stats
	res.stats.PagesQueued = int64(len(r.queue))
	res.stats.Errors = r.errs
	capped := r.capped
	r.mu.Unlock()

	if ctx.Err() != nil {
		// interrupted: keep what the checkpoint holds for the next run
		_ = r.ckpt.flush(context.WithoutCancel(ctx))
		res.err = fmt.Errorf("crawl: site %s: %w", s.Name, ctx.Err())
		return res
	}
	if capped {
		res.warnings = append(res.warnings, fmt.Sprintf("max_pages (%d) reached; %d pages not fetched", s.MaxPages, res.stats.PagesQueued))
	}
	if crawlCtx.Err() != nil {
		res.warnings = append(res.warnings, fmt.Sprintf("run time cap (%s) reached; %d pages not fetched", r.opts.MaxRunTime, res.stats.PagesQueued))
	}
	if res.stats.PagesDisallowed > 0 && res.stats.PagesFetched+res.stats.PagesResumed == 0 {
		res.warnings = append(res.warnings, "robots.txt disallowed every page: nothing crawled")
	}
	if res.stats.PagesTooDeep > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d links beyond max_depth (%d) not followed", res.stats.PagesTooDeep, s.MaxDepth))
	}
	if res.stats.PagesFailed > 0 {
		res.warnings = append(res.warnings, fmt.Sprintf("%d pages failed", res.stats.PagesFailed))
	}
	if res.stats.PagesFetched+res.stats.PagesResumed == 0 && res.stats.PagesFailed > 0 {
		res.err = fmt.Errorf("crawl: site %s: every page failed (%d), first: %s: %w",
			s.Name, res.stats.PagesFailed, first1(res.stats.Errors), catalog.ErrUnavailable)
		return res
	}

	recs, dups := mergeItems(s, r.items)
	res.stats.Duplicates = int64(dups)
	kept := recs[:0]
	for _, rec := range recs {
		if r.filter.keep(rec.Fields) {
			kept = append(kept, rec)
		} else {
			res.stats.Filtered++
		}
	}
	res.stats.Written = int64(len(kept))
	if r.env.DryRun {
		r.log.Info("dry run: nothing written", "records", len(kept))
		return res
	}
	out, err := r.commit(ctx, kept)
	if err != nil {
		res.err = fmt.Errorf("crawl: site %s: commit: %w", s.Name, err)
		res.stats.Written = 0
		return res
	}
	res.outputs = out
	res.stats.Output = out[0]
	if err := clearCheckpoint(ctx, r.store, r.ckpt.prefix); err != nil {
		res.warnings = append(res.warnings, "checkpoint not cleared: "+err.Error())
	}
	r.log.Info("site done", "pages_fetched", res.stats.PagesFetched, "pages_resumed", res.stats.PagesResumed,
		"pages_failed", res.stats.PagesFailed, "pages_disallowed", res.stats.PagesDisallowed,
		"items", res.stats.ItemsFound, "written", res.stats.Written, "duplicates", dups, "filtered", res.stats.Filtered)
	return res
}

func first1(s []string) string {
	if len(s) == 0 {
		return "?"
	}
	return s[0]
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// commit writes the records (and rejected pages) and commits the partitions.
func (r *siteRun) commit(ctx context.Context, recs []catalog.RawRecord) ([]string, error) {
	dir := lake.PartitionPath(lake.ZoneRawReleases+"/source="+r.site.Name, r.env.Date)
	pw := lake.NewPartitionWriter(r.store, dir, r.env.Job, r.env.RunID, r.env.Now)
	jw := lake.NewJSONLWriter(ctx, pw)
	for _, rec := range recs {
		if err := jw.Write(rec); err != nil {
			jw.Abort()
			_ = pw.Abort(context.WithoutCancel(ctx))
			return nil, err
		}
	}
	if err := jw.Close(); err != nil {
		_ = pw.Abort(context.WithoutCancel(ctx))
		return nil, err
	}
	var outs []string
	if len(r.rejects) > 0 {
		qdir := lake.PartitionPath(lake.ZoneQuarantine+"/crawl/source="+r.site.Name, r.env.Date)
		qw := lake.NewPartitionWriter(r.store, qdir, r.env.Job, r.env.RunID, r.env.Now)
		qj := lake.NewJSONLWriter(ctx, qw)
		sort.Slice(r.rejects, func(i, j int) bool { return r.rejects[i].url < r.rejects[j].url })
		for _, q := range r.rejects {
			if err := qj.Write(lake.Rejected{Job: r.env.Job, Reason: q.r.Reason, Origin: q.url, At: q.at.UTC(), Raw: q.r.Body}); err != nil {
				qj.Abort()
				_ = qw.Abort(context.WithoutCancel(ctx))
				_ = pw.Abort(context.WithoutCancel(ctx))
				return nil, err
			}
		}
		if err := qj.Close(); err != nil {
			_ = qw.Abort(context.WithoutCancel(ctx))
			_ = pw.Abort(context.WithoutCancel(ctx))
			return nil, err
		}
		if _, err := qw.Commit(ctx, lake.CommitOptions{Meta: map[string]string{"source": r.site.Name}}); err != nil {
			_ = pw.Abort(context.WithoutCancel(ctx))
			return nil, err
		}
		outs = append(outs, r.store.URI()+"/"+qdir)
	}
	meta := map[string]string{"source": r.site.Name, "render": r.site.Render, "kind": string(r.site.Kind)}
	if _, err := pw.Commit(ctx, lake.CommitOptions{Meta: meta}); err != nil {
		_ = pw.Abort(context.WithoutCancel(ctx))
		return nil, err
	}
	return append([]string{r.store.URI() + "/" + dir}, outs...), nil
}

// replay applies stored checkpoint entries: their pages are done, their
// items kept and the tasks they found queued.
func (r *siteRun) replay(entries []pageEntry) {
	r.mu.Lock()
	for _, e := range entries {
		k := canonicalURL(e.Task.URL, false)
		if r.seen[k] {
			continue
		}
		r.seen[k] = true
		r.started++
		r.stats.PagesResumed++
		r.applyLocked(e)
	}
	r.mu.Unlock()
	for _, e := range entries {
		for _, t := range e.Found {
			r.enqueue(t)
		}
	}
}
