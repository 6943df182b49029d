package load

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"marquee/internal/catalog"
)

// checkDecodeRaw fails when decodeRaw and json.Unmarshal disagree on line.
func checkDecodeRaw(t *testing.T, line []byte) {
	t.Helper()
	var want, got catalog.RawRecord
	werr := json.Unmarshal(line, &want)
	gerr := decodeRaw(line, &got, nil)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%q: error %v, json.Unmarshal %v", line, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", line, got, want)
	}
	// With a reused map, left with entries by an earlier line.
	reused := map[string]string{"stale": "x"}
	var again catalog.RawRecord
	aerr := decodeRaw(line, &again, reused)
	if fmt.Sprint(aerr) != fmt.Sprint(werr) || !reflect.DeepEqual(again, want) {
		t.Fatalf("%q with a reused map:\n got %#v, %v\nwant %#v, %v", line, again, aerr, want, werr)
	}
}

func fixtureLines(t *testing.T) [][]byte {
	t.Helper()
	files, _ := filepath.Glob("../testdata/raw/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no fixtures in etl/testdata/raw")
	}
	var out [][]byte
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			out = append(out, append([]byte(nil), sc.Bytes()...))
		}
		fh.Close()
	}
	return out
}

func TestDecodeRaw_SameAsEncodingJSON(t *testing.T) {
	lines := fixtureLines(t)
	lines = append(lines, [][]byte{
		[]byte(`{"source":"nol","source_id":"1","kind":"movie","url":"https://x/1?a=1\u0026b=2","fetched_at":"2026-11-22T01:00:00.003Z","render":"static","fields":{"title":"\u003c레미제라블\u003e \"A\" \\ \/ \b\f\n\r\t","venue":"세종\u00a0문화회관"},"content_hash":""}`),
		[]byte(` { "source" : "nol" , "fields" : { } } `),
		[]byte(`{}`),
		[]byte(`{"fields":{"a":"1","a":"2"}}`),
		[]byte(`{"source":"a","source":"b"}`),
		[]byte(`{"Source":"a"}`),
		[]byte(`{"source":"a","extra":1}`),
		[]byte(`{"source":null}`),
		[]byte(`{"fields":null}`),
		[]byte(`{"fields":{"a":null}}`),
		[]byte(`{"fields":{"a":1}}`),
		[]byte(`{"source":1}`),
		[]byte(`{"fetched_at":"yesterday"}`),
		[]byte(`{"fetched_at":null}`),
		[]byte(`{"fetched_at":"2026-11-22T01:00:00+09:00"}`),
		[]byte(`{"source":"\ud83c\udfad"}`),
		[]byte(`{"source":"\ud83c"}`),
		[]byte(`{"source":"\u00zz"}`),
		[]byte(`{"source":"a\x01"}`),
		[]byte("{\"source\":\"\xff\xfe\"}"),
		[]byte("{\"fields\":{\"t\":\"\xed\xa0\x80\"}}"),
		[]byte(`{"source":"a"} x`),
		[]byte(`{"source":"a"}{}`),
		[]byte(`{"source":"a",}`),
		[]byte(`{"source":"a"`),
		[]byte(`{"source":"a`),
		[]byte(`{"jsonld":[{"@type":"Event","name":"x"}],"source":"a"}`),
		[]byte(`[]`),
		[]byte(`null`),
		[]byte(``),
		[]byte(`{"source":"nol","source_id":"bad-1","kind":"movie","fields":{"title":"`),
	}...)
	for _, l := range lines {
		checkDecodeRaw(t, l)
		// Every prefix: cut lines are what a crash leaves.
		for i := 0; i < len(l); i += 7 {
			checkDecodeRaw(t, l[:i])
		}
	}
}

func FuzzDecodeRaw(f *testing.F) {
	f.Add([]byte(`{"source":"nol","source_id":"1","kind":"movie","fields":{"title":"A \u0026 B"}}`))
	f.Add([]byte(strings.Repeat(" ", 3) + `{"fields":{}}`))
	f.Fuzz(func(t *testing.T, line []byte) { checkDecodeRaw(t, line) })
}

func TestDecodeRaw_FastPathTakesCrawlLines(t *testing.T) {
	n := 0
	for _, l := range fixtureLines(t) {
		if strings.Contains(string(l), `"jsonld"`) {
			continue
		}
		var r catalog.RawRecord
		if !decodeRawFast(l, &r, nil) {
			t.Errorf("fast path refused %s", l)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no fixture without JSON-LD")
	}
}

func BenchmarkDecodeRaw(b *testing.B) {
	line := []byte(`{"source":"nol","source_id":"nol-0000003","kind":"performance","url":"https://nol.example.kr/p/3","fetched_at":"2026-11-22T01:00:00.003Z","render":"static","fields":{"address":"광주광역시 북구 북문대로 60","age_rating":"만 7세 이상","cast":"김우형, 현빈, 아이유 등","date_text":"2026.12.03 ~ 2027.01.11","description":"맘마미아의 새로운 무대. 맘마미아의 새로운 무대. ","genres":"클래식","poster_url":"/img/nol/3.jpg","price":"VIP석 169,000원 / R석 119,000원 / S석 94,000원","runtime":"약 179분 (인터미션 20분 포함)","title":"연극 〈지킬앤하이드〉 3","venue":"광주문화예술회관 대극장"},"content_hash":""}`)
	fields := map[string]string{}
	b.Run("scanner", func(b *testing.B) {
		for b.Loop() {
			var r catalog.RawRecord
			if err := decodeRaw(line, &r, fields); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			var r catalog.RawRecord
			if err := json.Unmarshal(line, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
