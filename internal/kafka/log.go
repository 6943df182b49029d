package kafka

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"marquee/internal/catalog"
)

// DefaultGroup is the consumer group of export-parquet.
const DefaultGroup = "marquee-export-parquet"

// Target is a parsed kafka://HOST:PORT[,HOST:PORT...]/TOPIC URI.
type Target struct {
	Brokers []string
	Topic   string
}

// ParseURI parses kafka://HOST:PORT[,HOST:PORT...]/TOPIC. Bad URIs are catalog.ErrUsage.
func ParseURI(uri string) (Target, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "kafka" || u.Host == "" {
		return Target{}, catalog.Usagef("kafka URI %q: want kafka://HOST:PORT/TOPIC", uri)
	}
	topic := strings.Trim(u.Path, "/")
	if topic == "" || strings.Contains(topic, "/") {
		return Target{}, catalog.Usagef("kafka URI %q: want exactly one topic", uri)
	}
	return Target{Brokers: strings.Split(u.Host, ","), Topic: topic}, nil
}

// Log reads one topic for one consumer group. It is used by one goroutine.
type Log struct {
	t     Target
	group string
	cl    *kgo.Client
	adm   *kadm.Client
	// consumed holds the next offset per partition after Read (what Commit commits).
	consumed map[int32]int64
	epochs   map[int32]int32
	// PollTimeout bounds each wait for records (default 10s). With no record
	// at all in that time the broker is taken as not serving (transient);
	// after some records, as caught up (offsets without records: markers).
	PollTimeout time.Duration
}

// Open returns a Log of uri's topic for group (DefaultGroup when empty).
// It does not dial; the first Read does.
func Open(uri, group string, opts ...kgo.Opt) (*Log, error) {
	t, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if group == "" {
		group = DefaultGroup
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(t.Brokers...),
		kgo.ClientID("marquee"),
		kgo.FetchMaxBytes(32 << 20),
	}, opts...)...)
	if err != nil {
		return nil, catalog.Usagef("kafka %s: %v", uri, err)
	}
	return &Log{t: t, group: group, cl: cl, adm: kadm.NewClient(cl), PollTimeout: 10 * time.Second}, nil
}

// URI implements the job's EventLog: kafka://brokers/topic.
func (l *Log) URI() string { return "kafka://" + strings.Join(l.t.Brokers, ",") + "/" + l.t.Topic }

// Close closes the client.
func (l *Log) Close() { l.cl.Close() }

// Read calls fn for every record from the group's committed offsets (the
// log start when the group has none) up to the end offsets listed when Read
// starts; records produced later wait for the next run. Within a partition
// records arrive in offset order; partitions are read in turn. origin is
// "topic/partition@offset". The batch is "kafka-" and 16 hex digits of a hash
// of the topic and start offsets: a rerun that starts from the same offsets
// (because the previous run did not commit) gets the same batch.
func (l *Log) Read(ctx context.Context, fn func(origin string, value []byte) error) (string, error) {
	ends, err := l.adm.ListEndOffsets(ctx, l.t.Topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return "", classify("list end offsets", err)
	}
	starts, err := l.adm.ListStartOffsets(ctx, l.t.Topic)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return "", classify("list start offsets", err)
	}
	committed, err := l.adm.FetchOffsets(ctx, l.group)
	if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
		return "", classify("fetch group offsets", err)
	}
	if len(ends[l.t.Topic]) == 0 {
		return "", fmt.Errorf("kafka: topic %s: %w", l.t.Topic, catalog.ErrNotFound)
	}
	from := map[int32]int64{}
	end := map[int32]int64{}
	var parts []int32
	for p, e := range ends[l.t.Topic] {
		start := starts[l.t.Topic][p].Offset
		if c, ok := committed.Lookup(l.t.Topic, p); ok && c.Err == nil && c.At >= start {
			start = c.At
		}
		from[p], end[p] = start, e.Offset
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	h := sha256.New()
	h.Write([]byte(l.t.Topic))
	for _, p := range parts {
		fmt.Fprintf(h, "\x00%d:%d", p, from[p])
	}
	batch := "kafka-" + hex.EncodeToString(h.Sum(nil))[:16]

	l.consumed = map[int32]int64{}
	l.epochs = map[int32]int32{}
	for _, p := range parts {
		if from[p] >= end[p] {
			continue
		}
		if err := l.readPartition(ctx, p, from[p], end[p], fn); err != nil {
			return batch, err
		}
	}
	return batch, nil
}

func (l *Log) readPartition(ctx context.Context, p int32, from, end int64, fn func(string, []byte) error) error {
	l.cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{l.t.Topic: {p: kgo.NewOffset().At(from)}})
	defer l.cl.RemoveConsumePartitions(map[string][]int32{l.t.Topic: {p}})
	next := from
	prefix := l.t.Topic + "/" + strconv.Itoa(int(p)) + "@"
	for next < end {
		pctx, cancel := context.WithTimeout(ctx, l.PollTimeout)
		fetches := l.cl.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ferr error
		fetches.EachError(func(_ string, _ int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) && ferr == nil {
				ferr = err
			}
		})
		if ferr != nil {
			return classify(fmt.Sprintf("fetch %s/%d", l.t.Topic, p), ferr)
		}
		if fetches.NumRecords() == 0 && pctx.Err() != nil {
			if next > from {
				// Transaction markers or compacted records can leave the
				// last offsets before end without a record: caught up.
				return nil
			}
			return catalog.Transient(fmt.Errorf("kafka: %s/%d: no records within %s (at offset %d of %d)", l.t.Topic, p, l.PollTimeout, next, end))
		}
		var err error
		fetches.EachRecord(func(r *kgo.Record) {
			if err != nil || r.Partition != p || r.Offset < next || r.Offset >= end {
				return
			}
			if err = fn(prefix+strconv.FormatInt(r.Offset, 10), r.Value); err != nil {
				return
			}
			next = r.Offset + 1
			l.consumed[p] = next
			l.epochs[p] = r.LeaderEpoch
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Commit commits, for the group, the offsets after the last record Read
// returned per partition. Call it only after the output is committed.
func (l *Log) Commit(ctx context.Context) error {
	if len(l.consumed) == 0 {
		return nil
	}
	os := kadm.Offsets{}
	for p, at := range l.consumed {
		os.Add(kadm.Offset{Topic: l.t.Topic, Partition: p, At: at, LeaderEpoch: l.epochs[p]})
	}
	resp, err := l.adm.CommitOffsets(ctx, l.group, os)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return classify("commit offsets", err)
	}
	return nil
}

// classify wraps err with the step, marking retryable errors transient.
func classify(step string, err error) error {
	var ke *kerr.Error
	if errors.As(err, &ke) && !ke.Retriable {
		return fmt.Errorf("kafka: %s: %w", step, err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("kafka: %s: %w", step, err)
	}
	return catalog.Transient(fmt.Errorf("kafka: %s: %w", step, err))
}
