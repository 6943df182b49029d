package load_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/etl/load"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/mongo"
	"marquee/internal/testenv"
	"marquee/lake"
)

var day = catalog.Date{Year: 2026, Month: 11, Day: 22}

// writeRaw commits lines as the raw partition of source for date d.
func writeRaw(t testing.TB, st lake.Store, source string, d catalog.Date, lines [][]byte) {
	t.Helper()
	ctx := context.Background()
	dir := lake.PartitionPath(lake.ZoneRawReleases+"/source="+source, d)
	pw := lake.NewPartitionWriter(st, dir, "crawl", job.NewRunID(time.Now()), time.Now)
	w := lake.NewJSONLWriter(ctx, pw)
	for _, l := range lines {
		if err := w.WriteLine(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
}

// fixtureLake returns a lake holding etl/testdata/raw/*.jsonl as the raw
// partitions of day, one source per file.
func fixtureLake(t testing.TB) lake.Store {
	t.Helper()
	st, err := lake.NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../testdata/raw/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no fixtures in etl/testdata/raw")
	}
	for _, f := range files {
		writeRaw(t, st, strings.TrimSuffix(filepath.Base(f), ".jsonl"), day, readLines(t, f))
	}
	return st
}

func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, append([]byte(nil), sc.Bytes()...))
		}
	}
	return out
}

// genRaw returns n synthetic Korean raw records of source.
func genRaw(source string, n int, fetched time.Time) [][]byte {
	venues := []string{"블루스퀘어 신한카드홀", "세종문화회관 대극장", "부산 드림씨어터", "대구 계명아트센터", "KSPO DOME"}
	genres := []string{"뮤지컬", "연극", "콘서트", "클래식", "무용"}
	out := make([][]byte, n)
	for i := range out {
		r := catalog.RawRecord{
			Source: source, SourceID: fmt.Sprintf("%s-%06d", source, i), Kind: catalog.KindPerformance,
			URL: fmt.Sprintf("https://%s.example.kr/p/%d", source, i), FetchedAt: fetched, Render: catalog.RenderStatic,
			Fields: map[string]string{
				"title":      fmt.Sprintf("%s 〈작품 %d호〉", genres[i%len(genres)], i),
				"start_date": fmt.Sprintf("2026.%02d.%02d", 11+i%2, 1+i%28),
				"end_date":   "2027.02.28",
				"venue":      venues[i%len(venues)],
				"price":      fmt.Sprintf("R석 %d,000원 / S석 %d,000원", 100+i%50, 70+i%30),
				"age_rating": []string{"전체관람가", "만 7세 이상", "12세이상관람가", "15세 이상", "청소년관람불가"}[i%5],
				"genres":     genres[i%len(genres)],
				"cast":       "민우혁, 최재림",
				"runtime":    fmt.Sprintf("%d분", 90+i%90),
			},
		}
		b, _ := json.Marshal(r)
		out[i] = b
	}
	return out
}

// testDB is a fresh database on the test server, dropped at cleanup.
type testDB struct {
	uri    string
	name   string
	client *driver.Client
}

func newTestDB(t testing.TB) *testDB {
	t.Helper()
	uri := testenv.MongoURI(t)
	name := fmt.Sprintf("t_load_%d_%d", os.Getpid(), time.Now().UnixNano()%1e12)
	db := &testDB{uri: uri, name: name, client: connect(t, uri)}
	t.Cleanup(func() { _ = db.client.Database(name).Drop(context.Background()) })
	return db
}

func connect(t testing.TB, uri string) *driver.Client {
	t.Helper()
	cl, err := driver.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(2 * time.Second).SetConnectTimeout(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Disconnect(context.Background()) })
	return cl
}

func (db *testDB) store() *mongo.ReleaseStore {
	return mongo.NewReleaseStore(db.client.Database(db.name), "")
}

// dump returns every stored release in id order, without updated_at.
func dump(t testing.TB, s catalog.ReleaseSource) []catalog.Release {
	t.Helper()
	var out []catalog.Release
	err := s.EachRelease(context.Background(), time.Time{}, func(r *catalog.Release) error {
		c := *r
		c.UpdatedAt = time.Time{}
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameReleases(t testing.TB, got, want []catalog.Release) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d releases, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("release %d differs:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func fastRetry() job.Backoff {
	return job.Backoff{Attempts: 3, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}
}

func run(t testing.TB, st lake.Store, sink load.Sink, d catalog.Date, opts load.Options, dry bool) (*job.Summary, error) {
	t.Helper()
	env := job.TestEnv(load.JobName, d)
	env.DryRun = dry
	if opts.Retry.Attempts == 0 {
		opts.Retry = fastRetry()
	}
	return load.Run(context.Background(), env, opts, load.Deps{Lake: st, Sink: sink})
}

// proxy is a TCP proxy in front of the test server that a test can stop
// and start again on the same address, like a server going down.
type proxy struct {
	t        testing.TB
	addr     string
	upstream string
	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]bool
}

func newProxy(t testing.TB, upstreamURI string) *proxy {
	t.Helper()
	up := strings.TrimPrefix(upstreamURI, "mongodb://")
	if i := strings.IndexAny(up, "/?"); i >= 0 {
		up = up[:i]
	}
	if i := strings.LastIndex(up, "@"); i >= 0 {
		up = up[i+1:]
	}
	p := &proxy{t: t, upstream: up, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) uri() string { return "mongodb://" + p.addr + "/?directConnection=true" }

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[u] = true, true
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
}

// stop closes the listener and every connection: the server is "down".
func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// start listens again on the same address: the server is back.
func (p *proxy) start() {
	var ln net.Listener
	var err error
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err = net.Listen("tcp", p.addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // port still in TIME_WAIT: retry until the deadline
	}
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}
