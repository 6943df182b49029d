package normalize

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"marquee/internal/catalog"
)

var seoul = mustLoc("Asia/Seoul")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return l
}

func d(y, m, day int) catalog.Date { return catalog.Date{Year: y, Month: time.Month(m), Day: day} }

func TestDates(t *testing.T) {
	ref := d(2026, 11, 22)
	tests := []struct {
		name    string
		in      string
		ref     catalog.Date
		want    DateRange
		wantErr error
	}{
		{"dotted", "2026.11.22", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"dotted with trailing dot and spaces", "2026. 11. 22.", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"iso", "2026-11-22", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"slashes", "2026/11/22", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"compact", "20261122", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"korean", "2026년 11월 22일", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"korean without spaces", "2026년11월22일", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"month.day with weekday takes the logical year", "11.22(토)", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"korean month day", "12월 3일 (목)", ref, DateRange{Start: d(2026, 12, 3)}, nil},
		{"january read in december rolls to next year", "01.05(화)", d(2026, 12, 20), DateRange{Start: d(2027, 1, 5)}, nil},
		{"december read in january stays in the past year", "12.28", d(2027, 1, 3), DateRange{Start: d(2026, 12, 28)}, nil},
		{"range", "2026.11.01 ~ 2026.12.31", ref, DateRange{Start: d(2026, 11, 1), End: d(2026, 12, 31)}, nil},
		{"range with hyphen", "2026.11.01 - 2026.12.31", ref, DateRange{Start: d(2026, 11, 1), End: d(2026, 12, 31)}, nil},
		{"range with fullwidth tilde", "2026.11.01～2027.01.31", ref, DateRange{Start: d(2026, 11, 1), End: d(2027, 1, 31)}, nil},
		{"range end without year crosses new year", "2026.12.28 ~ 01.05", ref, DateRange{Start: d(2026, 12, 28), End: d(2027, 1, 5)}, nil},
		{"korean range", "2026년 11월 1일 ~ 12월 31일", ref, DateRange{Start: d(2026, 11, 1), End: d(2026, 12, 31)}, nil},
		{"open ended range", "2026.11.01 ~", ref, DateRange{Start: d(2026, 11, 1)}, nil},
		{"date and time keeps the date", "2026.11.22(토) 19:30", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"utc timestamp becomes the seoul date", "2026-11-22T20:00:00Z", ref, DateRange{Start: d(2026, 11, 23)}, nil},
		{"offset timestamp", "2026-11-22T19:30:00+09:00", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"local timestamp", "2026-11-22T19:30", ref, DateRange{Start: d(2026, 11, 22)}, nil},
		{"bare time is an unknown date", "19:30", ref, DateRange{}, nil},
		{"개봉예정 is unknown", "개봉예정", ref, DateRange{}, nil},
		{"미정 is unknown", "미정", ref, DateRange{}, nil},
		{"TBA is unknown", "TBA", ref, DateRange{}, nil},
		{"empty is unknown", "  ", ref, DateRange{}, nil},
		{"words are unparsed", "곧 만나요", ref, DateRange{}, ErrUnparsed},
		{"month 13 is absurd", "2026.13.01", ref, DateRange{}, ErrAbsurdDate},
		{"30 february is absurd", "2026-02-30", ref, DateRange{}, ErrAbsurdDate},
		{"year 9999 is absurd", "9999-12-31", ref, DateRange{}, ErrAbsurdDate},
		{"year 0001 is absurd", "0001-01-01", ref, DateRange{}, ErrAbsurdDate},
		{"range ending before it starts is absurd", "2026.12.31 ~ 2025.01.01", ref, DateRange{}, ErrAbsurdDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Dates(tc.in, tc.ref, seoul)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Dates(%q) err = %v, want %v", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dates(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("Dates(%q) = %v..%v, want %v..%v", tc.in, got.Start, got.End, tc.want.Start, tc.want.End)
			}
		})
	}
}

