package mongo

import (
	"strings"
	"testing"
)

func TestRedactURI(t *testing.T) {
	tests := []struct {
		name, uri, want string
	}{
		{"no credentials", "mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017"},
		{"user only", "mongodb://reader@db.example:27017/marquee", "mongodb://reader@db.example:27017/marquee"},
		{"user and password", "mongodb://etl:s3cret@db.example:27017/marquee?authSource=admin",
			"mongodb://etl:xxxxx@db.example:27017/marquee?authSource=admin"},
		{"srv", "mongodb+srv://etl:s3cret@cluster0.example.net/?retryWrites=true",
			"mongodb+srv://etl:xxxxx@cluster0.example.net/?retryWrites=true"},
		{"several hosts", "mongodb://etl:pw@h1:27017,h2:27017/db?replicaSet=rs0",
			"mongodb://etl:xxxxx@h1:27017,h2:27017/db?replicaSet=rs0"},
		{"escaped password", "mongodb://etl:p%40ss%2Fw@h/db", "mongodb://etl:xxxxx@h/db"},
		{"unescaped @ in password", "mongodb://etl:p@ss@h/db", "mongodb://etl:xxxxx@h/db"},
		{"unescaped / in password", "mongodb://etl:pa/ss@h/db", "mongodb://etl:xxxxx@h/db"},
		{"unescaped ? in password", "mongodb://etl:pa?ss@h", "mongodb://etl:xxxxx@h"},
		{"empty password", "mongodb://etl:@h", "mongodb://etl:xxxxx@h"},
		{"@ in an option, no credentials", "mongodb://h/db?appName=a@b", "mongodb://h/db?appName=a@b"},
		{"secret options", "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok&tlsCertificateKeyFilePassword=kp",
			"mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=xxxxx&tlsCertificateKeyFilePassword=xxxxx"},
		{"no scheme", "etl:s3cret@h:27017", "etl:xxxxx@h:27017"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RedactURI(tt.uri)
			if got != tt.want {
				t.Errorf("RedactURI(%q) = %q, want %q", tt.uri, got, tt.want)
			}
			for _, secret := range []string{"s3cret", "pw@", "p@ss", "pa/ss", "pa?ss", "tok", "kp"} {
				if strings.Contains(tt.uri, secret) && strings.Contains(got, secret) {
					t.Errorf("RedactURI(%q) = %q still holds %q", tt.uri, got, secret)
				}
			}
		})
	}
}

func TestScrubRemovesThePassword(t *testing.T) {
	uri := "mongodb://etl:s3cret@h/db"
	msg := "error parsing uri " + uri + ": s3cret is odd"
	got := scrub(msg, uri)
	if strings.Contains(got, "s3cret") {
		t.Errorf("scrub left the password: %q", got)
	}
}
