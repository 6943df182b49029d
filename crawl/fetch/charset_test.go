package fetch

import (
	"testing"

	"golang.org/x/text/encoding/korean"
)

func TestToUTF8(t *testing.T) {
	euc, err := korean.EUCKR.NewEncoder().String("공연 예매 똠방각하")
	if err != nil {
		t.Fatal(err)
	}
	metaPage := `<html><head><meta charset="euc-kr"></head><body>` + euc + `</body></html>`
	tests := []struct {
		name, body, ct, fallback, want string
	}{
		{"header charset", euc, "text/html; charset=EUC-KR", "", "공연 예매 똠방각하"},
		{"meta charset", metaPage, "text/html", "", `<html><head><meta charset="euc-kr"></head><body>공연 예매 똠방각하</body></html>`},
		{"undeclared UTF-8 stays", "공연 예매", "text/html", "", "공연 예매"},
		{"undeclared non-UTF-8 is read as CP949", euc, "", "", "공연 예매 똠방각하"},
		{"site fallback", euc, "text/html", "cp949", "공연 예매 똠방각하"},
		{"BOM", "\xEF\xBB\xBF공연", "text/html", "", "\xEF\xBB\xBF공연"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ToUTF8([]byte(tc.body), tc.ct, tc.fallback)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHostAllowedAndRetryAfter(t *testing.T) {
	if !HostAllowed("www.tickets.test", []string{"tickets.test"}) || HostAllowed("evil-tickets.test", []string{"tickets.test"}) {
		t.Error("subdomain matching wrong")
	}
	if d := ParseRetryAfter("3", timeZero); d.Seconds() != 3 {
		t.Errorf("Retry-After 3 = %v", d)
	}
	if d := ParseRetryAfter("soon", timeZero); d != 0 {
		t.Errorf("Retry-After soon = %v", d)
	}
}

var timeZero = mustTime()
