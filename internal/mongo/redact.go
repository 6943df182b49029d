package mongo

import (
	"strings"
)

// redacted replaces a secret in a redacted connection string.
const redacted = "xxxxx"

// secretOptions are connection string options whose values are secrets
// (compared in lower case).
var secretOptions = []string{
	"authmechanismproperties", // may hold AWS_SESSION_TOKEN
	"tlscertificatekeyfilepassword",
	"sslclientcertificatekeypassword",
}

// RedactURI returns uri with its password, and the values of options that
// carry secrets, replaced by "xxxxx"; the scheme, user name, hosts, database
// and other options stay readable. It never fails: a string it cannot make
// sense of is redacted from the first "@" of the user part, on the side of
// hiding too much. Use it for every connection string that reaches a log
// line, an error or `config show`.
func RedactURI(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		scheme, rest = "", uri
	} else {
		scheme += "://"
	}

	if at := userinfoEnd(rest); at >= 0 {
		if user, _, hasPassword := strings.Cut(rest[:at], ":"); hasPassword {
			rest = user + ":" + redacted + rest[at:]
		}
	}
	return scheme + redactOptions(rest)
}

// redactOptions hides the values of secretOptions in the query of rest.
func redactOptions(rest string) string {
	path, query, ok := strings.Cut(rest, "?")
	if !ok {
		return rest
	}
	opts := strings.Split(query, "&")
	for i, opt := range opts {
		name, _, hasValue := strings.Cut(opt, "=")
		lower := strings.ToLower(name)
		for _, secret := range secretOptions {
			if hasValue && lower == secret {
				opts[i] = name + "=" + redacted
			}
		}
	}
	return path + "?" + strings.Join(opts, "&")
}

// userinfoEnd returns the index of the "@" that ends the user part of rest
// (a connection string after its "scheme://"), or -1 when there is none. The
// user part ends at the last "@" before the path or query. A password with an
// unescaped "/" or "?" hides that end, so then it takes the last "@"
// anywhere: hiding too much beats leaking.
func userinfoEnd(rest string) int {
	end := len(rest)
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		end = i
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return at
	}
	return strings.LastIndex(rest, "@")
}

// password returns the password in uri as RedactURI finds it, or "".
func password(uri string) string {
	_, rest, ok := strings.Cut(uri, "://")
	if !ok {
		rest = uri
	}
	at := userinfoEnd(rest)
	if at < 0 {
		return ""
	}
	_, pw, _ := strings.Cut(rest[:at], ":")
	return pw
}
