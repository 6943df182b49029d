package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request is one page to fetch.
type Request struct {
	URL string
	// WaitFor is a CSS selector the browser fetcher waits for (visible)
	// before it reads the page; ignored by the static fetcher.
	WaitFor string
	// Accept is the Accept header of the static fetcher ("" for */*).
	Accept string
}

// Page is a fetched page. Body is UTF-8 for HTML and JSON (decoded from the
// declared or detected charset); other content is left as received.
type Page struct {
	URL         string // final URL, after redirects
	Status      int
	Header      http.Header
	ContentType string
	Body        []byte
}

// Fetcher fetches pages. Implementations are safe for concurrent use by
// several goroutines; Close releases what they hold (browser, tabs).
type Fetcher interface {
	// Fetch returns the page whatever its HTTP status (the caller decides
	// what a status means), or an error for network failures, ErrTooLarge,
	// ErrOffsite and context cancellation.
	Fetch(ctx context.Context, req Request) (*Page, error)
	Close() error
}

// ErrTooLarge is returned when a response exceeds the byte cap.
var ErrTooLarge = errors.New("response exceeds the byte cap")

// ErrOffsite is returned when a redirect leads out of the allowed domains.
var ErrOffsite = errors.New("redirect outside the allowed domains")

// StatusError is an HTTP status the crawler does not accept as a page.
type StatusError struct {
	URL        string
	Status     int
	RetryAfter time.Duration // from the Retry-After header; 0 when absent
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d", e.URL, e.Status)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (Retry-After %s)", e.RetryAfter)
	}
	return s
}

// Retryable reports whether the status is worth retrying: 408, 425, 429 and 5xx.
func (e *StatusError) Retryable() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooEarly ||
		e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// ParseRetryAfter reads a Retry-After header value (delay seconds or an HTTP
// date, relative to now); 0 when absent or unparsable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// HostAllowed reports whether host (without port) is one of domains or a
// subdomain of one. An empty list allows every host.
func HostAllowed(host string, domains []string) bool {
	if len(domains) == 0 {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range domains {
		d = strings.ToLower(strings.TrimPrefix(d, "."))
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
