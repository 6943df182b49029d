package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/etl/posters"
	"marquee/internal/catalog"
	"marquee/lake"
	"marquee/lake/gcs"
	"marquee/lake/gcs/gcstest"
)

func TestIngestPostersOptions(t *testing.T) {
	cases := []struct {
		name string
		args []string
		ok   bool
	}{
		{"defaults", nil, true},
		{"thumbnails", []string{"--thumbnails", "320,640"}, true},
		{"bad thumbnails", []string{"--thumbnails", "320,big"}, false},
		{"bad source", []string{"--from", "kafka"}, false},
		{"zero per-host", []string{"--per-host", "0"}, false},
		{"mongo and no-mongo", []string{"--from", "mongo", "--no-mongo"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got *ingestPostersOptions
			cmd := newIngestPostersCmd(nil, func(_ context.Context, o *ingestPostersOptions) error { got = o; return nil })
			cmd.SetArgs(c.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if c.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if err == nil && got == nil {
				t.Fatal("runF not called")
			}
			if c.name == "thumbnails" {
				o, _ := got.jobOptions()
				if len(o.Thumbnails) != 2 || o.Thumbnails[0] != 320 || o.MaxBytes != posters.DefaultMaxBytes {
					t.Fatalf("options = %+v", o)
				}
			}
		})
	}
}

// TestIngestPostersCommand runs the command in-process on a local lake and
// on a gs:// lake (the GCS emulator): argv → job → summary line, exit codes.
func TestIngestPostersCommand(t *testing.T) {
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 160, 240)), nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/poster.jpg":
			w.Header().Set("ETag", `"p1"`)
			if r.Header.Get("If-None-Match") == `"p1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			_, _ = w.Write(img.Bytes())
		case "/broken.jpg":
			_, _ = w.Write([]byte("<html>점검 중</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	d := catalog.Date{Year: 2026, Month: 11, Day: 26}

	for _, kind := range []string{"local", "gcs"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			var lakeURI string
			var st lake.Store
			if kind == "local" {
				lakeURI = filepath.Join(dir, "lake")
				st, _ = lake.NewLocalStore(lakeURI)
			} else {
				bucket, _ := gcstest.NewBucket(t)
				lakeURI = "gs://" + bucket + "/prod"
				gs, err := gcs.OpenURI(context.Background(), lakeURI)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = gs.Close() })
				st = gs
			}
			pw := lake.NewPartitionWriter(st, lake.PartitionPath(lake.ZoneRawReleases+"/source=tickets", d), "crawl", "c1", time.Now)
			jw := lake.NewJSONLWriter(context.Background(), pw)
			for i, u := range []string{srv.URL + "/poster.jpg", srv.URL + "/broken.jpg"} {
				rec := catalog.RawRecord{Source: "tickets", SourceID: string(rune('1' + i)), URL: srv.URL + "/show", Fields: map[string]string{"poster_url": u, "title": "레미제라블"}}
				if err := jw.Write(rec); err != nil {
					t.Fatal(err)
				}
			}
			if err := jw.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := pw.Commit(context.Background(), lake.CommitOptions{}); err != nil {
				t.Fatal(err)
			}

			t.Setenv("MARQUEE_CONFIG", "/nonexistent")
			global := []string{"--data-dir", filepath.Join(dir, "data"), "--lake", lakeURI, "--log-format", "json"}
			run := func(args ...string) (int, map[string]any) {
				var out, errb bytes.Buffer
				code := Main(append(append([]string{"ingest-posters"}, args...), global...), &out, &errb)
				lines := strings.Split(strings.TrimSpace(out.String()), "\n")
				var s map[string]any
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
					t.Fatalf("last stdout line is not a JSON summary: %q (stderr %s)", out.String(), errb.String())
				}
				return code, s
			}
			code, s := run("--date", "2026-11-26", "--ignore-robots", "--thumbnails", "320")
			if code != 0 || s["written"] != float64(1) || s["quarantined"] != float64(1) || s["status"] != "ok" {
				t.Fatalf("exit %d, summary %v", code, s)
			}
			det := s["details"].(map[string]any)
			if det["uploaded"] != float64(1) || det["thumbnails"] != float64(1) || det["rejected"].(map[string]any)[posters.ReasonHTML] != float64(1) {
				t.Fatalf("details %v", det)
			}
			outs, _ := json.Marshal(s["outputs"])
			if !strings.Contains(string(outs), lakeURI+"/posters/index/dt=2026-11-26") {
				t.Fatalf("outputs %s", outs)
			}
			es, err := posters.ReadIndex(context.Background(), st, d)
			if err != nil || len(es) != 1 || es[0].Width != 160 || es[0].Height != 240 {
				t.Fatalf("index %+v %v", es, err)
			}

			code, s = run("--date", "2026-11-26", "--ignore-robots", "--thumbnails", "320")
			if code != 0 || s["details"].(map[string]any)["not_modified"] != float64(1) {
				t.Fatalf("rerun: exit %d, summary %v", code, s)
			}
			if code, s = run("--date", "2026-11-20", "--ignore-robots"); code != 99 || s["status"] != "nothing_to_do" {
				t.Fatalf("no raw partition: exit %d, summary %v", code, s)
			}
		})
	}
}
