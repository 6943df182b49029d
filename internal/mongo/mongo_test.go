package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"marquee/internal/catalog"
	"marquee/internal/mongo"
	"marquee/internal/testenv"
)

// connect opens a client on the test server and a fresh database that is
// dropped when the test ends.
func connect(t *testing.T) (*mongo.Client, *driver.Database) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := mongo.Connect(ctx, testenv.MongoURI(t))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	name := fmt.Sprintf("marquee_test_%s_%d", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano())
	db := c.Database(name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		if err := c.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c, db
}

func TestConnectPingHealth(t *testing.T) {
	c, _ := connect(t)
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := c.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}
	if got := c.String(); !strings.HasPrefix(got, "mongodb://") {
		t.Errorf("String() = %q, want the connection string", got)
	}
}

func TestCloseTwiceIsNil(t *testing.T) {
	ctx := context.Background()
	c, err := mongo.Connect(ctx, testenv.MongoURI(t))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestDuplicateKeyIsRecognisedAndPermanent(t *testing.T) {
	_, db := connect(t)
	ctx := context.Background()
	coll := db.Collection("releases")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "kopis:PF1"}, {Key: "title", Value: "레미제라블"}}); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "kopis:PF1"}, {Key: "title", Value: "again"}})
	if err == nil {
		t.Fatal("second insert with the same _id succeeded")
	}
	got := mongo.Classify(err)
	if !mongo.IsDuplicateKey(got) {
		t.Errorf("IsDuplicateKey(Classify(%v)) = false, want true", err)
	}
	if catalog.IsTransient(got) {
		t.Errorf("duplicate key classified transient: %v", got)
	}
	if wrapped := fmt.Errorf("batch 3: %w", got); !mongo.IsDuplicateKey(wrapped) {
		t.Errorf("IsDuplicateKey does not see through wrapping")
	}
}

func TestNoDocumentsIsNotFound(t *testing.T) {
	_, db := connect(t)
	err := db.Collection("releases").FindOne(context.Background(), bson.D{{Key: "_id", Value: "missing"}}).Err()
	got := mongo.Classify(err)
	if !errors.Is(got, catalog.ErrNotFound) {
		t.Errorf("Classify(%v) = %v, want catalog.ErrNotFound", err, got)
	}
	if catalog.IsTransient(got) {
		t.Errorf("not found classified transient")
	}
}

func TestUnreachableServerIsTransientAndUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	c, err := mongo.Connect(ctx, "mongodb://user:s3cret@127.0.0.1:1/?connectTimeoutMS=500",
		mongo.WithServerSelectionTimeout(time.Second))
	elapsed := time.Since(start)
	if err == nil {
		_ = c.Close(ctx)
		t.Fatal("Connect to 127.0.0.1:1 succeeded")
	}
	if elapsed > 5*time.Second {
		t.Errorf("Connect took %v, want about the 1 s server selection timeout", elapsed)
	}
	if !catalog.IsTransient(err) {
		t.Errorf("not transient: %v", err)
	}
	if !errors.Is(err, catalog.ErrUnavailable) {
		t.Errorf("not catalog.ErrUnavailable: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error leaks the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error does not name the server: %v", err)
	}
}

func TestCanceledConnectIsNotTransient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := mongo.Connect(ctx, "mongodb://127.0.0.1:1/", mongo.WithServerSelectionTimeout(5*time.Second))
	if err == nil {
		t.Fatal("Connect with a canceled context succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error is not context.Canceled: %v", err)
	}
	if catalog.IsTransient(err) {
		t.Errorf("canceled classified transient: %v", err)
	}
}

func TestMalformedURIIsUsage(t *testing.T) {
	_, err := mongo.Connect(context.Background(), "mongo://user:s3cret@host")
	if !errors.Is(err, catalog.ErrUsage) {
		t.Fatalf("Connect(bad scheme) = %v, want catalog.ErrUsage", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error leaks the password: %v", err)
	}
}
