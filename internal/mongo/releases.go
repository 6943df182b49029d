package mongo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"marquee/internal/catalog"
)

// ReleasesCollection is the default name of the releases collection (DESIGN.md §5a).
const ReleasesCollection = "releases"

// DefaultOpTimeout is the deadline of one bulk call, lookup or cursor batch
// when ReleaseStore.OpTimeout is zero.
const DefaultOpTimeout = 60 * time.Second

// ReleaseStore keeps catalog.Release documents in a MongoDB collection.
//
// Document shape (the BSON names are the field names of DESIGN.md §3):
// _id is catalog.ReleaseID(source, source_id); start_date, end_date and
// release_date are BSON dates at UTC midnight of the calendar date, or null
// when unknown; first_seen, last_seen and updated_at are BSON dates (UTC);
// poster is a sub-document {url, object, sha256, content_type, width,
// height, bytes}. Absent lists are null.
//
// It is safe for concurrent use.
type ReleaseStore struct {
	coll *mongo.Collection
	// OpTimeout is the deadline of each call to the server (default DefaultOpTimeout).
	OpTimeout time.Duration
}

var _ catalog.ReleaseSource = (*ReleaseStore)(nil)

// NewReleaseStore returns the store of collection name (ReleasesCollection
// when empty) in db.
func NewReleaseStore(db *mongo.Database, name string) *ReleaseStore {
	if name == "" {
		name = ReleasesCollection
	}
	return &ReleaseStore{coll: db.Collection(name)}
}

// Collection is the underlying collection.
func (s *ReleaseStore) Collection() *mongo.Collection { return s.coll }

// Name is "<db>.<collection>", for dataset names.
func (s *ReleaseStore) Name() string {
	return s.coll.Database().Name() + "." + s.coll.Name()
}

func (s *ReleaseStore) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.OpTimeout
	if d <= 0 {
		d = DefaultOpTimeout
	}
	return context.WithTimeout(ctx, d)
}

// releaseIndexes are the indexes EnsureIndexes creates.
var releaseIndexes = []mongo.IndexModel{
	{Keys: bson.D{{Key: "source", Value: 1}, {Key: "source_id", Value: 1}}, Options: options.Index().SetName("source_source_id").SetUnique(true)},
	{Keys: bson.D{{Key: "start_date", Value: 1}}, Options: options.Index().SetName("start_date")},
	{Keys: bson.D{{Key: "kind", Value: 1}}, Options: options.Index().SetName("kind")},
	{Keys: bson.D{{Key: "region", Value: 1}}, Options: options.Index().SetName("region")},
	{Keys: bson.D{{Key: "genres", Value: 1}}, Options: options.Index().SetName("genres")},
	{Keys: bson.D{{Key: "updated_at", Value: 1}}, Options: options.Index().SetName("updated_at")},
}

// EnsureIndexes creates the collection's indexes (unique on source +
// source_id; start_date, kind, region, genres, updated_at). It is idempotent.
func (s *ReleaseStore) EnsureIndexes(ctx context.Context) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	if _, err := s.coll.Indexes().CreateMany(ctx, releaseIndexes); err != nil {
		return releaseErr("ensure indexes", err)
	}
	return nil
}

var stampProjection = bson.D{
	{Key: "content_hash", Value: 1}, {Key: "first_seen", Value: 1},
	{Key: "last_seen", Value: 1}, {Key: "poster.url", Value: 1}, {Key: "poster.sha256", Value: 1},
}

