// Command loadbench is the load-mongo benchmark's helper: it generates
// seeded Korean raw records into a lake (gen), runs the peer loader — one
// worker, ordered bulk batches of ReplaceOne upserts, the shape of
// mongoimport --mode upsert, with the same normalisation as marquee (peer) —
// prints comparable statistics of a loaded collection (stats), and drops a
// benchmark database (drop).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"marquee/etl/normalize"
	"marquee/internal/catalog"
	"marquee/internal/mongo"
	"marquee/lake"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadbench gen|peer|stats|drop [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "peer":
		err = peer(os.Args[2:])
	case "stats":
		err = stats(os.Args[2:])
	case "drop":
		err = drop(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

var (
	sources = []string{"nol", "ticketlink", "cinema"}
	venues  = []struct{ name, addr string }{
		{"블루스퀘어 신한카드홀", "서울특별시 용산구 이태원로 294"}, {"세종문화회관 대극장", ""}, {"부산 드림씨어터", "부산광역시 남구 전포대로 133"},
		{"대구 계명아트센터", ""}, {"KSPO DOME", "서울 송파구 올림픽로 424"}, {"고양아람누리 아람극장", "경기도 고양시 일산동구 중앙로 1286"},
		{"대전예술의전당 아트홀", ""}, {"광주문화예술회관 대극장", "광주광역시 북구 북문대로 60"}, {"제주아트센터", "제주특별자치도 제주시 오남로 231"},
		{"창원성산아트홀", ""}, {"Tokyo Dome", "Tokyo, Japan"},
	}
	genres  = []string{"뮤지컬", "연극", "콘서트", "클래식", "무용", "국악", "아동/가족", "드라마, 멜로/로맨스", "액션, 스릴러", "애니메이션"}
	words   = []string{"레미제라블", "햄릿", "오페라의 유령", "지킬앤하이드", "캣츠", "맘마미아", "시카고", "위키드", "호두까기 인형", "백조의 호수", "하얼빈", "서울의 봄", "파묘", "범죄도시"}
	people  = []string{"민우혁", "최재림", "김우형", "조승우", "옥주현", "홍광호", "아이유", "박보검", "현빈", "손예진", "정보석", "이승주"}
	ratings = []string{"전체관람가", "만 7세 이상", "12세이상관람가", "15세 이상", "청소년관람불가", "8세이상 관람가능", "36개월 이상"}
	badges  = []string{"", "", "", "[단독판매] ", "[조기예매] ", "(재개봉) "}
)

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fs.Int("n", 10000, "raw records")
	seed := fs.Uint64("seed", 42, "random seed")
	dir := fs.String("lake", "", "lake directory")
	date := fs.String("date", "2026-11-22", "logical date")
	bad := fs.Float64("bad", 0.005, "share of malformed records")
	_ = fs.Parse(args)
	d, err := catalog.ParseDate(*date)
	if err != nil {
		return err
	}
	st, err := lake.NewLocalStore(*dir)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15))
	ctx := context.Background()
	fetched := d.Time(time.UTC).Add(time.Hour)
	writers := map[string]*lake.JSONLWriter{}
	pws := map[string]*lake.PartitionWriter{}
	for _, s := range sources {
		pw := lake.NewPartitionWriter(st, lake.PartitionPath(lake.ZoneRawReleases+"/source="+s, d), "crawl", "bench", time.Now)
		pws[s], writers[s] = pw, lake.NewJSONLWriter(ctx, pw)
	}
	for i := 0; i < *n; i++ {
		src := sources[i%len(sources)]
		if rng.Float64() < *bad {
			if err := writers[src].WriteLine([]byte(fmt.Sprintf(`{"source":%q,"source_id":"bad-%d","kind":"movie","fields":{"title":"`, src, i))); err != nil {
				return err
			}
			continue
		}
		id := i
		if i > 10 && rng.Float64() < 0.01 { // the same item crawled twice: the later one wins
			id = i - len(sources)
		}
		r := record(rng, src, id, fetched.Add(time.Duration(i)*time.Millisecond))
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := writers[src].WriteLine(b); err != nil {
			return err
		}
	}
	for _, s := range sources {
		if err := writers[s].Close(); err != nil {
			return err
		}
		if _, err := pws[s].Commit(ctx, lake.CommitOptions{}); err != nil {
			return err
		}
	}
	return nil
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func record(rng *rand.Rand, src string, i int, fetched time.Time) catalog.RawRecord {
	v := pick(rng, venues)
	kind := catalog.KindPerformance
	if src == "cinema" {
		kind = catalog.KindMovie
	} else if rng.IntN(10) == 0 {
		kind = catalog.KindExhibition
	}
	start := catalog.Date{Year: 2026, Month: time.Month(11 + rng.IntN(2)), Day: 1 + rng.IntN(28)}
	f := map[string]string{
		"title":       fmt.Sprintf("%s%s 〈%s〉 %d", pick(rng, badges), pick(rng, []string{"뮤지컬", "연극", "", "콘서트"}), pick(rng, words), i),
		"venue":       v.name,
		"address":     v.addr,
		"age_rating":  pick(rng, ratings),
		"genres":      pick(rng, genres),
		"cast":        strings.Join([]string{pick(rng, people), pick(rng, people), pick(rng, people)}, ", ") + " 등",
		"runtime":     fmt.Sprintf("약 %d분 (인터미션 20분 포함)", 80+rng.IntN(100)),
		"poster_url":  fmt.Sprintf("/img/%s/%d.jpg", src, i),
		"description": strings.Repeat(pick(rng, words)+"의 새로운 무대. ", 1+rng.IntN(5)),
	}
	switch rng.IntN(4) {
	case 0:
		f["start_date"] = start.String()
		f["end_date"] = start.AddDays(30 + rng.IntN(60)).String()
	case 1:
		f["date_text"] = fmt.Sprintf("%d.%02d.%02d ~ %d.%02d.%02d", start.Year, start.Month, start.Day, 2027, 1+rng.IntN(2), 1+rng.IntN(28))
	case 2:
		f["date_text"] = fmt.Sprintf("%d월 %d일 (토) 19:30", start.Month, start.Day)
	default:
		f["start_date"] = fmt.Sprintf("%d년 %d월 %d일", start.Year, start.Month, start.Day)
	}
	if kind == catalog.KindMovie {
		f["release_date"] = f["start_date"]
		f["platforms"] = "CGV, 롯데시네마, 메가박스"
		f["price"] = ""
	} else {
		f["price"] = fmt.Sprintf("VIP석 %d,000원 / R석 %d,000원 / S석 %d,000원", 150+rng.IntN(50), 100+rng.IntN(50), 50+rng.IntN(50))
	}
	return catalog.RawRecord{Source: src, SourceID: fmt.Sprintf("%s-%07d", src, i), Kind: kind,
		URL: fmt.Sprintf("https://%s.example.kr/p/%d", src, i), FetchedAt: fetched, Render: catalog.RenderStatic, Fields: f}
}

