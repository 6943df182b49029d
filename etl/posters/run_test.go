package posters

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// scenario is a raw partition whose posters cover every outcome.
type scenario struct {
	site    *site
	images  map[string][]byte // path → bytes of the good images
	wantRej map[string]int64  // reason → releases
	good    map[string]string // release id → path of its image
}

func id(n string) string { return catalog.ReleaseID("tickets", n) }

func newScenario(t *testing.T, s lake.Store) *scenario {
	t.Helper()
	st := newSite(t)
	st.robots = "User-agent: *\nDisallow: /private/\n"
	sc := &scenario{site: st, images: map[string][]byte{}, good: map[string]string{}}
	a := genJPEG(t, 640, 960, 1)
	img := func(path string, b []byte, ct string) string {
		sc.images[path] = b
		return st.add(path, &served{body: b, ctype: ct, etag: true})
	}
	urlA := img("/img/a.jpg", a, "image/jpeg")
	urlB := img("/img/b.png", genPNG(t, 400, 600, 2), "image/png")
	urlC := img("/img/c.gif", genGIF(t, 300, 450, 3), "image/gif")
	img("/img/d.webp", webpFixture(t), "image/webp")
	urlE := img("/img/e-copy.jpg", a, "application/octet-stream") // same bytes as a.jpg, lying header
	flaky := genJPEG(t, 200, 300, 4)
	sc.images["/flaky.jpg"] = flaky
	urlFlaky := st.add("/flaky.jpg", &served{body: flaky, ctype: "image/jpeg", etag: true, fail503: 2})

	urlHTML := st.add("/error.jpg", &served{body: []byte("<!DOCTYPE html><html><body>서비스 점검 중입니다</body></html>"), ctype: "image/jpeg"})
	fullPNG := genPNG(t, 300, 300, 5)
	urlTrunc := st.add("/img/trunc.png", &served{body: fullPNG[:len(fullPNG)*2/3], ctype: "image/png"})
	urlTiny := st.add("/img/tiny.png", &served{body: genPNG(t, 20, 20, 6), ctype: "image/png"})
	big := append(append([]byte{}, a[:4]...), bytes.Repeat([]byte{7}, 300<<10)...)
	urlBig := st.add("/img/big.jpg", &served{body: big, ctype: "image/jpeg"})
	urlBigChunked := st.add("/img/big-chunked.jpg", &served{body: big, ctype: "image/jpeg", chunked: true})
	urlPrivate := st.add("/private/p.jpg", &served{body: genJPEG(t, 100, 100, 7), ctype: "image/jpeg"})
	urlCut := st.add("/img/cut.jpg", &served{body: genJPEG(t, 300, 300, 8), ctype: "image/jpeg", truncate: 100})

	ldImage := json.RawMessage(`{"@context":"https://schema.org","@type":"Event","name":"웹피","image":{"@type":"ImageObject","url":"` + st.URL + `/img/d.webp"}}`)
	rec4 := rawRec("tickets", "4", "웹피 포스터", "")
	rec4.JSONLD = []json.RawMessage{ldImage}
	// A relative poster URL resolves against the page URL.
	rec16 := rawRec("tickets", "16", "상대 경로", "/img/b.png")
	rec16.URL = st.URL + "/show/16.html"

	writeRaw(t, s, "tickets", testDate,
		rawRec("tickets", "1", "뮤지컬 〈레미제라블〉", urlA),
		rawRec("tickets", "2", "연극 〈햄릿〉", urlB),
		rawRec("tickets", "3", "움짤", urlC),
		rec4,
		rawRec("tickets", "5", "같은 주소", urlA),
		rawRec("tickets", "6", "같은 바이트", urlE),
		rawRec("tickets", "7", "점검 페이지", urlHTML),
		rawRec("tickets", "8", "없는 그림", st.URL+"/missing.jpg"),
		rawRec("tickets", "9", "잘린 PNG", urlTrunc),
		rawRec("tickets", "10", "작은 그림", urlTiny),
		rawRec("tickets", "11", "큰 그림", urlBig),
		rawRec("tickets", "12", "비공개", urlPrivate),
		rawRec("tickets", "13", "가끔 실패", urlFlaky),
		rawRec("tickets", "14", "포스터 없음", ""),
		rawRec("tickets", "15", "데이터 URL", "data:image/png;base64,iVBORw0KGgo="),
		rec16,
		rawRec("tickets", "17", "청크 전송", urlBigChunked),
		rawRec("tickets", "18", "끊긴 전송", urlCut),
		`{"source":"tickets","source_id":`, // a cut line
	)
	sc.good = map[string]string{id("1"): "/img/a.jpg", id("2"): "/img/b.png", id("3"): "/img/c.gif", id("4"): "/img/d.webp",
		id("5"): "/img/a.jpg", id("6"): "/img/a.jpg", id("13"): "/flaky.jpg", id("16"): "/img/b.png"}
	sc.wantRej = map[string]int64{
		ReasonHTML: 1, ReasonHTTPStatus + "_404": 1, ReasonTruncated: 1, ReasonTooSmall: 1, ReasonTooLarge: 2,
		ReasonRobots: 1, ReasonBadURL: 1, ReasonTruncatedTransfer: 1, "bad_raw_record": 1,
	}
	return sc
}

