//go:build tools

// Package tools pins modules that the build needs before any code imports
// them, so go.sum stays complete while packages are added.
package tools

import (
	_ "cloud.google.com/go/storage"
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/chromedp/cdproto/cdp"
	_ "github.com/chromedp/chromedp"
	_ "github.com/gocolly/colly/v2"
	_ "github.com/gofrs/flock"
	_ "github.com/google/uuid"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/mattn/go-isatty"
	_ "github.com/opensearch-project/opensearch-go/v4"
	_ "github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	_ "github.com/parquet-go/parquet-go"
	_ "github.com/parquet-go/parquet-go/compress/zstd"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/push"
	_ "github.com/prometheus/client_model/go"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/cobra/doc"
	_ "github.com/spf13/pflag"
	_ "github.com/spf13/viper"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "github.com/twmb/franz-go/pkg/kgo"
	_ "go.mongodb.org/mongo-driver/v2/bson"
	_ "go.mongodb.org/mongo-driver/v2/mongo"
	_ "go.mongodb.org/mongo-driver/v2/mongo/options"
	_ "golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
	_ "golang.org/x/net/html/charset"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/term"
	_ "golang.org/x/text/encoding/korean"
	_ "golang.org/x/text/unicode/norm"
	_ "google.golang.org/api/iterator"
	_ "google.golang.org/api/option"
)