func connect(uri string) (*driver.Client, error) {
	return driver.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
}

// peer loads like mongoimport --mode upsert: one worker reads every raw
// line, normalises it (the same normaliser as marquee, so the documents are
// equal), and sends ordered bulk writes of ReplaceOne upserts, batch by batch.
func peer(args []string) error {
	fs := flag.NewFlagSet("peer", flag.ExitOnError)
	dir := fs.String("lake", "", "lake directory")
	date := fs.String("date", "2026-11-22", "logical date")
	uri := fs.String("uri", "", "MongoDB URI")
	db := fs.String("db", "", "database")
	batch := fs.Int("batch", 1000, "documents per ordered bulk write")
	_ = fs.Parse(args)
	d, err := catalog.ParseDate(*date)
	if err != nil {
		return err
	}
	loc, _ := time.LoadLocation("Asia/Seoul")
	st, err := lake.NewLocalStore(*dir)
	if err != nil {
		return err
	}
	cl, err := connect(*uri)
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer cl.Disconnect(ctx)
	coll := cl.Database(*db).Collection(mongo.ReleasesCollection)
	if _, err := coll.Indexes().CreateOne(ctx, driver.IndexModel{Keys: bson.D{{Key: "source", Value: 1}, {Key: "source_id", Value: 1}},
		Options: options.Index().SetUnique(true)}); err != nil {
		return err
	}
	var models []driver.WriteModel
	flush := func() error {
		if len(models) == 0 {
			return nil
		}
		_, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(true))
		models = models[:0]
		return err
	}
	now := time.Now().UTC()
	var loaded, skipped int
	for _, s := range sources {
		err := lake.ScanPartition(ctx, st, lake.PartitionPath(lake.ZoneRawReleases+"/source="+s, d), func(_ lake.Origin, line []byte, lerr error) error {
			var raw catalog.RawRecord
			if lerr != nil || json.Unmarshal(line, &raw) != nil {
				skipped++
				return nil
			}
			r, _, err := normalize.Release(&raw, normalize.Options{Ref: d, Loc: loc})
			if err != nil {
				skipped++
				return nil
			}
			r.ContentHash = normalize.ContentHash(r)
			r.UpdatedAt = now
			models = append(models, driver.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: r.ID}}).
				SetReplacement(mongo.ReleaseDocument(r)).SetUpsert(true))
			loaded++
			if len(models) >= *batch {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "peer: %d documents upserted, %d lines skipped\n", loaded, skipped)
	return nil
}

// stats prints a line that two equal collections share: count, per-kind and
// per-region counts, the sum of all price amounts, and a digest of the
// sorted (id, content_hash) pairs.
func stats(args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	uri := fs.String("uri", "", "MongoDB URI")
	db := fs.String("db", "", "database")
	_ = fs.Parse(args)
	cl, err := connect(*uri)
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer cl.Disconnect(ctx)
	store := mongo.NewReleaseStore(cl.Database(*db), "")
	var n, amount int64
	kinds, regions := map[string]int{}, map[string]int{}
	h := sha256.New()
	err = store.EachRelease(ctx, time.Time{}, func(r *catalog.Release) error {
		n++
		kinds[string(r.Kind)]++
		regions[r.Region]++
		for _, p := range r.Prices {
			amount += p.Amount
		}
		fmt.Fprintf(h, "%s %s\n", r.ID, r.ContentHash)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("count=%d price_sum=%d kinds=%s regions=%s digest=%s\n", n, amount, kv(kinds), kv(regions), hex.EncodeToString(h.Sum(nil))[:16])
	return nil
}

func kv(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", k, m[k]))
	}
	return strings.Join(parts, ",")
}

func drop(args []string) error {
	fs := flag.NewFlagSet("drop", flag.ExitOnError)
	uri := fs.String("uri", "", "MongoDB URI")
	db := fs.String("db", "", "database")
	_ = fs.Parse(args)
	cl, err := connect(*uri)
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer cl.Disconnect(ctx)
	return cl.Database(*db).Drop(ctx)
}
