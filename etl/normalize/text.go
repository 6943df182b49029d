package normalize

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text returns s as NFC, valid UTF-8, without control characters, trimmed,
// with every run of white space (including U+3000 and NBSP) collapsed to one
// space.
func Text(s string) string {
	if plainText(s) {
		return s // most field texts: nothing to change, nothing to copy
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !nfcSafe(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// plainText reports whether Text(s) is s: valid UTF-8 of printable ASCII,
// Hangul syllables and common CJK brackets and punctuation (all NFC, none
// a space or control), with single inner ASCII spaces only.
func plainText(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f || c == ' ' && s[i-1] == ' ' {
				return false
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
		case r >= 0x2010 && r <= 0x2027: // dashes, quotes, bullets, ellipsis
		case r >= 0x3008 && r <= 0x3011: // 〈〉《》「」『』【】
		case r >= 0xFF01 && r <= 0xFF5E: // fullwidth forms
		default:
			return false // invalid UTF-8 (RuneError) included
		}
		i += n - 1
	}
	return true
}

// nfcSafe reports whether s is certainly NFC already: every rune is ASCII,
// a precomposed Hangul syllable, or from punctuation blocks without
// combining marks. Checking this is much cheaper than norm.NFC.
func nfcSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
		case r >= 0x2000 && r <= 0x206F: // general punctuation
		case r >= 0x3000 && r <= 0x3029, r >= 0x3030 && r <= 0x303F: // CJK symbols, without the combining tone marks
		case r >= 0xFF01 && r <= 0xFF5E: // fullwidth forms
		default:
			return false
		}
		i += n - 1
	}
	return true
}

// badgeWords are the sales badges sites put in titles; a bracketed part of
// a title that contains one of them is moved to the tags.
var badgeWords = []string{
	"단독판매", "단독", "재개봉", "재상영", "앵콜", "앙코르", "조기예매", "얼리버드", "티켓오픈", "선예매",
	"예매오픈", "추가오픈", "좌석오픈", "오픈", "할인", "특가", "매진임박", "마감임박", "매진", "단독공개",
	"최초공개", "개봉예정", "예매중", "HOT", "NEW", "BEST", "기획전", "이벤트", "초대", "무료",
}

var reBracket = regexp.MustCompile(`[\[【〔(（<＜]([^\]】〕)）>＞]{1,30})[\]】〕)）>＞]`)

// Title normalises a title (Text) and strips sales badges such as
// "[단독판매]" or "(재개봉)" into tags (the badge text without brackets and
// spaces). Other bracketed parts, like "<레미제라블>", stay.
func Title(s string) (title string, tags []string) {
	s = Text(s)
	if !strings.ContainsAny(s, "[【〔(（<＜") { // no opening bracket: reBracket cannot match
		return Text(s), nil
	}
	out := reBracket.ReplaceAllStringFunc(s, func(m string) string {
		inner := reBracket.FindStringSubmatch(m)[1]
		key := strings.ToUpper(strings.ReplaceAll(inner, " ", ""))
		for _, w := range badgeWords {
			if strings.Contains(key, w) {
				tags = appendUnique(tags, strings.ReplaceAll(inner, " ", ""))
				return " "
			}
		}
		return m
	})
	return Text(out), tags
}

// isListSep reports the separators of name lists.
func isListSep(r rune) bool {
	switch r {
	case ',', '，', '、', '/', '|', '·', ';', '\n':
		return true
	}
	return false
}

