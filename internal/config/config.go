package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"marquee/internal/catalog"
)

// EnvPrefix prefixes every environment variable marquee reads.
const EnvPrefix = "MARQUEE"

// Config is the effective configuration of one invocation.
type Config struct {
	File string // the config file that was read, "" for none

	DataDir   string
	Lake      string
	MongoURI  string // may carry a password: never log it, use Redacted()
	MongoDB   string
	SearchURL string

	SearchUsername string
	SearchPassword string // secret
	SearchAPIKey   string // secret
	GCSCredentials string // path of a credentials file (its contents are secret)

	TZ    string
	Loc   *time.Location
	Dates []catalog.Date // the logical dates: --date, or --from..--to; default today in TZ

	DryRun        bool
	LogFormat     string // text|json|"" (auto: text on a terminal)
	LogLevel      string
	MetricsFile   string
	Pushgateway   string
	LineageURL    string
	LineageFile   string
	ParentRunID   string
	ParentJobName string

	// Lock is the run lock: "file" (flock under data-dir, one machine) or
	// "mongo" (leases in MongoDB locks, for runs spread over machines).
	Lock string

	// Sites is the site-definitions file for crawl ("sites" key or --sites).
	Sites string

	// Sections holds structured per-command settings from the config file
	// (e.g. "compute-similar" → {"field-weights": {...}}), keyed by command.
	Sections map[string]map[string]any
}

// Flag names of the global flags (DESIGN.md §5a).
const (
	FlagConfig        = "config"
	FlagDataDir       = "data-dir"
	FlagLake          = "lake"
	FlagMongoURI      = "mongo-uri"
	FlagMongoDB       = "mongo-db"
	FlagSearchURL     = "search-url"
	FlagDate          = "date"
	FlagFrom          = "from"
	FlagTo            = "to"
	FlagTZ            = "tz"
	FlagDryRun        = "dry-run"
	FlagLogFormat     = "log-format"
	FlagLogLevel      = "log-level"
	FlagMetricsFile   = "metrics-file"
	FlagPushgateway   = "pushgateway"
	FlagLineageURL    = "openlineage-url"
	FlagLineageFile   = "openlineage-file"
	FlagParentRunID   = "parent-run-id"
	FlagParentJobName = "parent-job-name"
)

// secretKeys may only come from the environment or a *_file key.
var secretKeys = []string{"search-password", "search-api-key"}

// fileKeys are "<key>-file" indirections: the value is read from the file.
var fileKeys = []string{"mongo-uri", "search-password", "search-api-key"}

// extraKeys are config keys that are not flags.
var extraKeys = []string{"sites", "lock", "search-username", "gcs-credentials-file"}

// AddGlobalFlags registers the global flags on the root command.
func AddGlobalFlags(fs *pflag.FlagSet) {
	fs.String(FlagConfig, "", "config file (default ./marquee.yaml, then $XDG_CONFIG_HOME/marquee/config.yaml)")
	fs.String(FlagDataDir, "./marquee-data", "local data directory (locks, state, default lake)")
	fs.String(FlagLake, "", "lake root: a directory or gs://bucket/prefix (default <data-dir>/lake)")
	fs.String(FlagMongoURI, "", "MongoDB URI (a password here is redacted in logs; prefer MARQUEE_MONGO_URI or mongo-uri-file)")
	fs.String(FlagMongoDB, "marquee", "MongoDB database")
	fs.String(FlagSearchURL, "", "Elasticsearch/OpenSearch URL")
	fs.String(FlagDate, "", "logical date YYYY-MM-DD (default: today in --tz)")
	fs.String(FlagFrom, "", "first logical date of a range (with --to)")
	fs.String(FlagTo, "", "last logical date of a range (with --from)")
	fs.String(FlagTZ, "Asia/Seoul", "time zone of logical dates")
	fs.Bool(FlagDryRun, false, "read and validate everything, write nothing")
	fs.String(FlagLogFormat, "", "log format: text|json (default: text on a terminal, json otherwise)")
	fs.String(FlagLogLevel, "info", "log level: debug|info|warn|error")
	fs.String(FlagMetricsFile, "", "write Prometheus metrics to this textfile")
	fs.String(FlagPushgateway, "", "push Prometheus metrics to this Pushgateway URL")
	fs.String(FlagLineageURL, "", "send OpenLineage events to this URL")
	fs.String(FlagLineageFile, "", "append OpenLineage events to this file")
	fs.String(FlagParentRunID, "", "OpenLineage parent run id (Airflow task)")
	fs.String(FlagParentJobName, "", "OpenLineage parent job name (Airflow dag.task)")
}

