package mart

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
)

// Packed key layouts. Item and keyword ids are run-wide dense ids, age ids
// are 0..14 (15 = none), user ids are the user_id itself when every file's
// statistics put it in [0, 2^36), else dense ids.
const (
	itemBits = 24
	userBits = 36
	ageBits  = 4
	kwBits   = 28
	evBits   = 3
	userMask = 1<<userBits - 1
	ageNone  = 1<<ageBits - 1
)

// Event type codes.
const (
	evNone uint8 = iota
	evView
	evClick
	evSearch
	evLike
	evBook
)

func eventCode(b []byte) uint8 {
	switch string(b) {
	case "view":
		return evView
	case "click":
		return evClick
	case "search":
		return evSearch
	case "like":
		return evLike
	case "book":
		return evBook
	}
	return evNone
}

// scanNeeds says which aggregates a partition scan computes.
type scanNeeds struct {
	views  bool // popular_daily / ranking_age_daily counter
	ages   bool // split views by age group
	search bool // search_keywords_daily
	items  bool // per-item event counts (item_stats)
	genre  bool // (user, item, event) counts (genre_preference)
}

func (n scanNeeds) any() bool { return n.views || n.search || n.items || n.genre }

// colIdx holds the leaf column indexes of one events file; -1 when absent.
type colIdx struct{ ts, user, age, event, item, keyword, rc, session int }

// engine holds the run-wide dictionaries shared by every partition scan.
type engine struct {
	workers   int
	items     *dict
	ages      *dict
	keywords  *dict
	userDense bool
	users     userDict
}

func newEngine(workers int) *engine {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &engine{
		workers:  workers,
		items:    newDict("item_id", 1<<itemBits, nil),
		ages:     newDict("age_group", ageNone, nil),
		keywords: newDict("keyword", 1<<kwBits, NormalizeKeyword),
	}
}

// userOf decodes a packed user back to the user_id.
func (e *engine) userOf(k uint64) int64 {
	if e.userDense {
		return e.users.vals[k]
	}
	return int64(k)
}

type searchRec struct {
	kw   uint32
	sess uint32
	ts   int64
}

// dayAgg is the aggregate of one partition (or, per worker, of the row
// groups that worker scanned).
type dayAgg struct {
	rows    int64
	skipped int64

	views   groupCounter // item<<40 | user<<4 | age
	kwUsers groupCounter // kw<<36 | user
	genre   groupCounter // user<<27 | item<<3 | event

	kwSearches []int64
	kwZero     []int64
	searches   []searchRec
	clickMax   []int64 // by session id; math.MinInt64 = no click

	itemCounts [][4]int64 // by item id: views, clicks, likes, books
}

func grow[T any](s []T, n int, fill T) []T {
	for len(s) < n {
		s = append(s, fill)
	}
	return s
}

func (a *dayAgg) merge(o *dayAgg) {
	a.rows += o.rows
	a.skipped += o.skipped
	a.views.merge(&o.views)
	a.kwUsers.merge(&o.kwUsers)
	a.genre.merge(&o.genre)
	a.kwSearches = grow(a.kwSearches, len(o.kwSearches), 0)
	for i, v := range o.kwSearches {
		a.kwSearches[i] += v
	}
	a.kwZero = grow(a.kwZero, len(o.kwZero), 0)
	for i, v := range o.kwZero {
		a.kwZero[i] += v
	}
	a.searches = append(a.searches, o.searches...)
	a.clickMax = grow(a.clickMax, len(o.clickMax), math.MinInt64)
	for i, v := range o.clickMax {
		if v > a.clickMax[i] {
			a.clickMax[i] = v
		}
	}
	a.itemCounts = grow(a.itemCounts, len(o.itemCounts), [4]int64{})
	for i, v := range o.itemCounts {
		c := &a.itemCounts[i]
		c[0] += v[0]
		c[1] += v[1]
		c[2] += v[2]
		c[3] += v[3]
	}
}

// rgBufs are one worker's reusable decode buffers.
type rgBufs struct {
	ev, item, age, kw, sess strChunk
	users                   []int64
	valid                   []bool
	ukeys                   []uint64
	ts                      []int64
	tsValid                 []bool
	rc                      []int32
	evOf                    []uint8
	itemOf, ageOf, kwOf     []uint32
	sessOf                  []uint32
	sessNeed                []bool
	rowNeed                 []bool
}

