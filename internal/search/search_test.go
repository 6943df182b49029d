package search

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/testenv"
)

func nodeClient(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{URL: testenv.SearchURL(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func uniqueName(t *testing.T, prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

func TestServer(t *testing.T) {
	c := nodeClient(t)
	s, err := c.Server(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Distribution != "opensearch" && s.Distribution != "elasticsearch" {
		t.Fatalf("distribution %q", s.Distribution)
	}
	if m := Major(s.Version); m < 2 {
		t.Fatalf("version %q (major %d)", s.Version, m)
	}
	t.Logf("%s %s (%s)", s.Distribution, s.Version, s.ClusterName)
}

func TestAnalyzers(t *testing.T) {
	c := nodeClient(t)
	have, err := c.Analyzers(context.Background(), "nori", "cjk", "standard", "no_such_analyzer")
	if err != nil {
		t.Fatal(err)
	}
	// The test node has analysis-common (services.sh adds it) and no nori.
	want := []string{"cjk", "standard"}
	if testenv.Lookup("MARQUEE_TEST_SEARCH_NO_CJK") == "1" {
		want = []string{"standard"}
	}
	if !slices.Equal(have, want) {
		t.Fatalf("analyzers %v, want %v", have, want)
	}
}

func TestIndexLifecycle(t *testing.T) {
	ctx := context.Background()
	c := nodeClient(t)
	name := uniqueName(t, "t-search")
	alias := name + "-alias"
	t.Cleanup(func() {
		_ = c.DeleteIndex(ctx, name)
		_ = c.DeleteIndex(ctx, name+"-b")
	})
	body := json.RawMessage(`{"settings":{"number_of_shards":1,"number_of_replicas":0},
		"mappings":{"dynamic":"strict","_meta":{"state":"building"},"properties":{"title":{"type":"text"},"day":{"type":"date","format":"yyyy-MM-dd"}}}}`)
	if err := c.CreateIndex(ctx, name, body); err != nil {
		t.Fatal(err)
	}
	t.Run("creating it again is a permanent error", func(t *testing.T) {
		err := c.CreateIndex(ctx, name, body)
		var se *Error
		if !errors.As(err, &se) || se.Status != 400 || !strings.Contains(se.Type, "already_exists") || catalog.IsTransient(err) {
			t.Fatalf("err %v", err)
		}
	})

	const n = 2300 // more than one scroll page
	ops := make([]catalog.BulkOp, 0, n+2)
	for i := 0; i < n; i++ {
		ops = append(ops, catalog.BulkOp{ID: fmt.Sprint("d", i), Doc: json.RawMessage(fmt.Sprintf(`{"title":"뮤지컬 %d","day":"2026-12-01"}`, i))})
	}
	ops = append(ops,
		catalog.BulkOp{ID: "bad-date", Doc: json.RawMessage(`{"title":"x","day":"12026-01-01"}`)},
		catalog.BulkOp{ID: "bad-field", Doc: json.RawMessage(`{"title":"x","unknown":1}`)},
		catalog.BulkOp{ID: "never-there", Delete: true},
	)
	items, err := c.Bulk(ctx, name, ops)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(ops) {
		t.Fatalf("%d items for %d ops", len(items), len(ops))
	}
	for i, it := range items[:n] {
		if it.Failed() || it.ID != ops[i].ID {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	for _, it := range items[n : n+2] {
		if !it.Failed() || it.Retryable() || it.Status != 400 || !strings.Contains(it.ErrType, "parsing") && !strings.Contains(it.ErrType, "strict") {
			t.Fatalf("bad document item %+v, want a 400 mapping error", it)
		}
	}
	if del := items[n+2]; del.Failed() || del.Status != 404 {
		t.Fatalf("delete of a missing document: %+v, want 404 not failed", del)
	}
	if err := c.Refresh(ctx, name); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Count(ctx, name); err != nil || got != n {
		t.Fatalf("count %d (%v), want %d", got, err, n)
	}
	docs, err := c.Docs(ctx, name, []string{"d7", "nope"})
	if err != nil || len(docs) != 1 || !strings.Contains(string(docs["d7"]), "뮤지컬 7") {
		t.Fatalf("docs %s (%v)", docs, err)
	}
	seen := map[string]bool{}
	if err := c.EachID(ctx, name, func(id string) error { seen[id] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || !seen["d0"] || !seen[fmt.Sprint("d", n-1)] {
		t.Fatalf("EachID saw %d ids, want %d", len(seen), n)
	}
	if err := c.WaitHealthy(ctx, name, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.PutMeta(ctx, name, map[string]any{"state": "complete"}); err != nil {
		t.Fatal(err)
	}

	// Aliases: create a second index, swap atomically between them.
	if err := c.CreateIndex(ctx, name+"-b", json.RawMessage(`{"settings":{"number_of_replicas":0}}`)); err != nil {
		t.Fatal(err)
	}
	if got, err := c.AliasIndices(ctx, alias); err != nil || len(got) != 0 {
		t.Fatalf("missing alias: %v (%v), want none", got, err)
	}
	if err := c.SwapAlias(ctx, alias, name, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.SwapAlias(ctx, alias, name+"-b", []string{name}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.AliasIndices(ctx, alias); !slices.Equal(got, []string{name + "-b"}) {
		t.Fatalf("alias points to %v", got)
	}
	infos, err := c.Indices(ctx, name+"*")
	if err != nil || len(infos) != 2 {
		t.Fatalf("indices %+v (%v)", infos, err)
	}
	if infos[0].Name != name || infos[0].Meta["state"] != "complete" || infos[0].CreatedAt.IsZero() ||
		!slices.Equal(infos[1].Aliases, []string{alias}) || infos[1].CreatedAt.Before(infos[0].CreatedAt) {
		t.Fatalf("indices %+v", infos)
	}
	if got, err := c.Indices(ctx, "t-search-none-*"); err != nil || len(got) != 0 {
		t.Fatalf("no match: %v (%v)", got, err)
	}

	t.Run("delete", func(t *testing.T) {
		if err := c.DeleteIndex(ctx, name); err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteIndex(ctx, name); err != nil {
			t.Fatalf("deleting a missing index: %v", err)
		}
		if _, err := c.Count(ctx, name); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("count of a deleted index: %v, want ErrNotFound", err)
		}
		for _, bad := range []string{"", "*", "a,b", "_all"} {
			if err := c.DeleteIndex(ctx, bad); err == nil {
				t.Fatalf("DeleteIndex(%q) accepted", bad)
			}
		}
	})
}

func TestErrorClassification(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy/_count":
			http.Error(w, `{"error":{"type":"es_rejected_execution_exception","reason":"rejected"},"status":429}`, http.StatusTooManyRequests)
		case "/down/_count":
			http.Error(w, "no healthy upstream", http.StatusServiceUnavailable)
		case "/gw/_count":
			http.Error(w, "bad gateway", http.StatusBadGateway)
		case "/bad/_count":
			http.Error(w, `{"error":{"type":"parsing_exception","reason":"bad query","caused_by":{"type":"x","reason":"y"}},"status":400}`, http.StatusBadRequest)
		case "/gone/_count":
			http.Error(w, `{"error":{"type":"index_not_found_exception","reason":"no such index [gone]"},"status":404}`, http.StatusNotFound)
		case "/slow/_count":
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	c, err := New(Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + ln.Addr().String()
	ln.Close()
	dead, _ := New(Config{URL: deadURL})

	for _, tc := range []struct {
		name      string
		c         *Client
		index     string
		transient bool
		notFound  bool
		typ       string
	}{
		{"429 is transient", c, "busy", true, false, "es_rejected_execution_exception"},
		{"503 is transient", c, "down", true, false, ""},
		{"502 is transient", c, "gw", true, false, ""},
		{"400 is permanent", c, "bad", false, false, "parsing_exception"},
		{"404 is not found", c, "gone", false, true, "index_not_found_exception"},
		{"connection refused is transient", dead, "x", true, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Count(context.Background(), tc.index)
			if err == nil {
				t.Fatal("no error")
			}
			if catalog.IsTransient(err) != tc.transient || errors.Is(err, catalog.ErrNotFound) != tc.notFound {
				t.Fatalf("%v: transient=%v notfound=%v", err, catalog.IsTransient(err), errors.Is(err, catalog.ErrNotFound))
			}
			var se *Error
			if tc.typ != "" && (!errors.As(err, &se) || se.Type != tc.typ) {
				t.Fatalf("%v: want type %s", err, tc.typ)
			}
		})
	}
	t.Run("a cancelled request is not transient", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Count(ctx, "slow")
		if err == nil || catalog.IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestNewAndRedact(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "::"} {
		if _, err := New(Config{URL: u}); !errors.Is(err, catalog.ErrUsage) {
			t.Errorf("New(%q): %v, want ErrUsage", u, err)
		}
	}
	c, err := New(Config{URL: "https://user:s3cret@es.example:9200/"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.URL(), "s3cret") || c.user != "user" || c.pass != "s3cret" {
		t.Fatalf("URL %s user %q", c.URL(), c.user)
	}
	if r := Redact("https://user:s3cret@es.example"); strings.Contains(r, "s3cret") {
		t.Fatalf("Redact kept the password: %s", r)
	}
}

func TestBasicAuthAndAPIKeyHeaders(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"version":{"number":"8.17.0"},"cluster_name":"c"}`))
	}))
	defer srv.Close()
	for _, cfg := range []Config{{URL: srv.URL, APIKey: "k1"}, {URL: srv.URL, Username: "u", Password: "p"}} {
		c, _ := New(cfg)
		s, err := c.Server(context.Background())
		if err != nil || s.Distribution != "elasticsearch" || s.Version != "8.17.0" {
			t.Fatalf("server %+v (%v)", s, err)
		}
	}
	if len(got) != 2 || got[0] != "ApiKey k1" || !strings.HasPrefix(got[1], "Basic ") {
		t.Fatalf("authorization headers %q", got)
	}
}

func TestServerWithoutRootEndpoint(t *testing.T) {
	// Elasticsearch 8's integ-test-zip answers GET / with 405: the version
	// then comes from the local node's info.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		if r.URL.Path == "/" {
			http.Error(w, `{"error":"Incorrect HTTP method for uri [/] and method [GET], allowed: [DELETE]","status":405}`, http.StatusMethodNotAllowed)
			return
		}
		_, _ = w.Write([]byte(`{"cluster_name":"es8","nodes":{"n1":{"version":"8.17.0"}}}`))
	}))
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL})
	s, err := c.Server(context.Background())
	if err != nil || s != (catalog.SearchServer{Distribution: "elasticsearch", Version: "8.17.0", ClusterName: "es8"}) {
		t.Fatalf("server %+v (%v)", s, err)
	}
}
