package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"marquee/internal/catalog"
)

// Defaults for Connect; options in the connection string
// (serverSelectionTimeoutMS, connectTimeoutMS, appName) take precedence over
// them, Option values over both.
const (
	DefaultServerSelectionTimeout = 10 * time.Second
	DefaultConnectTimeout         = 10 * time.Second
	DefaultHealthTimeout          = 5 * time.Second
	DefaultAppName                = "marquee"
)

// Option changes how Connect opens a client.
type Option func(*settings)

type settings struct {
	serverSelectionTimeout time.Duration
	connectTimeout         time.Duration
	appName                string
}

// WithServerSelectionTimeout bounds how long an operation waits for a
// reachable server before it fails with an unavailable error.
func WithServerSelectionTimeout(d time.Duration) Option {
	return func(s *settings) { s.serverSelectionTimeout = d }
}

// WithConnectTimeout bounds the dial and handshake of one connection.
func WithConnectTimeout(d time.Duration) Option {
	return func(s *settings) { s.connectTimeout = d }
}

// WithAppName sets the application name the server logs for the connection.
func WithAppName(name string) Option {
	return func(s *settings) { s.appName = name }
}

// Client is a MongoDB client opened by Connect. It is safe for concurrent
// use; Close it when done.
type Client struct {
	client *mongo.Client
	uri    string // redacted
}

// Connect opens a client for uri and checks that a server answers a ping
// within ctx and the server selection timeout. Errors: a malformed uri wraps
// catalog.ErrUsage; an unreachable server is classified (see Classify) and
// wraps catalog.ErrUnavailable. No error or log line carries the password.
func Connect(ctx context.Context, uri string, opts ...Option) (*Client, error) {
	var set settings
	for _, o := range opts {
		o(&set)
	}
	safe := RedactURI(uri)

	co := options.Client().ApplyURI(uri)
	if err := co.Validate(); err != nil {
		return nil, fmt.Errorf("%w: mongo uri %s: %s", catalog.ErrUsage, safe, scrub(err.Error(), uri))
	}
	switch {
	case set.serverSelectionTimeout > 0:
		co.SetServerSelectionTimeout(set.serverSelectionTimeout)
	case co.ServerSelectionTimeout == nil:
		co.SetServerSelectionTimeout(DefaultServerSelectionTimeout)
	}
	switch {
	case set.connectTimeout > 0:
		co.SetConnectTimeout(set.connectTimeout)
	case co.ConnectTimeout == nil:
		co.SetConnectTimeout(DefaultConnectTimeout)
	}
	switch {
	case set.appName != "":
		co.SetAppName(set.appName)
	case co.AppName == nil:
		co.SetAppName(DefaultAppName)
	}

	mc, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("%w: mongo connect %s: %s", catalog.ErrUsage, safe, scrub(err.Error(), uri))
	}
	c := &Client{client: mc, uri: safe}
	if err := c.Ping(ctx); err != nil {
		_ = mc.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	return c, nil
}

// String returns the client's connection string with its secrets redacted.
func (c *Client) String() string { return c.uri }

// Ping asks the primary (or the only server) to answer. It waits at most the
// server selection timeout, or less when ctx ends first. Errors are
// classified (see Classify) and name the redacted connection string.
func (c *Client) Ping(ctx context.Context) error {
	if err := c.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongo ping %s: %w", c.uri, Classify(err))
	}
	return nil
}

// Health reports whether the server answers a ping within
// DefaultHealthTimeout (or ctx's earlier deadline). nil means healthy;
// errors are as for Ping.
func (c *Client) Health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, DefaultHealthTimeout)
	defer cancel()
	return c.Ping(ctx)
}

// Database returns a handle on the named database; it does not talk to the
// server. Errors of operations on it should pass through Classify.
func (c *Client) Database(name string) *mongo.Database { return c.client.Database(name) }

// Close disconnects the client, waiting for in-use connections until ctx
// ends. Closing a closed client returns nil.
func (c *Client) Close(ctx context.Context) error {
	err := c.client.Disconnect(ctx)
	if err == nil || errors.Is(err, mongo.ErrClientDisconnected) {
		return nil
	}
	return fmt.Errorf("mongo close %s: %w", c.uri, Classify(err))
}

// scrub removes the password of uri from msg, for driver messages that may
// quote the connection string.
func scrub(msg, uri string) string {
	red := RedactURI(uri)
	if red != uri {
		msg = strings.ReplaceAll(msg, uri, red)
	}
	if pw := password(uri); pw != "" {
		msg = strings.ReplaceAll(msg, pw, redacted)
	}
	return msg
}
