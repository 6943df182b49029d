package mart

import (
	"context"
	"fmt"
	"hash/maphash"
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
	seed      maphash.Seed // session_id hashing
	sessTabs  []*strTable  // per worker, reused across partitions
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
		seed:     maphash.MakeSeed(),
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

	viewCounts []int64      // views by item<<ageBits | age
	views      keySet       // distinct item<<40 | user<<4 | age
	kwUsers    keySet       // distinct kw<<36 | user
	genre      groupCounter // user<<27 | item<<3 | event → count

	kwSearches []int64
	kwZero     []int64
	sess       *strTable   // session_id → id (per worker until merged)
	searches   []searchRec // sess ids of sess
	clickMax   []int64     // by session id; math.MinInt64 = no click

	itemCounts [][4]int64 // by item id: views, clicks, likes, books
}

func grow[T any](s []T, n int, fill T) []T {
	if n <= len(s) {
		return s
	}
	if n <= cap(s) {
		old := len(s)
		s = s[:n]
		for i := old; i < n; i++ {
			s[i] = fill
		}
		return s
	}
	t := make([]T, n, max(n, 2*cap(s)))
	copy(t, s)
	for i := len(s); i < n; i++ {
		t[i] = fill
	}
	return t
}

func addInto(dst []int64, src []int64) []int64 {
	dst = grow(dst, len(src), 0)
	for i, v := range src {
		dst[i] += v
	}
	return dst
}

func (a *dayAgg) merge(o *dayAgg) {
	a.rows += o.rows
	a.skipped += o.skipped
	a.viewCounts = addInto(a.viewCounts, o.viewCounts)
	a.views.mergeFrom(&o.views)
	a.kwUsers.mergeFrom(&o.kwUsers)
	a.genre.merge(&o.genre)
	a.kwSearches = addInto(a.kwSearches, o.kwSearches)
	a.kwZero = addInto(a.kwZero, o.kwZero)
	if o.sess != nil && o.sess.len() > 0 {
		trans := a.sess.merge(o.sess)
		for _, r := range o.searches {
			r.sess = trans[r.sess]
			a.searches = append(a.searches, r)
		}
		a.clickMax = grow(a.clickMax, a.sess.len(), math.MinInt64)
		for i, v := range o.clickMax {
			if j := trans[i]; v > a.clickMax[j] {
				a.clickMax[j] = v
			}
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
	ev, item, age, kw   strChunk
	sessIDs             []uint32
	sessDict            []uint32
	users               []int64
	valid               []bool
	ukeys               []uint64
	ts                  []int64
	tsValid             []bool
	rc                  []int32
	evOf                []uint8
	itemOf, ageOf, kwOf []uint32
	rowNeed             []bool
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
	workers := min(e.workers, max(1, len(tasks)))
	aggs := make([]*dayAgg, workers)
	errs := make([]error, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		aggs[w] = &dayAgg{}
		if need.search {
			for len(e.sessTabs) <= w {
				e.sessTabs = append(e.sessTabs, newStrTable(e.seed))
			}
			e.sessTabs[w].reset()
			aggs[w].sess = e.sessTabs[w]
		}
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
				if err := e.scanRowGroup(t.file, t.file.file.RowGroups()[t.rg], need, aggs[w], &b); err != nil {
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
	a.genre.compact()
	return a, nil
}

func (e *engine) scanRowGroup(f *eventFile, rg parquet.RowGroup, need scanNeeds, a *dayAgg, b *rgBufs) error {
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
		if b.sessIDs, err = readSessions(ccs[cols.session], b.rowNeed, a.sess, b.sessIDs, &b.sessDict); err != nil {
			return fmt.Errorf("column session_id: %w", err)
		}
		a.clickMax = grow(a.clickMax, a.sess.len(), math.MinInt64)
		if b.ts, b.tsValid, err = readInt64s(ccs[cols.ts], b.ts, b.tsValid); err != nil {
			return fmt.Errorf("column ts: %w", err)
		}
		if len(b.rc) != nrows || len(b.sessIDs) != nrows || len(b.ts) != nrows || len(b.kw.codes) != nrows {
			return fmt.Errorf("search columns: value counts do not match %d rows", nrows)
		}
	}
	if itemNeeded && len(b.item.codes) != nrows || agesNeeded && len(b.age.codes) != nrows {
		return fmt.Errorf("item_id/age_group: value counts do not match %d rows", nrows)
	}

	if need.items {
		a.itemCounts = grow(a.itemCounts, e.items.len(), [4]int64{})
	}
	if need.views {
		a.viewCounts = grow(a.viewCounts, e.items.len()<<ageBits, 0)
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
			if s := b.sessIDs[i]; s != none && (b.tsValid == nil || b.tsValid[i]) {
				a.searches = append(a.searches, searchRec{kw: kw, sess: s, ts: b.ts[i]})
			}
		default:
			if ev == evClick && need.search {
				if s := b.sessIDs[i]; s != none && (b.tsValid == nil || b.tsValid[i]) {
					if t := b.ts[i]; t > a.clickMax[s] {
						a.clickMax[s] = t
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
				a.viewCounts[item<<ageBits|age]++
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
