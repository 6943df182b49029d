// Package config layers marquee's configuration — flags > MARQUEE_* env >
// config file > defaults — with one fresh viper per run, and decodes it once
// into a typed, validated Config. It is the only package that reads viper or
// the environment. Secrets (passwords in the Mongo URI, the search API key or
// password, GCS credentials) come from env or *_file keys and are redacted in
// every rendering.
package config