// LookupReleases returns, for those of ids that are stored, a Release that
// carries only ID, ContentHash, FirstSeen, LastSeen, Poster.URL and
// Poster.SHA256: what a
// loader needs to decide whether a write is due. Missing ids are absent.
func (s *ReleaseStore) LookupReleases(ctx context.Context, ids []string) (map[string]*catalog.Release, error) {
	out := make(map[string]*catalog.Release, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	opts := options.Find().SetProjection(stampProjection).SetBatchSize(int32(min(len(ids), 10000)))
	cur, err := s.coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
	if err != nil {
		return nil, releaseErr("lookup", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d stampDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("mongo: lookup: decode: %w", err)
		}
		r := new(catalog.Release)
		d.fill(r)
		out[d.ID] = r
	}
	if err := cur.Err(); err != nil {
		return nil, releaseErr("lookup", err)
	}
	return out, nil
}

// EachStamp streams the stamps (as LookupReleases returns them) of every
// stored release, in no particular order: cheaper than LookupReleases when
// most stored releases are wanted. fn must not keep r.
func (s *ReleaseStore) EachStamp(ctx context.Context, fn func(r *catalog.Release) error) error {
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetProjection(stampProjection).SetBatchSize(10000))
	if err != nil {
		return releaseErr("scan stamps", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var r catalog.Release
	for cur.Next(ctx) {
		var d stampDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongo: scan stamps: decode: %w", err)
		}
		d.fill(&r)
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return releaseErr("scan stamps", err)
	}
	return nil
}

// WriteReleases upserts every release of upserts and moves the seen stamps
// of every release of touches: WriteReleaseBatch without inserts.
func (s *ReleaseStore) WriteReleases(ctx context.Context, upserts, touches []*catalog.Release) error {
	return s.WriteReleaseBatch(ctx, nil, upserts, touches)
}

// WriteReleaseBatch applies, unordered:
//   - inserts: releases believed new, inserted whole (the cheapest write,
//     with documents built without reflection, in insert commands of at
//     most maxInsertBytes); one that exists after all (a concurrent load,
//     or a retry of a call that half succeeded) is then upserted like
//     updates;
//   - updates: upserts (every content field set; first_seen lowered to
//     r.FirstSeen and last_seen raised to r.LastSeen; poster.url set,
//     keeping the image SetPoster stored);
//   - touches: first_seen/last_seen moved only (the document must exist).
//
// It is idempotent: a retry after a failure repeats the whole call. Network
// errors and timeouts are catalog.Transient.
func (s *ReleaseStore) WriteReleaseBatch(ctx context.Context, inserts, updates, touches []*catalog.Release) error {
	if len(inserts)+len(updates)+len(touches) == 0 {
		return nil
	}
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	models := make([]mongo.WriteModel, 0, len(updates)+len(touches))
	existing, err := s.insertReleases(ctx, inserts)
	if err != nil {
		return err
	}
	// Inserts that met an existing document become upserts.
	for _, i := range existing {
		models = append(models, upsertModel(inserts[i]))
	}
	for _, r := range updates {
		models = append(models, upsertModel(r))
	}
	for _, r := range touches {
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: r.ID}}).
			SetUpdate(seenUpdate(r)))
	}
	if len(models) == 0 {
		return nil
	}
	if _, err := s.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
		return releaseErr("bulk write", err)
	}
	return nil
}

// Limits of one insert command. The server takes 16 MB and 100,000
// documents; commands of about 200 KB (some 180 releases) cost the
// in-memory test server less than 1 MB ones (its network buffers stay
// ordinary young objects: ~5% less server CPU for a 100k load) and cost a
// real server only a few more round trips.
const (
	maxInsertBytes = 200 << 10
	maxInsertDocs  = 10000
)

// insertBufs recycles the insert commands' buffers (a megabyte or more
// each).
var insertBufs sync.Pool

// insertReleases inserts rs in unordered insert commands and returns the
// indexes (in rs) of the releases whose _id or source key was stored
// already; any other write error fails the call.
func (s *ReleaseStore) insertReleases(ctx context.Context, rs []*catalog.Release) ([]int, error) {
	var existing []int
	bp, _ := insertBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer func() {
		if cap(*bp) <= 2*maxInsertBytes {
			insertBufs.Put(bp)
		}
	}()
	buf := *bp
	for lo := 0; lo < len(rs); {
		cmd := buf[:0]
		idx, cmd := bsoncore.AppendDocumentStart(cmd)
		cmd = bsoncore.AppendStringElement(cmd, "insert", s.coll.Name())
		cmd = bsoncore.AppendBooleanElement(cmd, "ordered", false)
		aidx, cmd := bsoncore.AppendArrayElementStart(cmd, "documents")
		hi := lo
		for hi < len(rs) && hi-lo < maxInsertDocs && (hi == lo || len(cmd) < maxInsertBytes) {
			start := len(cmd)
			cmd = bsoncore.AppendHeader(cmd, bsoncore.TypeEmbeddedDocument, arrayKey(hi-lo))
			cmd = appendReleaseDoc(cmd, rs[hi])
			if hi > lo && len(cmd) > maxInsertBytes {
				cmd = cmd[:start] // the next command takes it
				break
			}
			hi++
		}
		cmd, _ = bsoncore.AppendArrayEnd(cmd, aidx)
		cmd, _ = bsoncore.AppendDocumentEnd(cmd, idx)
		buf, *bp = cmd, cmd
		err := s.coll.Database().RunCommand(ctx, bson.Raw(cmd)).Err()
		if err != nil {
			var we mongo.WriteException
			if !errors.As(err, &we) || we.WriteConcernError != nil || len(we.WriteErrors) == 0 {
				return nil, releaseErr("insert", err)
			}
			for _, e := range we.WriteErrors {
				if e.Index < 0 || e.Index >= hi-lo || !IsDuplicateKey(mongo.WriteException{WriteErrors: mongo.WriteErrors{e}}) {
					return nil, releaseErr("insert", err)
				}
				existing = append(existing, lo+e.Index)
			}
		}
		lo = hi
	}
	return existing, nil
}

