package posters

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// JobName is the job's name in summaries, locks and the lake.
const JobName = "ingest-posters"

// Sources of poster URLs (--from).
const (
	FromRaw   = "raw"
	FromMongo = "mongo"
)

// Verification levels (Options.Verify, --verify).
const (
	VerifyFull      = "full"
	VerifyStructure = "structure"
)

// Defaults of Options.
const (
	DefaultMaxBytes  = 10 << 20
	DefaultMinWidth  = 50
	DefaultMinHeight = 50
	DefaultMaxPixels = 50_000_000
	DefaultWorkers   = 8
	DefaultPerHost   = 4
	DefaultUserAgent = "marquee-posters/1.0 (+https://github.com/marquee; ingest-posters)"
	// RobotsAgent is the product token matched against robots.txt groups.
	RobotsAgent = "marquee"
)

// Options configure one run.
type Options struct {
	From       string   // FromRaw (default) or FromMongo
	Sources    []string // raw sources to read (default: every source of the date)
	Thumbnails []int    // JPEG thumbnail widths, e.g. 320, 640

	MaxBytes  int64 // body cap, enforced while streaming (default 10 MiB)
	MinWidth  int   // smaller images are rejected (default 50)
	MinHeight int   // (default 50)
	MaxPixels int64 // width×height cap against decompression bombs (default 50M)
	// Verify is VerifyFull (default: decode every image whole) or
	// VerifyStructure (decode the header, check the end marker: catches
	// truncation, not corruption inside the data; several times cheaper).
	Verify string

	Workers      int           // parallel downloads (default 8)
	PerHost      int           // parallel downloads per host (default 4)
	Delay        time.Duration // least time between request starts to one host (robots Crawl-delay raises it)
	UserAgent    string        // User-Agent header (default DefaultUserAgent)
	IgnoreRobots bool          // skip robots.txt (tests, own CDNs)
	Backoff      job.Backoff   // retries of downloads and lake writes (default job.DefaultBackoff)

	Input  string // dataset URI of the release source for the summary (--from mongo)
	Output string // dataset URI of the poster sink for the summary (MongoDB releases)
}

// PosterSink records a release's stored poster (MongoDB releases). SetPoster
// is idempotent; a release it does not know is catalog.ErrNotFound.
type PosterSink interface {
	SetPoster(ctx context.Context, id string, p catalog.Poster) error
}

// Deps are the job's dependencies; cmd/marquee wires concrete ones.
type Deps struct {
	Lake     lake.Store
	HTTP     *http.Client          // nil: a client with a 60 s timeout
	Releases catalog.ReleaseSource // required with FromMongo
	Posters  PosterSink            // optional: set each release's poster
}

