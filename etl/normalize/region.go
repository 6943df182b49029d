package normalize

import (
	"slices"
	"strings"
)

// Region names (catalog.Regions).
const (
	Seoul     = "서울특별시"
	Busan     = "부산광역시"
	Daegu     = "대구광역시"
	Incheon   = "인천광역시"
	Gwangju   = "광주광역시"
	Daejeon   = "대전광역시"
	Ulsan     = "울산광역시"
	Sejong    = "세종특별자치시"
	Gyeonggi  = "경기도"
	Gangwon   = "강원특별자치도"
	Chungbuk  = "충청북도"
	Chungnam  = "충청남도"
	Jeonbuk   = "전북특별자치도"
	Jeonnam   = "전라남도"
	Gyeongbuk = "경상북도"
	Gyeongnam = "경상남도"
	Jeju      = "제주특별자치도"
	Overseas  = "overseas"
)

// provinceAliases maps the first word of a Korean address (and province
// names as written inside venue names) to its region.
var provinceAliases = map[string]string{
	"서울": Seoul, "서울시": Seoul, "서울특별시": Seoul, "seoul": Seoul,
	"부산": Busan, "부산시": Busan, "부산광역시": Busan, "busan": Busan,
	"대구": Daegu, "대구시": Daegu, "대구광역시": Daegu, "daegu": Daegu,
	"인천": Incheon, "인천시": Incheon, "인천광역시": Incheon, "incheon": Incheon,
	"광주": Gwangju, "광주시": Gwangju, "광주광역시": Gwangju, "gwangju": Gwangju,
	"대전": Daejeon, "대전시": Daejeon, "대전광역시": Daejeon, "daejeon": Daejeon,
	"울산": Ulsan, "울산시": Ulsan, "울산광역시": Ulsan, "ulsan": Ulsan,
	"세종": Sejong, "세종시": Sejong, "세종특별자치시": Sejong, "sejong": Sejong,
	"경기": Gyeonggi, "경기도": Gyeonggi, "gyeonggi": Gyeonggi, "gyeonggi-do": Gyeonggi,
	"강원": Gangwon, "강원도": Gangwon, "강원특별자치도": Gangwon, "gangwon": Gangwon,
	"충북": Chungbuk, "충청북도": Chungbuk,
	"충남": Chungnam, "충청남도": Chungnam,
	"전북": Jeonbuk, "전라북도": Jeonbuk, "전북특별자치도": Jeonbuk,
	"전남": Jeonnam, "전라남도": Jeonnam,
	"경북": Gyeongbuk, "경상북도": Gyeongbuk,
	"경남": Gyeongnam, "경상남도": Gyeongnam,
	"제주": Jeju, "제주도": Jeju, "제주특별자치도": Jeju, "jeju": Jeju,
}

// cityRegions maps cities that are not province names to their province.
var cityRegions = map[string]string{
	"수원": Gyeonggi, "성남": Gyeonggi, "고양": Gyeonggi, "일산": Gyeonggi, "용인": Gyeonggi, "부천": Gyeonggi,
	"안산": Gyeonggi, "안양": Gyeonggi, "화성": Gyeonggi, "평택": Gyeonggi, "의정부": Gyeonggi, "파주": Gyeonggi,
	"김포": Gyeonggi, "하남": Gyeonggi, "광명": Gyeonggi, "분당": Gyeonggi, "판교": Gyeonggi, "남양주": Gyeonggi,
	"춘천": Gangwon, "원주": Gangwon, "강릉": Gangwon, "속초": Gangwon, "평창": Gangwon,
	"청주": Chungbuk, "충주": Chungbuk, "천안": Chungnam, "아산": Chungnam, "공주": Chungnam,
	"전주": Jeonbuk, "군산": Jeonbuk, "익산": Jeonbuk, "여수": Jeonnam, "순천": Jeonnam, "목포": Jeonnam,
	"포항": Gyeongbuk, "경주": Gyeongbuk, "구미": Gyeongbuk, "안동": Gyeongbuk,
	"창원": Gyeongnam, "김해": Gyeongnam, "진주": Gyeongnam, "통영": Gyeongnam, "거제": Gyeongnam,
	"서귀포": Jeju,
}

// venueRegions are well-known venues whose names carry no place name (or a
// misleading one: 세종문화회관 is in Seoul, not Sejong). Checked first.
var venueRegions = []struct{ key, region string }{
	{"세종문화회관", Seoul}, {"예술의전당", Seoul}, {"블루스퀘어", Seoul}, {"샤롯데씨어터", Seoul}, {"샤롯데 씨어터", Seoul},
	{"충무아트센터", Seoul}, {"디큐브", Seoul}, {"링크아트센터", Seoul}, {"LG아트센터", Seoul}, {"엘지아트센터", Seoul},
	{"KSPO DOME", Seoul}, {"KSPO돔", Seoul}, {"올림픽공원", Seoul}, {"올림픽홀", Seoul}, {"고척스카이돔", Seoul},
	{"고척돔", Seoul}, {"잠실", Seoul}, {"상암", Seoul}, {"서울월드컵경기장", Seoul}, {"코엑스", Seoul}, {"COEX", Seoul},
	{"대학로", Seoul}, {"국립극장", Seoul}, {"롯데콘서트홀", Seoul}, {"홍대", Seoul}, {"예스24라이브홀", Seoul},
	{"YES24 LIVE HALL", Seoul}, {"국립중앙박물관", Seoul}, {"동대문디자인플라자", Seoul}, {"DDP", Seoul},
	{"킨텍스", Gyeonggi}, {"KINTEX", Gyeonggi}, {"인스파이어", Incheon}, {"INSPIRE", Incheon}, {"송도", Incheon},
	{"벡스코", Busan}, {"BEXCO", Busan}, {"사직", Busan}, {"드림씨어터", Busan}, {"해운대", Busan},
	{"엑스코", Daegu}, {"EXCO", Daegu}, {"계명아트센터", Daegu}, {"라이온즈파크", Daegu},
	{"김대중컨벤션센터", Gwangju}, {"챔피언스필드", Gwangju},
}

