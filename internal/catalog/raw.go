package catalog

import (
	"encoding/json"
	"time"
)

// Render modes of a crawled page.
const (
	RenderStatic  = "static"
	RenderBrowser = "browser"
	RenderAPI     = "api"
)

// RawRecord is what the crawler saw for one item, before normalisation. It is
// written one JSON object a line to raw/releases/source=S/dt=D/. Fields holds
// raw strings exactly as extracted (keys are the field names of the site
// definition, conventionally the Release field names: title, start_date,
// venue, price, age_rating, poster_url, genres, cast, ...). JSONLD holds the
// schema.org objects found on the page, verbatim.
type RawRecord struct {
	Source      string            `json:"source"`
	SourceID    string            `json:"source_id"`
	Kind        Kind              `json:"kind"`
	URL         string            `json:"url"`
	FetchedAt   time.Time         `json:"fetched_at"`
	Render      string            `json:"render"`
	Fields      map[string]string `json:"fields"`
	JSONLD      []json.RawMessage `json:"jsonld,omitempty"`
	ContentHash string            `json:"content_hash"`
}
