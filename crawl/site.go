package crawl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"marquee/internal/catalog"
)

// Site is one site definition: where to start, how to render and follow
// pages, what to extract, and how politely. Sites are read from YAML by
// LoadSites/ParseSites; docs/crawl.md has a full example.
type Site struct {
	Name   string       `yaml:"name"`   // source name: raw/releases/source=<name>
	Kind   catalog.Kind `yaml:"kind"`   // movie|performance|sports|exhibition
	Render string       `yaml:"render"` // static (default) | browser | api
	// StartURLs may hold {date} (YYYY-MM-DD), {date_compact} (YYYYMMDD) and
	// {page}: a URL with {page} is fetched for page = PageStart,
	// PageStart+1, ... while pages yield items, up to MaxPages.
	StartURLs      []string `yaml:"start_urls"`
	PageStart      *int     `yaml:"page_start"`      // first {page} (default 1)
	AllowedDomains []string `yaml:"allowed_domains"` // default: the hosts of StartURLs
	// List rules apply to start pages and the pages they paginate to;
	// Detail rules to pages that List's link leads to.
	List   *PageRules `yaml:"list"`
	Detail *PageRules `yaml:"detail"`
	// SourceID extracts the site's own id of an item (from the item or its
	// URL); when empty the id is a hash of the item's canonical URL.
	SourceID *FieldSpec `yaml:"source_id"`
	WaitFor  string     `yaml:"wait_for"` // browser: CSS selector to wait for
	// Include keeps only items whose fields contain one of these keywords;
	// Exclude drops items that contain any. Case-insensitive, NFC.
	Include   []string          `yaml:"include"`
	Exclude   []string          `yaml:"exclude"`
	Robots    *bool             `yaml:"robots"`    // obey robots.txt (default true)
	MaxDepth  int               `yaml:"max_depth"` // link hops from a start URL (default 50)
	MaxPages  int               `yaml:"max_pages"` // pages per run (default 10000)
	MaxBytes  int64             `yaml:"max_bytes"` // bytes per response (default 10 MiB)
	Timeout   time.Duration     `yaml:"timeout"`   // per page (default 30s)
	Retries   int               `yaml:"retries"`   // tries per page, first included (default 4)
	Charset   string            `yaml:"charset"`   // fallback when a page declares none
	Rate      Rate              `yaml:"rate"`
	Headers   map[string]string `yaml:"headers"`
	UserAgent string            `yaml:"user_agent"` // overrides the run's
}

// Rate is a site's politeness: at most Parallelism requests at a time per
// host, each Delay (+ up to Jitter) after the previous one started.
type Rate struct {
	Delay       time.Duration `yaml:"delay"`       // default 1s
	Jitter      time.Duration `yaml:"jitter"`      // default 0
	Parallelism int           `yaml:"parallelism"` // default 2
}

// PageRules say what a page holds. For HTML, selectors are CSS; for the api
// render mode they are JSON paths (a.b[0].c, a[*].b; "$." optional).
type PageRules struct {
	// Items selects each item of the page; empty means the page is one item.
	Items  string               `yaml:"items"`
	Fields map[string]FieldSpec `yaml:"fields"`
	// Link is the item's detail page, followed with the Detail rules.
	Link *FieldSpec `yaml:"link"`
	// Next is the next page of the list, followed with the List rules.
	Next *FieldSpec `yaml:"next"`
}

// FieldSpec extracts one string. In YAML it is a selector ("h1.title",
// "img@src" for an attribute; a path in api mode) or a mapping with the
// keys below.
type FieldSpec struct {
	CSS   string `yaml:"css"`   // CSS selector, relative to the item
	Path  string `yaml:"path"`  // JSON path, relative to the item (api mode)
	Attr  string `yaml:"attr"`  // attribute instead of text
	From  string `yaml:"from"`  // "url": match the item's URL instead
	Regex string `yaml:"regex"` // keep the first group (or the match)
	All   bool   `yaml:"all"`   // every match, joined with Sep
	Sep   string `yaml:"sep"`   // default ", "
	Const string `yaml:"const"` // a fixed value
	Trim  *bool  `yaml:"trim"`  // collapse whitespace (default true)

	re *regexp.Regexp
}

// UnmarshalYAML accepts a scalar shorthand or the full mapping.
func (f *FieldSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		f.CSS = s // resolved to Path for api sites in validate
		if i := strings.LastIndex(s, "@"); i > 0 && attrName.MatchString(s[i+1:]) {
			f.CSS, f.Attr = s[:i], s[i+1:]
		}
		return nil
	}
	type plain FieldSpec
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*f = FieldSpec(p)
	return nil
}

