package reindex

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
	"marquee/internal/testenv"
)

// TestRebuildFromMongoDB runs the job on releases stored in the real
// MongoDB-wire test server through internal/mongo's ReleaseStore, the
// source cmd/marquee wires by default.
func TestRebuildFromMongoDB(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	c, err := mongo.Connect(ctx, testenv.MongoURI(t))
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database(fmt.Sprintf("t_reindex_%d", time.Now().UnixNano()%1e9))
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = c.Close(context.Background())
	})
	store := mongo.NewReleaseStore(db, "")
	rels := genReleases(80, "mg")
	ptrs := make([]*catalog.Release, len(rels))
	for i := range rels {
		ptrs[i] = &rels[i]
	}
	if err := store.WriteReleases(ctx, ptrs, nil); err != nil {
		t.Fatal(err)
	}

	deps := f.deps(store)
	deps.SourceURI = "mongodb://test/" + store.Name()
	s := f.run(f.opts(), deps)
	if s.Read != 80 || s.Written != 80 {
		t.Fatalf("read %d written %d, want 80", s.Read, s.Written)
	}
	if n := f.count(f.alias); n != 80 {
		t.Fatalf("alias has %d documents, want 80", n)
	}
	if !slices.Equal(s.Inputs, []string{deps.SourceURI}) || !strings.HasSuffix(s.Inputs[0], ".releases") {
		t.Fatalf("inputs %v", s.Inputs)
	}

	// Incremental: one release changed after since.
	since := t0.Add(time.Hour)
	rels[4].Title = "뮤지컬 엘리자벳"
	rels[4].UpdatedAt = since.Add(time.Minute)
	if err := store.WriteReleases(ctx, []*catalog.Release{&rels[4]}, nil); err != nil {
		t.Fatal(err)
	}
	opts := f.opts()
	opts.Incremental, opts.Since = true, since
	s = f.run(opts, deps)
	if s.Read != 1 || s.Written != 1 {
		t.Fatalf("incremental read %d written %d, want 1", s.Read, s.Written)
	}
	docs, err := f.client.Docs(ctx, f.alias, []string{rels[4].ID})
	if err != nil || !strings.Contains(string(docs[rels[4].ID]), "엘리자벳") {
		t.Fatalf("updated document %s (%v)", docs[rels[4].ID], err)
	}
}
