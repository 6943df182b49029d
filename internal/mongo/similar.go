package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/internal/catalog"
)

// SimilarCollection is compute-similar's serving collection (DESIGN.md §5a).
const SimilarCollection = "similar"

// SimilarStore is MongoDB `similar`: one document per release,
// {_id: release_id, items: [{id, score}], model, computed_at}, items by
// score descending then id ascending. It is safe for concurrent use.
type SimilarStore struct {
	coll *mongo.Collection
	// OpTimeout is the deadline of each call (default DefaultOpTimeout).
	OpTimeout time.Duration
}

var (
	_ catalog.SimilarSink   = (*SimilarStore)(nil)
	_ catalog.SimilarSource = (*SimilarStore)(nil)
)

// NewSimilarStore returns the similar store of database db.
func NewSimilarStore(c *Client, db string) *SimilarStore {
	return &SimilarStore{coll: c.Database(db).Collection(SimilarCollection)}
}

// Name is "<db>.similar", for dataset names.
func (s *SimilarStore) Name() string { return s.coll.Database().Name() + "." + s.coll.Name() }

type similarItemDoc struct {
	ID    string  `bson:"id"`
	Score float64 `bson:"score"`
}

type similarDoc struct {
	ID         string           `bson:"_id"`
	Items      []similarItemDoc `bson:"items"`
	Model      string           `bson:"model"`
	ComputedAt time.Time        `bson:"computed_at"`
}

func (s *SimilarStore) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.OpTimeout
	if d <= 0 {
		d = DefaultOpTimeout
	}
	return context.WithTimeout(ctx, d)
}

// WriteSimilar implements catalog.SimilarSink: one unordered bulk of
// replace-upserts by _id. Rerunning it gives the same documents. Network
// errors are catalog.Transient.
func (s *SimilarStore) WriteSimilar(ctx context.Context, lists []catalog.SimilarList) error {
	if len(lists) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, len(lists))
	for i, l := range lists {
		items := make([]similarItemDoc, len(l.Items))
		for j, it := range l.Items {
			items[j] = similarItemDoc{ID: it.ID, Score: it.Score}
		}
		doc := similarDoc{ID: l.ID, Items: items, Model: l.Model, ComputedAt: l.ComputedAt.UTC()}
		models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: l.ID}}).
			SetReplacement(doc).SetUpsert(true)
	}
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	if _, err := s.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
		return fmt.Errorf("mongo similar: upsert %d lists (first %s): %w", len(lists), lists[0].ID, Classify(err))
	}
	return nil
}

// DeleteSimilarExcept implements catalog.SimilarSink: it lists the stored
// ids and deletes, in batches, those not in keep.
func (s *SimilarStore) DeleteSimilarExcept(ctx context.Context, keep map[string]struct{}) (int64, error) {
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	cur, err := s.coll.Find(octx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("mongo similar: list ids: %w", Classify(err))
	}
	var stale []string
	for cur.Next(octx) {
		var d struct {
			ID string `bson:"_id"`
		}
		if err := cur.Decode(&d); err != nil {
			cur.Close(octx)
			return 0, fmt.Errorf("mongo similar: list ids: %w", err)
		}
		if _, ok := keep[d.ID]; !ok {
			stale = append(stale, d.ID)
		}
	}
	if err := cur.Err(); err != nil {
		cur.Close(octx)
		return 0, fmt.Errorf("mongo similar: list ids: %w", Classify(err))
	}
	cur.Close(octx)
	var n int64
	for i := 0; i < len(stale); i += 1000 {
		part := stale[i:min(i+1000, len(stale))]
		dctx, cancel := s.opCtx(ctx)
		res, err := s.coll.DeleteMany(dctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: part}}}})
		cancel()
		if err != nil {
			return n, fmt.Errorf("mongo similar: delete stale: %w", Classify(err))
		}
		n += res.DeletedCount
	}
	return n, nil
}

// EachSimilar implements catalog.SimilarSource: every stored list, in _id order.
func (s *SimilarStore) EachSimilar(ctx context.Context, fn func(l *catalog.SimilarList) error) error {
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return fmt.Errorf("mongo similar: find: %w", Classify(err))
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var l catalog.SimilarList
	for cur.Next(ctx) {
		var d similarDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongo similar: decode: %w", err)
		}
		l = catalog.SimilarList{ID: d.ID, Model: d.Model, ComputedAt: d.ComputedAt.UTC(), Items: make([]catalog.SimilarItem, len(d.Items))}
		for i, it := range d.Items {
			l.Items[i] = catalog.SimilarItem{ID: it.ID, Score: it.Score}
		}
		if err := fn(&l); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("mongo similar: read: %w", Classify(err))
	}
	return nil
}

// Similar returns the stored list of release id; catalog.ErrNotFound when none.
func (s *SimilarStore) Similar(ctx context.Context, id string) (*catalog.SimilarList, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	var d similarDoc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return nil, fmt.Errorf("mongo similar %s: %w", id, catalog.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("mongo similar %s: %w", id, Classify(err))
	}
	l := &catalog.SimilarList{ID: d.ID, Model: d.Model, ComputedAt: d.ComputedAt.UTC(), Items: make([]catalog.SimilarItem, len(d.Items))}
	for i, it := range d.Items {
		l.Items[i] = catalog.SimilarItem{ID: it.ID, Score: it.Score}
	}
	return l, nil
}
