package reindex

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"marquee/internal/catalog"
)

// Analyzer modes: how Korean text is made searchable.
const (
	// AnalyzerAuto picks the best the cluster has: nori, else cjk, else bigram.
	AnalyzerAuto = "auto"
	// AnalyzerStandard is the standard analyzer: Korean is split on spaces only.
	AnalyzerStandard = "standard"
	// AnalyzerNori is the nori morphological analyzer (analysis-nori plugin).
	AnalyzerNori = "nori"
	// AnalyzerCJK is CJK bigrams (cjk_width + cjk_bigram, analysis-common).
	AnalyzerCJK = "cjk"
	// AnalyzerBigram is the standard analyzer plus a title_bigrams field
	// whose Hangul bigrams marquee computes itself (works on any cluster;
	// queries must be tokenized the same way, see Query).
	AnalyzerBigram = "bigram"
)

// Analyzers lists the valid analyzer settings.
var Analyzers = []string{AnalyzerAuto, AnalyzerStandard, AnalyzerNori, AnalyzerCJK, AnalyzerBigram}

// Tokenizer splits text into search tokens; the bigram field uses it
// (cmd/marquee wires the compute-similar tokenizer of package recommend).
// Implementations are safe for concurrent use.
type Tokenizer interface {
	Tokens(s string) []string
}

