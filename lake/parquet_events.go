package lake

import (
	"bytes"
	"context"
	"time"

	"github.com/parquet-go/parquet-go"

	"marquee/internal/catalog"
)

// Column names of the events dataset (parquet/events/dt=D), DESIGN.md §5a.
const (
	EventColTS          = "ts"
	EventColUserID      = "user_id"
	EventColAgeGroup    = "age_group"
	EventColGender      = "gender"
	EventColEvent       = "event"
	EventColItemID      = "item_id"
	EventColKeyword     = "keyword"
	EventColResultCount = "result_count"
	EventColSessionID   = "session_id"
	EventColPlatform    = "platform"
)

// EventRow is one row of the events Parquet dataset. Its layout is the data
// contract outside readers (DuckDB, Spark, pyarrow, build-mart) rely on:
//
//	ts            INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true)  required, DELTA_BINARY_PACKED
//	user_id       INT64                                          required, DELTA_BINARY_PACKED
//	age_group     BYTE_ARRAY STRING, dictionary                  required
//	gender        BYTE_ARRAY STRING, dictionary                  required
//	event         BYTE_ARRAY STRING, dictionary                  required
//	item_id       BYTE_ARRAY STRING, dictionary                  optional (null for search)
//	keyword       BYTE_ARRAY STRING, dictionary                  optional (search only)
//	result_count  INT32                                          optional (search only)
//	session_id    BYTE_ARRAY STRING                              required
//	platform      BYTE_ARRAY STRING, dictionary                  required
//
// TS is microseconds since the Unix epoch (UTC). An empty ItemID or Keyword
// is written as null; ResultCount is null when nil. Files are zstd-compressed
// with row groups of DefaultRowGroupRows rows.
type EventRow struct {
	TS          int64  `parquet:"ts,timestamp(microsecond:utc)"`
	UserID      int64  `parquet:"user_id"`
	AgeGroup    string `parquet:"age_group,dict"`
	Gender      string `parquet:"gender,dict"`
	Event       string `parquet:"event,dict"`
	ItemID      string `parquet:"item_id,optional,dict"`
	Keyword     string `parquet:"keyword,optional,dict"`
	ResultCount *int32 `parquet:"result_count,optional"`
	SessionID   string `parquet:"session_id"`
	Platform    string `parquet:"platform,dict"`
}

// eventRowPQ is EventRow as handed to parquet-go: optional strings as
// pointers. parquet-go v0.32.0 mis-writes some zero values of optional
// non-pointer fields as present (its null-run scan in
// writeRowsFuncOfOptional tests a shifted word against the wrong mask), so
// nulls would turn into empty strings; the pointer path is exact.
type eventRowPQ struct {
	TS          int64   `parquet:"ts,timestamp(microsecond:utc),delta"`
	UserID      int64   `parquet:"user_id,delta"`
	AgeGroup    string  `parquet:"age_group,dict"`
	Gender      string  `parquet:"gender,dict"`
	Event       string  `parquet:"event,dict"`
	ItemID      *string `parquet:"item_id,optional,dict"`
	Keyword     *string `parquet:"keyword,optional,dict"`
	ResultCount *int32  `parquet:"result_count,optional"`
	SessionID   string  `parquet:"session_id"`
	Platform    string  `parquet:"platform,dict"`
}

// EventsSchema is the Parquet schema of the events dataset.
var EventsSchema = parquet.NewSchema("events", parquet.SchemaOf(eventRowPQ{}))

// compactEvent is a buffered event without pointers, so the garbage
// collector need not scan row-group buffers: strings are spans of the row
// group's arena.
type compactEvent struct {
	ts, userID                                   int64
	age, gender, event, platform, item, kw, sess span
	rc                                           int32
	hasRC                                        bool
}

func compactOf(r *EventRow, a *arena) compactEvent {
	c := compactEvent{
		ts: r.TS, userID: r.UserID,
		age: a.spanSlot(0, r.AgeGroup), gender: a.spanSlot(1, r.Gender), event: a.spanSlot(2, r.Event),
		platform: a.spanSlot(3, r.Platform), kw: a.spanSlot(4, r.Keyword),
		item: a.span(r.ItemID), sess: a.span(r.SessionID),
	}
	if r.ResultCount != nil {
		c.rc, c.hasRC = *r.ResultCount, true
	}
	return c
}