var attrName = regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`)

// Render modes.
const (
	RenderStatic  = catalog.RenderStatic
	RenderBrowser = catalog.RenderBrowser
	RenderAPI     = catalog.RenderAPI
)

var siteName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// LoadSites reads site definitions from a YAML file.
func LoadSites(path string) ([]Site, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, catalog.Usagef("crawl: sites file: %v", err)
	}
	return ParseSites(b, path)
}

// ParseSites parses site definitions: a YAML list of sites, or a mapping
// with the key "sites" holding one. origin names the input in errors. Every
// error wraps catalog.ErrUsage and names the site and the key.
func ParseSites(b []byte, origin string) ([]Site, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, catalog.Usagef("crawl: %s: %v", origin, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, catalog.Usagef("crawl: %s: no sites", origin)
	}
	list := root.Content[0]
	if list.Kind == yaml.MappingNode {
		var found *yaml.Node
		for i := 0; i+1 < len(list.Content); i += 2 {
			if k := list.Content[i].Value; k == "sites" {
				found = list.Content[i+1]
			} else {
				return nil, catalog.Usagef("crawl: %s: line %d: unknown key %q (want \"sites\")", origin, list.Content[i].Line, k)
			}
		}
		if found == nil {
			return nil, catalog.Usagef("crawl: %s: no sites", origin)
		}
		list = found
	}
	if list.Kind != yaml.SequenceNode {
		return nil, catalog.Usagef("crawl: %s: line %d: sites must be a list", origin, list.Line)
	}
	var sites []Site
	seen := map[string]bool{}
	for i, n := range list.Content {
		label := fmt.Sprintf("site #%d (line %d)", i+1, n.Line)
		if name := mappingValue(n, "name"); name != "" {
			label = fmt.Sprintf("site %q (line %d)", name, n.Line)
		}
		var s Site
		if err := decodeStrict(n, &s); err != nil {
			return nil, catalog.Usagef("crawl: %s: %s: %v", origin, label, cleanYAMLErr(err))
		}
		if err := s.validate(); err != nil {
			return nil, catalog.Usagef("crawl: %s: %s: %v", origin, label, err)
		}
		if seen[s.Name] {
			return nil, catalog.Usagef("crawl: %s: %s: name: duplicate site name", origin, label)
		}
		seen[s.Name] = true
		sites = append(sites, s)
	}
	if len(sites) == 0 {
		return nil, catalog.Usagef("crawl: %s: no sites", origin)
	}
	return sites, nil
}

func mappingValue(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// decodeStrict decodes n into v rejecting unknown keys (yaml.v3's
// Node.Decode has no KnownFields, so the node is re-encoded).
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

var yamlField = regexp.MustCompile(`line \d+: field (\S+) not found in type \S+`)

func cleanYAMLErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: unmarshal errors:\n")
	s = yamlField.ReplaceAllString(s, "$1: unknown key")
	return strings.TrimSpace(s)
}

func (s *Site) validate() error {
	if s.Name == "" {
		return errors.New("name: required")
	}
	if !siteName.MatchString(s.Name) {
		return fmt.Errorf("name: %q must be lower-case letters, digits, '.', '_' or '-'", s.Name)
	}
	if !s.Kind.Valid() {
		return fmt.Errorf("kind: %q is not one of movie, performance, sports, exhibition", s.Kind)
	}
	switch s.Render {
	case "":
		s.Render = RenderStatic
	case RenderStatic, RenderBrowser, RenderAPI:
	default:
		return fmt.Errorf("render: %q is not one of static, browser, api", s.Render)
	}
	if len(s.StartURLs) == 0 {
		return errors.New("start_urls: required")
	}
	auto := len(s.AllowedDomains) == 0
	for i, raw := range s.StartURLs {
		u, err := url.Parse(expandTemplate(raw, catalog.Date{Year: 2026, Month: 1, Day: 1}, 1))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("start_urls[%d]: %q is not an absolute http(s) URL", i, raw)
		}
		if auto {
			s.AllowedDomains = appendUnique(s.AllowedDomains, u.Hostname())
		}
	}
	if s.List == nil {
		return errors.New("list: required (the rules for the start pages)")
	}
	if s.Detail != nil && s.List.Link == nil {
		return errors.New("list.link: required when detail is set")
	}
	if s.List.Link != nil && s.Detail == nil {
		return errors.New("detail: required when list.link is set")
	}
	api := s.Render == RenderAPI
	for _, r := range []struct {
		key string
		p   *PageRules
	}{{"list", s.List}, {"detail", s.Detail}} {
		if r.p == nil {
			continue
		}
		if err := r.p.compile(r.key, api); err != nil {
			return err
		}
	}
	if s.SourceID != nil {
		if err := s.SourceID.compile("source_id", api); err != nil {
			return err
		}
	}
	if s.Render == RenderBrowser && s.WaitFor == "" {
		return errors.New("wait_for: required for render: browser")
	}
	if s.MaxDepth < 0 || s.MaxPages < 0 || s.MaxBytes < 0 || s.Retries < 0 || s.Timeout < 0 {
		return errors.New("max_depth, max_pages, max_bytes, retries, timeout: must not be negative")
	}
	if s.Rate.Delay < 0 || s.Rate.Jitter < 0 || s.Rate.Parallelism < 0 {
		return errors.New("rate: delay, jitter and parallelism must not be negative")
	}
	if s.PageStart != nil && *s.PageStart < 0 {
		return errors.New("page_start: must not be negative")
	}
	for i, k := range s.Include {
		if strings.TrimSpace(k) == "" {
			return fmt.Errorf("include[%d]: empty keyword", i)
		}
	}
	for i, k := range s.Exclude {
		if strings.TrimSpace(k) == "" {
			return fmt.Errorf("exclude[%d]: empty keyword", i)
		}
	}
	s.defaults()
	return nil
}

func (s *Site) defaults() {
	if s.Robots == nil {
		t := true
		s.Robots = &t
	}
	if s.PageStart == nil {
		one := 1
		s.PageStart = &one
	}
	if s.MaxDepth == 0 {
		s.MaxDepth = 5
	}
	if s.MaxPages == 0 {
		s.MaxPages = 10000
	}
	if s.MaxBytes == 0 {
		s.MaxBytes = 10 << 20
	}
	if s.Timeout == 0 {
		s.Timeout = 30 * time.Second
	}
	if s.Retries == 0 {
		s.Retries = 4
	}
	if s.Rate.Parallelism == 0 {
		s.Rate.Parallelism = 2
	}
}

func (p *PageRules) compile(key string, api bool) error {
	if api && p.Items != "" {
		if _, err := parsePath(p.Items); err != nil {
			return fmt.Errorf("%s.items: %v", key, err)
		}
	}
	if len(p.Fields) == 0 {
		return fmt.Errorf("%s.fields: at least one field is required", key)
	}
	for name, f := range p.Fields {
		if name == "" {
			return fmt.Errorf("%s.fields: empty field name", key)
		}
		if err := f.compile(key+".fields."+name, api); err != nil {
			return err
		}
		p.Fields[name] = f
	}
	for _, l := range []struct {
		k string
		f *FieldSpec
	}{{"link", p.Link}, {"next", p.Next}} {
		if l.f != nil {
			if err := l.f.compile(key+"."+l.k, api); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *FieldSpec) compile(key string, api bool) error {
	if api && f.Path == "" && f.CSS != "" {
		f.Path, f.CSS = f.CSS, ""
		if f.Attr != "" { // "a@b" is not an attribute in a path
			f.Path += "@" + f.Attr
			f.Attr = ""
		}
	}
	n := 0
	for _, v := range []string{f.CSS, f.Path, f.Const} {
		if v != "" {
			n++
		}
	}
	if f.From != "" && f.From != "url" {
		return fmt.Errorf("%s.from: %q is not \"url\"", key, f.From)
	}
	if f.From == "url" {
		n++
	}
	if n != 1 {
		return fmt.Errorf("%s: exactly one of css, path, const, from: url is required", key)
	}
	if f.CSS != "" && api {
		return fmt.Errorf("%s.css: api sites extract with path", key)
	}
	if f.Path != "" && !api {
		return fmt.Errorf("%s.path: only api sites extract with path", key)
	}
	if f.Path != "" {
		if _, err := parsePath(f.Path); err != nil {
			return fmt.Errorf("%s.path: %v", key, err)
		}
		if strings.Contains(f.Path, "[*]") {
			f.All = true // a[*].b asks for every element
		}
	}
	if f.CSS != "" {
		if err := checkSelector(f.CSS); err != nil {
			return fmt.Errorf("%s.css: %v", key, err)
		}
	}
	if f.Regex != "" {
		re, err := regexp.Compile(f.Regex)
		if err != nil {
			return fmt.Errorf("%s.regex: %v", key, err)
		}
		f.re = re
	}
	if f.Sep == "" {
		f.Sep = ", "
	}
	return nil
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// expandTemplate fills {date}, {date_compact} and {page}.
func expandTemplate(raw string, d catalog.Date, page int) string {
	r := strings.NewReplacer(
		"{date}", d.String(),
		"{date_compact}", strings.ReplaceAll(d.String(), "-", ""),
		"{page}", fmt.Sprint(page),
	)
	return r.Replace(raw)
}
