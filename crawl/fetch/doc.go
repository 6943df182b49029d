// Package fetch holds what the crawler's page fetchers share: the request and
// page types, the error values that say how a fetch failed (HTTP status,
// response too large, redirect out of the allowed domains), and charset
// decoding to UTF-8. The static (colly) and browser (chromedp) fetchers
// implement Fetcher; package crawl schedules them.
package fetch
