package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
	"marquee/internal/testenv"
	"marquee/lake"
	"marquee/lake/gcs/gcstest"
)

// exportRun runs `marquee export-parquet` in-process and returns the exit
// code, the summary (last stdout line) and stderr.
func exportRun(t *testing.T, args ...string) (int, map[string]any, string) {
	t.Helper()
	t.Setenv("MARQUEE_CONFIG", "/nonexistent")
	var out, errb bytes.Buffer
	code := Main(append([]string{"export-parquet", "--log-format", "json"}, args...), &out, &errb)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var s map[string]any
	_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
	return code, s, errb.String()
}

func eventLine(i int, day string) string {
	if i%4 == 3 {
		return fmt.Sprintf(`{"ts":"%sT%02d:00:00+09:00","user_id":%d,"age_group":"30s","gender":"M","event":"search","keyword":"뮤지컬 %d","result_count":%d,"session_id":"s%d","platform":"web"}`, day, i%24, i, i%3, i%5, i)
	}
	return fmt.Sprintf(`{"ts":"%sT%02d:30:00Z","user_id":%d,"age_group":"20s","gender":"F","event":"view","item_id":"r%d","session_id":"s%d","platform":"ios"}`, day, i%24, i, i%50, i)
}

// lakeEventTotals sums every committed events partition of the lake at dir.
func lakeEventTotals(t *testing.T, dir string) (rows, users int64) {
	t.Helper()
	s, err := lake.NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	days, err := lake.ListPartitions(ctx, s, lake.ZoneParquetEvents, catalog.Date{}, catalog.Date{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range days {
		if err := lake.ReadEventsParquet(ctx, s, lake.EventsPartition(d), func(b []lake.EventRow) error {
			for _, r := range b {
				rows++
				users += r.UserID
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return rows, users
}

func TestExportParquetKafka(t *testing.T) {
	const topic = "app-events"
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]
	produce := func(from, to int) {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		var recs []*kgo.Record
		for i := from; i < to; i++ {
			v := eventLine(i, "2026-11-2"+fmt.Sprint(1+i%2))
			if i == from+5 {
				v = `{"ts":"2026-11-21T00:00:00Z","event":"nope"}`
			}
			recs = append(recs, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprint(i)), Value: []byte(v)})
		}
		if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	args := []string{"--dataset", "events", "--input", "kafka://" + addr + "/" + topic, "--date", "2026-11-22",
		"--lake", filepath.Join(dir, "lake"), "--data-dir", filepath.Join(dir, "data"), "--max-rejects", "0.1"}

	produce(0, 100)
	code, s, stderr := exportRun(t, args...)
	if code != 0 || s["written"] != 99.0 || s["quarantined"] != 1.0 {
		t.Fatalf("first run: exit %d summary %v\n%s", code, s, stderr)
	}
	if !strings.HasPrefix(fmt.Sprint(s["details"].(map[string]any)["batch"]), "kafka-") {
		t.Errorf("batch %v", s["details"])
	}
	t.Run("offsets were committed: a rerun with nothing new is exit 99", func(t *testing.T) {
		code, s, _ := exportRun(t, args...)
		if code != 99 || s["status"] != "nothing_to_do" {
			t.Errorf("exit %d summary %v", code, s)
		}
	})
	t.Run("new records are exported once, next to the earlier batch", func(t *testing.T) {
		produce(100, 160)
		code, s, stderr := exportRun(t, args...)
		if code != 0 || s["written"] != 59.0 {
			t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
		}
		rows, users := lakeEventTotals(t, filepath.Join(dir, "lake"))
		var want int64
		for i := 0; i < 160; i++ {
			if i != 5 && i != 105 {
				want += int64(i)
			}
		}
		if rows != 158 || users != want {
			t.Errorf("lake holds %d rows (user sum %d), want 158 (%d)", rows, users, want)
		}
	})
}

func TestExportParquetGCSInput(t *testing.T) {
	bucket, client := gcstest.NewBucket(t)
	ctx := context.Background()
	for i, day := range []string{"2026-11-21", "2026-11-22"} {
		var b strings.Builder
		for j := 0; j < 20; j++ {
			b.WriteString(eventLine(i*20+j, day) + "\n")
		}
		w := client.Bucket(bucket).Object(fmt.Sprintf("logs/%s/app.jsonl", day)).NewWriter(ctx)
		if _, err := w.Write([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	code, s, stderr := exportRun(t, "--dataset", "events", "--input", "gs://"+bucket+"/logs/*/app.jsonl", "--date", "2026-11-22",
		"--lake", filepath.Join(dir, "lake"), "--data-dir", filepath.Join(dir, "data"))
	if code != 0 || s["written"] != 40.0 || len(s["inputs"].([]any)) != 2 {
		t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
	}
	if in := s["inputs"].([]any)[0]; in != "gs://"+bucket+"/logs/2026-11-21/app.jsonl" {
		t.Errorf("input %v", in)
	}
}

func TestExportParquetReleasesMongo(t *testing.T) {
	uri := testenv.MongoURI(t)
	var b [4]byte
	_, _ = rand.Read(b[:])
	dbName := "export_parquet_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	cl, err := driver.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cl.Database(dbName).Drop(context.Background())
		_ = cl.Disconnect(context.Background())
	})
	store := mongo.NewReleaseStore(cl.Database(dbName), "")
	var rs []*catalog.Release
	for i := 0; i < 30; i++ {
		sid := fmt.Sprint(i)
		rs = append(rs, &catalog.Release{
			ID: catalog.ReleaseID("cli", sid), Source: "cli", SourceID: sid, Kind: catalog.KindMovie,
			Title: fmt.Sprintf("범죄도시 %d", i), Genres: []string{"액션", "범죄"}, Cast: []string{"마동석"},
			ReleaseDate: catalog.Date{Year: 2026, Month: 12, Day: 1 + i},
			Prices:      []catalog.Price{{Grade: "일반", Amount: 15000, Currency: "KRW"}},
			FirstSeen:   time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), LastSeen: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
			UpdatedAt: time.Date(2026, 11, 21, 0, 0, i, 0, time.UTC),
		})
	}
	if err := store.WriteReleases(ctx, rs, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	code, s, stderr := exportRun(t, "--dataset", "releases", "--date", "2026-11-22", "--mongo-uri", uri, "--mongo-db", dbName,
		"--lake", filepath.Join(dir, "lake"), "--data-dir", filepath.Join(dir, "data"))
	if code != 0 || s["written"] != 30.0 {
		t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
	}
	if in := s["inputs"].([]any)[0]; !strings.HasSuffix(fmt.Sprint(in), "/"+dbName+".releases") || strings.Contains(fmt.Sprint(in), "@") {
		t.Errorf("input %v", in)
	}
	ls, err := lake.NewLocalStore(filepath.Join(dir, "lake"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := lake.OpenReleases(ctx, ls, catalog.Date{})
	if err != nil {
		t.Fatal(err)
	}
	var fromLake, fromMongo []catalog.Release
	_ = src.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error { fromLake = append(fromLake, *r); return nil })
	_ = store.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error { fromMongo = append(fromMongo, *r); return nil })
	if len(fromLake) != 30 || !reflect.DeepEqual(fromLake, fromMongo) {
		t.Errorf("lake releases differ from MongoDB's:\n lake  %+v\n mongo %+v", fromLake[0], fromMongo[0])
	}
	t.Run("incremental the next day exports the changed release and the watermark one", func(t *testing.T) {
		rs[3].Title += " 2"
		rs[3].UpdatedAt = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		if err := store.WriteReleases(ctx, rs[3:4], nil); err != nil {
			t.Fatal(err)
		}
		code, s, stderr := exportRun(t, "--dataset", "releases", "--incremental", "--date", "2026-11-23", "--mongo-uri", uri, "--mongo-db", dbName,
			"--lake", filepath.Join(dir, "lake"), "--data-dir", filepath.Join(dir, "data"))
		if code != 0 || s["written"] != 2.0 {
			t.Fatalf("exit %d summary %v\n%s", code, s, stderr)
		}
	})
}

func TestExportParquetUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--dataset", "events"},
		{"--dataset", "clicks"},
		{"--dataset", "events", "--input", "x.jsonl", "--incremental"},
		{"--dataset", "releases", "--input", "x.jsonl"},
		{"--dataset", "events", "--input", "kafka://h:1/"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			code, _, stderr := exportRun(t, append(args, "--data-dir", dir, "--date", "2026-11-22")...)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s", code, stderr)
			}
		})
	}
}
