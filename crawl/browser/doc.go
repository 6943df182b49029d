// Package browser fetches pages with headless Chromium through chromedp
// (v0.23's generic Action API), for the crawler's browser render mode. One
// Pool is one Chromium process per run with a bounded set of tabs; a tab
// that errs is closed and replaced; the browser's user-data-dir is a fresh
// temporary directory removed on Close. Chromium runs with --no-sandbox so
// it works as root.
package browser
