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

// PopularCollection is the serving collection of the popular_daily mart
// (DESIGN.md §5a).
const PopularCollection = "popular"

// PopularStore is MongoDB `popular`: one document per (date, item), keyed
// "<YYYY-MM-DD>/<item_id>", with the day's rank, views and viewers.
type PopularStore struct {
	coll *mongo.Collection
}

var _ catalog.PopularSink = (*PopularStore)(nil)

// NewPopularStore returns the popular store of database db.
func NewPopularStore(c *Client, db string) *PopularStore {
	return &PopularStore{coll: c.Database(db).Collection(PopularCollection)}
}

type popularDoc struct {
	ID      string `bson:"_id"`
	Date    string `bson:"date"`
	Rank    int    `bson:"rank"`
	ItemID  string `bson:"item_id"`
	Views   int64  `bson:"views"`
	Viewers int64  `bson:"viewers"`
}

// EnsureIndexes creates the (date, rank) index readers sort by. Idempotent.
func (s *PopularStore) EnsureIndexes(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := s.coll.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "date", Value: 1}, {Key: "rank", Value: 1}},
	})
	if err != nil {
		return fmt.Errorf("mongo popular: ensure indexes: %w", Classify(err))
	}
	return nil
}

// ReplacePopular implements catalog.PopularSink: an unordered bulk upsert of
// every item of d, then a delete of d's documents whose item is no longer
// listed. Other days are untouched. A rerun after a failure between the two
// steps converges to the same state. Network errors are catalog.Transient.
func (s *PopularStore) ReplacePopular(ctx context.Context, d catalog.Date, items []catalog.PopularItem) error {
	day := d.String()
	ids := make([]string, 0, len(items))
	models := make([]mongo.WriteModel, 0, len(items))
	for _, it := range items {
		doc := popularDoc{ID: day + "/" + it.ItemID, Date: day, Rank: it.Rank, ItemID: it.ItemID, Views: it.Views, Viewers: it.Viewers}
		ids = append(ids, it.ItemID)
		models = append(models, mongo.NewReplaceOneModel().
			SetFilter(bson.D{{Key: "_id", Value: doc.ID}}).SetReplacement(doc).SetUpsert(true))
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if len(models) > 0 {
		if _, err := s.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("mongo popular %s: upsert: %w", day, Classify(err))
		}
	}
	_, err := s.coll.DeleteMany(ctx, bson.D{
		{Key: "date", Value: day},
		{Key: "item_id", Value: bson.D{{Key: "$nin", Value: ids}}},
	})
	if err != nil {
		return fmt.Errorf("mongo popular %s: delete stale: %w", day, Classify(err))
	}
	return nil
}

// Popular returns the popular list of day d ordered by rank.
func (s *PopularStore) Popular(ctx context.Context, d catalog.Date) ([]catalog.PopularItem, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cur, err := s.coll.Find(ctx, bson.D{{Key: "date", Value: d.String()}},
		options.Find().SetSort(bson.D{{Key: "rank", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("mongo popular %s: find: %w", d, Classify(err))
	}
	var docs []popularDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongo popular %s: read: %w", d, Classify(err))
	}
	out := make([]catalog.PopularItem, len(docs))
	for i, doc := range docs {
		out[i] = catalog.PopularItem{Date: d, Rank: doc.Rank, ItemID: doc.ItemID, Views: doc.Views, Viewers: doc.Viewers}
	}
	return out, nil
}