// EnvName is the environment variable of a config key: MARQUEE_ + upper,
// with '-' and '.' → '_'.
func EnvName(key string) string {
	r := strings.NewReplacer("-", "_", ".", "_")
	return EnvPrefix + "_" + strings.ToUpper(r.Replace(key))
}

// Loader reads configuration for one invocation. Getenv and the search
// paths are fields so tests never see the developer's environment.
type Loader struct {
	Getenv  func(string) string
	Environ func() []string
	Cwd     string
	Now     func() time.Time
}

// DefaultLoader reads the real environment.
func DefaultLoader() *Loader {
	cwd, _ := os.Getwd()
	return &Loader{Getenv: os.Getenv, Environ: os.Environ, Cwd: cwd, Now: time.Now}
}

// Load applies file and env values to every flag of cmd (and the root's
// persistent flags) the user did not set, then decodes and validates.
// Config keys: global flags by name ("data-dir"); a command's own flags as
// "<command>.<flag>" ("load-mongo.batch-size"; "run.daily.steps" for nested
// commands). Errors wrap catalog.ErrUsage and name the key and the file.
func (l *Loader) Load(cmd *cobra.Command) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	file, err := l.configFile(cmd)
	if err != nil {
		return nil, err
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, catalog.Usagef("config file %s: %v", file, err)
		}
	}
	known := knownKeys(cmd.Root())
	if file != "" {
		if err := checkKeys(v, known, file); err != nil {
			return nil, err
		}
		for _, k := range secretKeys {
			if v.IsSet(k) {
				return nil, catalog.Usagef("config file %s: key %q is a secret: set it with %s or %s-file", file, k, EnvName(k), k)
			}
		}
	}
	// Copy env, then file values into flags the user did not set.
	prefix := commandPrefix(cmd)
	apply := func(fs *pflag.FlagSet, keyOf func(string) string) error {
		var ferr error
		fs.VisitAll(func(f *pflag.Flag) {
			if ferr != nil || f.Changed || f.Name == FlagConfig || f.Name == "help" {
				return
			}
			key := keyOf(f.Name)
			val, from, ok := l.lookup(v, key)
			if !ok {
				return
			}
			if from == "config file" {
				from = "config file " + file
			}
			if err := fs.Set(f.Name, val); err != nil {
				ferr = catalog.Usagef("%s: key %q: %v", from, key, err)
			}
		})
		return ferr
	}
	if err := apply(cmd.Root().PersistentFlags(), func(n string) string { return n }); err != nil {
		return nil, err
	}
	if cmd != cmd.Root() {
		if err := apply(cmd.LocalNonPersistentFlags(), func(n string) string { return prefix + "." + n }); err != nil {
			return nil, err
		}
		// Persistent flags of intermediate commands (e.g. "run").
		for p := cmd.Parent(); p != nil && p != cmd.Root(); p = p.Parent() {
			pp := commandPrefix(p)
			if err := apply(p.PersistentFlags(), func(n string) string { return pp + "." + n }); err != nil {
				return nil, err
			}
		}
	}
	return l.decode(cmd, v, file)
}

// ApplyFlags sets every flag of fs that was not set on the command line from
// env or the config file (key "<prefix>.<flag>"). `run daily` uses it to give
// each step the settings its own command would get. It re-reads the file
// Load found.
func (l *Loader) ApplyFlags(cfg *Config, fs *pflag.FlagSet, prefix string) error {
	v := viper.New()
	v.SetConfigType("yaml")
	if cfg.File != "" {
		v.SetConfigFile(cfg.File)
		if err := v.ReadInConfig(); err != nil {
			return catalog.Usagef("config file %s: %v", cfg.File, err)
		}
	}
	var ferr error
	fs.VisitAll(func(f *pflag.Flag) {
		if ferr != nil || f.Changed {
			return
		}
		key := prefix + "." + f.Name
		val, from, ok := l.lookup(v, key)
		if !ok {
			return
		}
		if err := fs.Set(f.Name, val); err != nil {
			ferr = catalog.Usagef("%s: key %q: %v", from, key, err)
		}
	})
	return ferr
}

