package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"marquee/internal/catalog"
	"marquee/internal/job"
)

// LocksCollection holds the run locks of distributed runs.
const LocksCollection = "locks"

// Locker is a job.Locker on MongoDB for runs spread over machines: one
// document per (job, date) whose _id is unique. A lock is a lease: it expires
// after TTL unless renewed, so a run killed with -9 blocks the next one for
// at most TTL. Lock renews the lease every TTL/3 until release.
type Locker struct {
	coll  *mongo.Collection
	owner string
	ttl   time.Duration
	now   func() time.Time
}

var _ job.Locker = (*Locker)(nil)

// NewLocker returns a locker on database db; owner names this process in the
// lock document (host and pid, say).
func NewLocker(c *Client, db, owner string, ttl time.Duration, now func() time.Time) *Locker {
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	return &Locker{coll: c.Database(db).Collection(LocksCollection), owner: owner, ttl: ttl, now: now}
}

type lockDoc struct {
	ID       string    `bson:"_id"`
	Owner    string    `bson:"owner"`
	Token    string    `bson:"token"`
	Acquired time.Time `bson:"acquired"`
	Expires  time.Time `bson:"expires"`
}

// Lock implements job.Locker. It fails fast with catalog.ErrLocked while
// another live lease exists; an expired lease is taken over.
func (l *Locker) Lock(ctx context.Context, jobName string, d catalog.Date) (func(), error) {
	id := jobName + "/" + d.String()
	now := l.now().UTC()
	token := fmt.Sprintf("%s/%d", l.owner, now.UnixNano())
	doc := lockDoc{ID: id, Owner: l.owner, Token: token, Acquired: now, Expires: now.Add(l.ttl)}
	_, err := l.coll.InsertOne(ctx, doc)
	if IsDuplicateKey(err) {
		// Take over an expired lease, atomically.
		res, uerr := l.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}}, doc)
		if uerr != nil {
			return nil, fmt.Errorf("lock %s: %w", id, Classify(uerr))
		}
		if res.ModifiedCount == 0 {
			var held lockDoc
			_ = l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&held)
			return nil, fmt.Errorf("%s (held by %s until %s): %w", id, held.Owner, held.Expires.Format(time.RFC3339), catalog.ErrLocked)
		}
	} else if err != nil {
		return nil, fmt.Errorf("lock %s: %w", id, Classify(err))
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(l.ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				rctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
				_, _ = l.coll.UpdateOne(rctx, bson.D{{Key: "_id", Value: id}, {Key: "token", Value: token}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: l.now().UTC().Add(l.ttl)}}}})
				cancel()
			}
		}
	}()
	released := false
	return func() {
		if released {
			return
		}
		released = true
		close(stop)
		<-done
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = l.coll.DeleteOne(rctx, bson.D{{Key: "_id", Value: id}, {Key: "token", Value: token}})
	}, nil
}