// venueRegionsUpper is venueRegions with upper-cased keys.
var venueRegionsUpper = func() []struct{ key, region string } {
	out := make([]struct{ key, region string }, len(venueRegions))
	for i, vr := range venueRegions {
		out[i].key, out[i].region = strings.ToUpper(vr.key), vr.region
	}
	return out
}()

// overseasWords mark an address or venue abroad.
var overseasWords = []string{
	"일본", "도쿄", "오사카", "미국", "뉴욕", "la ", "로스앤젤레스", "런던", "파리", "싱가포르", "방콕", "타이베이",
	"홍콩", "마카오", "상하이", "베이징", "마닐라", "자카르타", "시드니", "japan", "tokyo", "osaka", "usa",
	"united states", "new york", "los angeles", "london", "paris", "singapore", "bangkok", "taipei",
	"hong kong", "macau", "shanghai", "beijing", "manila", "jakarta", "sydney", "las vegas", "라스베이거스",
}

// Region returns the region (one of catalog.Regions) of a venue from its
// address, else its name: the address's first word ("서울 종로구 …",
// "경기도 고양시 …", "(우)04520 서울특별시 …"), a city ("수원시 팔달구 …"),
// a well-known venue ("세종문화회관" → 서울특별시), a province or city
// name at the start of a word of the venue ("대전예술의전당"), or a
// place abroad (overseas). It returns "" when it cannot tell.
func Region(venue, address string) string {
	if r := addressRegion(Text(address)); r != "" {
		return r
	}
	return venueRegion(Text(venue))
}

// addressSeparators split an address into words besides spaces.
var addressSeparators = strings.NewReplacer(",", " ", "(", " ", ")", " ")

func addressRegion(a string) string {
	if a == "" {
		return ""
	}
	words := strings.Fields(addressSeparators.Replace(a))
	for i, w := range words {
		if i > 2 {
			break
		}
		lw := strings.ToLower(w)
		if w == "우" || (strings.HasPrefix(w, "우") && isDigits(w[len("우"):])) || isDigits(w) || lw == "대한민국" || lw == "korea" || lw == "south" {
			continue // postcode, country
		}
		if r, ok := provinceAliases[lw]; ok {
			return r
		}
		if r := cityOf(w); r != "" {
			return r
		}
		break
	}
	if isOverseas(a) {
		return Overseas
	}
	// "Seoul, Korea" style English addresses.
	for _, w := range words {
		if r, ok := provinceAliases[strings.ToLower(w)]; ok && !HasHangul(w) {
			return r
		}
	}
	return ""
}

func cityOf(w string) string {
	for _, suf := range []string{"특례시", "시", "군", "구", ""} {
		if suf != "" && !strings.HasSuffix(w, suf) {
			continue
		}
		if r, ok := cityRegions[strings.TrimSuffix(w, suf)]; ok {
			return r
		}
	}
	return ""
}

func venueRegion(v string) string {
	if v == "" {
		return ""
	}
	uv := strings.ToUpper(v)
	for _, vr := range venueRegionsUpper {
		if i := strings.Index(uv, vr.key); i >= 0 {
			// "대전예술의전당" is in Daejeon, not in Seoul: a place name
			// right before the venue name wins.
			if i > 0 {
				if r := prefixRegion(strings.TrimSpace(uv[:i])); r != "" {
					return r
				}
			}
			return vr.region
		}
	}
	for _, w := range strings.Fields(v) {
		if r := prefixRegion(w); r != "" {
			return r
		}
	}
	if isOverseas(v) {
		return Overseas
	}
	return ""
}

// prefixRegion finds a province or city name at the start of word w: the
// longest (a Korean province name before a city name of the same length).
func prefixRegion(w string) string {
	for _, p := range prefixNames {
		if strings.HasPrefix(w, p.key) {
			return p.region
		}
	}
	return ""
}

// prefixNames are the Korean keys of provinceAliases, then those of
// cityRegions, longest first (stable: provinces before cities).
var prefixNames = func() []struct{ key, region string } {
	var out []struct{ key, region string }
	for k, r := range provinceAliases {
		if HasHangul(k) {
			out = append(out, struct{ key, region string }{k, r})
		}
	}
	slices.SortFunc(out, func(a, b struct{ key, region string }) int { return strings.Compare(a.key, b.key) })
	n := len(out)
	for k, r := range cityRegions {
		out = append(out, struct{ key, region string }{k, r})
	}
	slices.SortFunc(out[n:], func(a, b struct{ key, region string }) int { return strings.Compare(a.key, b.key) })
	slices.SortStableFunc(out, func(a, b struct{ key, region string }) int { return len(b.key) - len(a.key) })
	return out
}()

func isOverseas(s string) bool {
	l := strings.ToLower(s) + " "
	for _, w := range overseasWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			if r != '-' {
				return false
			}
		}
	}
	return true
}