// lookup returns the value of key from env (or env *_FILE), then the file.
func (l *Loader) lookup(v *viper.Viper, key string) (val, from string, ok bool) {
	if s := l.Getenv(EnvName(key)); s != "" {
		return s, EnvName(key), true
	}
	if v.IsSet(key) {
		raw := v.Get(key)
		switch x := raw.(type) {
		case []any:
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = fmt.Sprint(p)
			}
			return strings.Join(parts, ","), "config file", true
		case map[string]any:
			return "", "", false
		}
		return fmt.Sprint(raw), "config file", true
	}
	return "", "", false
}

func (l *Loader) configFile(cmd *cobra.Command) (string, error) {
	if f := cmd.Root().PersistentFlags().Lookup(FlagConfig); f != nil && f.Changed {
		return existing(f.Value.String(), true)
	}
	if p := l.Getenv(EnvName(FlagConfig)); p != "" {
		return existing(p, true)
	}
	if p := filepath.Join(l.Cwd, "marquee.yaml"); fileExists(p) {
		return p, nil
	}
	xdg := l.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		if home := l.Getenv("HOME"); home != "" {
			xdg = filepath.Join(home, ".config")
		}
	}
	if xdg != "" {
		if p := filepath.Join(xdg, "marquee", "config.yaml"); fileExists(p) {
			return p, nil
		}
	}
	return "", nil
}

// existing returns p when it exists; an explicit file that is missing is a
// usage error, except the conventional "/nonexistent" that tests use to say
// "read no config file".
func existing(p string, explicit bool) (string, error) {
	if fileExists(p) {
		return p, nil
	}
	if explicit && p != "/nonexistent" {
		return "", catalog.Usagef("config file %s: not found", p)
	}
	return "", nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// commandPrefix is a command's config key prefix: its path without the root,
// dot-separated ("load-mongo", "run.daily").
func commandPrefix(cmd *cobra.Command) string {
	var parts []string
	for c := cmd; c != nil && c.HasParent(); c = c.Parent() {
		parts = append([]string{c.Name()}, parts...)
	}
	return strings.Join(parts, ".")
}

// knownKeys lists every config key: global flags, extras, *-file keys, and
// every command's own flags as "<command>.<flag>".
func knownKeys(root *cobra.Command) map[string]bool {
	known := map[string]bool{}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
	for _, k := range append(append([]string{}, extraKeys...), secretKeys...) {
		known[k] = true
	}
	for _, k := range fileKeys {
		known[k+"-file"] = true
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			p := commandPrefix(sub)
			sub.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) { known[p+"."+f.Name] = true })
			sub.PersistentFlags().VisitAll(func(f *pflag.Flag) { known[p+"."+f.Name] = true })
			walk(sub)
		}
	}
	walk(root)
	for _, k := range structuredKeys {
		known[k] = true
	}
	return known
}

func checkKeys(v *viper.Viper, known map[string]bool, file string) error {
	var unknown []string
	for _, k := range v.AllKeys() {
		if known[k] || underStructured(k) {
			continue
		}
		unknown = append(unknown, k)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return catalog.Usagef("config file %s: unknown key %q", file, unknown[0])
	}
	return nil
}

func underStructured(k string) bool {
	for _, s := range structuredKeys {
		if strings.HasPrefix(k, s+".") {
			return true
		}
	}
	return false
}

// structuredKeys are per-command settings whose values are maps or lists
// (not flags), e.g. field weights. Keys below them are not checked.
var structuredKeys = []string{
	"crawl.defaults",
	"compute-similar.field-weights",
	"compute-similar.stop-words",
	"build-mart.weights",
	"reindex-es.mapping",
	"reindex-es.settings",
	"run.daily.step-args",
}

