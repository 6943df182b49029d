package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"marquee/internal/catalog"
)

// Config says how to reach a cluster. URL is required; credentials are
// optional (an API key wins over user and password).
type Config struct {
	URL      string // e.g. http://127.0.0.1:9200
	APIKey   string // sent as "Authorization: ApiKey <key>"
	Username string
	Password string
	// Timeout bounds one request (default 60s); bulk requests of a big
	// batch on a busy node can take a while.
	Timeout time.Duration
	// Transport is the HTTP transport (default: a clone of
	// http.DefaultTransport with enough idle connections for bulk workers).
	Transport http.RoundTripper
}

// Client talks to one Elasticsearch or OpenSearch cluster. It is safe for
// concurrent use.
type Client struct {
	base   *url.URL
	hc     *http.Client
	apiKey string
	user   string
	pass   string
}

var _ catalog.SearchCluster = (*Client)(nil)

// New returns a client for cfg. It does not dial; call Server to ping.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("search: %w: no search URL (set --search-url)", catalog.ErrUsage)
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("search: %w: bad search URL %q", catalog.ErrUsage, Redact(cfg.URL))
	}
	c := &Client{base: u, apiKey: cfg.APIKey, user: cfg.Username, pass: cfg.Password}
	if u.User != nil { // credentials in the URL: use them, never log them
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
		u.User = nil
	}
	tr := cfg.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 32
		tr = t
	}
	to := cfg.Timeout
	if to <= 0 {
		to = 60 * time.Second
	}
	c.hc = &http.Client{Transport: tr, Timeout: to}
	return c, nil
}

// URL is the cluster's base URL without credentials.
func (c *Client) URL() string { return c.base.String() }

// Redact removes credentials from a URL for logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User("xxx")
	return u.String()
}

// Error is a failed request: the HTTP status and the server's error type
// and reason (e.g. 400 mapper_parsing_exception).
type Error struct {
	Op     string // what was asked, e.g. "create index releases_x"
	Status int
	Type   string
	Reason string
}

func (e *Error) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("search: %s: %d %s: %s", e.Op, e.Status, e.Type, e.Reason)
	}
	return fmt.Sprintf("search: %s: HTTP %d: %s", e.Op, e.Status, e.Reason)
}

// Unwrap maps a 404 to catalog.ErrNotFound.
func (e *Error) Unwrap() error {
	if e.Status == http.StatusNotFound {
		return catalog.ErrNotFound
	}
	return nil
}

// IsTransientStatus reports whether an HTTP status is worth retrying: the
// node is overloaded (429) or unavailable behind a proxy (502-504).
func IsTransientStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// classify marks transport failures as transient, unless the caller's
// context ended (cancellation is not worth retrying).
func classify(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("search: %s: %w", op, ctx.Err())
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection reset") ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "broken pipe") {
		return catalog.Transient(fmt.Errorf("search: %s: %w", op, err))
	}
	var ue *url.Error
	if errors.As(err, &ue) { // any other transport failure: the server may come back
		return catalog.Transient(fmt.Errorf("search: %s: %w", op, err))
	}
	return fmt.Errorf("search: %s: %w", op, err)
}

// do sends one request and decodes a 2xx JSON answer into out (when not
// nil). Non-2xx answers become *Error, transient ones wrapped in
// catalog.Transient.
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, body io.Reader, ctype string, out any) error {
	_, err := c.send(ctx, op, method, path, query, body, ctype, out)
	return err
}

// send is do that also returns the answer's headers.
func (c *Client) send(ctx context.Context, op, method, path string, query url.Values, body io.Reader, ctype string, out any) (http.Header, error) {
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + path
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("search: %s: %w", op, err)
	}
	if body != nil {
		if ctype == "" {
			ctype = "application/json"
		}
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	switch {
	case c.apiKey != "":
		req.Header.Set("Authorization", "ApiKey "+c.apiKey)
	case c.user != "":
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, classify(ctx, op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.Header, classify(ctx, op, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Op: op, Status: resp.StatusCode}
		e.Type, e.Reason = errorOf(b)
		if IsTransientStatus(resp.StatusCode) {
			return resp.Header, catalog.Transient(e)
		}
		return resp.Header, e
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.Header, fmt.Errorf("search: %s: decoding answer: %w", op, err)
		}
	}
	return resp.Header, nil
}

func (c *Client) doJSON(ctx context.Context, op, method, path string, query url.Values, in, out any) error {
	var body io.Reader
	if in != nil {
		var b []byte
		switch v := in.(type) {
		case json.RawMessage:
			b = v
		case []byte:
			b = v
		default:
			var err error
			if b, err = json.Marshal(in); err != nil {
				return fmt.Errorf("search: %s: %w", op, err)
			}
		}
		body = bytes.NewReader(b)
	}
	return c.do(ctx, op, method, path, query, body, "", out)
}

// errorOf pulls the error type and reason out of an error answer; a body
// that is not the usual {"error":{...}} is returned (shortened) as reason.
func errorOf(b []byte) (typ, reason string) {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &v) == nil && len(v.Error) > 0 {
		var e struct {
			Type     string `json:"type"`
			Reason   string `json:"reason"`
			CausedBy *struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"caused_by"`
		}
		if json.Unmarshal(v.Error, &e) == nil && e.Type != "" {
			r := e.Reason
			if e.CausedBy != nil && e.CausedBy.Reason != "" {
				r += " (caused by " + e.CausedBy.Type + ": " + e.CausedBy.Reason + ")"
			}
			return e.Type, r
		}
		var s string
		if json.Unmarshal(v.Error, &s) == nil {
			return "", s
		}
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return "", s
}

// seg is one path segment (an index or alias name; url.URL escapes it).
func seg(s string) string { return "/" + s }
