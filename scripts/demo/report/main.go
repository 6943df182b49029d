// Command report prints what `make demo` produced: releases loaded into
// MongoDB, the most popular items of the event day, a few similar-item
// lists, a Korean search on the index alias, and where the Parquet files are.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/internal/mongo"
	"marquee/internal/search"
)

func main() {
	mongoURI := flag.String("mongo-uri", "", "MongoDB URI")
	db := flag.String("mongo-db", "marquee", "database")
	searchURL := flag.String("search-url", "", "search URL")
	alias := flag.String("alias", "releases", "index alias")
	lakeDir := flag.String("lake", "", "local lake directory")
	eventDay := flag.String("event-day", "", "day of the events (YYYY-MM-DD)")
	query := flag.String("q", "레미제라블", "search query")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	c, err := mongo.Connect(ctx, *mongoURI)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(ctx)
	d := c.Database(*db)
	titles := map[string]string{}
	kinds := map[string]int{}
	cur, err := d.Collection("releases").Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "title", Value: 1}, {Key: "kind", Value: 1}}))
	if err != nil {
		log.Fatal(err)
	}
	for cur.Next(ctx) {
		var r struct {
			ID    string `bson:"_id"`
			Title string `bson:"title"`
			Kind  string `bson:"kind"`
		}
		if err := cur.Decode(&r); err == nil {
			titles[r.ID] = r.Title
			kinds[r.Kind]++
		}
	}
	cur.Close(ctx)
	fmt.Printf("\n== Releases in MongoDB %s.releases: %d\n", *db, len(titles))
	for _, k := range sortedKeys(kinds) {
		fmt.Printf("   %-12s %d\n", k, kinds[k])
	}

	fmt.Printf("\n== Most popular on %s (MongoDB %s.popular)\n", *eventDay, *db)
	pc, err := d.Collection("popular").Find(ctx, bson.D{{Key: "date", Value: *eventDay}}, options.Find().SetSort(bson.D{{Key: "rank", Value: 1}}).SetLimit(5))
	if err == nil {
		for pc.Next(ctx) {
			var p struct {
				Rank    int    `bson:"rank"`
				ItemID  string `bson:"item_id"`
				Views   int64  `bson:"views"`
				Viewers int64  `bson:"viewers"`
			}
			if pc.Decode(&p) == nil {
				fmt.Printf("   %d. %s — %d views by %d people\n", p.Rank, titleOf(titles, p.ItemID), p.Views, p.Viewers)
			}
		}
		pc.Close(ctx)
	}

	fmt.Printf("\n== Similar releases (MongoDB %s.similar)\n", *db)
	sc, err := d.Collection("similar").Find(ctx, bson.D{}, options.Find().SetLimit(200))
	if err == nil {
		var docs []bson.M
		_ = sc.All(ctx, &docs)
		sort.Slice(docs, func(i, j int) bool {
			return titleOf(titles, fmt.Sprint(docs[i]["_id"])) < titleOf(titles, fmt.Sprint(docs[j]["_id"]))
		})
		shown := 0
		for _, doc := range docs {
			t := titleOf(titles, fmt.Sprint(doc["_id"]))
			if !strings.Contains(t, "레미제라블") && !strings.Contains(t, "발레") && !strings.Contains(t, "아바타") {
				continue
			}
			fmt.Printf("   %s\n", t)
			items, _ := doc["items"].(bson.A)
			for i, it := range items {
				if i == 3 {
					break
				}
				m, _ := it.(bson.M)
				if m == nil {
					if dd, ok := it.(bson.D); ok {
						m = bson.M{}
						for _, e := range dd {
							m[e.Key] = e.Value
						}
					}
				}
				fmt.Printf("      → %s (%.3f)\n", titleOf(titles, fmt.Sprint(m["id"])), toFloat(m["score"]))
			}
			if shown++; shown == 3 {
				break
			}
		}
	}

	if *searchURL != "" {
		fmt.Printf("\n== Search %q on alias %s\n", *query, *alias)
		sc, err := search.New(search.Config{URL: *searchURL})
		if err == nil {
			q, _ := json.Marshal(map[string]any{"size": 5, "query": map[string]any{"multi_match": map[string]any{"query": *query, "fields": []string{"title*", "summary*", "tags*"}}}})
			res, err := sc.Search(ctx, *alias, q)
			if err != nil {
				fmt.Printf("   search failed: %v\n", err)
			} else {
				fmt.Printf("   %d hits\n", res.Total)
				for _, id := range res.IDs {
					fmt.Printf("   - %s\n", titleOf(titles, id))
				}
			}
		}
	}

	if *lakeDir != "" {
		fmt.Printf("\n== Parquet in the lake (%s)\n", *lakeDir)
		_ = filepath.WalkDir(*lakeDir, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".parquet") {
				if fi, err := e.Info(); err == nil {
					rel, _ := filepath.Rel(*lakeDir, p)
					fmt.Printf("   %-90s %8d bytes\n", rel, fi.Size())
				}
			}
			return nil
		})
	}
	fmt.Println()
	os.Exit(0)
}

func titleOf(titles map[string]string, id string) string {
	if t, ok := titles[id]; ok {
		return t
	}
	return id
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return 0
}

func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