func (o Options) withDefaults() Options {
	if o.From == "" {
		o.From = FromRaw
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MinWidth <= 0 {
		o.MinWidth = DefaultMinWidth
	}
	if o.MinHeight <= 0 {
		o.MinHeight = DefaultMinHeight
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Backoff.Attempts == 0 {
		o.Backoff = job.DefaultBackoff
	}
	return o
}

// Validate checks options and dependencies; errors wrap catalog.ErrUsage.
func (o Options) Validate(d Deps) error {
	switch o.From {
	case FromRaw, FromMongo, "":
	default:
		return catalog.Usagef("%s: --from must be raw or mongo, got %q", JobName, o.From)
	}
	if o.Verify != "" && o.Verify != VerifyFull && o.Verify != VerifyStructure {
		return catalog.Usagef("%s: --verify must be full or structure, got %q", JobName, o.Verify)
	}
	for _, w := range o.Thumbnails {
		if w < 16 || w > 4096 {
			return catalog.Usagef("%s: thumbnail width %d is not between 16 and 4096", JobName, w)
		}
	}
	if d.Lake == nil {
		return catalog.Usagef("%s: no lake", JobName)
	}
	if o.From == FromMongo && d.Releases == nil {
		return catalog.Usagef("%s: --from mongo needs MongoDB (--mongo-uri)", JobName)
	}
	return nil
}

// ParseWidths parses "320,640" into sorted, distinct widths.
func ParseWidths(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, part := range bytes.Split([]byte(s), []byte(",")) {
		p := string(bytes.TrimSpace(part))
		if p == "" {
			continue
		}
		w, err := strconv.Atoi(p)
		if err != nil || w < 16 || w > 4096 {
			return nil, catalog.Usagef("--thumbnails: %q is not a width between 16 and 4096", p)
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Ints(out)
	return out, nil
}

// counters are the run's tallies, safe for concurrent use.
type counters struct {
	mu            sync.Mutex
	downloaded    int64 // bodies fetched (status 200)
	notModified   int64 // 304 answers that reused a stored object
	uploaded      int64 // new poster objects
	reused        int64 // poster objects already in the lake
	staleReused   int64 // URL unavailable, earlier entry reused
	thumbnails    int64 // new thumbnail objects
	bytes         int64 // downloaded body bytes
	bytesUploaded int64
	unavailable   int64 // URLs that stayed unavailable
	rejected      map[string]int64
}

func (c *counters) add(f func(c *counters)) {
	c.mu.Lock()
	f(c)
	c.mu.Unlock()
}

// run is one execution's state.
type run struct {
	env   *job.Env
	opts  Options
	deps  Deps
	store lake.Store
	f     *fetcher
	lim   Limits
	prev  map[string]IndexEntry
	q     *lake.Quarantine // nil in dry-run
	n     counters
}

// Run ingests the posters of env.Date. It returns catalog.ErrNothingToDo when
// there is no raw partition for the date (or, from MongoDB, no release
// lacking a stored poster), and an error wrapping catalog.ErrUnavailable
// when no poster host answered or the lake or MongoDB stayed down.
func Run(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	s := job.NewSummary(env)
	if err := opts.Validate(deps); err != nil {
		return s, err
	}
	opts = opts.withDefaults()
	client := deps.HTTP
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	r := &run{
		env: env, opts: opts, deps: deps, store: deps.Lake,
		f: &fetcher{client: client, agent: opts.UserAgent, robotsUA: RobotsAgent, perHost: opts.PerHost,
			delay: opts.Delay, maxBytes: opts.MaxBytes, backoff: opts.Backoff, noRobots: opts.IgnoreRobots,
			hosts: map[string]*hostGate{}},
		lim: Limits{MinWidth: opts.MinWidth, MinHeight: opts.MinHeight, MaxPixels: opts.MaxPixels,
			Structural: opts.Verify == VerifyStructure},
		n: counters{rejected: map[string]int64{}},
	}
	if !env.DryRun {
		r.q = lake.NewQuarantine(ctx, r.store, JobName, env.RunID, env.Date, env.Now)
	}
	entries, err := r.run(ctx, s)
	r.fill(s)
	if err != nil {
		if r.q != nil {
			r.q.Abort(context.WithoutCancel(ctx))
		}
		return s, err
	}
	s.Written = int64(len(entries))
	return s, nil
}

func (r *run) run(ctx context.Context, s *job.Summary) ([]IndexEntry, error) {
	env, store := r.env, r.store
	wants, err := r.collect(ctx, s)
	if err != nil {
		return nil, err
	}
	prev, err := previousEntries(ctx, store, env.Date)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", JobName, err)
	}
	r.prev = prev

	// One download per URL, shared by every release that names it.
	byURL := map[string][]want{}
	var urls []string
	for _, w := range wants {
		if _, ok := byURL[w.URL]; !ok {
			urls = append(urls, w.URL)
		}
		byURL[w.URL] = append(byURL[w.URL], w)
	}
	sort.Strings(urls)
	s.Detail("urls", len(urls))
	env.Log.Info("posters to ingest", "releases", len(wants), "urls", len(urls), "from", r.opts.From, "previous_index_urls", len(prev))

	prog := env.Progress("posters", int64(len(urls)))
	defer prog.Finish()
	var mu sync.Mutex
	var entries []IndexEntry
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Workers)
	for _, u := range urls {
		g.Go(func() error {
			defer prog.Add(1)
			e, err := r.ingest(gctx, u, byURL[u])
			if err != nil {
				return err
			}
			mu.Lock()
			entries = append(entries, e...)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if n := r.n.unavailable; n > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d poster URLs stayed unavailable after retries", n))
		if len(entries) == 0 && int(n) == len(urls) {
			return nil, fmt.Errorf("%s: %w: none of %d poster URLs answered", JobName, catalog.ErrUnavailable, n)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ReleaseID < entries[j].ReleaseID })

	if env.DryRun {
		return entries, nil
	}
	if err := r.commitIndex(ctx, entries); err != nil {
		return nil, err
	}
	if err := r.q.Commit(ctx); err != nil {
		return nil, fmt.Errorf("%s: commit quarantine: %w", JobName, err)
	}
	s.Outputs = append(s.Outputs, store.URI()+"/"+IndexPartition(env.Date), store.URI()+"/"+lake.ZonePosters)
	if r.q.Count() > 0 {
		s.Outputs = append(s.Outputs, store.URI()+"/"+r.q.Dir())
	}
	if r.deps.Posters != nil {
		if err := r.setPosters(ctx, s, entries); err != nil {
			return nil, err
		}
		if r.opts.Output != "" {
			s.Outputs = append(s.Outputs, r.opts.Output)
		}
	}
	return entries, nil
}

// collect reads the releases whose posters the run ingests.
func (r *run) collect(ctx context.Context, s *job.Summary) ([]want, error) {
	seen := map[string]bool{}
	var out []want
	add := func(w want) {
		if seen[w.ReleaseID] {
			return
		}
		seen[w.ReleaseID] = true
		out = append(out, w)
	}
	if r.opts.From == FromMongo {
		if r.opts.Input != "" {
			s.Inputs = append(s.Inputs, r.opts.Input)
		}
		err := job.Retry(ctx, r.opts.Backoff, func(ctx context.Context) error {
			return r.deps.Releases.EachRelease(ctx, time.Time{}, func(rel *catalog.Release) error {
				switch {
				case rel.Poster == nil || rel.Poster.URL == "":
					if !seen[rel.ID] {
						seen[rel.ID] = true
						s.Skipped++
					}
				case rel.Poster.SHA256 != "" && rel.Poster.Object != "":
					if !seen[rel.ID] {
						seen[rel.ID] = true
						s.Skipped++ // already stored
					}
				default:
					add(want{ReleaseID: rel.ID, Source: rel.Source, URL: rel.Poster.URL, Origin: "mongodb release " + rel.ID})
				}
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("%s: read releases: %w", JobName, err)
		}
		s.Read = int64(len(out))
		if len(out) == 0 {
			return nil, fmt.Errorf("%s: %w: no release lacks a stored poster", JobName, catalog.ErrNothingToDo)
		}
		return out, nil
	}

	parts, err := rawPartitions(ctx, r.store, r.env.Date, r.opts.Sources)
	if err != nil {
		return nil, fmt.Errorf("%s: list raw partitions: %w", JobName, err)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s: %w: no raw partition for %s", JobName, catalog.ErrNothingToDo, r.env.Date)
	}
	for _, p := range parts {
		s.Inputs = append(s.Inputs, r.store.URI()+"/"+p)
		err := lake.ScanPartition(ctx, r.store, p, func(o lake.Origin, line []byte, lerr error) error {
			if lerr != nil {
				return r.rejectRaw("bad_raw_line", o, nil, lerr.Error())
			}
			var rec catalog.RawRecord
			if err := json.Unmarshal(line, &rec); err != nil {
				return r.rejectRaw("bad_raw_record", o, line, err.Error())
			}
			if rec.Source == "" || rec.SourceID == "" {
				return r.rejectRaw("bad_raw_record", o, line, "no source or source_id")
			}
			u := posterURL(&rec)
			if u == "" {
				s.Skipped++
				return nil
			}
			add(want{ReleaseID: catalog.ReleaseID(rec.Source, rec.SourceID), Source: rec.Source, URL: u, Origin: o.String()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: read %s: %w", JobName, p, err)
		}
	}
	s.Read = int64(len(out))
	return out, nil
}

func (r *run) rejectRaw(reason string, o lake.Origin, line []byte, detail string) error {
	r.n.add(func(c *counters) { c.rejected[reason]++ })
	r.env.Log.Warn("raw record rejected", "reason", reason, "origin", o.String(), "detail", detail)
	if r.q == nil {
		return nil
	}
	return r.q.Reject(reason, o.String(), line)
}

// rejectWants quarantines every release of a URL that failed.
func (r *run) rejectWants(u string, ws []want, reason, detail, headerType string) error {
	r.n.add(func(c *counters) { c.rejected[reason] += int64(len(ws)) })
	r.env.Log.Warn("poster rejected", "reason", reason, "url", u, "releases", len(ws), "detail", detail)
	if r.q == nil {
		return nil
	}
	for _, w := range ws {
		rec, _ := json.Marshal(map[string]string{"release_id": w.ReleaseID, "source": w.Source, "url": u,
			"from": w.Origin, "detail": detail, "header_content_type": headerType})
		if err := r.q.Reject(reason, u, rec); err != nil {
			return err
		}
	}
	return nil
}

// ingest downloads, validates and stores one URL and returns the index
// entries of its releases (none when it was rejected).
func (r *run) ingest(ctx context.Context, raw string, ws []want) ([]IndexEntry, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, r.rejectWants(raw, ws, ReasonBadURL, "not an absolute http(s) URL", "")
	}
	g := r.f.gate(u)
	prev, hasPrev := r.prev[raw]
	ok, err := r.f.allowed(ctx, u, g)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return r.unavailable(ctx, raw, ws, prev, hasPrev, err)
	}
	if !ok {
		return nil, r.rejectWants(raw, ws, ReasonRobots, "robots.txt disallows it (or answered 5xx)", "")
	}
	var cond *validators
	if hasPrev && (prev.ETag != "" || prev.LastModified != "") {
		cond = &validators{ETag: prev.ETag, LastModified: prev.LastModified}
	}
	resp, err := r.f.get(ctx, u, g, cond)
	if err == nil && resp.NotModified {
		e, ok, rerr := r.reuse(ctx, prev, resp)
		if rerr != nil {
			return nil, rerr
		}
		if ok {
			r.n.add(func(c *counters) { c.notModified++ })
			return fanOut(e, ws), nil
		}
		// The stored object is gone: fetch it whole again.
		resp, err = r.f.get(ctx, u, g, nil)
	}
	if err != nil {
		var rej *rejectError
		switch {
		case errors.As(err, &rej):
			return nil, r.rejectWants(raw, ws, rej.Reason, rej.Detail, "")
		case errors.Is(err, catalog.ErrUnavailable):
			return r.unavailable(ctx, raw, ws, prev, hasPrev, err)
		default:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// A permanent transport error (bad TLS, redirect loop): this URL only.
			return nil, r.rejectWants(raw, ws, ReasonUnavailable, err.Error(), "")
		}
	}
	r.n.add(func(c *counters) { c.downloaded++; c.bytes += int64(len(resp.Body)) })
	v, err := Validate(resp.Body, r.lim)
	if err != nil {
		var rej *rejectError
		if errors.As(err, &rej) {
			return nil, r.rejectWants(raw, ws, rej.Reason, rej.Detail, resp.HeaderType)
		}
		return nil, err
	}
	sum := sha256.Sum256(resp.Body)
	sha := hex.EncodeToString(sum[:])
	e := IndexEntry{URL: raw, Object: ObjectKey(sha, v.Ext), SHA256: sha, ContentType: v.ContentType,
		Width: v.Width, Height: v.Height, Bytes: int64(len(resp.Body)), ETag: resp.ETag, LastModified: resp.LastModified}
	if err := r.store1(ctx, e.Object, resp.Body, false); err != nil {
		return nil, err
	}
	if err := r.thumbnails(ctx, &e, v, resp.Body); err != nil {
		return nil, err
	}
	return fanOut(e, ws), nil
}

// unavailable handles a URL whose host stayed down after the retries: the
// earlier stored poster is kept when there is one, else the releases are
// quarantined.
func (r *run) unavailable(ctx context.Context, raw string, ws []want, prev IndexEntry, hasPrev bool, err error) ([]IndexEntry, error) {
	r.n.add(func(c *counters) { c.unavailable++ })
	if hasPrev {
		if e, ok, rerr := r.reuse(ctx, prev, &response{ETag: prev.ETag, LastModified: prev.LastModified}); rerr == nil && ok {
			r.n.add(func(c *counters) { c.staleReused++ })
			r.env.Log.Warn("poster URL unavailable; keeping the earlier stored poster", "url", raw, "err", err)
			return fanOut(e, ws), nil
		}
	}
	reason := ReasonUnavailable
	if errors.Is(err, io.ErrUnexpectedEOF) {
		reason = ReasonTruncatedTransfer
	}
	return nil, r.rejectWants(raw, ws, reason, err.Error(), "")
}

func fanOut(e IndexEntry, ws []want) []IndexEntry {
	out := make([]IndexEntry, len(ws))
	for i, w := range ws {
		out[i] = e
		out[i].ReleaseID = w.ReleaseID
		out[i].Source = w.Source
		if e.Thumbnails != nil {
			out[i].Thumbnails = e.Thumbnails // shared read-only
		}
	}
	return out
}

// reuse checks that prev's object (and the wanted thumbnails, made from the
// stored original when missing) are in the lake. ok is false when the object
// is gone.
func (r *run) reuse(ctx context.Context, prev IndexEntry, resp *response) (IndexEntry, bool, error) {
	if _, err := r.stat(ctx, prev.Object); err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return IndexEntry{}, false, nil
		}
		return IndexEntry{}, false, err
	}
	e := prev
	e.ReleaseID, e.Source = "", ""
	if resp.ETag != "" {
		e.ETag = resp.ETag
	}
	if resp.LastModified != "" {
		e.LastModified = resp.LastModified
	}
	missing := false
	for _, w := range r.opts.Thumbnails {
		k := ThumbnailKey(e.SHA256, w)
		if e.Thumbnails[strconv.Itoa(w)] == k {
			if _, err := r.stat(ctx, k); err == nil {
				continue
			}
		}
		missing = true
	}
	if !missing {
		e.Thumbnails = pick(e.Thumbnails, r.opts.Thumbnails)
		return e, true, nil
	}
	b, err := lake.ReadAll(ctx, r.store, e.Object)
	if err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return IndexEntry{}, false, nil
		}
		return IndexEntry{}, false, err
	}
	v, err := Validate(b, Limits{MaxPixels: r.opts.MaxPixels})
	if err != nil {
		return IndexEntry{}, false, nil // not what the index says: fetch again
	}
	if err := r.thumbnails(ctx, &e, v, b); err != nil {
		return IndexEntry{}, false, err
	}
	return e, true, nil
}

// pick keeps the thumbnails of the wanted widths.
func pick(all map[string]string, widths []int) map[string]string {
	if len(widths) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, w := range widths {
		if k, ok := all[strconv.Itoa(w)]; ok {
			out[strconv.Itoa(w)] = k
		}
	}
	return out
}

func (r *run) thumbnails(ctx context.Context, e *IndexEntry, v *Validated, body []byte) error {
	if len(r.opts.Thumbnails) == 0 {
		e.Thumbnails = nil
		return nil
	}
	e.Thumbnails = map[string]string{}
	for _, w := range r.opts.Thumbnails {
		k := ThumbnailKey(e.SHA256, w)
		e.Thumbnails[strconv.Itoa(w)] = k
		if r.env.DryRun {
			continue
		}
		if _, err := r.stat(ctx, k); err == nil {
			continue
		} else if !errors.Is(err, catalog.ErrNotFound) {
			return err
		}
		if v.Image == nil { // structural verification decoded no pixels
			img, err := decode(v.ContentType, body)
			if err != nil {
				return fmt.Errorf("%s: thumbnail %s: %w", JobName, k, decodeReject(v.ContentType, err))
			}
			v.Image = img
		}
		b, _, _, err := Thumbnail(v.Image, w)
		if err != nil {
			return fmt.Errorf("%s: thumbnail %s: %w", JobName, k, err)
		}
		if err := r.store1(ctx, k, b, true); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) stat(ctx context.Context, key string) (lake.ObjectInfo, error) {
	var fi lake.ObjectInfo
	err := job.Retry(ctx, r.opts.Backoff, func(ctx context.Context) error {
		var err error
		fi, err = r.store.Stat(ctx, key)
		return err
	})
	return fi, err
}

// store1 writes b at key unless an object is already there (content
// addressed: same key, same bytes). In dry-run it writes nothing.
func (r *run) store1(ctx context.Context, key string, b []byte, thumb bool) error {
	if r.env.DryRun {
		return nil
	}
	_, err := r.stat(ctx, key)
	if err == nil {
		if !thumb {
			r.n.add(func(c *counters) { c.reused++ })
		}
		return nil
	}
	if !errors.Is(err, catalog.ErrNotFound) {
		return fmt.Errorf("%s: stat %s: %w", JobName, key, err)
	}
	won := false
	err = job.Retry(ctx, r.opts.Backoff, func(ctx context.Context) error {
		w, err := r.store.CreateIfAbsent(ctx, key)
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			_ = w.Abort()
			if errors.Is(err, catalog.ErrPrecondition) {
				return nil
			}
			return err
		}
		err = w.Close()
		if errors.Is(err, catalog.ErrPrecondition) {
			return nil // another run (or URL) stored the same bytes first
		}
		if err == nil {
			won = true
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: store %s: %w", JobName, key, err)
	}
	r.n.add(func(c *counters) {
		switch {
		case thumb && won:
			c.thumbnails++
		case !thumb && won:
			c.uploaded++
			c.bytesUploaded += int64(len(b))
		case !thumb:
			c.reused++
		}
	})
	return nil
}

func (r *run) commitIndex(ctx context.Context, entries []IndexEntry) error {
	pw := lake.NewPartitionWriter(r.store, IndexPartition(r.env.Date), JobName, r.env.RunID, r.env.Now)
	jw := lake.NewJSONLWriter(ctx, pw)
	fail := func(err error) error {
		jw.Abort()
		_ = pw.Abort(context.WithoutCancel(ctx))
		return fmt.Errorf("%s: index %s: %w", JobName, pw.Dir(), err)
	}
	for i := range entries {
		if err := jw.Write(&entries[i]); err != nil {
			return fail(err)
		}
	}
	if err := jw.Close(); err != nil {
		return fail(err)
	}
	if _, err := pw.Commit(ctx, lake.CommitOptions{Batch: "from=" + r.opts.From,
		Meta: map[string]string{"from": r.opts.From}}); err != nil {
		return fail(err)
	}
	return nil
}

func (r *run) setPosters(ctx context.Context, s *job.Summary, entries []IndexEntry) error {
	var updated, missing int64
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(r.opts.Workers/2, 1))
	for i := range entries {
		e := &entries[i]
		g.Go(func() error {
			err := job.Retry(gctx, r.opts.Backoff, func(ctx context.Context) error {
				return r.deps.Posters.SetPoster(ctx, e.ReleaseID, e.Poster())
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				updated++
			case errors.Is(err, catalog.ErrNotFound):
				missing++ // not loaded into MongoDB yet; load-mongo keeps poster.url
			default:
				return fmt.Errorf("%s: set poster of %s: %w", JobName, e.ReleaseID, err)
			}
			return nil
		})
	}
	err := g.Wait()
	s.Detail("mongo_updated", updated)
	s.Detail("mongo_missing", missing)
	return err
}

func (r *run) fill(s *job.Summary) {
	n := &r.n
	n.mu.Lock()
	defer n.mu.Unlock()
	var rejected int64
	for _, v := range n.rejected {
		rejected += v
	}
	s.Quarantined = rejected
	s.Detail("downloaded", n.downloaded)
	s.Detail("not_modified", n.notModified)
	s.Detail("uploaded", n.uploaded)
	s.Detail("reused", n.reused+n.notModified+n.staleReused)
	s.Detail("reused_objects", n.reused)
	s.Detail("stale_reused", n.staleReused)
	s.Detail("thumbnails", n.thumbnails)
	s.Detail("bytes", n.bytes)
	s.Detail("bytes_uploaded", n.bytesUploaded)
	rej := map[string]int64{}
	for k, v := range n.rejected {
		rej[k] = v
	}
	s.Detail("rejected", rej)
}