func runJob(t *testing.T, s lake.Store, runID string, opts Options, deps Deps) (*job.Summary, error) {
	t.Helper()
	deps.Lake = s
	return Run(context.Background(), testEnv(runID), opts, deps)
}

func TestIngestPosters(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.new(t)
			sc := newScenario(t, s)

			sum, err := runJob(t, s, "run1", fastOpts(), Deps{})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			t.Run("summary counts downloads, uploads and rejects by reason", func(t *testing.T) {
				if sum.Read != 17 || sum.Skipped != 1 || sum.Written != 8 {
					t.Fatalf("read/skipped/written = %d/%d/%d, want 17/1/8", sum.Read, sum.Skipped, sum.Written)
				}
				if got := sum.Details["rejected"].(map[string]int64); !maps.Equal(got, sc.wantRej) {
					t.Fatalf("rejected = %v, want %v", got, sc.wantRej)
				}
				var q int64
				for _, n := range sc.wantRej {
					q += n
				}
				if sum.Quarantined != q {
					t.Fatalf("quarantined = %d, want %d", sum.Quarantined, q)
				}
				// a.jpg and e-copy.jpg are the same bytes: 6 good URLs, 5 objects.
				if sum.Details["uploaded"] != int64(5) || sum.Details["reused_objects"] != int64(1) || sum.Details["not_modified"] != int64(0) {
					t.Fatalf("details = %v", sum.Details)
				}
				var wantBytes int64
				for _, p := range []string{"/img/a.jpg", "/img/b.png", "/img/c.gif", "/img/d.webp", "/img/e-copy.jpg", "/flaky.jpg", "/error.jpg", "/img/trunc.png", "/img/tiny.png"} {
					if b, ok := sc.images[p]; ok {
						wantBytes += int64(len(b))
					} else {
						wantBytes += int64(len(sc.site.files[p].body))
					}
				}
				if sum.Details["bytes"] != wantBytes {
					t.Fatalf("bytes = %v, want %d", sum.Details["bytes"], wantBytes)
				}
				if len(sum.Inputs) != 1 || !strings.HasSuffix(sum.Inputs[0], "raw/releases/source=tickets/dt=2026-11-26") ||
					!slices.Contains(sum.Outputs, s.URI()+"/posters/index/dt=2026-11-26") {
					t.Fatalf("inputs %v outputs %v", sum.Inputs, sum.Outputs)
				}
			})
			t.Run("index maps every good release to its stored image", func(t *testing.T) {
				idx := checkIndex(t, s, testDate)
				if len(idx) != len(sc.good) {
					t.Fatalf("index has %d entries, want %d", len(idx), len(sc.good))
				}
				for rid, path := range sc.good {
					e, ok := idx[rid]
					if !ok {
						t.Fatalf("release %s (%s) not indexed", rid, path)
					}
					if e.SHA256 != shaHex(sc.images[path]) {
						t.Fatalf("release %s: sha %s is not %s's", rid, e.SHA256, path)
					}
				}
				want := map[string][3]any{
					id("1"): {TypeJPEG, 640, 960}, id("2"): {TypePNG, 400, 600}, id("3"): {TypeGIF, 300, 450},
					id("4"): {TypeWebP, 150, 103}, id("6"): {TypeJPEG, 640, 960},
				}
				for rid, w := range want {
					e := idx[rid]
					if got := [3]any{e.ContentType, e.Width, e.Height}; got != w {
						t.Fatalf("release %s: %v, want %v", rid, got, w)
					}
				}
				if idx[id("1")].Object != idx[id("5")].Object || idx[id("1")].Object != idx[id("6")].Object {
					t.Fatal("the same image got different objects")
				}
				if e := idx[id("1")]; e.ETag == "" || e.LastModified == "" || e.URL != sc.site.URL+"/img/a.jpg" {
					t.Fatalf("entry lacks validators or url: %+v", e)
				}
				if e := idx[id("16")]; e.URL != sc.site.URL+"/img/b.png" {
					t.Fatalf("relative URL resolved to %q", e.URL)
				}
			})
			t.Run("each image is stored once, content-addressed", func(t *testing.T) {
				objs := posterObjects(t, s)
				if len(objs) != 5 {
					t.Fatalf("stored %d images, want 5: %v", len(objs), slices.Sorted(maps.Keys(objs)))
				}
				for _, p := range []string{"/img/a.jpg", "/img/b.png", "/img/c.gif", "/img/d.webp", "/flaky.jpg"} {
					b := sc.images[p]
					k := ObjectKey(shaHex(b), extOf[Sniff(b)])
					if objs[k] != int64(len(b)) {
						t.Fatalf("%s: object %s has %d bytes, want %d", p, k, objs[k], len(b))
					}
				}
			})
			t.Run("shared URLs are fetched once and robots.txt once", func(t *testing.T) {
				if n := sc.site.hitsOf("/img/a.jpg"); n != 1 {
					t.Fatalf("a.jpg fetched %d times", n)
				}
				if n := sc.site.hitsOf("/robots.txt"); n != 1 {
					t.Fatalf("robots.txt fetched %d times", n)
				}
				if n := sc.site.hitsOf("/private/p.jpg"); n != 0 {
					t.Fatalf("a robots-disallowed URL was fetched %d times", n)
				}
				if n := sc.site.hitsOf("/flaky.jpg"); n != 3 {
					t.Fatalf("flaky.jpg fetched %d times, want 3 (two 503s, then the image)", n)
				}
			})
			t.Run("rejected posters are quarantined with reason, url and release", func(t *testing.T) {
				rs := quarantined(t, s, testDate)
				got := map[string]int64{}
				for _, r := range rs {
					got[r.Reason]++
					if r.Reason == ReasonHTML {
						var rec map[string]string
						if err := json.Unmarshal(r.Record, &rec); err != nil {
							t.Fatal(err)
						}
						if rec["release_id"] != id("7") || r.Origin != sc.site.URL+"/error.jpg" || rec["header_content_type"] != "image/jpeg" {
							t.Fatalf("html reject = %+v %v", r, rec)
						}
					}
					if r.Reason == "bad_raw_record" && !strings.Contains(r.Origin, "source=tickets/dt=2026-11-26/part-") {
						t.Fatalf("raw reject origin = %q", r.Origin)
					}
				}
				if !maps.Equal(got, sc.wantRej) {
					t.Fatalf("quarantine reasons = %v, want %v", got, sc.wantRej)
				}
			})

			first := checkIndex(t, s, testDate)
			t.Run("rerun uses conditional GETs and uploads nothing", func(t *testing.T) {
				before := sc.site.hitsOf("/img/a.jpg")
				sum, err := runJob(t, s, "run2", fastOpts(), Deps{})
				if err != nil {
					t.Fatal(err)
				}
				// a, b, c, d, e-copy, flaky: 6 URLs with an ETag.
				if sum.Details["not_modified"] != int64(6) || sum.Details["uploaded"] != int64(0) || sum.Details["downloaded"] != int64(3) {
					t.Fatalf("rerun details = %v (downloads left: the three rejected URLs that answer 200)", sum.Details)
				}
				if sc.site.conds["/img/a.jpg"] != 1 || sc.site.hitsOf("/img/a.jpg") != before+1 {
					t.Fatalf("a.jpg: %d conditional requests", sc.site.conds["/img/a.jpg"])
				}
				if again := checkIndex(t, s, testDate); !reflect.DeepEqual(again, first) {
					t.Fatalf("rerun index differs:\n%v\n%v", again, first)
				}
				if n := len(posterObjects(t, s)); n != 5 {
					t.Fatalf("%d images after rerun, want 5", n)
				}
			})
			t.Run("rerun with thumbnails makes them from the stored originals", func(t *testing.T) {
				opts := fastOpts()
				opts.Thumbnails = []int{320, 640}
				sum, err := runJob(t, s, "run3", opts, Deps{})
				if err != nil {
					t.Fatal(err)
				}
				if sum.Details["thumbnails"] != int64(10) || sum.Details["not_modified"] != int64(6) {
					t.Fatalf("details = %v", sum.Details)
				}
				idx := checkIndex(t, s, testDate)
				e := idx[id("1")]
				b, err := lake.ReadAll(context.Background(), s, e.Thumbnails["320"])
				if err != nil {
					t.Fatal(err)
				}
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
				if err != nil || cfg.Width != 320 || cfg.Height != 480 {
					t.Fatalf("320 thumbnail of a 640×960 JPEG: %+v %v", cfg, err)
				}
				if e.Thumbnails["320"] != ThumbnailKey(e.SHA256, 320) {
					t.Fatalf("thumbnail key %q", e.Thumbnails["320"])
				}
				// d.webp is 150 wide: its "640" thumbnail is not upscaled.
				b, _ = lake.ReadAll(context.Background(), s, idx[id("4")].Thumbnails["640"])
				if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 150 {
					t.Fatalf("640 thumbnail of a 150 px image: %+v %v", cfg, err)
				}
			})
		})
	}
}