func upsertModel(r *catalog.Release) mongo.WriteModel {
	return mongo.NewUpdateOneModel().
		SetFilter(bson.D{{Key: "_id", Value: r.ID}}).
		SetUpdate(append(bson.D{{Key: "$set", Value: toContentDoc(r)}}, seenUpdate(r)...)).
		SetUpsert(true)
}

func seenUpdate(r *catalog.Release) bson.D {
	return bson.D{
		{Key: "$min", Value: bson.D{{Key: "first_seen", Value: r.FirstSeen.UTC()}}},
		{Key: "$max", Value: bson.D{{Key: "last_seen", Value: r.LastSeen.UTC()}}},
	}
}

// SetPoster replaces the poster of release id. A missing release is
// catalog.ErrNotFound. It is idempotent.
func (s *ReleaseStore) SetPoster(ctx context.Context, id string, p catalog.Poster) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	res, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "poster", Value: toPosterDoc(&p)}}}})
	if err != nil {
		return releaseErr("set poster "+id, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongo: set poster: release %s: %w", id, catalog.ErrNotFound)
	}
	return nil
}

// DeleteReleases deletes the releases with these ids (ones a cross-source
// merge folded into another release); missing ids are not an error.
func (s *ReleaseStore) DeleteReleases(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	if _, err := s.coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return releaseErr("delete releases", err)
	}
	return nil
}

// GetRelease returns release id; a missing release is catalog.ErrNotFound.
func (s *ReleaseStore) GetRelease(ctx context.Context, id string) (*catalog.Release, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	var d releaseDoc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("mongo: release %s: %w", id, catalog.ErrNotFound)
	}
	if err != nil {
		return nil, releaseErr("get release "+id, err)
	}
	return d.release(), nil
}

// CountReleases returns how many releases are stored.
func (s *ReleaseStore) CountReleases(ctx context.Context) (int64, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	n, err := s.coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, releaseErr("count", err)
	}
	return n, nil
}

// EachRelease implements catalog.ReleaseSource: it calls fn for every stored
// release in _id order; with a non-zero since, only those whose updated_at is
// at or after since. fn must not keep r (it is reused). An error from fn
// stops the scan and is returned as is.
func (s *ReleaseStore) EachRelease(ctx context.Context, since time.Time, fn func(r *catalog.Release) error) error {
	filter := bson.D{}
	if !since.IsZero() {
		filter = bson.D{{Key: "updated_at", Value: bson.D{{Key: "$gte", Value: since.UTC()}}}}
	}
	cur, err := s.coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
	if err != nil {
		return releaseErr("scan releases", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var r catalog.Release
	for cur.Next(ctx) {
		var d releaseDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongo: scan releases: decode: %w", err)
		}
		d.fill(&r)
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return releaseErr("scan releases", err)
	}
	return nil
}

// releaseErr classifies a driver error (Classify: network errors, timeouts
// and server-selection failures become catalog.Transient) and wraps it with
// the step.
func releaseErr(step string, err error) error {
	if err == nil {
		return nil
	}
	err = Classify(err)
	if catalog.IsTransient(err) {
		return catalog.Transient(fmt.Errorf("mongo: %s: %w", step, err))
	}
	return fmt.Errorf("mongo: %s: %w", step, err)
}
