package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"marquee/internal/catalog"
)

func cluster(t *testing.T, topic string, partitions int32) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

func produce(t *testing.T, addr, topic string, part int32, values ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for _, v := range values {
		recs = append(recs, &kgo.Record{Topic: topic, Partition: part, Value: []byte(v)})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

type got struct {
	batch   string
	origins []string
	values  []string
}

func read(t *testing.T, uri, group string) (*Log, got) {
	t.Helper()
	l, err := Open(uri, group)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	l.PollTimeout = 5 * time.Second
	var g got
	g.batch, err = l.Read(context.Background(), func(origin string, value []byte) error {
		g.origins = append(g.origins, origin)
		g.values = append(g.values, string(value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l, g
}

func TestLogReadCommit(t *testing.T) {
	const topic = "app-events"
	addr := cluster(t, topic, 2)
	uri := "kafka://" + addr + "/" + topic
	produce(t, addr, topic, 0, "a0", "a1", "a2")
	produce(t, addr, topic, 1, "b0", "b1")

	l1, first := read(t, uri, "g1")
	t.Run("reads every record, partitions in turn, offsets in order", func(t *testing.T) {
		want := []string{topic + "/0@0", topic + "/0@1", topic + "/0@2", topic + "/1@0", topic + "/1@1"}
		if fmt.Sprint(first.origins) != fmt.Sprint(want) || fmt.Sprint(first.values) != "[a0 a1 a2 b0 b1]" {
			t.Errorf("origins %v values %v", first.origins, first.values)
		}
		if !strings.HasPrefix(first.batch, "kafka-") || len(first.batch) != len("kafka-")+16 {
			t.Errorf("batch %q", first.batch)
		}
	})
	t.Run("without a commit a rerun reads the same records with the same batch", func(t *testing.T) {
		_, again := read(t, uri, "g1")
		if fmt.Sprint(again) != fmt.Sprint(first) {
			t.Errorf("rerun %v, first %v", again, first)
		}
	})
	if err := l1.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Run("after a commit only new records are read, under a new batch", func(t *testing.T) {
		_, none := read(t, uri, "g1")
		if len(none.values) != 0 {
			t.Fatalf("read %v after commit", none.values)
		}
		produce(t, addr, topic, 1, "b2")
		_, more := read(t, uri, "g1")
		if fmt.Sprint(more.values) != "[b2]" || more.origins[0] != topic+"/1@2" || more.batch == first.batch {
			t.Errorf("got %+v", more)
		}
	})
	t.Run("another group starts from the beginning", func(t *testing.T) {
		_, other := read(t, uri, "g2")
		if len(other.values) != 6 {
			t.Errorf("group g2 read %d records, want 6", len(other.values))
		}
	})
	t.Run("an error from fn stops the read and is returned", func(t *testing.T) {
		l, err := Open(uri, "g3")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		boom := errors.New("boom")
		_, err = l.Read(context.Background(), func(string, []byte) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestLogUnknownTopic(t *testing.T) {
	addr := cluster(t, "present", 1)
	l, err := Open("kafka://"+addr+"/absent", "")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = l.Read(ctx, func(string, []byte) error { return nil })
	if err == nil {
		t.Fatal("reading a missing topic succeeded")
	}
}

func TestParseURI(t *testing.T) {
	tests := []struct {
		uri     string
		brokers string
		topic   string
		bad     bool
	}{
		{uri: "kafka://localhost:9092/app-events", brokers: "[localhost:9092]", topic: "app-events"},
		{uri: "kafka://h1:9092,h2:9092/t", brokers: "[h1:9092 h2:9092]", topic: "t"},
		{uri: "kafka://localhost:9092/", bad: true},
		{uri: "kafka:///t", bad: true},
		{uri: "http://h:1/t", bad: true},
		{uri: "kafka://h:1/a/b", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.uri, func(t *testing.T) {
			tg, err := ParseURI(tc.uri)
			if tc.bad {
				if !errors.Is(err, catalog.ErrUsage) {
					t.Fatalf("err = %v, want usage error", err)
				}
				return
			}
			if err != nil || fmt.Sprint(tg.Brokers) != tc.brokers || tg.Topic != tc.topic {
				t.Errorf("got %+v, %v", tg, err)
			}
		})
	}
}