// rgTask is one row group of one file.
type rgTask struct {
	file *eventFile
	rg   int
}

// scanPartition aggregates the row groups of files in parallel.
func (e *engine) scanPartition(ctx context.Context, files []*eventFile, need scanNeeds) (*dayAgg, error) {
	var tasks []rgTask
	for _, f := range files {
		for i := range f.file.RowGroups() {
			tasks = append(tasks, rgTask{file: f, rg: i})
		}
	}
	sess := newDict("session_id", math.MaxUint32-1, nil)
	workers := min(e.workers, max(1, len(tasks)))
	aggs := make([]*dayAgg, workers)
	errs := make([]error, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		aggs[w] = &dayAgg{}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var b rgBufs
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tasks) || ctx.Err() != nil {
					return
				}
				t := tasks[i]
				if err := e.scanRowGroup(t.file, t.file.file.RowGroups()[t.rg], need, sess, aggs[w], &b); err != nil {
					errs[w] = fmt.Errorf("%s: row group %d: %w", t.file.key, t.rg, err)
					next.Store(int64(len(tasks)))
					return
				}
			}
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, o := range aggs[1:] {
		aggs[0].merge(o)
	}
	a := aggs[0]
	a.views.compact()
	a.kwUsers.compact()
	a.genre.compact()
	return a, nil
}