func (l *Loader) decode(cmd *cobra.Command, v *viper.Viper, file string) (*Config, error) {
	fs := cmd.Root().PersistentFlags()
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	c := &Config{
		File:          file,
		DataDir:       get(FlagDataDir),
		Lake:          get(FlagLake),
		MongoURI:      get(FlagMongoURI),
		MongoDB:       get(FlagMongoDB),
		SearchURL:     get(FlagSearchURL),
		TZ:            get(FlagTZ),
		LogFormat:     get(FlagLogFormat),
		LogLevel:      get(FlagLogLevel),
		MetricsFile:   get(FlagMetricsFile),
		Pushgateway:   get(FlagPushgateway),
		LineageURL:    get(FlagLineageURL),
		LineageFile:   get(FlagLineageFile),
		ParentRunID:   get(FlagParentRunID),
		ParentJobName: get(FlagParentJobName),
		DryRun:        get(FlagDryRun) == "true",
		Sections:      map[string]map[string]any{},
	}
	if c.Lake == "" {
		c.Lake = filepath.Join(c.DataDir, "lake")
	}
	var err error
	if c.MongoURI == "" {
		if c.MongoURI, err = l.secretFile(v, "mongo-uri"); err != nil {
			return nil, err
		}
	}
	if c.SearchPassword, err = l.secret(v, "search-password"); err != nil {
		return nil, err
	}
	if c.SearchAPIKey, err = l.secret(v, "search-api-key"); err != nil {
		return nil, err
	}
	c.SearchUsername, _, _ = l.lookup(v, "search-username")
	c.GCSCredentials, _, _ = l.lookup(v, "gcs-credentials-file")
	c.Sites, _, _ = l.lookup(v, "sites")
	c.Lock, _, _ = l.lookup(v, "lock")
	if c.Lock == "" {
		c.Lock = "file"
	}
	for _, s := range structuredKeys {
		cmdName, key, _ := strings.Cut(s, ".")
		if raw := v.Get(s); raw != nil {
			if c.Sections[cmdName] == nil {
				c.Sections[cmdName] = map[string]any{}
			}
			c.Sections[cmdName][key] = raw
		}
	}
	if err := c.validate(l, get); err != nil {
		return nil, err
	}
	return c, nil
}

// secret reads a secret key from env, else from "<key>-file" (env or config).
func (l *Loader) secret(v *viper.Viper, key string) (string, error) {
	if s := l.Getenv(EnvName(key)); s != "" {
		return s, nil
	}
	return l.secretFile(v, key)
}

