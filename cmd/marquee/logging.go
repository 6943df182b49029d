package main

import (
	"io"
	"log/slog"
	"strings"

	"marquee/internal/config"
)

// newLogger builds the stderr logger: text on a terminal, JSON otherwise or
// with --log-format json. Every string attribute passes through redaction,
// so no secret reaches a log line.
func newLogger(w io.Writer, cfg *config.Config, isTTY bool) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(cfg.LogLevel) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn", "warning":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	secrets := cfg.Secrets()
	redact := func(s string) string {
		s = config.RedactURI(s)
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, "***")
		}
		return s
	}
	opts := &slog.HandlerOptions{
		Level: lvl,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Value.Kind() {
			case slog.KindString:
				a.Value = slog.StringValue(redact(a.Value.String()))
			case slog.KindAny:
				if err, ok := a.Value.Any().(error); ok {
					a.Value = slog.StringValue(redact(err.Error()))
				}
			}
			return a
		},
	}
	format := cfg.LogFormat
	if format == "" {
		format = "json"
		if isTTY {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
