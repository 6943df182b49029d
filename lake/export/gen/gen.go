package gen

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"marquee/internal/catalog"
)

// Config says what to generate.
type Config struct {
	Seed   uint64       // PRNG seed
	Events int64        // number of lines
	Days   int          // days of event time, ending with End (inclusive)
	End    catalog.Date // last event date (in Loc)
	Loc    *time.Location
	Items  int // distinct item ids (Zipf-distributed popularity)
	Users  int // distinct user ids
	// BadEvery, when > 0, makes every BadEvery-th line malformed in one of a
	// few ways (broken JSON, unknown event type, missing ts, bad age group).
	BadEvery int64
	// LateEvery, when > 0, makes every LateEvery-th event one to three days
	// older than its neighbours (a late arrival).
	LateEvery int64
}

// Default is the benchmark's configuration: 10M events over 7 days, 50k items.
func Default() Config {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		loc = time.FixedZone("KST", 9*3600)
	}
	return Config{
		Seed: 42, Events: 10_000_000, Days: 7,
		End: catalog.Date{Year: 2026, Month: time.November, Day: 22}, Loc: loc,
		Items: 50_000, Users: 1_000_000,
	}
}

// ItemID is the id of generated item i: a release id (24 hex digits) of
// the synthetic source "bench", so generated releases can share it.
func ItemID(i int) string { return catalog.ReleaseID("bench", strconv.Itoa(i)) }

// AgeGroups are the valid age groups, youngest first.
var AgeGroups = []string{"10s", "20s", "30s", "40s", "50s", "60s+"}

var (
	genders   = []string{"F", "M", "U"}
	platforms = []string{"ios", "android", "web"}
	keywords  = []string{
		"뮤지컬", "콘서트", "전시", "영화", "아이유 콘서트", "레미제라블", "오페라의 유령",
		"위키드", "범죄도시", "서울 재즈 페스티벌", "야구", "축구", "K리그", "연극",
		"BTS", "세븐틴", "Frozen", "모네 전시", "반 고흐", "부산국제영화제", "넷플릭스",
		"디즈니+", "티빙", "웨이브", "쿠팡플레이", "CGV", "메가박스", "롯데시네마",
		"클래식", "발레", "호두까기인형", "지킬앤하이드", "오징어 게임", "하이큐",
		"귀멸의 칼날", "듄", "인사이드 아웃", "Jazz", "Hip Hop", "락 페스티벌",
	}
)

// Write writes cfg.Events JSONL lines to w, in roughly increasing ts order.
// Half the timestamps are written in UTC ("Z"), half with +09:00, so a
// reader must convert to the configured zone to find a day.
func Write(w io.Writer, cfg Config) error {
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	if cfg.Days <= 0 || cfg.Items <= 0 || cfg.Users <= 0 {
		return fmt.Errorf("gen: days, items and users must be positive")
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	start := cfg.End.AddDays(-(cfg.Days - 1)).Time(cfg.Loc).UnixMicro()
	end := cfg.End.AddDays(1).Time(cfg.Loc).UnixMicro()
	span := end - start
	items := make([]string, cfg.Items)
	for i := range items {
		items[i] = ItemID(i)
	}
	zipf := rand.NewZipf(rng, 1.1, 8, uint64(cfg.Items-1))
	kst := time.FixedZone("", 9*3600)
	var line []byte
	for i := int64(0); i < cfg.Events; i++ {
		ts := start + int64(float64(span)*(float64(i)+rng.Float64())/float64(cfg.Events))
		if cfg.LateEvery > 0 && i%cfg.LateEvery == cfg.LateEvery-1 {
			ts -= int64(1+rng.IntN(3)) * 86400e6 // may fall before the first day: late
		}
		if ts >= end {
			ts = end - 1
		}
		user := 1 + rng.IntN(cfg.Users)
		line = line[:0]
		t := time.UnixMicro(ts)
		if i%2 == 0 {
			t = t.UTC()
		} else {
			t = t.In(kst)
		}
		line = append(line, `{"ts":"`...)
		line = t.AppendFormat(line, "2006-01-02T15:04:05.000000Z07:00")
		line = append(line, `","user_id":`...)
		line = strconv.AppendInt(line, int64(user), 10)
		line = append(line, `,"age_group":"`...)
		line = append(line, AgeGroups[user%len(AgeGroups)]...)
		line = append(line, `","gender":"`...)
		line = append(line, genders[(user/7)%len(genders)]...)
		line = append(line, `","event":"`...)
		ev := pickEvent(rng.Float64())
		line = append(line, ev...)
		line = append(line, '"')
		if ev == catalog.EventSearch {
			kw := keywords[int(math.Min(float64(len(keywords)-1), float64(zipf.Uint64()%uint64(len(keywords)))))]
			line = append(line, `,"keyword":`...)
			line = strconv.AppendQuote(line, kw)
			n := rng.IntN(60)
			if n < 6 {
				n = 0
			}
			line = append(line, `,"result_count":`...)
			line = strconv.AppendInt(line, int64(n), 10)
		} else {
			line = append(line, `,"item_id":"`...)
			line = append(line, items[zipf.Uint64()]...)
			line = append(line, '"')
		}
		line = append(line, `,"session_id":"s-`...)
		line = strconv.AppendUint(line, uint64(user)*1_000_003+uint64(ts/1_800_000_000), 16)
		line = append(line, `","platform":"`...)
		line = append(line, platforms[(user/3)%len(platforms)]...)
		line = append(line, `"}`...)
		if cfg.BadEvery > 0 && i%cfg.BadEvery == cfg.BadEvery-1 {
			line = corrupt(line, int(i/cfg.BadEvery))
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func pickEvent(f float64) string {
	switch {
	case f < 0.60:
		return catalog.EventView
	case f < 0.75:
		return catalog.EventClick
	case f < 0.90:
		return catalog.EventSearch
	case f < 0.96:
		return catalog.EventLike
	default:
		return catalog.EventBook
	}
}

// corrupt damages a line in one of four ways, chosen by k.
func corrupt(line []byte, k int) []byte {
	switch k % 4 {
	case 0: // broken JSON
		return line[:len(line)/2]
	case 1: // unknown event type
		return []byte(`{"ts":"2026-11-20T10:00:00Z","user_id":1,"age_group":"20s","gender":"F","event":"purchase","item_id":"x","session_id":"s","platform":"web"}`)
	case 2: // missing ts
		return []byte(`{"user_id":1,"age_group":"20s","gender":"F","event":"view","item_id":"x","session_id":"s","platform":"web"}`)
	default: // bad age group
		return []byte(`{"ts":"2026-11-20T10:00:00Z","user_id":1,"age_group":"70s","gender":"F","event":"view","item_id":"x","session_id":"s","platform":"web"}`)
	}
}