// Document is one release as indexed. Field names are a contract with the
// search front end: url, title, summary, content_type, created_at, locale,
// tags, click_count (the seed's fields) plus release fields useful for
// search and filters.
type Document struct {
	ID            string   `json:"id"`
	URL           string   `json:"url,omitempty"`
	Title         string   `json:"title"`
	OriginalTitle string   `json:"original_title,omitempty"`
	Summary       string   `json:"summary,omitempty"`
	ContentType   string   `json:"content_type"`
	CreatedAt     string   `json:"created_at,omitempty"`
	UpdatedAt     string   `json:"updated_at,omitempty"`
	Locale        string   `json:"locale,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	ClickCount    int64    `json:"click_count"`
	Genres        []string `json:"genres,omitempty"`
	Cast          []string `json:"cast,omitempty"`
	Artists       []string `json:"artists,omitempty"`
	Venue         string   `json:"venue,omitempty"`
	Region        string   `json:"region,omitempty"`
	StartDate     string   `json:"start_date,omitempty"`
	EndDate       string   `json:"end_date,omitempty"`
	ReleaseDate   string   `json:"release_date,omitempty"`
	Platforms     []string `json:"platforms,omitempty"`
	AgeRating     string   `json:"age_rating,omitempty"`
	Source        string   `json:"source,omitempty"`
	PosterURL     string   `json:"poster_url,omitempty"`
	// TitleBigrams is set in bigram mode only: the space-joined tokens of
	// title and original_title.
	TitleBigrams string `json:"title_bigrams,omitempty"`
}

const tsLayout = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(tsLayout)
}

// NewDocument maps a release to its search document. tok is used in bigram
// mode only.
func NewDocument(r *catalog.Release, clicks int64, analyzer string, tok Tokenizer) Document {
	d := Document{
		ID: r.ID, URL: r.URL, Title: r.Title, OriginalTitle: r.OriginalTitle, Summary: r.Description,
		ContentType: string(r.Kind), CreatedAt: ts(r.FirstSeen), UpdatedAt: ts(r.UpdatedAt),
		Locale: r.Locale, Tags: r.Tags, ClickCount: clicks, Genres: r.Genres, Cast: r.Cast,
		Artists: r.Artists, Venue: r.Venue, Region: r.Region, StartDate: r.StartDate.String(),
		EndDate: r.EndDate.String(), ReleaseDate: r.ReleaseDate.String(), Platforms: r.Platforms,
		AgeRating: r.AgeRating, Source: r.Source,
	}
	if r.Poster != nil {
		d.PosterURL = r.Poster.URL
	}
	if analyzer == AnalyzerBigram && tok != nil {
		toks := tok.Tokens(r.Title)
		if r.OriginalTitle != "" {
			toks = append(toks, tok.Tokens(r.OriginalTitle)...)
		}
		d.TitleBigrams = strings.Join(toks, " ")
	}
	return d
}

// textAnalysis is the index analysis settings of each mode: every text
// field uses the analyzer "marquee_text".
func textAnalysis(analyzer string) map[string]any {
	switch analyzer {
	case AnalyzerNori:
		return map[string]any{
			"tokenizer": map[string]any{
				"marquee_nori": map[string]any{"type": "nori_tokenizer", "decompound_mode": "mixed"},
			},
			"analyzer": map[string]any{
				"marquee_text": map[string]any{
					"type": "custom", "tokenizer": "marquee_nori",
					"filter": []string{"nori_readingform", "lowercase"},
				},
			},
		}
	case AnalyzerCJK:
		return map[string]any{
			"analyzer": map[string]any{
				"marquee_text": map[string]any{
					"type": "custom", "tokenizer": "standard",
					"filter": []string{"cjk_width", "lowercase", "cjk_bigram"},
				},
			},
		}
	default: // standard, bigram
		return map[string]any{
			"analyzer": map[string]any{
				"marquee_text": map[string]any{"type": "standard"},
			},
		}
	}
}

// IndexSettings are the shape settings of a new index.
type IndexSettings struct {
	Shards   int
	Replicas int    // while loading marquee uses 0; this is restored after
	Refresh  string // while loading marquee uses -1; this is restored after
}

// Meta keys marquee keeps in the index mapping's _meta.
const (
	MetaState    = "marquee_state" // "building" until verified, then "complete"
	MetaAnalyzer = "marquee_analyzer"
	MetaRunID    = "marquee_run_id"
	MetaAlias    = "marquee_alias"
	MetaDocs     = "marquee_docs"
)

// Build states kept in MetaState.
const (
	StateBuilding = "building"
	StateComplete = "complete"
)

// IndexBody is the create-index request of a new versioned index: loading
// settings (replicas 0, refresh off, async translog), the analysis of analyzer mode and the
// strict mapping of Document.
func IndexBody(analyzer string, s IndexSettings, meta map[string]any) (json.RawMessage, error) {
	if analyzer == AnalyzerAuto || !valid(analyzer) {
		return nil, fmt.Errorf("reindex-es: no concrete analyzer %q", analyzer)
	}
	text := func(extra map[string]any) map[string]any {
		m := map[string]any{"type": "text", "analyzer": "marquee_text"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	kw := map[string]any{"type": "keyword"}
	kwSub := map[string]any{"fields": map[string]any{"keyword": map[string]any{"type": "keyword", "ignore_above": 256}}}
	day := map[string]any{"type": "date", "format": "yyyy-MM-dd"}
	instant := map[string]any{"type": "date", "format": "strict_date_optional_time||epoch_millis"}
	props := map[string]any{
		"id":             kw,
		"url":            kw,
		"title":          text(kwSub),
		"original_title": text(nil),
		"summary":        text(nil),
		"content_type":   kw,
		"created_at":     instant,
		"updated_at":     instant,
		"locale":         kw,
		"tags":           kw,
		"click_count":    map[string]any{"type": "long"},
		"genres":         kw,
		"cast":           text(kwSub),
		"artists":        text(kwSub),
		"venue":          text(kwSub),
		"region":         kw,
		"start_date":     day,
		"end_date":       day,
		"release_date":   day,
		"platforms":      kw,
		"age_rating":     kw,
		"source":         kw,
		"poster_url":     map[string]any{"type": "keyword", "index": false},
	}
	if analyzer == AnalyzerBigram {
		props["title_bigrams"] = map[string]any{"type": "text", "analyzer": "whitespace"}
	}
	shards := s.Shards
	if shards <= 0 {
		shards = 1
	}
	body := map[string]any{
		"settings": map[string]any{
			"index": map[string]any{
				"number_of_shards":   shards,
				"number_of_replicas": 0,
				"refresh_interval":   "-1",
				// fsync the translog every few seconds, not per bulk
				// request, while loading; restored to "request" (and the
				// index flushed) before the index is verified.
				"translog": map[string]any{"durability": "async", "sync_interval": "5s"},
			},
			"analysis": textAnalysis(analyzer),
		},
		"mappings": map[string]any{
			"dynamic":    "strict",
			"_meta":      meta,
			"properties": props,
		},
	}
	return json.MarshalIndent(body, "", "  ")
}

func valid(analyzer string) bool {
	for _, a := range Analyzers {
		if a == analyzer {
			return true
		}
	}
	return false
}

// searchFields are the fields a text query searches, with boosts.
var searchFields = []string{"title^3", "original_title^2", "cast", "artists", "venue", "summary"}

// Query is the search request the front end sends for user text q against
// an index built in analyzer mode: every term must match (operator and),
// title weighs most. In bigram mode q is tokenized with tok and matched on
// title_bigrams as well, so a word inside a compound title
// (레미제라블 in 뮤지컬레미제라블) is found on any cluster.
func Query(analyzer string, tok Tokenizer, q string, size int) json.RawMessage {
	mm := map[string]any{"multi_match": map[string]any{"query": q, "fields": searchFields, "operator": "and"}}
	var query any = mm
	if analyzer == AnalyzerBigram && tok != nil {
		if toks := tok.Tokens(q); len(toks) > 0 {
			query = map[string]any{"bool": map[string]any{
				"should": []any{mm, map[string]any{"match": map[string]any{"title_bigrams": map[string]any{
					"query": strings.Join(toks, " "), "operator": "and",
				}}}},
				"minimum_should_match": 1,
			}}
		}
	}
	b, _ := json.Marshal(map[string]any{"size": size, "query": query})
	return b
}
