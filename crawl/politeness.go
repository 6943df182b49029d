package crawl

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// hostGate spaces and bounds requests to one host: at most parallelism at a
// time, each start at least delay (+ jitter) after the previous start. The
// delay adapts: a 429 or 503 doubles it (up to maxSlow), each success eases
// it back towards the configured delay.
type hostGate struct {
	slots chan struct{}
	base  time.Duration
	jit   time.Duration

	mu       sync.Mutex
	delay    time.Duration
	next     time.Time // earliest next start
	maxSlow  time.Duration
	slowdown int // how many times slowDown was applied
}

func newHostGate(r Rate, maxSlow time.Duration) *hostGate {
	p := r.Parallelism
	if p <= 0 {
		p = 1
	}
	return &hostGate{slots: make(chan struct{}, p), base: r.Delay, jit: r.Jitter, delay: r.Delay, maxSlow: maxSlow}
}

// acquire waits for a slot and the host's next start time; release must
// follow.
func (g *hostGate) acquire(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	now := time.Now()
	start := g.next
	if start.Before(now) {
		start = now
	}
	gap := g.delay
	if g.jit > 0 {
		gap += rand.N(g.jit + 1)
	}
	g.next = start.Add(gap)
	g.mu.Unlock()
	if w := time.Until(start); w > 0 {
		t := time.NewTimer(w)
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

// atLeast raises the configured delay to d (robots.txt Crawl-delay).
func (g *hostGate) atLeast(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if d > g.base {
		g.base = d
	}
	if d > g.delay {
		g.delay = d
	}
}

// slowDown doubles the delay after a 429/503 (at least 250ms).
func (g *hostGate) slowDown() {
	g.mu.Lock()
	defer g.mu.Unlock()
	d := g.delay * 2
	if d < 250*time.Millisecond {
		d = 250 * time.Millisecond
	}
	if d > g.maxSlow {
		d = g.maxSlow
	}
	g.delay = d
	g.slowdown++
}

// speedUp eases the delay back by 10% towards the configured one.
func (g *hostGate) speedUp() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.delay <= g.base {
		return
	}
	d := g.delay - (g.delay-g.base)/10 - time.Millisecond
	if d < g.base {
		d = g.base
	}
	g.delay = d
}

func (g *hostGate) currentDelay() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.delay
}

// breaker is a per-host circuit breaker: after threshold consecutive failed
// pages the host is open (its pages fail fast) for cooldown; then one page
// is let through, and a success closes it again.
type breaker struct {
	threshold int
	cooldown  time.Duration

	mu       sync.Mutex
	fails    int
	openedAt time.Time
	trial    bool
}

func (b *breaker) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.threshold <= 0 || b.fails < b.threshold {
		return true
	}
	if now.Sub(b.openedAt) >= b.cooldown && !b.trial {
		b.trial = true
		return true
	}
	return false
}

func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fails, b.trial = 0, false
}

// failure records a failed page; it reports whether the breaker just opened.
func (b *breaker) failure(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fails++
	if b.trial || b.fails == b.threshold {
		b.openedAt, b.trial = now, false
		return true
	}
	return false
}
