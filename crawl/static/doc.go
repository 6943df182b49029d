// Package static fetches pages over plain HTTP with gocolly/colly/v2, for the
// crawler's static and api render modes. It only fetches: scheduling,
// robots.txt, politeness and retries live in package crawl. A Fetcher caps
// the response size, refuses redirects out of the allowed domains and
// decodes text to UTF-8 (header, BOM or meta charset; EUC-KR/CP949
// included).
package static
