package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"marquee/internal/catalog"
)

// Server pings the cluster and returns its product and version.
// OpenSearch says so in version.distribution; Elasticsearch does not (and
// sends X-Elastic-Product). Some minimal distributions (Elasticsearch 8's
// integ-test-zip) do not serve GET /: then the local node's info answers.
func (c *Client) Server(ctx context.Context) (catalog.SearchServer, error) {
	var v struct {
		ClusterName string `json:"cluster_name"`
		Version     struct {
			Number       string `json:"number"`
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	hdr, err := c.send(ctx, "ping", http.MethodGet, "/", nil, nil, "", &v)
	var se *Error
	if errors.As(err, &se) && (se.Status == http.StatusMethodNotAllowed || se.Status == http.StatusNotFound) {
		return c.serverFromNodes(ctx)
	}
	if err != nil {
		return catalog.SearchServer{}, err
	}
	s := catalog.SearchServer{Distribution: v.Version.Distribution, Version: v.Version.Number, ClusterName: v.ClusterName}
	if s.Distribution == "" || hdr.Get("X-Elastic-Product") != "" {
		s.Distribution = "elasticsearch"
	}
	return s, nil
}

func (c *Client) serverFromNodes(ctx context.Context) (catalog.SearchServer, error) {
	var v struct {
		ClusterName string `json:"cluster_name"`
		Nodes       map[string]struct {
			Version string `json:"version"`
		} `json:"nodes"`
	}
	q := url.Values{"filter_path": {"cluster_name,nodes.*.version"}}
	hdr, err := c.send(ctx, "ping", http.MethodGet, "/_nodes/_local", q, nil, "", &v)
	if err != nil {
		return catalog.SearchServer{}, err
	}
	s := catalog.SearchServer{Distribution: "opensearch", ClusterName: v.ClusterName}
	if hdr.Get("X-Elastic-Product") != "" {
		s.Distribution = "elasticsearch"
	}
	for _, n := range v.Nodes {
		s.Version = n.Version
	}
	return s, nil
}

// Major returns the major version of a version string ("8.17.0" → 8).
func Major(version string) int {
	n, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	return n
}

// analyzerProbes are the _analyze requests that show an analysis component
// is installed: nori is a plugin, the cjk bigram filter is in analysis-common.
var analyzerProbes = map[string]string{
	"nori": `{"tokenizer":"nori_tokenizer","text":"뮤지컬 레미제라블"}`,
	"cjk":  `{"tokenizer":"standard","filter":["cjk_width","lowercase","cjk_bigram"],"text":"뮤지컬레미제라블"}`,
}

// Analyzers tries each named component with _analyze and returns those
// that work. A name without a built-in probe is tried as an analyzer name.
// A 400 answer means "not installed"; other failures are returned.
func (c *Client) Analyzers(ctx context.Context, names ...string) ([]string, error) {
	var have []string
	for _, n := range names {
		body, ok := analyzerProbes[n]
		if !ok {
			b, _ := json.Marshal(map[string]string{"analyzer": n, "text": "뮤지컬"})
			body = string(b)
		}
		var out struct {
			Tokens []json.RawMessage `json:"tokens"`
		}
		err := c.doJSON(ctx, "analyze with "+n, http.MethodPost, "/_analyze", nil, json.RawMessage(body), &out)
		var se *Error
		switch {
		case err == nil && len(out.Tokens) > 0:
			have = append(have, n)
		case err == nil, errors.As(err, &se) && se.Status == http.StatusBadRequest:
		default:
			return nil, err
		}
	}
	return have, nil
}

// CreateIndex creates index name.
func (c *Client) CreateIndex(ctx context.Context, name string, body json.RawMessage) error {
	return c.doJSON(ctx, "create index "+name, http.MethodPut, seg(name), nil, body, nil)
}

// DeleteIndex deletes index name; a missing index is fine.
func (c *Client) DeleteIndex(ctx context.Context, name string) error {
	if name == "" || strings.ContainsAny(name, "*,") || name == "_all" {
		return fmt.Errorf("search: refusing to delete %q: one concrete index only", name)
	}
	err := c.doJSON(ctx, "delete index "+name, http.MethodDelete, seg(name), nil, nil, nil)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil
	}
	return err
}

// PutSettings updates dynamic index settings.
func (c *Client) PutSettings(ctx context.Context, name string, settings json.RawMessage) error {
	return c.doJSON(ctx, "settings of "+name, http.MethodPut, seg(name)+"/_settings", nil, settings, nil)
}

// PutMeta replaces the _meta object of index name's mapping.
func (c *Client) PutMeta(ctx context.Context, name string, meta map[string]any) error {
	return c.doJSON(ctx, "mapping _meta of "+name, http.MethodPut, seg(name)+"/_mapping", nil,
		map[string]any{"_meta": meta}, nil)
}

// Flush flushes index name (a Lucene commit; waits for a running flush).
func (c *Client) Flush(ctx context.Context, name string) error {
	return c.doJSON(ctx, "flush "+name, http.MethodPost, seg(name)+"/_flush", url.Values{"wait_if_ongoing": {"true"}}, nil, nil)
}

// Refresh refreshes index name.
func (c *Client) Refresh(ctx context.Context, name string) error {
	return c.doJSON(ctx, "refresh "+name, http.MethodPost, seg(name)+"/_refresh", nil, nil, nil)
}

// WaitHealthy waits for yellow health of index name.
func (c *Client) WaitHealthy(ctx context.Context, name string, timeout time.Duration) error {
	q := url.Values{"wait_for_status": {"yellow"}, "timeout": {fmt.Sprintf("%dms", timeout.Milliseconds())}}
	var out struct {
		Status   string `json:"status"`
		TimedOut bool   `json:"timed_out"`
	}
	// A timed-out health request answers 408 on some versions: decode both.
	err := c.doJSON(ctx, "health of "+name, http.MethodGet, "/_cluster/health"+seg(name), q, nil, &out)
	var se *Error
	if errors.As(err, &se) && se.Status == http.StatusRequestTimeout {
		return catalog.Transient(fmt.Errorf("search: index %s not healthy after %s", name, timeout))
	}
	if err != nil {
		return err
	}
	if out.TimedOut || out.Status == "red" {
		return catalog.Transient(fmt.Errorf("search: index %s is %s after %s", name, out.Status, timeout))
	}
	return nil
}

// Count counts the documents of index or alias name.
func (c *Client) Count(ctx context.Context, name string) (int64, error) {
	var out struct {
		Count int64 `json:"count"`
	}
	err := c.doJSON(ctx, "count "+name, http.MethodGet, seg(name)+"/_count", nil, nil, &out)
	return out.Count, err
}

// Indices describes the open indices matching pattern, sorted by creation
// time then name.
func (c *Client) Indices(ctx context.Context, pattern string) ([]catalog.SearchIndexInfo, error) {
	var out map[string]struct {
		Aliases  map[string]json.RawMessage `json:"aliases"`
		Mappings struct {
			Meta map[string]any `json:"_meta"`
		} `json:"mappings"`
		Settings struct {
			Index struct {
				CreationDate string `json:"creation_date"`
			} `json:"index"`
		} `json:"settings"`
	}
	q := url.Values{"filter_path": {"*.aliases,*.mappings._meta,*.settings.index.creation_date"}}
	if err := c.doJSON(ctx, "list indices "+pattern, http.MethodGet, seg(pattern), q, nil, &out); err != nil {
		if errors.Is(err, catalog.ErrNotFound) {
			return []catalog.SearchIndexInfo{}, nil
		}
		return nil, err
	}
	infos := make([]catalog.SearchIndexInfo, 0, len(out))
	for name, v := range out {
		info := catalog.SearchIndexInfo{Name: name, Meta: v.Mappings.Meta}
		if ms, err := strconv.ParseInt(v.Settings.Index.CreationDate, 10, 64); err == nil {
			info.CreatedAt = time.UnixMilli(ms).UTC()
		}
		for a := range v.Aliases {
			info.Aliases = append(info.Aliases, a)
		}
		sort.Strings(info.Aliases)
		infos = append(infos, info)
	}
	sort.Slice(infos, func(i, j int) bool {
		if !infos[i].CreatedAt.Equal(infos[j].CreatedAt) {
			return infos[i].CreatedAt.Before(infos[j].CreatedAt)
		}
		return infos[i].Name < infos[j].Name
	})
	return infos, nil
}

// AliasIndices returns the indices alias points to, sorted; none when the
// alias does not exist.
func (c *Client) AliasIndices(ctx context.Context, alias string) ([]string, error) {
	var out map[string]json.RawMessage
	err := c.doJSON(ctx, "get alias "+alias, http.MethodGet, "/_alias"+seg(alias), nil, nil, &out)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// SwapAlias moves alias to index in one atomic _aliases call.
func (c *Client) SwapAlias(ctx context.Context, alias, index string, from []string) error {
	type ref struct {
		Index string `json:"index"`
		Alias string `json:"alias"`
	}
	var actions []map[string]ref
	for _, f := range from {
		if f != index {
			actions = append(actions, map[string]ref{"remove": {Index: f, Alias: alias}})
		}
	}
	actions = append(actions, map[string]ref{"add": {Index: index, Alias: alias}})
	var out struct {
		Acknowledged bool `json:"acknowledged"`
	}
	if err := c.doJSON(ctx, "move alias "+alias+" to "+index, http.MethodPost, "/_aliases", nil,
		map[string]any{"actions": actions}, &out); err != nil {
		return err
	}
	if !out.Acknowledged {
		return catalog.Transient(fmt.Errorf("search: move alias %s to %s: not acknowledged", alias, index))
	}
	return nil
}

// Bulk sends ops to index as one NDJSON bulk request.
func (c *Client) Bulk(ctx context.Context, index string, ops []catalog.BulkOp) ([]catalog.BulkItem, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(ops) * 512)
	for _, op := range ops {
		id, _ := json.Marshal(op.ID)
		if op.Delete {
			buf.WriteString(`{"delete":{"_id":`)
			buf.Write(id)
			buf.WriteString("}}\n")
			continue
		}
		buf.WriteString(`{"index":{"_id":`)
		buf.Write(id)
		buf.WriteString("}}\n")
		buf.Write(bytes.TrimSpace(op.Doc))
		buf.WriteByte('\n')
	}
	var out struct {
		Errors bool                        `json:"errors"`
		Items  []map[string]bulkItemAnswer `json:"items"`
	}
	op := fmt.Sprintf("bulk of %d into %s", len(ops), index)
	if err := c.do(ctx, op, http.MethodPost, seg(index)+"/_bulk", nil, &buf, "application/x-ndjson", &out); err != nil {
		return nil, err
	}
	if len(out.Items) != len(ops) {
		return nil, fmt.Errorf("search: %s: %d items in the answer", op, len(out.Items))
	}
	items := make([]catalog.BulkItem, len(ops))
	for i, m := range out.Items {
		for _, a := range m { // one key: index or delete
			items[i] = catalog.BulkItem{ID: a.ID, Status: a.Status}
			if a.Error != nil {
				items[i].ErrType, items[i].Reason = errorOf([]byte(`{"error":` + string(a.Error) + `}`))
			}
		}
		if items[i].ID == "" {
			items[i].ID = ops[i].ID
		}
	}
	return items, nil
}

type bulkItemAnswer struct {
	ID     string          `json:"_id"`
	Status int             `json:"status"`
	Error  json.RawMessage `json:"error"`
}

// Docs fetches the sources of ids with _mget.
func (c *Client) Docs(ctx context.Context, index string, ids []string) (map[string]json.RawMessage, error) {
	var out struct {
		Docs []struct {
			ID     string          `json:"_id"`
			Found  bool            `json:"found"`
			Source json.RawMessage `json:"_source"`
		} `json:"docs"`
	}
	if err := c.doJSON(ctx, "get documents of "+index, http.MethodPost, seg(index)+"/_mget", nil,
		map[string]any{"ids": ids}, &out); err != nil {
		return nil, err
	}
	docs := make(map[string]json.RawMessage, len(out.Docs))
	for _, d := range out.Docs {
		if d.Found {
			docs[d.ID] = d.Source
		}
	}
	return docs, nil
}

// EachID scrolls through index and calls fn with every document id.
func (c *Client) EachID(ctx context.Context, index string, fn func(id string) error) error {
	type page struct {
		ScrollID string `json:"_scroll_id"`
		Hits     struct {
			Hits []struct {
				ID string `json:"_id"`
			} `json:"hits"`
		} `json:"hits"`
	}
	var p page
	q := url.Values{"scroll": {"2m"}}
	if err := c.doJSON(ctx, "scroll ids of "+index, http.MethodPost, seg(index)+"/_search", q,
		json.RawMessage(`{"size":2000,"_source":false,"sort":["_doc"]}`), &p); err != nil {
		return err
	}
	defer func() {
		if p.ScrollID != "" {
			_ = c.doJSON(context.WithoutCancel(ctx), "clear scroll", http.MethodDelete, "/_search/scroll", nil,
				map[string]any{"scroll_id": p.ScrollID}, nil)
		}
	}()
	for len(p.Hits.Hits) > 0 {
		for _, h := range p.Hits.Hits {
			if err := fn(h.ID); err != nil {
				return err
			}
		}
		id := p.ScrollID
		p = page{}
		if err := c.doJSON(ctx, "scroll ids of "+index, http.MethodPost, "/_search/scroll", nil,
			map[string]any{"scroll": "2m", "scroll_id": id}, &p); err != nil {
			p.ScrollID = id
			return err
		}
	}
	return nil
}

// SearchResult is the part of a search answer tests and tools look at.
type SearchResult struct {
	Total int64
	IDs   []string
}

// Search runs query (a full search body) against index or alias name.
func (c *Client) Search(ctx context.Context, name string, query json.RawMessage) (SearchResult, error) {
	var out struct {
		Hits struct {
			Total struct {
				Value int64 `json:"value"`
			} `json:"total"`
			Hits []struct {
				ID string `json:"_id"`
			} `json:"hits"`
		} `json:"hits"`
	}
	q := url.Values{"track_total_hits": {"true"}}
	if err := c.doJSON(ctx, "search "+name, http.MethodPost, seg(name)+"/_search", q, query, &out); err != nil {
		return SearchResult{}, err
	}
	r := SearchResult{Total: out.Hits.Total.Value}
	for _, h := range out.Hits.Hits {
		r.IDs = append(r.IDs, h.ID)
	}
	return r, nil
}

// Analyze runs _analyze with body and returns the tokens.
func (c *Client) Analyze(ctx context.Context, index string, body json.RawMessage) ([]string, error) {
	var out struct {
		Tokens []struct {
			Token string `json:"token"`
		} `json:"tokens"`
	}
	path := "/_analyze"
	if index != "" {
		path = seg(index) + path
	}
	if err := c.doJSON(ctx, "analyze", http.MethodPost, path, nil, body, &out); err != nil {
		return nil, err
	}
	toks := make([]string, len(out.Tokens))
	for i, t := range out.Tokens {
		toks[i] = t.Token
	}
	return toks, nil
}
