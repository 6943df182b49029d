// Package crawl is marquee's release crawler: the `marquee crawl` job. It
// reads site definitions (YAML: start URLs, render mode, link following,
// extraction rules, keyword filters, politeness), crawls each selected site
// for the logical date and commits what it saw, one catalog.RawRecord per
// item, to the lake partition raw/releases/source=<site>/dt=<D>.
//
// Fetching is delegated: crawl/static (colly) for static pages and JSON
// APIs, crawl/browser (chromedp + headless Chromium) for pages built by
// JavaScript. This package owns the rest: robots.txt, per-host rate gates
// with adaptive slowdown, retries (Retry-After), a per-host circuit breaker,
// caps, extraction (CSS, JSON paths, schema.org JSON-LD), dedup and merge by
// (source, source_id), and the checkpoint in the lake's _state/crawl zone
// that lets a killed run resume without refetching stored pages.
//
// The package never prints and never reads configuration: cmd/marquee
// builds Options and calls Run.
package crawl
