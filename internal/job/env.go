package job

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"marquee/internal/catalog"
)

// Env is what the runtime hands a job for one logical date.
type Env struct {
	Job string // e.g. "load-mongo"
	// LockName is the run lock's name when it differs from Job (shards of
	// one job run side by side: "crawl.shard-0-of-4").
	LockName string
	// LockAllDates makes the run lock cover every date of LockName: runs
	// whose outputs overlap across dates (late-event partitions, one search
	// alias) must not run side by side even for different dates.
	LockAllDates bool
	Date         catalog.Date     // the logical date
	Loc          *time.Location   // the configured zone (default Asia/Seoul)
	RunID        string           // unique per run; safe in file names
	Now          func() time.Time // the clock; read it, never time.Now()
	DryRun       bool             // read and validate everything, write nothing
	Log          *slog.Logger     // stderr logs
	// Progress starts a progress reporter: a bar on a terminal, periodic
	// log lines otherwise. Never nil (NoProgress in tests).
	Progress func(desc string, total int64) Progress
}

// Progress reports a job's advance. Implementations are safe for concurrent use.
type Progress interface {
	Add(n int64)
	SetTotal(n int64)
	Finish()
}

type noProgress struct{}

func (noProgress) Add(int64)      {}
func (noProgress) SetTotal(int64) {}
func (noProgress) Finish()        {}

// NoProgress is a Progress factory that reports nothing.
func NoProgress(string, int64) Progress { return noProgress{} }

// NewRunID returns "<UTC yyyymmddThhmmss>-<8 hex>", sortable and unique.
func NewRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// TestEnv returns an Env for tests: fixed clock, Asia/Seoul, discarded logs.
func TestEnv(jobName string, d catalog.Date) *Env {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		loc = time.FixedZone("KST", 9*3600)
	}
	now := d.Time(loc).Add(6 * time.Hour)
	return &Env{
		Job: jobName, Date: d, Loc: loc, RunID: NewRunID(now),
		Now:      func() time.Time { return now },
		Log:      slog.New(slog.DiscardHandler),
		Progress: NoProgress,
	}
}
