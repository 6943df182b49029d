// Package releasegen generates realistic Korean release catalogs, seeded and
// deterministic, for compute-similar's tests and benchmark: productions
// (title, cast, genres) that tour several cities, so the right neighbours
// of a release are obvious (same show, another city or date).
package releasegen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"marquee/internal/catalog"
)

var (
	titleWords = strings.Fields(`사랑 별 밤 여름 겨울 봄 가을 기억 시간 바다 도시 노래 꿈 그대 마지막 첫 우리 비밀 정원 편지
		달빛 햇살 바람 구름 약속 여행 소년 소녀 왕 여왕 전설 영웅 거리 골목 학교 집 창문 하늘 눈물 웃음 청춘 인생 운명 기적
		고백 이별 만남 축제 무대 그림자 거울 시계 열쇠 문 숲 강 섬 산 길 마을 궁전 극장 카페 서점 기차 역 항구 등대 우주 행성
		빛 어둠 불꽃 얼음 노을 새벽 오후 자정 파도 모래 장미 벚꽃 나비 고양이 호랑이 늑대 용 천사 악마 마법 비행 탐정 유령`)
	titleEnglish = strings.Fields(`Love Night Dream Star Road City Home Light Shadow Heart Legend Hero Secret Garden Letter Moon
		Sun Rain Snow Ocean River Island Forest Journey Memory Time Song Dance Fire Ice Spring Summer Winter Autumn`)
	famous = []string{"레미제라블", "오페라의 유령", "캣츠", "맘마미아", "위키드", "지킬 앤 하이드", "시카고", "헤드윅",
		"엘리자벳", "모차르트", "노트르담 드 파리", "드라큘라", "프랑켄슈타인", "웃는 남자", "마타하리", "빨래", "명성황후",
		"영웅", "서편제", "베르테르", "레베카", "팬텀", "아이다", "라이온 킹", "렌트", "킹키부츠", "스위니 토드", "햄릿", "맥베스"}
	surnames = strings.Fields("김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 홍 전 고 문 양 손 배 백 허 유 남")
	given    = strings.Fields(`민준 서연 지호 서윤 도윤 하은 예준 지우 시우 수아 주원 지민 하준 윤서 지훈 채원 건우 다은 현우 은서
		우진 예은 선우 수빈 연우 지아 정우 소율 승현 하린 준서 예린 민재 가은 현준 서현 은우 나은 태윤 유진 재현 은지 동현 혜원
		승민 수진 영호 미경 성민 정희 상훈 은영 재원 미진 태희 경수 보영 진우 소연 준혁 혜진 형준 다현 인성 지영 석진 윤아`)
	artists = []string{"BTS", "아이유", "세븐틴", "뉴진스", "임영웅", "블랙핑크", "NCT 127", "스트레이 키즈", "트와이스",
		"조성진", "손열음", "서울시립교향악단", "KBS교향악단", "국립창극단", "국립발레단", "유니버설발레단", "잔나비", "검정치마",
		"10CM", "데이식스", "악뮤", "성시경", "이소라", "Coldplay", "Taylor Swift", "Ed Sheeran", "Bruno Mars", "Oasis"}
	kindGenres = map[catalog.Kind][]string{
		catalog.KindPerformance: {"뮤지컬", "연극", "콘서트", "클래식", "오페라", "무용", "국악", "아동", "대중음악", "발레"},
		catalog.KindMovie:       {"드라마", "액션", "코미디", "스릴러", "로맨스", "애니메이션", "SF", "공포", "다큐멘터리", "판타지", "범죄"},
		catalog.KindSports:      {"축구", "야구", "농구", "배구", "e스포츠", "골프", "테니스", "격투기"},
		catalog.KindExhibition:  {"미술", "사진", "미디어아트", "역사", "과학", "디자인", "공예", "건축"},
	}
	cities = []struct{ city, region string }{
		{"서울", "서울특별시"}, {"부산", "부산광역시"}, {"대구", "대구광역시"}, {"인천", "인천광역시"}, {"광주", "광주광역시"},
		{"대전", "대전광역시"}, {"울산", "울산광역시"}, {"세종", "세종특별자치시"}, {"수원", "경기도"}, {"성남", "경기도"},
		{"고양", "경기도"}, {"춘천", "강원특별자치도"}, {"청주", "충청북도"}, {"천안", "충청남도"}, {"전주", "전북특별자치도"},
		{"여수", "전라남도"}, {"포항", "경상북도"}, {"창원", "경상남도"}, {"제주", "제주특별자치도"},
	}
	venueTypes = map[catalog.Kind][]string{
		catalog.KindPerformance: {"예술의전당", "문화예술회관", "아트센터", "시민회관", "드림씨어터", "블루스퀘어", "아트홀", "소극장", "콘서트홀", "체육관"},
		catalog.KindMovie:       {"CGV", "롯데시네마", "메가박스", "씨네Q", "독립영화관"},
		catalog.KindSports:      {"월드컵경기장", "야구장", "실내체육관", "종합운동장", "e스포츠경기장"},
		catalog.KindExhibition:  {"미술관", "박물관", "갤러리", "아트센터", "전시컨벤션센터"},
	}
	tagWords  = strings.Fields("가족 데이트 내한 초연 앙코르 할인 어린이 커플 단독 기획 앵콜 연말 주말 얼리버드 오리지널 라이선스 창작 프리뷰 막공 첫공")
	descWords = strings.Fields(`감동 무대 관객 이야기 음악 연출 배우 공연 작품 최고 화제 시즌 다시 돌아온 함께 특별한 순간 잊지 못할 선사 만나다
		새로운 해석 웅장한 화려한 섬세한 깊은 여운 웃음 눈물 가득 세계 무대 오리지널 캐스트 국내 최초 흥행 기록 관람 추천 전석 매진 예매 오픈`)
	// syllables make invented names (people, characters, places, venues):
	// 14 initials × 11 vowels × 7 finals = 1,078 common-looking syllables,
	// so the bigram vocabulary keeps growing with the catalog as a real
	// one does (names are far more varied than any word list).
	syllables = func() []rune {
		var out []rune
		for _, i := range []int{0, 2, 3, 5, 6, 7, 9, 11, 12, 14, 15, 16, 17, 18} {
			for _, v := range []int{0, 1, 4, 5, 6, 8, 12, 13, 17, 18, 20} {
				for _, f := range []int{0, 1, 4, 8, 16, 17, 21} {
					out = append(out, rune(0xAC00+(i*21+v)*28+f))
				}
			}
		}
		return out
	}()
	platforms = []string{"CGV", "롯데시네마", "메가박스", "넷플릭스", "티빙", "웨이브", "디즈니플러스", "쿠팡플레이", "왓챠"}
)