func (l *Loader) secretFile(v *viper.Viper, key string) (string, error) {
	p, from, ok := l.lookup(v, key+"-file")
	if !ok || p == "" {
		return "", nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", catalog.Usagef("%s: key %q: %v", from, key+"-file", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (c *Config) validate(l *Loader, get func(string) string) error {
	loc, err := time.LoadLocation(c.TZ)
	if err != nil {
		return catalog.Usagef("--tz %q: %v", c.TZ, err)
	}
	c.Loc = loc
	switch c.Lock {
	case "file", "mongo":
	default:
		return catalog.Usagef("lock %q: want file or mongo", c.Lock)
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		return catalog.Usagef("--log-format %q: want text or json", c.LogFormat)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "warning", "error":
	default:
		return catalog.Usagef("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return catalog.Usagef("--mongo-uri: want mongodb:// or mongodb+srv://, got %q", RedactURI(c.MongoURI))
	}
	for _, u := range []struct{ flag, val string }{{FlagSearchURL, c.SearchURL}, {FlagPushgateway, c.Pushgateway}, {FlagLineageURL, c.LineageURL}} {
		if u.val == "" {
			continue
		}
		p, err := url.Parse(u.val)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return catalog.Usagef("--%s %q: want an http(s) URL", u.flag, RedactURI(u.val))
		}
	}
	if strings.HasPrefix(c.Lake, "gs://") {
		if b, _, _ := strings.Cut(strings.TrimPrefix(c.Lake, "gs://"), "/"); b == "" {
			return catalog.Usagef("--lake %q: want gs://bucket/prefix", c.Lake)
		}
	}
	dates, err := ParseDates(get(FlagDate), get(FlagFrom), get(FlagTo), l.Now().In(loc))
	if err != nil {
		return err
	}
	c.Dates = dates
	return nil
}

// MaxRangeDays bounds --from/--to ranges.
const MaxRangeDays = 3660

// ParseDates turns --date / --from / --to into logical dates; today is the
// default. Errors name the flag.
func ParseDates(date, from, to string, today time.Time) ([]catalog.Date, error) {
	parse := func(flag, s string) (catalog.Date, error) {
		d, err := catalog.ParseDate(s)
		if err != nil {
			return catalog.Date{}, catalog.Usagef("--%s %q: want a date YYYY-MM-DD", flag, s)
		}
		return d, nil
	}
	switch {
	case date != "" && (from != "" || to != ""):
		return nil, catalog.Usagef("--date cannot be combined with --from/--to")
	case date != "":
		d, err := parse(FlagDate, date)
		if err != nil {
			return nil, err
		}
		return []catalog.Date{d}, nil
	case from != "" || to != "":
		if from == "" || to == "" {
			return nil, catalog.Usagef("--from and --to go together")
		}
		a, err := parse(FlagFrom, from)
		if err != nil {
			return nil, err
		}
		b, err := parse(FlagTo, to)
		if err != nil {
			return nil, err
		}
		if b.Before(a) {
			return nil, catalog.Usagef("--to %s is before --from %s", to, from)
		}
		var out []catalog.Date
		for d := a; !b.Before(d); d = d.AddDays(1) {
			out = append(out, d)
			if len(out) > MaxRangeDays {
				return nil, catalog.Usagef("--from/--to spans more than %d days", MaxRangeDays)
			}
		}
		return out, nil
	default:
		return []catalog.Date{catalog.DateOf(today)}, nil
	}
}

var uriPassword = regexp.MustCompile(`(://[^:/@\s]+:)([^@\s]+)(@)`)

// RedactURI hides the password of a URI (user:pass@host → user:***@host).
func RedactURI(s string) string { return uriPassword.ReplaceAllString(s, "${1}***${3}") }

// Secrets returns the secret values of c, for log redaction.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.SearchPassword, c.SearchAPIKey} {
		if s != "" {
			out = append(out, s)
		}
	}
	if u, err := url.Parse(c.MongoURI); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ErrNoMongo is returned when a command needs MongoDB and none is configured.
var ErrNoMongo = errors.New("no MongoDB configured: set --mongo-uri, MARQUEE_MONGO_URI or mongo-uri-file")

// Redacted renders c as ordered key/value pairs for `config show`, with
// every secret replaced.
func (c *Config) Redacted() [][2]string {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	dates := make([]string, len(c.Dates))
	for i, d := range c.Dates {
		dates[i] = d.String()
	}
	file := c.File
	if file == "" {
		file = "(none)"
	}
	return [][2]string{
		{"config", file},
		{FlagDataDir, c.DataDir},
		{FlagLake, c.Lake},
		{FlagMongoURI, RedactURI(c.MongoURI)},
		{FlagMongoDB, c.MongoDB},
		{FlagSearchURL, RedactURI(c.SearchURL)},
		{"search-username", c.SearchUsername},
		{"search-password", mask(c.SearchPassword)},
		{"search-api-key", mask(c.SearchAPIKey)},
		{"gcs-credentials-file", c.GCSCredentials},
		{FlagTZ, c.TZ},
		{"dates", strings.Join(dates, ",")},
		{FlagDryRun, fmt.Sprint(c.DryRun)},
		{FlagLogFormat, c.LogFormat},
		{FlagLogLevel, c.LogLevel},
		{FlagMetricsFile, c.MetricsFile},
		{FlagPushgateway, RedactURI(c.Pushgateway)},
		{FlagLineageURL, RedactURI(c.LineageURL)},
		{FlagLineageFile, c.LineageFile},
		{FlagParentRunID, c.ParentRunID},
		{FlagParentJobName, c.ParentJobName},
		{"sites", c.Sites},
		{"lock", c.Lock},
	}
}
