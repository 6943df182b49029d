package recommend

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"marquee/recommend/releasegen"
)

// TestDecodeFileReleaseMatchesJSONv2 decodes generated release lines and
// mutations of them (escapes, other members of every JSON type, other
// spellings of the names, repeats, nulls, white space, invalid UTF-8,
// broken JSON) with decodeFileRelease and with jsonv2.Unmarshal: the same
// release, or an error from both. It also checks that the plain lines take
// the fast path.
func TestDecodeFileReleaseMatchesJSONv2(t *testing.T) {
	rs := releasegen.Generate(releasegen.Options{N: 400, Seed: 9})
	var lines []string
	for i := range rs {
		b, err := json.Marshal(&rs[i])
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	for i, l := range lines {
		var r fileRelease
		if !decodeReleaseFast([]byte(l), &r) {
			t.Fatalf("line %d not on the fast path: %s", i, l)
		}
	}
	muts := []func(string, *rand.Rand) string{
		func(l string, _ *rand.Rand) string {
			return strings.Replace(l, `"title":"`, `"title":"a\"b\\c\/d\n\u00e9\uD55C`, 1)
		},
		func(l string, _ *rand.Rand) string {
			return strings.Replace(l, `"title":"`, `"title":"\ud83c\udfad`, 1)
		},
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"title":"`, `"title":"\ud83c`, 1) },
		func(l string, _ *rand.Rand) string {
			return strings.Replace(l, `{`, `{"price":-12.5e+3,"seats":0,"ok":true,"no":false,"x":null,"o":{"a":[1,{"b":"c"}],"d":[]},"e":[],`, 1)
		},
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"id":`, `"ID":`, 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"end_date":`, `"endDate":`, 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"end_date":`, `"End-Date":`, 1) },
		func(l string, _ *rand.Rand) string {
			return strings.Replace(l, `{`, `{"title":"먼저","genres":["a"],`, 1)
		},
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"venue":"`, `"venue":null,"v":"`, 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"cast":[`, `"cast":[null,`, 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"genres":[`, `"genres":null,"g":[`, 1) },
		func(l string, _ *rand.Rand) string { return " \t" + strings.ReplaceAll(l, `,"`, " ,\r\n\"") + " " },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"title":"`, "\"title\":\"\xff", 1) },
		func(l string, r *rand.Rand) string { return l[:r.IntN(len(l))] },
		func(l string, _ *rand.Rand) string { return l + "x" },
		func(l string, _ *rand.Rand) string {
			return strings.Replace(l, `"end_date":"`, `"end_date":"2026-13-`, 1)
		},
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"updated_at":"`, `"updated_at":"x`, 1) },
		func(l string, _ *rand.Rand) string {
			return strings.Replace(l, `"updated_at":"`, `"updated_at":"2026-11-27T09:00:00+09:00","u":"`, 1)
		},
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `{`, `{"n":01,`, 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `{`, `{"n":1.,`, 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `{`, `{"n":tru,`, 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `"title":"`, "\"title\":\"\t", 1) },
		func(l string, _ *rand.Rand) string { return strings.Replace(l, `{`, `{"a":[1,2,,`, 1) },
		func(l string, _ *rand.Rand) string { return `{}` },
		func(l string, _ *rand.Rand) string { return `[]` },
	}
	rng := rand.New(rand.NewPCG(5, 6))
	fast := 0
	for mi, mut := range muts {
		for i, l := range lines[:50] {
			in := mut(l, rng)
			var got, want fileRelease
			gerr := decodeFileRelease([]byte(in), &got)
			werr := jsonv2.Unmarshal([]byte(in), &want, fileJSON)
			if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
				t.Fatalf("mutation %d, line %d: error %v, jsonv2 %v\n%s", mi, i, gerr, werr, in)
			}
			if gerr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("mutation %d, line %d:\n got %+v\nwant %+v\n%s", mi, i, got, want, in)
			}
			var r fileRelease
			if decodeReleaseFast([]byte(in), &r) {
				fast++
			}
		}
	}
	if fast == 0 {
		t.Error("no mutated line took the fast path")
	}
}
