package posters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/lake"
	"marquee/lake/gcs"
	"marquee/lake/gcs/gcstest"
)

// childEnv carries the killed child's configuration (JSON of childConfig).
const childEnv = "MARQUEE_POSTERS_KILL_CHILD"

type childConfig struct {
	Lake string // a directory or gs://bucket/prefix
}

func openLake(ctx context.Context, uri string) (lake.Store, error) {
	if strings.HasPrefix(uri, "gs://") {
		return gcs.OpenURI(ctx, uri)
	}
	return lake.NewLocalStore(uri)
}

func killOpts() Options {
	o := fastOpts()
	o.IgnoreRobots = true
	o.Workers, o.PerHost = 4, 4
	o.Thumbnails = []int{64}
	return o
}

// TestKillChild is the process TestKillMidRunThenRerun kills; run on its
// own (without childEnv) it does nothing.
func TestKillChild(t *testing.T) {
	raw := os.Getenv(childEnv)
	if raw == "" {
		return
	}
	var cfg childConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := openLake(ctx, cfg.Lake)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, testEnv("killed"), killOpts(), Deps{Lake: s})
	t.Fatalf("the child was meant to be killed before it finished (err %v)", err)
}

// TestKillMidRunThenRerun kills a run with SIGKILL while it uploads, reruns,
// and checks the result is the one of a clean run: every release indexed,
// no dangling entry, each image stored once.
func TestKillMidRunThenRerun(t *testing.T) {
	for _, lk := range []string{"local", "gcs"} {
		t.Run(lk, func(t *testing.T) {
			ctx := context.Background()
			var uri string
			var s lake.Store
			if lk == "local" {
				uri = t.TempDir()
				s, _ = lake.NewLocalStore(uri)
			} else {
				bucket, _ := gcstest.NewBucket(t)
				uri = "gs://" + bucket + "/lake"
				gs, err := gcs.OpenURI(ctx, uri)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = gs.Close() })
				s = gs
			}
			st := newSite(t)
			const n = 48
			var lines []any
			want := map[string]string{}
			for i := range n {
				b := genJPEG(t, 120, 180, 100+i)
				p := fmt.Sprintf("/p/%d.jpg", i)
				u := st.add(p, &served{body: b, etag: true, delay: 40 * time.Millisecond})
				sid := fmt.Sprint(i)
				lines = append(lines, rawRec("kill", sid, "포스터 "+sid, u))
				want[catalog.ReleaseID("kill", sid)] = shaHex(b)
			}
			writeRaw(t, s, "kill", testDate, lines...)

			cfg, _ := json.Marshal(childConfig{Lake: uri})
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), childEnv+"="+string(cfg))
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			// Kill once some images are stored, well before the end.
			deadline := time.Now().Add(60 * time.Second)
			for {
				if got := len(posterObjects(t, s)); got >= 6 {
					break
				}
				select {
				case err := <-exited:
					t.Fatalf("child ended before it was killed: %v", err)
				default:
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatal("child stored no images within 60 s")
				}
				time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-exited
			killedWith := len(posterObjects(t, s))
			if killedWith >= 2*n {
				t.Fatalf("the child finished (%d objects) before the kill", killedWith)
			}
			if _, err := lake.ReadManifest(ctx, s, IndexPartition(testDate)); !errors.Is(err, catalog.ErrNotFound) {
				t.Fatalf("a killed run left an index visible: %v", err)
			}

			sum, err := Run(ctx, testEnv("rerun"), killOpts(), Deps{Lake: s})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Written != n || sum.Quarantined != 0 {
				t.Fatalf("rerun summary = %+v", sum)
			}
			idx := checkIndex(t, s, testDate) // no dangling entry, sha = content
			if len(idx) != n {
				t.Fatalf("index has %d entries, want %d", len(idx), n)
			}
			for rid, sha := range want {
				if idx[rid].SHA256 != sha {
					t.Fatalf("release %s: sha %s, want %s", rid, idx[rid].SHA256, sha)
				}
			}
			objs := posterObjects(t, s)
			if len(objs) != 2*n { // originals + one thumbnail width
				t.Fatalf("%d objects after the rerun, want %d (no duplicates)", len(objs), 2*n)
			}
			t.Logf("killed after %d objects; rerun uploaded %v, reused %v", killedWith, sum.Details["uploaded"], sum.Details["reused_objects"])
		})
	}
}
