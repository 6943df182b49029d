package job

import (
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// ProgressFactory returns Env.Progress for the process: a progress bar on
// stderr when it is a terminal, otherwise a log line every interval.
func ProgressFactory(stderr io.Writer, isTTY bool, log *slog.Logger, interval time.Duration) func(string, int64) Progress {
	return func(desc string, total int64) Progress {
		if isTTY {
			if total <= 0 {
				total = -1
			}
			bar := progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription(desc),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
			return &barProgress{bar: bar}
		}
		p := &logProgress{log: log, desc: desc, stop: make(chan struct{})}
		p.total.Store(total)
		go p.loop(interval)
		return p
	}
}

type barProgress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func (b *barProgress) Add(n int64) {
	b.mu.Lock()
	_ = b.bar.Add64(n)
	b.mu.Unlock()
}
func (b *barProgress) SetTotal(n int64) {
	b.mu.Lock()
	b.bar.ChangeMax64(n)
	b.mu.Unlock()
}
func (b *barProgress) Finish() {
	b.mu.Lock()
	_ = b.bar.Finish()
	b.mu.Unlock()
}

type logProgress struct {
	log   *slog.Logger
	desc  string
	done  atomic.Int64
	total atomic.Int64
	once  sync.Once
	stop  chan struct{}
}

func (p *logProgress) Add(n int64)      { p.done.Add(n) }
func (p *logProgress) SetTotal(n int64) { p.total.Store(n) }
func (p *logProgress) Finish()          { p.once.Do(func() { close(p.stop) }) }

func (p *logProgress) loop(every time.Duration) {
	if every <= 0 {
		every = 10 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.log.Info("progress", "step", p.desc, "done", p.done.Load(), "total", p.total.Load())
		}
	}
}