func TestPrices(t *testing.T) {
	krw := func(g string, n int64) catalog.Price { return catalog.Price{Grade: g, Amount: n, Currency: "KRW"} }
	tests := []struct {
		name    string
		in      string
		want    []catalog.Price
		wantErr bool
	}{
		{"all seats", "전석 55,000원", []catalog.Price{krw("전석", 55000)}, false},
		{"grades split by slash", "VIP석 150,000원 / R석 120,000원", []catalog.Price{krw("VIP석", 150000), krw("R석", 120000)}, false},
		{"grades split by comma", "R석 99,000원, S석 77,000원, A석 55,000원", []catalog.Price{krw("R석", 99000), krw("S석", 77000), krw("A석", 55000)}, false},
		{"free", "무료", []catalog.Price{krw("전석", 0)}, false},
		{"free with words", "무료 (사전예약 필수)", []catalog.Price{krw("전석", 0)}, false},
		{"won sign without grade", "₩55,000", []catalog.Price{krw("전석", 55000)}, false},
		{"man won", "일반 5만 5천원", []catalog.Price{krw("일반", 55000)}, false},
		{"dollars", "General $25", []catalog.Price{{Grade: "General", Amount: 25, Currency: "USD"}}, false},
		{"floor number is part of the grade", "1층 R석 130,000원", []catalog.Price{krw("1층 R석", 130000)}, false},
		{"empty", "", nil, false},
		{"bare amount from an API", "19000", []catalog.Price{krw("전석", 19000)}, false},
		{"bare zero", "0", []catalog.Price{krw("전석", 0)}, false},
		{"no amount", "가격 문의", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Prices(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Prices(%q) err = %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Prices(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestAgeRating(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"전체관람가", "ALL", false},
		{"전체 관람가", "ALL", false},
		{"12세이상관람가", "12", false},
		{"12세 이상 관람가", "12", false},
		{"15세 이상", "15", false},
		{"15세이상관람가", "15", false},
		{"청소년관람불가", "19", false},
		{"청소년 관람불가", "19", false},
		{"만 7세 이상", "7", false},
		{"만 19세 이상", "19", false},
		{"8세 이상 관람가", "12", false},
		{"36개월 이상", "ALL", false},
		{"18+", "19", false},
		{"PG-13", "12", false},
		{"", "", false},
		{"관람 등급 확인 필요", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := AgeRating(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("AgeRating(%q) err = %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("AgeRating(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRegion(t *testing.T) {
	tests := []struct {
		name, venue, address, want string
	}{
		{"seoul address", "", "서울특별시 종로구 세종대로 175", Seoul},
		{"short seoul address", "", "서울 용산구 이태원로 294", Seoul},
		{"postcode first", "", "(우)06757 서울특별시 서초구 남부순환로 2406", Seoul},
		{"gyeonggi", "", "경기도 고양시 일산서구 킨텍스로 217-60", Gyeonggi},
		{"city without province", "", "수원시 팔달구 효원로 307", Gyeonggi},
		{"busan", "", "부산광역시 해운대구 APEC로 55", Busan},
		{"gangwon old name", "", "강원도 춘천시 중앙로 1", Gangwon},
		{"jeonbuk old name", "", "전라북도 전주시 덕진구 소리로 31", Jeonbuk},
		{"sejong city", "", "세종특별자치시 한누리대로 2130", Sejong},
		{"jeju", "", "제주특별자치도 제주시 선덕로 23", Jeju},
		{"gwangju metropolitan", "", "광주광역시 서구 내방로 111", Gwangju},
		{"sejong center is in seoul", "세종문화회관 대극장", "", Seoul},
		{"daejeon arts center is not the seoul one", "대전예술의전당 아트홀", "", Daejeon},
		{"seoul arts center", "예술의전당 오페라극장", "", Seoul},
		{"venue with city name", "창원성산아트홀 대극장", "", Gyeongnam},
		{"known arena", "KSPO DOME", "", Seoul},
		{"tokyo", "Tokyo Dome", "", Overseas},
		{"japanese address", "", "일본 도쿄도 분쿄구 고라쿠 1-3-61", Overseas},
		{"english korean address", "", "Seoul, South Korea", Seoul},
		{"unknown", "소극장 하늘", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Region(tc.venue, tc.address); got != tc.want {
				t.Errorf("Region(%q, %q) = %q, want %q", tc.venue, tc.address, got, tc.want)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name, in, want string
		tags           []string
	}{
		{"badge stripped into tags", "[단독판매] 뮤지컬 〈레미제라블〉", "뮤지컬 〈레미제라블〉", []string{"단독판매"}},
		{"re-release", "이터널 선샤인 (재개봉)", "이터널 선샤인", []string{"재개봉"}},
		{"two badges", "[조기예매] [단독] 2026 아이유 콘서트 〈HEREH〉", "2026 아이유 콘서트 〈HEREH〉", []string{"조기예매", "단독"}},
		{"whitespace collapsed", "  연극\u3000 〈햄릿〉\n", "연극 〈햄릿〉", nil},
		{"nfd becomes nfc", "\u1112\u1162\u11b7\u1105\u1175\u11ba", "햄릿", nil},
		{"non-badge brackets stay", "오페라의 유령 (The Phantom of the Opera)", "오페라의 유령 (The Phantom of the Opera)", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, tags := Title(tc.in)
			if got != tc.want || !reflect.DeepEqual(tags, tc.tags) {
				t.Errorf("Title(%q) = %q %q, want %q %q", tc.in, got, tags, tc.want, tc.tags)
			}
		})
	}
}

func TestGenres(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		unknown []string
	}{
		{"드라마, 멜로/로맨스", []string{"drama", "romance"}, nil},
		{"뮤지컬", []string{"musical"}, nil},
		{"Musical", []string{"musical"}, nil},
		{"콘서트 | 힙합", []string{"concert"}, nil},
		{"아동/가족", []string{"family"}, nil},
		{"SF, 액션, 어드벤처", []string{"sf", "action", "adventure"}, nil},
		{"드라마, 기타장르", []string{"drama"}, []string{"기타장르"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, unknown := Genres(tc.in)
			if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(unknown, tc.unknown) {
				t.Errorf("Genres(%q) = %v %v, want %v %v", tc.in, got, unknown, tc.want, tc.unknown)
			}
		})
	}
}

func TestRuntime(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"120분", 120, false},
		{"2시간 30분", 150, false},
		{"약 150분 (인터미션 20분 포함)", 150, false},
		{"3시간", 180, false},
		{"PT2H10M", 130, false},
		{"PT95M", 95, false},
		{"130 min", 130, false},
		{"120", 120, false},
		{"", 0, false},
		{"미정", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Runtime(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("Runtime(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"민우혁, 최재림 등", []string{"민우혁", "최재림"}},
		{"아이유 / 박보검 · 이지은", []string{"아이유", "박보검", "이지은"}},
		{"Timothée Chalamet, Zendaya", []string{"Timothée Chalamet", "Zendaya"}},
		{"김철수, 김철수", []string{"김철수"}},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := List(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("List(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPlatforms(t *testing.T) {
	got := Platforms("CGV, 롯데시네마, megabox, 넷플릭스, 디즈니+")
	want := []string{"CGV", "롯데시네마", "메가박스", "Netflix", "Disney+"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Platforms = %q, want %q", got, want)
	}
}