func TestIngestPostersNothingToDo(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	writeRaw(t, s, "tickets", testDate.AddDays(-1), rawRec("tickets", "1", "어제", "http://x.test/a.jpg"))
	_, err := runJob(t, s, "r", fastOpts(), Deps{})
	if !errors.Is(err, catalog.ErrNothingToDo) || job.ExitCode(err) != job.ExitNothing {
		t.Fatalf("err = %v, want ErrNothingToDo (exit 99)", err)
	}
}

func TestIngestPostersUsage(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	cases := []struct {
		name string
		opts Options
		deps Deps
	}{
		{"unknown source", Options{From: "ftp"}, Deps{Lake: s}},
		{"mongo without MongoDB", Options{From: FromMongo}, Deps{Lake: s}},
		{"bad thumbnail width", Options{Thumbnails: []int{5}}, Deps{Lake: s}},
		{"no lake", Options{}, Deps{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Run(context.Background(), testEnv("r"), c.opts, c.deps)
			if !errors.Is(err, catalog.ErrUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
		})
	}
	for _, bad := range []string{"abc", "320,x", "0", "99999"} {
		if _, err := ParseWidths(bad); !errors.Is(err, catalog.ErrUsage) {
			t.Fatalf("ParseWidths(%q) = %v", bad, err)
		}
	}
	if w, err := ParseWidths(" 640, 320,640 "); err != nil || fmt.Sprint(w) != "[320 640]" {
		t.Fatalf("ParseWidths = %v %v", w, err)
	}
}

func TestIngestPostersDryRunWritesNothing(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	sc := newScenario(t, s)
	before, _ := s.List(context.Background(), "")
	env := testEnv("dry")
	env.DryRun = true
	opts := fastOpts()
	opts.Thumbnails = []int{320}
	sum, err := Run(context.Background(), env, opts, Deps{Lake: s})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := s.List(context.Background(), "")
	if len(after) != len(before) {
		t.Fatalf("dry run wrote %d objects", len(after)-len(before))
	}
	if sum.Written != 8 || sum.Details["downloaded"] != int64(9) || sum.Quarantined == 0 {
		t.Fatalf("dry run summary = %+v", sum)
	}
	if sc.site.hitsOf("/img/a.jpg") != 1 {
		t.Fatal("dry run did not download")
	}
}

func TestIngestPostersAllUnavailable(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	st := newSite(t)
	u := st.URL
	st.Close()
	writeRaw(t, s, "tickets", testDate, rawRec("tickets", "1", "a", u+"/a.jpg"), rawRec("tickets", "2", "b", u+"/b.jpg"))
	// robots.txt is read first and does not answer either.
	sum, err := runJob(t, s, "r", fastOpts(), Deps{})
	if !errors.Is(err, catalog.ErrUnavailable) || job.ExitCode(err) != job.ExitUnavailable {
		t.Fatalf("err = %v, want ErrUnavailable (exit 4)", err)
	}
	if got := sum.Details["rejected"].(map[string]int64); sum.Quarantined != 2 || got[ReasonUnavailable] != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	if _, err := lake.ReadManifest(context.Background(), s, IndexPartition(testDate)); !errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("an all-unavailable run committed an index: %v", err)
	}
}

