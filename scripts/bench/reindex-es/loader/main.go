// Command loader is the reindex-es benchmark's peers and checker.
//
//	loader docs   -in releases.jsonl -out docs.jsonl -dump dump.json
//	    turn releases into the exact search documents marquee indexes
//	    (reindex.NewDocument, cjk mode), as plain JSONL and in
//	    elasticdump's {"_index","_id","_source"} format.
//	loader single -url URL -index NAME -in docs.jsonl -batch 1000
//	    the single-threaded bulk loader: one bulk request at a time with a
//	    fixed batch size, into an index with marquee's mapping and loading
//	    settings (so only the loading strategy differs), then refresh.
//	loader create -url URL -index NAME
//	    create an index with marquee's mapping (for elasticdump to fill).
//	loader stats  -url URL -index NAME
//	    print the figures the benchmark compares: count, per-kind counts,
//	    and hits of a Korean query.
//	loader delete -url URL -index NAME
//	loader idle   -url URL
//	    wait (up to 60s) until the node runs no merges, so one loader's
//	    background merging does not slow the next one down.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"marquee/etl/reindex"
	"marquee/internal/catalog"
	"marquee/internal/search"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: loader docs|single|create|stats|delete [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	url := fs.String("url", "", "search URL")
	index := fs.String("index", "", "index name")
	in := fs.String("in", "", "input JSONL")
	out := fs.String("out", "", "output JSONL of documents")
	dump := fs.String("dump", "", "output in elasticdump format")
	batch := fs.Int("batch", 1000, "documents per bulk request")
	_ = fs.Parse(os.Args[2:])
	ctx := context.Background()
	var c *search.Client
	if *url != "" {
		var err error
		if c, err = search.New(search.Config{URL: *url}); err != nil {
			log.Fatal(err)
		}
	}
	var err error
	switch os.Args[1] {
	case "docs":
		err = docs(*in, *out, *dump, *index)
	case "create":
		err = create(ctx, c, *index)
	case "single":
		err = single(ctx, c, *index, *in, *batch)
	case "stats":
		err = stats(ctx, c, *index)
	case "delete":
		err = c.DeleteIndex(ctx, *index)
	case "idle":
		err = idle(ctx, *url)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		log.Fatalf("loader %s: %v", os.Args[1], err)
	}
}

func docs(in, out, dump, index string) error {
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	defer o.Close()
	d, err := os.Create(dump)
	if err != nil {
		return err
	}
	defer d.Close()
	ow, dw := bufio.NewWriterSize(o, 1<<20), bufio.NewWriterSize(d, 1<<20)
	err = reindex.FileSource{Path: in}.EachRelease(context.Background(), time.Time{}, func(r *catalog.Release) error {
		b, err := json.Marshal(reindex.NewDocument(r, 0, reindex.AnalyzerCJK, nil))
		if err != nil {
			return err
		}
		line, _ := json.Marshal(map[string]any{"_index": index, "_id": r.ID, "_source": json.RawMessage(b)})
		if _, err := ow.Write(append(b, '\n')); err != nil {
			return err
		}
		_, err = dw.Write(append(line, '\n'))
		return err
	})
	if err != nil {
		return err
	}
	if err := ow.Flush(); err != nil {
		return err
	}
	return dw.Flush()
}

func create(ctx context.Context, c *search.Client, index string) error {
	body, err := reindex.IndexBody(reindex.AnalyzerCJK, reindex.IndexSettings{Shards: 1}, map[string]any{"bench": true})
	if err != nil {
		return err
	}
	return c.CreateIndex(ctx, index, body)
}

func single(ctx context.Context, c *search.Client, index, in string, batch int) error {
	if err := create(ctx, c, index); err != nil {
		return err
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	var ops []catalog.BulkOp
	var failed int
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		items, err := c.Bulk(ctx, index, ops)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.Failed() {
				failed++
			}
		}
		ops = ops[:0]
		return nil
	}
	for sc.Scan() {
		var id struct {
			ID string `json:"id"`
		}
		b := bytes.Clone(sc.Bytes())
		if err := json.Unmarshal(b, &id); err != nil {
			return err
		}
		ops = append(ops, catalog.BulkOp{ID: id.ID, Doc: b})
		if len(ops) == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d documents failed", failed)
	}
	if err := c.PutSettings(ctx, index, json.RawMessage(`{"index":{"refresh_interval":"1s"}}`)); err != nil {
		return err
	}
	return c.Refresh(ctx, index)
}

func stats(ctx context.Context, c *search.Client, index string) error {
	if err := c.Refresh(ctx, index); err != nil {
		return err
	}
	n, err := c.Count(ctx, index)
	if err != nil {
		return err
	}
	var kinds []string
	for _, k := range catalog.Kinds {
		q, _ := json.Marshal(map[string]any{"size": 0, "query": map[string]any{"term": map[string]any{"content_type": k}}})
		r, err := c.Search(ctx, index, q)
		if err != nil {
			return err
		}
		kinds = append(kinds, fmt.Sprintf("%s:%d", k, r.Total))
	}
	sort.Strings(kinds)
	r, err := c.Search(ctx, index, reindex.Query(reindex.AnalyzerCJK, nil, "레미제라블", 10))
	if err != nil {
		return err
	}
	fmt.Printf("count=%d kinds=%s korean_hits=%d\n", n, strings.Join(kinds, ","), r.Total)
	return nil
}

func idle(ctx context.Context, url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/_nodes/_local/stats/indices/merges?filter_path=nodes.*.indices.merges.current")
		if err != nil {
			return err
		}
		var v struct {
			Nodes map[string]struct {
				Indices struct {
					Merges struct {
						Current int `json:"current"`
					} `json:"merges"`
				} `json:"indices"`
			} `json:"nodes"`
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if err != nil {
			return err
		}
		busy := 0
		for _, n := range v.Nodes {
			busy += n.Indices.Merges.Current
		}
		if busy == 0 {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return nil
}