// encodeEvents encodes one row group of events (see eventRowPQ).
func encodeEvents(rows []compactEvent, a *arena, buf *bytes.Buffer, opts []parquet.WriterOption) (*parquet.File, error) {
	buf.Grow(len(rows) * 32)
	w := parquet.NewGenericWriter[eventRowPQ](buf, opts...)
	const batchRows = 1024
	batch := make([]eventRowPQ, 0, batchRows)
	items := make([]string, batchRows)
	kws := make([]string, batchRows)
	rcs := make([]int32, batchRows)
	for len(rows) > 0 {
		n := min(len(rows), batchRows)
		batch = batch[:n]
		for i := range batch {
			r := &rows[i]
			b := &batch[i]
			*b = eventRowPQ{TS: r.ts, UserID: r.userID, AgeGroup: a.string(r.age), Gender: a.string(r.gender),
				Event: a.string(r.event), SessionID: a.string(r.sess), Platform: a.string(r.platform)}
			if r.item.n > 0 {
				items[i] = a.string(r.item)
				b.ItemID = &items[i]
			}
			if r.kw.n > 0 {
				kws[i] = a.string(r.kw)
				b.Keyword = &kws[i]
			}
			if r.hasRC {
				rcs[i] = r.rc
				b.ResultCount = &rcs[i]
			}
		}
		if _, err := w.Write(batch); err != nil {
			return nil, err
		}
		rows = rows[n:]
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
}

// Time returns the row's timestamp in UTC.
func (r *EventRow) Time() time.Time { return time.UnixMicro(r.TS).UTC() }

// Domain converts the row to the domain type.
func (r *EventRow) Domain() catalog.Event {
	e := catalog.Event{
		TS: r.Time(), UserID: r.UserID, AgeGroup: r.AgeGroup, Gender: r.Gender,
		Event: r.Event, ItemID: r.ItemID, Keyword: r.Keyword,
		SessionID: r.SessionID, Platform: r.Platform,
	}
	if r.ResultCount != nil {
		e.ResultCount = *r.ResultCount
	}
	return e
}

// EventRowOf converts a domain event to a row (ts truncated to microseconds).
// ResultCount is set for searches only.
func EventRowOf(e *catalog.Event) EventRow {
	r := EventRow{
		TS: e.TS.UnixMicro(), UserID: e.UserID, AgeGroup: e.AgeGroup, Gender: e.Gender,
		Event: e.Event, ItemID: e.ItemID, Keyword: e.Keyword,
		SessionID: e.SessionID, Platform: e.Platform,
	}
	if e.Event == catalog.EventSearch {
		rc := e.ResultCount
		r.ResultCount = &rc
	}
	return r
}

// EventsWriter writes event rows into part-<run>-<seq>.parquet files of one
// partition (normally parquet/events/dt=D). It is not safe for concurrent
// use; Close, then commit the PartitionWriter.
type EventsWriter struct{ p *partWriter[compactEvent] }

// NewEventsWriter returns an events writer into pw.
func NewEventsWriter(ctx context.Context, pw *PartitionWriter, opts ParquetOptions) *EventsWriter {
	p := newPartWriter[compactEvent](ctx, pw, EventsSchema, opts)
	p.encode = encodeEvents
	return &EventsWriter{p: p}
}

// Write appends rows in order. The writer copies what it keeps (strings
// included), so rows may point into buffers the caller reuses.
func (w *EventsWriter) Write(rows []EventRow) error {
	p := w.p
	if p.err != nil {
		return p.err
	}
	for len(rows) > 0 {
		n := min(p.room(), len(rows))
		for i := range rows[:n] {
			p.rg = append(p.rg, compactOf(&rows[i], p.arena))
		}
		rows = rows[n:]
		if err := p.appended(n); err != nil {
			return err
		}
	}
	return p.writeDone()
}

// EventBatch holds events in the writer's compact form. Build batches on
// any goroutine (Add copies what it keeps, strings included), then hand
// them to EventsWriter.WriteBatch, which only appends: the per-row work of
// a partition's writer moves to the goroutines that build batches. A batch
// is not safe for concurrent use.
type EventBatch struct {
	rows  []compactEvent
	arena arena
}

// Add appends one event.
func (b *EventBatch) Add(r *EventRow) { b.rows = append(b.rows, compactOf(r, &b.arena)) }

// Len is the number of events in the batch.
func (b *EventBatch) Len() int { return len(b.rows) }

// Reset empties the batch, keeping its memory.
func (b *EventBatch) Reset() {
	b.rows, b.arena.bytes, b.arena.last = b.rows[:0], b.arena.bytes[:0], [8]span{}
}

func (sp span) plus(base uint32) span {
	if sp.n != 0 {
		sp.off += base
	}
	return sp
}

// WriteBatch appends the batch's events in order. The batch may be reset
// and reused once it returns.
func (w *EventsWriter) WriteBatch(b *EventBatch) error {
	p := w.p
	if p.err != nil {
		return p.err
	}
	rows := b.rows
	for len(rows) > 0 {
		n := min(p.room(), len(rows))
		base := uint32(len(p.arena.bytes))
		p.arena.bytes = append(p.arena.bytes, b.arena.bytes...)
		for i := range rows[:n] {
			c := rows[i]
			c.age, c.gender, c.event, c.platform = c.age.plus(base), c.gender.plus(base), c.event.plus(base), c.platform.plus(base)
			c.item, c.kw, c.sess = c.item.plus(base), c.kw.plus(base), c.sess.plus(base)
			p.rg = append(p.rg, c)
		}
		rows = rows[n:]
		if err := p.appended(n); err != nil {
			return err
		}
	}
	return p.writeDone()
}

// Rows is how many rows were written.
func (w *EventsWriter) Rows() int64 { return w.p.Rows() }

// Flush ends the current row group early and writes out everything
// buffered, freeing its memory (for a partition that stopped receiving rows).
// Calling it at the same points of the same input keeps output deterministic.
func (w *EventsWriter) Flush() error { return w.p.Flush() }

// Close finishes the current file and adds it to the partition writer.
func (w *EventsWriter) Close() error { return w.p.Close() }

// Abort discards the file being written.
func (w *EventsWriter) Abort() { w.p.Abort() }

// ReadEventsParquet calls fn with batches of the rows of events partition
// dir (e.g. "parquet/events/dt=2026-11-20"), reading only the files its
// manifest lists, in manifest order. The slice is reused after fn returns.
// A partition that was never committed is catalog.ErrNotFound.
func ReadEventsParquet(ctx context.Context, s Store, dir string, fn func(rows []EventRow) error) error {
	return readParquetRows(ctx, s, dir, 4096, func(_ string, rows []EventRow) error { return fn(rows) })
}

// EventsPartition is the events partition of date d.
func EventsPartition(d catalog.Date) string { return PartitionPath(ZoneParquetEvents, d) }