// A rerun during an outage keeps the earlier stored posters instead of
// emptying the index.
func TestIngestPostersOutageKeepsEarlierEntries(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	st := newSite(t)
	u := st.add("/a.jpg", &served{body: genJPEG(t, 200, 300, 9), etag: true})
	writeRaw(t, s, "tickets", testDate, rawRec("tickets", "1", "a", u))
	opts := fastOpts()
	opts.IgnoreRobots = true
	if _, err := runJob(t, s, "r1", opts, Deps{}); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.files["/a.jpg"].fail503 = 100
	st.mu.Unlock()
	sum, err := runJob(t, s, "r2", opts, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Details["stale_reused"] != int64(1) || sum.Written != 1 || len(sum.Warnings) != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	if idx := checkIndex(t, s, testDate); len(idx) != 1 {
		t.Fatalf("index has %d entries", len(idx))
	}
}

func TestIngestPostersRobotsUnreachableAllowsNothing(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	st := newSite(t)
	// robots.txt answering 500: RFC 9309 says assume a full disallow.
	st.robotsStatus = 500
	u := st.add("/a.jpg", &served{body: genJPEG(t, 200, 300, 9)})
	writeRaw(t, s, "tickets", testDate, rawRec("tickets", "1", "a", u))
	sum, err := runJob(t, s, "r", fastOpts(), Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Details["rejected"].(map[string]int64); got[ReasonRobots] != 1 || st.hitsOf("/a.jpg") != 0 {
		t.Fatalf("rejected %v, a.jpg hits %d", got, st.hitsOf("/a.jpg"))
	}
}

// --verify structure rejects the same posters of the scenario and still
// makes thumbnails (decoding only the images that need one).
func TestIngestPostersStructuralVerify(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	sc := newScenario(t, s)
	opts := fastOpts()
	opts.Verify = VerifyStructure
	opts.Thumbnails = []int{320}
	sum, err := runJob(t, s, "st", opts, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Details["rejected"].(map[string]int64); !maps.Equal(got, sc.wantRej) || sum.Written != 8 {
		t.Fatalf("rejected = %v (written %d), want %v", got, sum.Written, sc.wantRej)
	}
	if sum.Details["thumbnails"] != int64(5) {
		t.Fatalf("thumbnails = %v", sum.Details["thumbnails"])
	}
	checkIndex(t, s, testDate)
}

func TestIngestPostersPoliteness(t *testing.T) {
	t.Run("at most per-host requests to one host at a time", func(t *testing.T) {
		s, _ := lake.NewLocalStore(t.TempDir())
		st := newSite(t)
		var lines []any
		for i := range 16 {
			u := st.add(fmt.Sprintf("/p/%d.jpg", i), &served{body: genJPEG(t, 60, 90, 40+i), delay: 30 * time.Millisecond})
			lines = append(lines, rawRec("tickets", fmt.Sprint(i), "p", u))
		}
		writeRaw(t, s, "tickets", testDate, lines...)
		opts := fastOpts()
		opts.Workers, opts.PerHost = 8, 2
		sum, err := runJob(t, s, "p", opts, Deps{})
		if err != nil || sum.Written != 16 {
			t.Fatalf("run: %+v %v", sum, err)
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.maxInFlight != 2 {
			t.Fatalf("at most %d requests ran at once, want exactly --per-host 2", st.maxInFlight)
		}
	})
	t.Run("robots.txt Crawl-delay spaces request starts", func(t *testing.T) {
		s, _ := lake.NewLocalStore(t.TempDir())
		st := newSite(t)
		st.robots = "User-agent: marquee\nCrawl-delay: 0.1\nDisallow: /admin/\n"
		var lines []any
		for i := range 4 {
			u := st.add(fmt.Sprintf("/p/%d.jpg", i), &served{body: genJPEG(t, 60, 90, 60+i)})
			lines = append(lines, rawRec("tickets", fmt.Sprint(i), "p", u))
		}
		writeRaw(t, s, "tickets", testDate, lines...)
		if _, err := runJob(t, s, "p", fastOpts(), Deps{}); err != nil {
			t.Fatal(err)
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if len(st.starts) != 4 {
			t.Fatalf("%d image requests", len(st.starts))
		}
		starts := slices.Clone(st.starts)
		slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-1]); gap < 90*time.Millisecond {
				t.Fatalf("requests %d and %d started %v apart, want ≥ the 100ms Crawl-delay", i-1, i, gap)
			}
		}
	})
}

// A cancelled run (SIGINT/SIGTERM) stops and commits nothing.
func TestIngestPostersCancelCommitsNothing(t *testing.T) {
	s, _ := lake.NewLocalStore(t.TempDir())
	st := newSite(t)
	var lines []any
	for i := range 12 {
		u := st.add(fmt.Sprintf("/p/%d.jpg", i), &served{body: genJPEG(t, 60, 90, 80+i), delay: 150 * time.Millisecond})
		lines = append(lines, rawRec("tickets", fmt.Sprint(i), "p", u))
	}
	writeRaw(t, s, "tickets", testDate, lines...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, testEnv("c"), fastOpts(), Deps{Lake: s})
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for st.hitsOf("/p/0.jpg")+st.hitsOf("/p/1.jpg")+st.hitsOf("/p/2.jpg") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no download started")
		}
		time.Sleep(2 * time.Millisecond) // polling interval
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	for _, dir := range []string{IndexPartition(testDate), lake.PartitionPath(lake.ZoneQuarantine+"/"+JobName, testDate)} {
		if _, err := lake.ReadManifest(context.Background(), s, dir); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("%s committed after cancel: %v", dir, err)
		}
	}
}