func (e *engine) scanRowGroup(f *eventFile, rg parquet.RowGroup, need scanNeeds, sess *dict, a *dayAgg, b *rgBufs) error {
	ccs := rg.ColumnChunks()
	cols := f.cols
	nrows := int(rg.NumRows())
	a.rows += int64(nrows)

	if err := readStrings(ccs[cols.event], &b.ev, nil); err != nil {
		return fmt.Errorf("column event: %w", err)
	}
	b.evOf = b.evOf[:0]
	for i := 0; i < b.ev.n(); i++ {
		b.evOf = append(b.evOf, eventCode(b.ev.value(int32(i))))
	}
	if len(b.ev.codes) != nrows {
		return fmt.Errorf("column event: %d values for %d rows", len(b.ev.codes), nrows)
	}

	var err error
	b.users, b.valid, err = readInt64s(ccs[cols.user], b.users, b.valid)
	if err != nil {
		return fmt.Errorf("column user_id: %w", err)
	}
	if len(b.users) != nrows {
		return fmt.Errorf("column user_id: %d values for %d rows", len(b.users), nrows)
	}
	if e.userDense {
		b.ukeys = e.users.mapAll(b.users, b.valid, b.ukeys)
	} else {
		b.ukeys = b.ukeys[:0]
		for i, u := range b.users {
			if u < 0 || u > userMask {
				if b.valid == nil || b.valid[i] {
					return fmt.Errorf("column user_id: value %d outside the statistics of the file", u)
				}
			}
			b.ukeys = append(b.ukeys, uint64(u))
		}
	}

	itemNeeded := need.views || need.items || need.genre
	if itemNeeded {
		if err := readStrings(ccs[cols.item], &b.item, nil); err != nil {
			return fmt.Errorf("column item_id: %w", err)
		}
		if b.itemOf, err = e.items.mapChunk(&b.item, nil, b.itemOf); err != nil {
			return err
		}
	}
	agesNeeded := need.views && need.ages
	if agesNeeded {
		if err := readStrings(ccs[cols.age], &b.age, nil); err != nil {
			return fmt.Errorf("column age_group: %w", err)
		}
		if b.ageOf, err = e.ages.mapChunk(&b.age, nil, b.ageOf); err != nil {
			return err
		}
	}
	if need.search {
		if err := readStrings(ccs[cols.keyword], &b.kw, nil); err != nil {
			return fmt.Errorf("column keyword: %w", err)
		}
		if b.kwOf, err = e.keywords.mapChunk(&b.kw, nil, b.kwOf); err != nil {
			return err
		}
		if b.rc, err = readInt32s(ccs[cols.rc], b.rc, -1); err != nil {
			return fmt.Errorf("column result_count: %w", err)
		}
		b.rowNeed = b.rowNeed[:0]
		for _, c := range b.ev.codes {
			b.rowNeed = append(b.rowNeed, c >= 0 && (b.evOf[c] == evSearch || b.evOf[c] == evClick))
		}
		if err := readStrings(ccs[cols.session], &b.sess, b.rowNeed); err != nil {
			return fmt.Errorf("column session_id: %w", err)
		}
		b.sessNeed = grow(b.sessNeed[:0], b.sess.n(), false)
		for i, c := range b.sess.codes {
			if c >= 0 && b.rowNeed[i] {
				b.sessNeed[c] = true
			}
		}
		if b.sessOf, err = sess.mapChunk(&b.sess, b.sessNeed, b.sessOf); err != nil {
			return err
		}
		if b.ts, b.tsValid, err = readInt64s(ccs[cols.ts], b.ts, b.tsValid); err != nil {
			return fmt.Errorf("column ts: %w", err)
		}
		if len(b.rc) != nrows || len(b.sess.codes) != nrows || len(b.ts) != nrows || len(b.kw.codes) != nrows {
			return fmt.Errorf("search columns: value counts do not match %d rows", nrows)
		}
	}
	if itemNeeded && len(b.item.codes) != nrows || agesNeeded && len(b.age.codes) != nrows {
		return fmt.Errorf("item_id/age_group: value counts do not match %d rows", nrows)
	}

	if need.items {
		a.itemCounts = grow(a.itemCounts, e.items.len(), [4]int64{})
	}
	evCodes := b.ev.codes
	for i := 0; i < nrows; i++ {
		c := evCodes[i]
		if c < 0 || (b.valid != nil && !b.valid[i]) {
			a.skipped++
			continue
		}
		ev := b.evOf[c]
		u := b.ukeys[i]
		switch ev {
		case evNone:
			a.skipped++
		case evSearch:
			if !need.search {
				continue
			}
			kc := b.kw.codes[i]
			if kc < 0 || b.kwOf[kc] == none {
				a.skipped++
				continue
			}
			kw := b.kwOf[kc]
			if int(kw) >= len(a.kwSearches) {
				a.kwSearches = grow(a.kwSearches, int(kw)+1, 0)
				a.kwZero = grow(a.kwZero, int(kw)+1, 0)
			}
			a.kwSearches[kw]++
			if b.rc[i] == 0 {
				a.kwZero[kw]++
			}
			a.kwUsers.add(uint64(kw)<<userBits | u)
			s := none
			if sc := b.sess.codes[i]; sc >= 0 && (b.tsValid == nil || b.tsValid[i]) {
				s = b.sessOf[sc]
			}
			if s != none {
				a.searches = append(a.searches, searchRec{kw: kw, sess: s, ts: b.ts[i]})
			}
		default:
			if ev == evClick && need.search {
				if sc := b.sess.codes[i]; sc >= 0 && (b.tsValid == nil || b.tsValid[i]) {
					if s := b.sessOf[sc]; s != none {
						if int(s) >= len(a.clickMax) {
							a.clickMax = grow(a.clickMax, int(s)+1, math.MinInt64)
						}
						if t := b.ts[i]; t > a.clickMax[s] {
							a.clickMax[s] = t
						}
					}
				}
			}
			if !itemNeeded {
				continue
			}
			ic := b.item.codes[i]
			if ic < 0 || b.itemOf[ic] == none {
				a.skipped++
				continue
			}
			item := uint64(b.itemOf[ic])
			if need.items {
				a.itemCounts[item][ev-evView-btoi(ev > evSearch)]++
			}
			if need.genre {
				a.genre.add(u<<(itemBits+evBits) | item<<evBits | uint64(ev))
			}
			if ev == evView && need.views {
				age := uint64(ageNone)
				if agesNeeded {
					if ac := b.age.codes[i]; ac >= 0 && b.ageOf[ac] != none {
						age = uint64(b.ageOf[ac])
					}
				}
				a.views.add(item<<(userBits+ageBits) | u<<ageBits | age)
			}
		}
	}
	return nil
}

func btoi(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
