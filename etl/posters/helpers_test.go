package posters

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
	"marquee/lake/gcs/gcstest"
)

var testDate = catalog.Date{Year: 2026, Month: 11, Day: 26}

// pattern draws a seed-dependent picture so every seed gives other bytes.
func pattern(w, h, seed int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = uint8(x*7+seed*31), uint8(y*5+seed*17), uint8((x+y+seed)*3), 255
		}
	}
	return img
}

func genJPEG(t testing.TB, w, h, seed int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, pattern(w, h, seed), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func genPNG(t testing.TB, w, h, seed int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, pattern(w, h, seed)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func genGIF(t testing.TB, w, h, seed int) []byte {
	t.Helper()
	src := pattern(w, h, seed)
	p := image.NewPaletted(src.Bounds(), palette.Plan9)
	for y := range h {
		for x := range w {
			p.Set(x, y, src.At(x, y))
		}
	}
	var b bytes.Buffer
	if err := gif.Encode(&b, p, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func webpFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/poster.webp")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// served is one path of the image site.
type served struct {
	body     []byte
	ctype    string
	etag     bool // answer with an ETag and honour If-None-Match
	chunked  bool // no Content-Length
	fail503  int  // answer 503 this many times first
	status   int  // non-zero: answer this status with body
	delay    time.Duration
	truncate int // declare the full length, send only this many bytes, then drop
}

// site is an httptest image server that counts its hits.
type site struct {
	*httptest.Server
	mu     sync.Mutex
	files  map[string]*served
	hits   map[string]int
	conds  map[string]int // conditional requests seen
	robots string         // "" → 404
	// robotsStatus, when set, is robots.txt's status (an error page).
	robotsStatus int
	inFlight     int         // image requests being served now
	maxInFlight  int         // the most at once
	starts       []time.Time // start times of image requests
}

func newSite(t testing.TB) *site {
	s := &site{files: map[string]*served{}, hits: map[string]int{}, conds: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *site) add(path string, f *served) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = f
	return s.URL + path
}

func (s *site) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		s.conds[r.URL.Path]++
	}
	f := s.files[r.URL.Path]
	robots, robotsStatus := s.robots, s.robotsStatus
	fail := false
	if f != nil && f.fail503 > 0 {
		f.fail503--
		fail = true
	}
	s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		if robotsStatus != 0 {
			http.Error(w, "robots broken", robotsStatus)
			return
		}
		if robots == "" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(robots))
		return
	}
	if f == nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.starts = append(s.starts, time.Now())
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if fail {
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		_, _ = w.Write(f.body)
		return
	}
	if f.etag {
		tag := `"` + shaHex(f.body)[:16] + `"`
		w.Header().Set("ETag", tag)
		w.Header().Set("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if f.ctype != "" {
		w.Header().Set("Content-Type", f.ctype)
	}
	switch {
	case f.truncate > 0:
		w.Header().Set("Content-Length", strconv.Itoa(len(f.body)))
		_, _ = w.Write(f.body[:f.truncate])
		// Hijack-free drop: the handler returns early; net/http closes the
		// connection because the declared length was not sent.
	case f.chunked:
		fl, _ := w.(http.Flusher)
		for i := 0; i < len(f.body); i += 32 << 10 {
			_, _ = w.Write(f.body[i:min(i+32<<10, len(f.body))])
			if fl != nil {
				fl.Flush()
			}
		}
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(f.body)))
		_, _ = w.Write(f.body)
	}
}

// writeRaw commits a raw partition of records (lines given verbatim when a
// string) for source and date.
func writeRaw(t testing.TB, s lake.Store, source string, d catalog.Date, lines ...any) {
	t.Helper()
	ctx := context.Background()
	pw := lake.NewPartitionWriter(s, lake.PartitionPath(lake.ZoneRawReleases+"/source="+source, d), "crawl", "crawlrun", time.Now)
	jw := lake.NewJSONLWriter(ctx, pw)
	for _, l := range lines {
		var err error
		if str, ok := l.(string); ok {
			err = jw.WriteLine([]byte(str))
		} else {
			err = jw.Write(l)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(ctx, lake.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
}

func rawRec(source, id, title, poster string) catalog.RawRecord {
	f := map[string]string{"title": title}
	if poster != "" {
		f["poster_url"] = poster
	}
	return catalog.RawRecord{Source: source, SourceID: id, Kind: catalog.Kind("performance"),
		URL: "http://tickets.test/show/" + id + ".html", Render: catalog.RenderStatic, Fields: f}
}

// stores are the lake implementations every scenario runs on.
var stores = []struct {
	name string
	new  func(t *testing.T) lake.Store
}{
	{"local", func(t *testing.T) lake.Store {
		s, err := lake.NewLocalStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"gcs", func(t *testing.T) lake.Store { return gcstest.NewStore(t, "lake") }},
}

func testEnv(runID string) *job.Env {
	env := job.TestEnv(JobName, testDate)
	env.RunID = runID
	return env
}

func fastOpts() Options {
	return Options{MaxBytes: 256 << 10, IgnoreRobots: false, Workers: 4, PerHost: 3,
		Backoff: job.Backoff{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}}
}

// posterObjects lists the stored images (not the index), keyed by key.
func posterObjects(t testing.TB, s lake.Store) map[string]int64 {
	t.Helper()
	objs, err := s.List(context.Background(), lake.ZonePosters+"/")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, o := range objs {
		if strings.HasPrefix(o.Key, IndexZone+"/") {
			continue
		}
		out[o.Key] = o.Size
	}
	return out
}

// checkIndex asserts every entry points at a stored object whose bytes hash
// to the entry's sha256, and returns the entries by release id.
func checkIndex(t testing.TB, s lake.Store, d catalog.Date) map[string]IndexEntry {
	t.Helper()
	ctx := context.Background()
	es, err := ReadIndex(ctx, s, d)
	if err != nil {
		t.Fatalf("read index: %v", err)
	}
	out := map[string]IndexEntry{}
	for _, e := range es {
		if _, dup := out[e.ReleaseID]; dup {
			t.Fatalf("release %s indexed twice", e.ReleaseID)
		}
		out[e.ReleaseID] = e
		b, err := lake.ReadAll(ctx, s, e.Object)
		if err != nil {
			t.Fatalf("index entry %s → %s: %v (dangling)", e.ReleaseID, e.Object, err)
		}
		if shaHex(b) != e.SHA256 || int64(len(b)) != e.Bytes || e.Object != ObjectKey(e.SHA256, extOf[e.ContentType]) {
			t.Fatalf("entry %+v does not match its object (%d bytes, sha %s)", e, len(b), shaHex(b))
		}
		for w, k := range e.Thumbnails {
			if _, err := s.Stat(ctx, k); err != nil {
				t.Fatalf("thumbnail %s of %s: %v", w, e.ReleaseID, err)
			}
		}
	}
	return out
}

func quarantined(t testing.TB, s lake.Store, d catalog.Date) []lake.Rejected {
	t.Helper()
	var out []lake.Rejected
	err := lake.ScanPartition(context.Background(), s, lake.PartitionPath(lake.ZoneQuarantine+"/"+JobName, d),
		func(o lake.Origin, line []byte, lerr error) error {
			var r lake.Rejected
			if err := json.Unmarshal(line, &r); err != nil {
				return fmt.Errorf("%s: %w", o, err)
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
