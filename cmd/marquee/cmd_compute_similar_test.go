package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
	"marquee/internal/testenv"
	"marquee/recommend"
)

func TestComputeSimilarOptions(t *testing.T) {
	section := map[string]any{
		"field-weights": map[string]any{"title": 5, "venue": "0"},
		"stop-words":    []any{"뮤지컬"},
	}
	o := &computeSimilarOptions{K: 3, Source: "mongo", FieldWeights: map[string]string{"title": "4"}}
	opts, err := o.jobOptions(section)
	if err != nil {
		t.Fatal(err)
	}
	want := recommend.DefaultFieldWeights
	want.Title, want.Venue = 4, 0
	if opts.Weights != want || len(opts.StopWords) != 1 || opts.StopWords[0] != "뮤지컬" {
		t.Errorf("weights %+v stop %q", opts.Weights, opts.StopWords)
	}
	for name, bad := range map[string]*computeSimilarOptions{
		"k out of range":           {K: 0, Source: "mongo"},
		"bad shard":                {K: 3, Source: "mongo", Shard: "4/4"},
		"unknown field":            {K: 3, Source: "mongo", FieldWeights: map[string]string{"plot": "1"}},
		"negative weight":          {K: 3, Source: "mongo", FieldWeights: map[string]string{"cast": "-1"}},
		"only-changed with shards": {K: 3, Source: "mongo", Shard: "0/2", OnlyChanged: true},
	} {
		if _, err := bad.jobOptions(nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestComputeSimilarCommand runs the command in-process on the JSONL
// fixture with no MongoDB configured: the mart is written, the summary is
// the last stdout line, usage errors exit 2.
func TestComputeSimilarCommand(t *testing.T) {
	t.Setenv("MARQUEE_CONFIG", "/nonexistent")
	t.Setenv("MARQUEE_MONGO_URI", "")
	dir := t.TempDir()
	run := func(args ...string) (int, map[string]any, string) {
		var out, errb bytes.Buffer
		global := []string{"--data-dir", filepath.Join(dir, "data"), "--date", "2026-11-26", "--log-format", "json"}
		code := Main(append(append([]string{"compute-similar"}, args...), global...), &out, &errb)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var s map[string]any
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
		return code, s, errb.String()
	}
	code, s, stderr := run("--source", "../../recommend/testdata/releases.jsonl", "--k", "2")
	if code != 0 || s["status"] != "ok" || s["written"] != float64(8) || s["skipped"] != float64(1) {
		t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
	}
	outs, _ := s["outputs"].([]any)
	if len(outs) != 1 || !strings.HasSuffix(outs[0].(string), "mart/similar/dt=2026-11-26") {
		t.Errorf("outputs %v", outs)
	}
	if code, _, _ := run("--source", "mongo"); code != 2 {
		t.Errorf("--source mongo without a MongoDB: exit %d, want 2", code)
	}
	if code, _, _ := run("--source", "../../recommend/testdata/releases.jsonl", "--k", "0"); code != 2 {
		t.Errorf("--k 0: exit %d, want 2", code)
	}
}

// TestComputeSimilarFromMongo loads the Korean fixtures into the real
// MongoDB-wire server, runs compute-similar --source mongo, and reads the
// similar collection back; a rerun with --only-changed recomputes nothing
// that did not change.
func TestComputeSimilarFromMongo(t *testing.T) {
	uri := testenv.MongoURI(t)
	ctx := context.Background()
	c, err := mongo.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	dbName := fmt.Sprintf("t_cli_similar_%d", time.Now().UnixNano()%1e12)
	t.Cleanup(func() {
		_ = c.Database(dbName).Drop(context.Background())
		_ = c.Close(context.Background())
	})
	var rels []*catalog.Release
	err = recommend.FileSource{Path: "../../recommend/testdata/releases.jsonl"}.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error {
		cp := *r
		rels = append(rels, &cp)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := mongo.NewReleaseStore(c.Database(dbName), "").WriteReleases(ctx, rels, nil); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MARQUEE_CONFIG", "/nonexistent")
	dir := t.TempDir()
	run := func(args ...string) (int, map[string]any, string) {
		var out, errb bytes.Buffer
		global := []string{"--mongo-uri", uri, "--mongo-db", dbName, "--data-dir", filepath.Join(dir, "data"), "--date", "2026-11-26", "--log-format", "json"}
		code := Main(append(append([]string{"compute-similar"}, args...), global...), &out, &errb)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var s map[string]any
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
		return code, s, errb.String()
	}
	code, s, stderr := run("--source", "mongo", "--k", "2")
	if code != 0 || s["written"] != float64(8) {
		t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
	}
	l, err := mongo.NewSimilarStore(c, dbName).Similar(ctx, "phantom-seoul")
	if err != nil || len(l.Items) == 0 || l.Items[0].ID != "phantom-daegu" {
		t.Fatalf("similar phantom-seoul = %+v, %v", l, err)
	}
	code, s, stderr = run("--source", "mongo", "--k", "2", "--only-changed")
	if code != 0 || s["written"] != float64(0) {
		t.Fatalf("--only-changed with nothing changed: exit %d summary %v\n%s", code, s, stderr)
	}
}
