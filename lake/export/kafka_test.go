package export

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"marquee/internal/job"
	"marquee/lake"
)

// memLog is an EventLog over a slice: Read returns the records from the
// committed offset; Commit moves it, or fails while failCommit is set.
type memLog struct {
	values     []string
	committed  int
	read       int
	failCommit bool
	commits    int
}

func (m *memLog) URI() string { return "kafka://test:9092/events" }

func (m *memLog) Read(ctx context.Context, fn func(string, []byte) error) (string, error) {
	m.read = m.committed
	for i := m.committed; i < len(m.values); i++ {
		if err := fn(fmt.Sprintf("events/0@%d", i), []byte(m.values[i])); err != nil {
			return "", err
		}
		m.read = i + 1
	}
	return fmt.Sprintf("kafka-from-%d", m.committed), nil
}

func (m *memLog) Commit(context.Context) error {
	if m.failCommit {
		return errors.New("broker gone")
	}
	m.commits++
	m.committed = m.read
	return nil
}

func TestEventsFromLog(t *testing.T) {
	s := newStore(t)
	d := date("2026-11-22")
	log := &memLog{}
	for i := 0; i < 50; i++ {
		log.values = append(log.values, fmt.Sprintf(`{"ts":"2026-11-2%dT10:00:00Z","user_id":%d,"age_group":"40s","gender":"F","event":"like","item_id":"r%d","session_id":"s","platform":"android"}`, 1+i%2, i, i))
	}
	log.values[7] = "{\"ts\":\n\"bad\"}"
	runLog := func() (*job.Summary, error) {
		return Run(context.Background(), job.TestEnv(JobName, d), Options{Dataset: DatasetEvents, Input: log.URI(), MaxRejects: 1},
			Deps{Lake: s, Log: log})
	}
	total := func() int64 {
		st := lakeStats(t, s)
		var n int64
		for _, v := range st {
			n += v.Rows
		}
		return n
	}

	log.failCommit = true
	if _, err := runLog(); err == nil {
		t.Fatal("a failed offset commit must fail the run")
	}
	t.Run("a crash after the lake commit but before the offset commit is replaced, not duplicated", func(t *testing.T) {
		if total() != 49 {
			t.Fatalf("lake holds %d rows after the failed run, want 49", total())
		}
		log.failCommit = false
		sum, err := runLog()
		if err != nil || sum.Written != 49 || sum.Quarantined != 1 {
			t.Fatalf("rerun: %+v %v", sum, err)
		}
		if total() != 49 || log.committed != 50 {
			t.Errorf("lake holds %d rows, offset %d; want 49 and 50", total(), log.committed)
		}
	})
	t.Run("quarantined records name topic, partition and offset", func(t *testing.T) {
		var origins []string
		_ = lake.ScanPartition(context.Background(), s, lake.PartitionPath(lake.ZoneQuarantine+"/"+JobName, d),
			func(o lake.Origin, line []byte, _ error) error {
				origins = append(origins, string(line))
				return nil
			})
		if len(origins) != 1 || !strings.Contains(origins[0], `"origin":"events/0@7"`) {
			t.Errorf("quarantine %v", origins)
		}
	})
	t.Run("the next batch appends only new records", func(t *testing.T) {
		log.values = append(log.values, log.values[0], log.values[1])
		sum, err := runLog()
		if err != nil || sum.Written != 2 || total() != 51 {
			t.Errorf("written %d, lake %d, err %v", sum.Written, total(), err)
		}
	})
	t.Run("offsets are not committed when the lake commit fails", func(t *testing.T) {
		before := log.commits
		log.values = append(log.values, log.values[2])
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Run(ctx, job.TestEnv(JobName, d), Options{Dataset: DatasetEvents, Input: log.URI()}, Deps{Lake: s, Log: log})
		if err == nil || log.commits != before {
			t.Errorf("err %v, commits %d → %d", err, before, log.commits)
		}
	})
}