// Options sizes a generated catalog.
type Options struct {
	N    int          // releases
	Seed uint64       // same seed, same catalog
	Date catalog.Date // logical date; about 8% of releases ended before it
}

type production struct {
	kind    catalog.Kind
	title   string
	orig    string
	genres  []string
	cast    []string
	artists []string
	tags    []string
	desc    []string
}

// Generate returns opts.N releases in a deterministic order (not id order).
func Generate(opts Options) []catalog.Release {
	out := make([]catalog.Release, 0, opts.N)
	Each(opts, func(r *catalog.Release) { out = append(out, *r) })
	return out
}

// Each calls fn for each of opts.N generated releases; r is reused.
func Each(opts Options, fn func(r *catalog.Release)) {
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	day := opts.Date
	if day.IsZero() {
		day = catalog.Date{Year: 2026, Month: time.November, Day: 26}
	}
	people := make([]string, max(50, opts.N/4))
	for i := range people {
		if rng.IntN(3) == 0 {
			people[i] = pick(rng, surnames) + pick(rng, given)
		} else {
			people[i] = pick(rng, surnames) + invent(rng, 2, 2)
		}
	}
	var r catalog.Release
	var p production
	runsLeft := 0
	run := 0
	for i := 0; i < opts.N; i++ {
		if runsLeft == 0 {
			p = newProduction(rng, people)
			runsLeft = 1 + rng.IntN(6)
			if rng.IntN(10) == 0 {
				runsLeft += rng.IntN(15)
			}
			run = 0
		}
		runsLeft--
		run++
		c := cities[rng.IntN(len(cities))]
		src := []string{"interpark", "yes24", "melon", "kopis", "kobis", "naver"}[rng.IntN(6)]
		sid := strconv.FormatUint(rng.Uint64()%1_000_000_000_000, 36) + strconv.Itoa(i)
		start := day.AddDays(rng.IntN(240) - 60)
		end := start.AddDays(rng.IntN(90))
		if rng.IntN(12) == 0 {
			end = day.AddDays(-1 - rng.IntN(30))
			start = end.AddDays(-rng.IntN(60))
		}
		r = catalog.Release{
			ID: catalog.ReleaseID(src, sid), Source: src, SourceID: sid, Kind: p.kind,
			Title: p.title, OriginalTitle: p.orig, Genres: p.genres, Region: c.region,
			StartDate: start, EndDate: end, Locale: "ko-KR",
			UpdatedAt: day.Time(time.UTC).Add(-time.Duration(rng.IntN(90*24)) * time.Hour),
		}
		if rng.IntN(4) == 0 { // a touring cast changes a little
			r.Cast = append(append([]string(nil), p.cast[:len(p.cast)/2]...), people[rng.IntN(len(people))])
		} else {
			r.Cast = p.cast
		}
		r.Artists = p.artists
		vt := venueTypes[p.kind]
		r.Venue = c.city + " " + vt[rng.IntN(len(vt))]
		if rng.IntN(2) == 0 {
			r.Venue = c.city + " " + invent(rng, 2, 3) + vt[rng.IntN(len(vt))]
		}
		if p.kind == catalog.KindMovie {
			r.Platforms = []string{pick(rng, platforms)}
			r.ReleaseDate = start
		}
		r.Tags = p.tags
		if rng.IntN(3) == 0 {
			r.Tags = append(append([]string(nil), p.tags...), pick(rng, tagWords))
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %s. ", c.city, p.title, []string{"공연", "상영", "개최", "전시"}[rng.IntN(4)])
		b.WriteString(strings.Join(p.desc, " "))
		for range 2 + rng.IntN(6) {
			b.WriteString(" " + pick(rng, descWords))
		}
		r.Description = b.String()
		fn(&r)
	}
}

func newProduction(rng *rand.Rand, people []string) production {
	kinds := []catalog.Kind{catalog.KindPerformance, catalog.KindPerformance, catalog.KindPerformance,
		catalog.KindMovie, catalog.KindMovie, catalog.KindSports, catalog.KindExhibition}
	p := production{kind: kinds[rng.IntN(len(kinds))]}
	switch {
	case p.kind == catalog.KindPerformance && rng.IntN(8) == 0:
		p.title = pick(rng, famous)
	default:
		nw := 1 + rng.IntN(3)
		ws := make([]string, nw)
		for i := range ws {
			if rng.IntN(3) == 0 {
				ws[i] = invent(rng, 2, 4)
			} else {
				ws[i] = pick(rng, titleWords)
			}
		}
		if rng.IntN(3) == 0 {
			ws[len(ws)-1] += "의"
		}
		p.title = strings.Join(ws, " ")
		if rng.IntN(3) == 0 {
			p.title += " " + strconv.Itoa(1+rng.IntN(3))
		}
	}
	if rng.IntN(4) == 0 {
		p.orig = pick(rng, titleEnglish) + " " + pick(rng, titleEnglish)
	}
	g := kindGenres[p.kind]
	p.genres = []string{pick(rng, g)}
	if rng.IntN(3) == 0 {
		p.genres = append(p.genres, pick(rng, g))
	}
	if p.kind != catalog.KindSports {
		for range 2 + rng.IntN(5) {
			p.cast = append(p.cast, people[rng.IntN(len(people))])
		}
	}
	if rng.IntN(5) == 0 {
		p.artists = []string{pick(rng, artists)}
	}
	for range rng.IntN(3) {
		p.tags = append(p.tags, pick(rng, tagWords))
	}
	for range 3 + rng.IntN(6) {
		if rng.IntN(3) == 0 {
			p.desc = append(p.desc, invent(rng, 2, 3))
		} else {
			p.desc = append(p.desc, pick(rng, descWords))
		}
	}
	return p
}

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// invent makes a word of lo..hi random syllables.
func invent(rng *rand.Rand, lo, hi int) string {
	n := lo + rng.IntN(hi-lo+1)
	b := make([]rune, 0, n)
	for len(b) < n {
		b = append(b, syllables[rng.IntN(len(syllables))])
	}
	return string(b)
}
