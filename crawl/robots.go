package crawl

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"marquee/crawl/fetch"
)

// robotsCache fetches each host's robots.txt once per run and answers
// whether a URL may be fetched. A missing robots.txt (4xx) allows all; one
// that stays unreachable (5xx, network) disallows all (RFC 9309 §2.3.1.4).
type robotsCache struct {
	agent string
	get   func(ctx context.Context, u string) (*fetch.Page, error)

	mu    sync.Mutex
	hosts map[string]*robotsEntry
}

type robotsEntry struct {
	once  sync.Once
	group *robotstxt.Group
	all   bool // allow all
	none  bool // disallow all
}

func newRobotsCache(agent string, get func(ctx context.Context, u string) (*fetch.Page, error)) *robotsCache {
	return &robotsCache{agent: agent, get: get, hosts: map[string]*robotsEntry{}}
}

func (c *robotsCache) entry(ctx context.Context, u *url.URL) *robotsEntry {
	key := u.Scheme + "://" + u.Host
	c.mu.Lock()
	e := c.hosts[key]
	if e == nil {
		e = &robotsEntry{}
		c.hosts[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { c.load(ctx, key, e) })
	return e
}

// crawlDelay is the host's Crawl-delay for our agent (0 when none).
func (c *robotsCache) crawlDelay(ctx context.Context, u *url.URL) time.Duration {
	if e := c.entry(ctx, u); e.group != nil {
		return e.group.CrawlDelay
	}
	return 0
}

// allowed reports whether u may be fetched.
func (c *robotsCache) allowed(ctx context.Context, u *url.URL) bool {
	e := c.entry(ctx, u)
	switch {
	case e.all:
		return true
	case e.none:
		return false
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return e.group.Test(p)
}

func (c *robotsCache) load(ctx context.Context, origin string, e *robotsEntry) {
	p, err := c.get(ctx, origin+"/robots.txt")
	if err != nil {
		var se *fetch.StatusError
		if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 {
			e.all = true
			return
		}
		e.none = true
		return
	}
	r, err := robotstxt.FromStatusAndBytes(p.Status, p.Body)
	if err != nil {
		e.all = true
		return
	}
	e.group = r.FindGroup(c.agent)
}
