package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"marquee/internal/catalog"
)

// newTestCmd builds a root with the global flags and one subcommand with an
// int flag, parses args, and returns the subcommand.
func newTestCmd(t *testing.T, args ...string) *cobra.Command {
	t.Helper()
	root := &cobra.Command{Use: "marquee"}
	AddGlobalFlags(root.PersistentFlags())
	sub := &cobra.Command{Use: "load-mongo", RunE: func(*cobra.Command, []string) error { return nil }}
	sub.Flags().Int("batch-size", 1000, "")
	root.AddCommand(sub)
	c, rest, err := root.Find(append([]string{"load-mongo"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	return c
}

func loader(t *testing.T, env map[string]string) *Loader {
	dir := t.TempDir()
	return &Loader{
		Getenv:  func(k string) string { return env[k] },
		Environ: func() []string { return nil },
		Cwd:     dir,
		Now:     func() time.Time { return time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC) },
	}
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedence(t *testing.T) {
	file := "mongo-db: file\nload-mongo:\n  batch-size: 10\n"
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantDB    string
		wantBatch string
	}{
		{"defaults only", nil, nil, "marquee", "1000"},
		{"file over defaults", map[string]string{"file": file}, nil, "file", "10"},
		{"env over file", map[string]string{"file": file, "MARQUEE_MONGO_DB": "env", "MARQUEE_LOAD_MONGO_BATCH_SIZE": "20"}, nil, "env", "20"},
		{"flag over env", map[string]string{"file": file, "MARQUEE_MONGO_DB": "env", "MARQUEE_LOAD_MONGO_BATCH_SIZE": "20"}, []string{"--mongo-db", "flag", "--batch-size", "30"}, "flag", "30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := loader(t, tt.env)
			if body, ok := tt.env["file"]; ok {
				writeFile(t, l.Cwd, "marquee.yaml", body)
			}
			cmd := newTestCmd(t, tt.args...)
			cfg, err := l.Load(cmd)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MongoDB != tt.wantDB {
				t.Errorf("mongo-db = %q, want %q", cfg.MongoDB, tt.wantDB)
			}
			if got := cmd.Flags().Lookup("batch-size").Value.String(); got != tt.wantBatch {
				t.Errorf("batch-size = %s, want %s", got, tt.wantBatch)
			}
		})
	}
}

func TestXDGConfigFile(t *testing.T) {
	xdg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(xdg, "marquee"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(xdg, "marquee"), "config.yaml", "mongo-db: xdg\n")
	l := loader(t, map[string]string{"XDG_CONFIG_HOME": xdg})
	cfg, err := l.Load(newTestCmd(t))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MongoDB != "xdg" {
		t.Fatalf("mongo-db = %q, want xdg", cfg.MongoDB)
	}
	// ./marquee.yaml wins over the XDG file.
	writeFile(t, l.Cwd, "marquee.yaml", "mongo-db: cwd\n")
	cfg, err = l.Load(newTestCmd(t))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MongoDB != "cwd" {
		t.Fatalf("mongo-db = %q, want cwd", cfg.MongoDB)
	}
}

func TestRejects(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		args    []string
		wantMsg string
	}{
		{"unknown top-level key", "mongo-db: x\nmongo_uri2: y\n", nil, nil, `unknown key "mongo_uri2"`},
		{"unknown command key", "load-mongo:\n  batchsize: 3\n", nil, nil, `unknown key "load-mongo.batchsize"`},
		{"bad int in file", "load-mongo:\n  batch-size: many\n", nil, nil, `key "load-mongo.batch-size"`},
		{"bad date", "", nil, []string{"--date", "2026-02-30"}, `--date "2026-02-30"`},
		{"bad from", "", nil, []string{"--from", "yesterday", "--to", "2026-11-01"}, `--from "yesterday"`},
		{"bad tz", "tz: Nowhere/Else\n", nil, nil, `--tz "Nowhere/Else"`},
		{"bad tz from env", "", map[string]string{"MARQUEE_TZ": "Mars/Base"}, nil, `--tz "Mars/Base"`},
		{"bad mongo uri", "mongo-uri: postgres://x\n", nil, nil, "--mongo-uri"},
		{"secret in file", "search-password: hunter2\n", nil, nil, `"search-password" is a secret`},
		{"bad lake bucket", "lake: gs:///x\n", nil, nil, "--lake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := loader(t, tt.env)
			if tt.file != "" {
				writeFile(t, l.Cwd, "marquee.yaml", tt.file)
			}
			_, err := l.Load(newTestCmd(t, tt.args...))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, catalog.ErrUsage) {
				t.Errorf("error %v is not a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not name %q", err, tt.wantMsg)
			}
			if tt.file != "" && !strings.Contains(tt.wantMsg, "--") && !strings.Contains(err.Error(), "marquee.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestDates(t *testing.T) {
	today := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		date, from, to string
		want           string
	}{
		{"", "", "", "2026-11-26"},
		{"2026-01-02", "", "", "2026-01-02"},
		{"", "2026-02-27", "2026-03-02", "2026-02-27,2026-02-28,2026-03-01,2026-03-02"},
	}
	for _, tt := range tests {
		ds, err := ParseDates(tt.date, tt.from, tt.to, today)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.String())
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("ParseDates(%q,%q,%q) = %v, want %s", tt.date, tt.from, tt.to, got, tt.want)
		}
	}
	// The default date is today in the configured zone, not UTC.
	l := loader(t, map[string]string{"MARQUEE_TZ": "Asia/Seoul"})
	cfg, err := l.Load(newTestCmd(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Dates[0].String(); got != "2026-11-26" { // 20:00 UTC on the 25th is the 26th in Seoul
		t.Errorf("default date = %s, want 2026-11-26", got)
	}
}

func TestSecretsAndRedaction(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "file-secret\n")
	l := loader(t, map[string]string{
		"MARQUEE_MONGO_URI":            "mongodb://bob:mongo-secret@db:27017/?authSource=admin",
		"MARQUEE_SEARCH_API_KEY":       "key-secret",
		"MARQUEE_SEARCH_PASSWORD_FILE": pw,
	})
	cfg, err := l.Load(newTestCmd(t))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SearchPassword != "file-secret" {
		t.Errorf("search password from file = %q", cfg.SearchPassword)
	}
	var shown strings.Builder
	for _, kv := range cfg.Redacted() {
		shown.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	for _, s := range []string{"mongo-secret", "key-secret", "file-secret"} {
		if strings.Contains(shown.String(), s) {
			t.Errorf("redacted config shows %q:\n%s", s, shown.String())
		}
	}
	if !strings.Contains(shown.String(), "mongodb://bob:***@db:27017") {
		t.Errorf("redacted config lost the Mongo host:\n%s", shown.String())
	}
	if got := len(cfg.Secrets()); got != 3 {
		t.Errorf("Secrets() has %d values, want 3", got)
	}
}