// List splits a people or name list ("민우혁, 최재림 등", "A / B · C") into
// trimmed, NFC, de-duplicated names, keeping the first-seen order. A
// trailing "등" / "외" ("and others") is dropped.
func List(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, p := range strings.FieldsFunc(s, isListSep) {
		p = Text(p)
		for _, suf := range []string{" 등", " 외", " 외 다수", "등"} {
			if strings.HasSuffix(p, suf) && len(p) > len(suf) {
				p = strings.TrimSpace(strings.TrimSuffix(p, suf))
				break
			}
		}
		if p == "" || p == "-" || p == "등" {
			continue
		}
		out = appendUnique(out, p)
	}
	return out
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// genreVocabulary maps lower-cased, space-free genre words (Korean and
// English) to marquee's fixed genre vocabulary.
var genreVocabulary = map[string]string{
	"뮤지컬": "musical", "musical": "musical", "라이선스뮤지컬": "musical", "창작뮤지컬": "musical",
	"연극": "play", "play": "play", "theatre": "play", "theater": "play", "drama(play)": "play",
	"콘서트": "concert", "concert": "concert", "대중음악": "concert", "k-pop": "concert", "kpop": "concert",
	"팝": "concert", "pop": "concert", "힙합": "concert", "hiphop": "concert", "록": "concert", "rock": "concert",
	"인디": "concert", "발라드": "concert", "트로트": "concert", "팬미팅": "concert", "내한공연": "concert",
	"클래식": "classical", "classical": "classical", "오케스트라": "classical", "리사이틀": "classical",
	"독주회": "classical", "실내악": "classical", "교향곡": "classical",
	"오페라": "opera", "opera": "opera",
	"무용": "dance", "dance": "dance", "발레": "dance", "ballet": "dance", "현대무용": "dance", "한국무용": "dance",
	"국악": "traditional", "전통예술": "traditional", "창극": "traditional",
	"아동": "family", "가족": "family", "어린이": "family", "키즈": "family", "kids": "family", "family": "family", "아동/가족": "family",
	"코미디": "comedy", "comedy": "comedy", "개그": "comedy",
	"드라마": "drama", "drama": "drama",
	"액션": "action", "action": "action",
	"스릴러": "thriller", "thriller": "thriller", "서스펜스": "thriller",
	"공포": "horror", "오컬트": "horror", "호러": "horror", "horror": "horror",
	"로맨스": "romance", "멜로": "romance", "romance": "romance",
	"애니메이션": "animation", "animation": "animation", "anime": "animation", "애니": "animation",
	"다큐멘터리": "documentary", "documentary": "documentary", "다큐": "documentary",
	"sf": "sf", "sci-fi": "sf", "공상과학": "sf", "sciencefiction": "sf",
	"판타지": "fantasy", "fantasy": "fantasy",
	"범죄": "crime", "crime": "crime", "느와르": "crime",
	"미스터리": "mystery", "mystery": "mystery",
	"모험": "adventure", "어드벤처": "adventure", "adventure": "adventure",
	"전쟁": "war", "war": "war",
	"사극": "history", "역사": "history", "시대극": "history", "history": "history",
	"음악": "music", "music": "music",
	"야구": "baseball", "baseball": "baseball", "축구": "football", "football": "football", "soccer": "football",
	"농구": "basketball", "basketball": "basketball", "배구": "volleyball", "volleyball": "volleyball",
	"e스포츠": "esports", "esports": "esports", "e-sports": "esports",
	"전시": "exhibition", "전시회": "exhibition", "exhibition": "exhibition", "미술": "exhibition", "사진전": "exhibition",
	"페스티벌": "festival", "festival": "festival", "축제": "festival",
	"서커스": "circus", "마술": "circus", "circus": "circus", "magic": "circus",
}

// sportsWords name a sport inside a sports event's title.
var sportsWords = []struct{ word, genre string }{
	{"V-리그", "volleyball"}, {"v리그", "volleyball"}, {"배구", "volleyball"},
	{"KBL", "basketball"}, {"WKBL", "basketball"}, {"농구", "basketball"},
	{"KBO", "baseball"}, {"야구", "baseball"}, {"K리그", "football"}, {"K-리그", "football"}, {"축구", "football"},
	{"LCK", "esports"}, {"e스포츠", "esports"},
}

// SportsGenre guesses the sport of a sports event from its title
// ("2026-27 V-리그 대한항공 vs 현대캐피탈" → volleyball), or "".
func SportsGenre(title string) string {
	up := strings.ToUpper(title)
	for _, w := range sportsWords {
		if strings.Contains(up, strings.ToUpper(w.word)) {
			return w.genre
		}
	}
	return ""
}

// GenreVocabulary returns the sorted fixed genre vocabulary.
func GenreVocabulary() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range genreVocabulary {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// Genres maps genre words ("드라마, 멜로/로맨스", "Musical") to the fixed
// vocabulary, de-duplicated in first-seen order. Words it does not know are
// returned in unknown.
func Genres(vals ...string) (genres, unknown []string) {
	for _, v := range vals {
		for _, w := range List(v) {
			key := strings.ToLower(strings.ReplaceAll(w, " ", ""))
			if g, ok := genreVocabulary[key]; ok {
				genres = appendUnique(genres, g)
				continue
			}
			if g, ok := genreVocabulary[strings.TrimSuffix(key, "장르")]; ok {
				genres = appendUnique(genres, g)
				continue
			}
			unknown = append(unknown, w)
		}
	}
	return genres, unknown
}

// platformNames maps lower-cased, space-free platform names to their
// canonical spelling.
var platformNames = map[string]string{
	"cgv": "CGV", "롯데시네마": "롯데시네마", "lottecinema": "롯데시네마", "메가박스": "메가박스", "megabox": "메가박스",
	"씨네q": "씨네Q", "cineq": "씨네Q", "넷플릭스": "Netflix", "netflix": "Netflix", "티빙": "TVING", "tving": "TVING",
	"웨이브": "wavve", "wavve": "wavve", "쿠팡플레이": "쿠팡플레이", "coupangplay": "쿠팡플레이",
	"디즈니+": "Disney+", "디즈니플러스": "Disney+", "disney+": "Disney+", "disneyplus": "Disney+",
	"왓챠": "WATCHA", "watcha": "WATCHA", "애플tv+": "Apple TV+", "appletv+": "Apple TV+", "appletv": "Apple TV+",
	"u+모바일tv": "U+모바일tv", "시리즈온": "시리즈온", "아이맥스": "IMAX", "imax": "IMAX",
}

// Platforms splits and canonicalises theatre chains and streaming services;
// unknown names are kept as written (Text).
func Platforms(s string) []string {
	var out []string
	for _, w := range List(s) {
		key := strings.ToLower(strings.ReplaceAll(w, " ", ""))
		if c, ok := platformNames[key]; ok {
			w = c
		}
		out = appendUnique(out, w)
	}
	return out
}

// HasHangul reports whether s contains a Hangul syllable or jamo.
func HasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}
