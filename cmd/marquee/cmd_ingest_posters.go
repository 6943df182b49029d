package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"marquee/etl/posters"
	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/internal/mongo"
)

// ingestPostersOptions are the flags of `marquee ingest-posters`.
type ingestPostersOptions struct {
	From         string
	Thumbnails   string
	Sources      []string
	MaxBytes     int64
	MinWidth     int
	MinHeight    int
	Workers      int
	PerHost      int
	Delay        time.Duration
	Timeout      time.Duration
	UserAgent    string
	IgnoreRobots bool
	NoMongo      bool
	Verify       string
}

func newIngestPostersCmd(f *factory, runF func(context.Context, *ingestPostersOptions) error) *cobra.Command {
	o := &ingestPostersOptions{}
	cmd := &cobra.Command{
		Use:   "ingest-posters",
		Short: "Download, validate and store poster images in the lake",
		Long: jobLong(`Download the poster images of the releases crawled for the date (raw
partitions raw/releases/source=*/dt=D: the poster_url field, else the page's
JSON-LD image), or with --from mongo of the releases in MongoDB without a
stored poster. Each image is fetched politely (robots.txt and its
Crawl-delay, --per-host parallel requests, retries with backoff on 5xx, 429
and timeouts), capped at --max-bytes while it streams, recognised from its
bytes (JPEG, PNG, GIF, WebP; never from the Content-Type header), decoded
whole, and stored once at posters/<aa>/<sha256>.<ext> in the lake (GCS: a
DoesNotExist precondition, so an image already there is not uploaded again).
HTML error pages, truncated or undecodable images, images over the cap or
under --min-width/--min-height go to quarantine/ingest-posters/dt=D with the
reason. The mapping release → object, sha256, content type, size, ETag and
Last-Modified is committed to posters/index/dt=D; a rerun sends conditional
GETs with those validators and reuses the stored object on 304. With
MongoDB configured, each release's poster field is set too (--no-mongo
skips that). --thumbnails 320,640 adds JPEG thumbnails next to the original
(posters/<aa>/<sha256>_w320.jpg). See docs/ingest-posters.md.`),
		Example: `  marquee ingest-posters --date 2026-11-26
  marquee ingest-posters --date 2026-11-26 --lake gs://marquee-lake/prod --thumbnails 320,640
  marquee ingest-posters --from mongo --mongo-uri mongodb://localhost:27017
  marquee ingest-posters --date 2026-11-26 --source tickets --per-host 2 --delay 500ms --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := o.jobOptions(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runIngestPosters(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.From, "from", posters.FromRaw, "where poster URLs come from: raw|mongo (this command's --from names a source, not a date; use --date or run backfill for ranges)")
	fl.StringVar(&o.Thumbnails, "thumbnails", "", "JPEG thumbnail widths next to each original, e.g. 320,640")
	fl.StringArrayVar(&o.Sources, "source", nil, "read only this raw source (repeatable; default: every source of the date)")
	fl.Int64Var(&o.MaxBytes, "max-bytes", posters.DefaultMaxBytes, "largest poster accepted, in bytes (enforced while downloading)")
	fl.IntVar(&o.MinWidth, "min-width", posters.DefaultMinWidth, "narrower images are quarantined (too_small)")
	fl.IntVar(&o.MinHeight, "min-height", posters.DefaultMinHeight, "lower images are quarantined (too_small)")
	fl.IntVar(&o.Workers, "workers", posters.DefaultWorkers, "parallel downloads")
	fl.IntVar(&o.PerHost, "per-host", posters.DefaultPerHost, "parallel downloads per host")
	fl.DurationVar(&o.Delay, "delay", 0, "least time between two request starts to one host (robots.txt Crawl-delay raises it)")
	fl.DurationVar(&o.Timeout, "timeout", 60*time.Second, "deadline of one download")
	fl.StringVar(&o.UserAgent, "user-agent", posters.DefaultUserAgent, "User-Agent header")
	fl.BoolVar(&o.IgnoreRobots, "ignore-robots", false, "do not read robots.txt (only for hosts you own)")
	fl.StringVar(&o.Verify, "verify", posters.VerifyFull, "image check: full (decode every image whole) or structure (header and end marker: catches truncation, several times cheaper)")
	fl.BoolVar(&o.NoMongo, "no-mongo", false, "do not set the poster on MongoDB releases even when MongoDB is configured")
	return cmd
}

// jobOptions turns flags into the job's options.
func (o *ingestPostersOptions) jobOptions() (posters.Options, error) {
	if o.From != posters.FromRaw && o.From != posters.FromMongo {
		return posters.Options{}, catalog.Usagef("ingest-posters: --from must be raw or mongo, got %q", o.From)
	}
	widths, err := posters.ParseWidths(o.Thumbnails)
	if err != nil {
		return posters.Options{}, err
	}
	if o.MaxBytes < 1 || o.MinWidth < 1 || o.MinHeight < 1 {
		return posters.Options{}, catalog.Usagef("ingest-posters: --max-bytes, --min-width and --min-height must be ≥ 1")
	}
	if o.Workers < 1 || o.Workers > 256 || o.PerHost < 1 || o.PerHost > 64 {
		return posters.Options{}, catalog.Usagef("ingest-posters: --workers must be between 1 and 256 and --per-host between 1 and 64")
	}
	if o.Delay < 0 || o.Timeout <= 0 {
		return posters.Options{}, catalog.Usagef("ingest-posters: --delay must not be negative and --timeout must be positive")
	}
	if o.Verify != posters.VerifyFull && o.Verify != posters.VerifyStructure {
		return posters.Options{}, catalog.Usagef("ingest-posters: --verify must be full or structure, got %q", o.Verify)
	}
	if o.From == posters.FromMongo && o.NoMongo {
		return posters.Options{}, catalog.Usagef("ingest-posters: --from mongo and --no-mongo contradict each other")
	}
	return posters.Options{
		From: o.From, Sources: o.Sources, Thumbnails: widths,
		MaxBytes: o.MaxBytes, MinWidth: o.MinWidth, MinHeight: o.MinHeight,
		Workers: o.Workers, PerHost: o.PerHost, Delay: o.Delay,
		UserAgent: o.UserAgent, IgnoreRobots: o.IgnoreRobots, Verify: o.Verify,
	}, nil
}

// posterHTTPClient is the downloader's client: a deadline per download and
// enough idle connections for --per-host parallel requests.
func posterHTTPClient(o *ingestPostersOptions) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = o.PerHost
	tr.MaxConnsPerHost = o.PerHost + 1 // robots.txt next to the downloads
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = o.Timeout
	return &http.Client{Timeout: o.Timeout, Transport: tr}
}

func runIngestPosters(ctx context.Context, f *factory, o *ingestPostersOptions) error {
	opts, err := o.jobOptions()
	if err != nil {
		return err
	}
	st, err := f.Lake(ctx)
	if err != nil {
		return err
	}
	client := posterHTTPClient(o)
	defer client.CloseIdleConnections()
	useMongo := o.From == posters.FromMongo || (f.cfg.MongoURI != "" && !o.NoMongo)
	return f.runDates(ctx, posters.JobName, func(ctx context.Context, env *job.Env) (*job.Summary, error) {
		deps := posters.Deps{Lake: st, HTTP: client}
		opts := opts
		if useMongo {
			// Connecting inside the run: a server that stays down ends with
			// a summary line and exit 4.
			c, err := f.Mongo(ctx)
			if err != nil {
				return job.NewSummary(env), err
			}
			rs := mongo.NewReleaseStore(c.Database(f.cfg.MongoDB), "")
			deps.Posters = rs
			opts.Output = mongoDatasetURI(f.cfg.MongoURI, rs.Name())
			if o.From == posters.FromMongo {
				deps.Releases = rs
				opts.Input = opts.Output
			}
		}
		return posters.Run(ctx, env, opts, deps)
	})
}
