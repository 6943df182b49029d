package mart

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

// JobName is build-mart's name in summaries, locks, manifests and metrics.
const JobName = "build-mart"

// Defaults of Options.
const (
	DefaultTop      = 100
	DefaultWindow   = 28  // days
	DefaultHalfLife = 7.0 // days
	DefaultDrift    = 0.5 // 50% row-count change vs the day before
)

// Options are build-mart's settings for one run.
type Options struct {
	// Marts to build (ParseMarts); empty means all.
	Marts []string
	// From and To bound the range of days to build, inclusive; zero
	// values mean the run's logical date.
	From, To catalog.Date
	// Top is N for popular_daily, each age group of ranking_age_daily
	// and search_keywords_daily: 0 means DefaultTop, negative means all.
	Top int
	// Window is genre_preference's trailing window in days (0: DefaultWindow).
	Window int
	// HalfLife is genre_preference's decay half-life in days (0: DefaultHalfLife).
	HalfLife float64
	// Weights of genre_preference (zero value: DefaultWeights).
	Weights Weights
	// Drift is the row-count change vs the previous day's partition above
	// which a data test warns (0: DefaultDrift; negative: no drift test).
	Drift float64
	// Strict turns data-test warnings into exit 3 (catalog.ErrRejectThreshold).
	Strict bool
	// Workers scan row groups in parallel (0: GOMAXPROCS).
	Workers int
}

// Deps are build-mart's dependencies.
type Deps struct {
	// Lake holds parquet/events and receives mart/<name>/dt=D.
	Lake lake.Store
	// Genres gives item genres; required for genre_preference.
	Genres ItemGenres
	// Popular, when set, receives each built popular_daily day (MongoDB
	// `popular`); nil publishes nothing.
	Popular catalog.PopularSink
	// PopularURI names Popular in the summary's outputs
	// ("mongodb://host/db.popular", no credentials).
	PopularURI string
}

// ParseWindow parses --window: "28d", "4w", or a Go duration of whole days ("672h").
func ParseWindow(s string) (int, error) {
	s = strings.TrimSpace(s)
	bad := catalog.Usagef("--window %q: want whole days like 28d, 4w or 672h", s)
	var n int
	var err error
	switch {
	case strings.HasSuffix(s, "d"):
		n, err = strconv.Atoi(strings.TrimSuffix(s, "d"))
	case strings.HasSuffix(s, "w"):
		n, err = strconv.Atoi(strings.TrimSuffix(s, "w"))
		n *= 7
	default:
		var d time.Duration
		d, err = time.ParseDuration(s)
		if err == nil && d%(24*time.Hour) != 0 {
			return 0, bad
		}
		n = int(d / (24 * time.Hour))
	}
	if err != nil || n <= 0 || n > 3660 {
		return 0, bad
	}
	return n, nil
}

func (o *Options) defaults(env *job.Env) error {
	if len(o.Marts) == 0 {
		o.Marts = Names
	}
	for _, m := range o.Marts {
		if err := checkName(m); err != nil {
			return catalog.Usagef("%v", err)
		}
	}
	if o.From.IsZero() {
		o.From = env.Date
	}
	if o.To.IsZero() {
		o.To = env.Date
	}
	if o.To.Before(o.From) {
		return catalog.Usagef("--from %s is after --to %s", o.From, o.To)
	}
	switch {
	case o.Top == 0:
		o.Top = DefaultTop
	case o.Top < 0:
		o.Top = 0
	}
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.HalfLife == 0 {
		o.HalfLife = DefaultHalfLife
	}
	if o.Window < 0 || !(o.HalfLife > 0) {
		return catalog.Usagef("--window and --half-life must be positive")
	}
	if o.Weights == (Weights{}) {
		o.Weights = DefaultWeights
	}
	if o.Drift == 0 {
		o.Drift = DefaultDrift
	}
	return nil
}

// Run builds the requested marts for every day of [From, To]: one scan of
// each events partition feeds every mart that needs it (the daily marts
// read day D, item_stats adds day D to the latest earlier item_stats
// partition, genre_preference reads the Window partitions ending at D).
// Each mart partition is written and committed on its own; a day without
// an events partition is skipped with a warning, and a run that finds no
// events at all returns catalog.ErrNothingToDo.
func Run(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	sum := job.NewSummary(env)
	if err := opts.defaults(env); err != nil {
		return sum, err
	}
	if deps.Lake == nil {
		return sum, errors.New("build-mart: no lake store")
	}
	want := map[string]bool{}
	for _, m := range opts.Marts {
		want[m] = true
	}
	if want[GenrePreference] && deps.Genres == nil {
		return sum, catalog.Usagef("genre_preference needs item genres (a releases source)")
	}
	r := &run{env: env, opts: opts, deps: deps, want: want, sum: sum, e: newEngine(opts.Workers),
		rowsBy: map[string]int64{}}
	err := r.build(ctx)
	sum.Detail("rows_by_mart", r.rowsBy)
	sum.Detail("days_built", r.daysBuilt)
	if err != nil {
		return sum, err
	}
	if r.daysBuilt == 0 {
		return sum, fmt.Errorf("build-mart: no events partition in %s..%s: %w", opts.From, opts.To, catalog.ErrNothingToDo)
	}
	if opts.Strict && r.testWarnings > 0 {
		return sum, fmt.Errorf("build-mart: %d data-test warnings with --strict: %w", r.testWarnings, catalog.ErrRejectThreshold)
	}
	return sum, nil
}

type run struct {
	env          *job.Env
	opts         Options
	deps         Deps
	want         map[string]bool
	sum          *job.Summary
	e            *engine
	rowsBy       map[string]int64
	daysBuilt    int
	testWarnings int
}

func (r *run) warn(msg string) {
	r.env.Log.Warn(msg)
	r.sum.Warnings = append(r.sum.Warnings, msg)
}

func (r *run) uri(dir string) string { return r.deps.Lake.URI() + "/" + dir }

func (r *run) build(ctx context.Context) error {
	opts, s := r.opts, r.deps.Lake
	daily := r.want[PopularDaily] || r.want[RankingAgeDaily] || r.want[SearchKeywordsDaily]

	// item_stats continues from the latest committed partition before From
	// that is still current (see itemStatsBase).
	var cum [][4]int64
	itemFrom := catalog.Date{} // scan events from here; zero: from the first partition
	if r.want[ItemStats] {
		b, ok, err := r.itemStatsBase(ctx)
		if err != nil {
			return err
		}
		if ok {
			dir := MartPartition(ItemStats, b)
			rows, err := readParquetRows[itemStatPq](ctx, s, dir)
			if err != nil {
				return fmt.Errorf("build-mart: read %s: %w", dir, err)
			}
			for _, row := range rows {
				id, err := r.e.items.mapOne(row.ItemID)
				if err != nil {
					return err
				}
				if id == none {
					continue
				}
				cum = grow(cum, int(id)+1, [4]int64{})
				cum[id] = [4]int64{row.Views, row.Clicks, row.Likes, row.Books}
			}
			r.sum.Inputs = append(r.sum.Inputs, r.uri(dir))
			itemFrom = b.AddDays(1)
		}
	}
	genreFrom := opts.From.AddDays(-(opts.Window - 1))
	var gi *genreIndex
	if r.want[GenrePreference] {
		var m map[string][]string
		err := job.Retry(ctx, job.DefaultBackoff, func(ctx context.Context) error {
			var err error
			m, err = r.deps.Genres.Genres(ctx)
			return err
		})
		if err != nil {
			return fmt.Errorf("build-mart: item genres: %w", err)
		}
		if gi, err = newGenreIndex(m); err != nil {
			return err
		}
	}

	lo := opts.From
	if r.want[ItemStats] && (itemFrom.IsZero() || itemFrom.Before(lo)) {
		lo = itemFrom
	}
	if r.want[GenrePreference] && genreFrom.Before(lo) && !lo.IsZero() {
		lo = genreFrom
	}
	parts, err := lake.ListPartitions(ctx, s, lake.ZoneParquetEvents, lo, opts.To)
	if err != nil {
		return fmt.Errorf("build-mart: list events: %w", err)
	}
	have := map[catalog.Date]bool{}
	for _, p := range parts {
		have[p] = true
	}
	for d := opts.From; !opts.To.Before(d); d = d.AddDays(1) {
		if !have[d] {
			r.warn(fmt.Sprintf("no events partition %s: no marts built for %s", lake.PartitionPath(lake.ZoneParquetEvents, d), d))
		}
	}

	// user_ids pack into keys directly when every file's statistics allow
	// it; the choice holds for the whole run (genre sums span partitions).
	for _, p := range parts {
		files, _, err := openPartition(ctx, s, lake.PartitionPath(lake.ZoneParquetEvents, p))
		if err != nil {
			return fmt.Errorf("build-mart: %s: %w", lake.PartitionPath(lake.ZoneParquetEvents, p), err)
		}
		for _, f := range files {
			if !f.userRangeOK() {
				r.e.userDense = true
			}
		}
		closeAll(files)
	}

	prog := r.env.Progress("build-mart: partitions", int64(len(parts)))
	defer prog.Finish()
	var genreDays []catalog.Date
	var genreSums [][]genreCell
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return err
		}
		inRange := !p.Before(opts.From)
		need := scanNeeds{
			views:  inRange && (r.want[PopularDaily] || r.want[RankingAgeDaily]),
			ages:   r.want[RankingAgeDaily],
			search: inRange && r.want[SearchKeywordsDaily],
			items:  r.want[ItemStats] && (itemFrom.IsZero() || !p.Before(itemFrom)),
			genre:  r.want[GenrePreference] && !p.Before(genreFrom),
		}
		if !need.any() {
			prog.Add(1)
			continue
		}
		dir := lake.PartitionPath(lake.ZoneParquetEvents, p)
		files, _, err := openPartition(ctx, s, dir)
		if err != nil {
			return fmt.Errorf("build-mart: %s: %w", dir, err)
		}
		t0 := r.env.Now()
		a, err := r.e.scanPartition(ctx, files, need)
		t1 := r.env.Now()
		closeAll(files)
		if err != nil {
			return fmt.Errorf("build-mart: scan %s: %w", dir, err)
		}
		r.sum.Read += a.rows
		r.sum.Skipped += a.skipped
		r.sum.Inputs = append(r.sum.Inputs, r.uri(dir))

		var out []martRows
		var tests []string
		var popular []PopularRow
		if inRange && daily {
			if need.views {
				var rank []AgeRankRow
				popular, rank = r.e.dailyViews(p, a, opts.Top, r.want[PopularDaily], r.want[RankingAgeDaily])
				if r.want[PopularDaily] {
					tests = append(tests, testPopular(p, popular)...)
					out = append(out, popularPart(p, popular))
				}
				if r.want[RankingAgeDaily] {
					tests = append(tests, testAgeRank(p, rank)...)
					out = append(out, ageRankPart(p, rank))
				}
			}
			if need.search {
				rows := r.e.keywordRows(p, a, opts.Top)
				tests = append(tests, testKeywords(p, rows)...)
				out = append(out, keywordPart(p, rows))
			}
		}
		if need.items {
			cum = grow(cum, len(a.itemCounts), [4]int64{})
			for i, c := range a.itemCounts {
				for j := range c {
					cum[i][j] += c[j]
				}
			}
			if inRange {
				rows := r.itemStatRows(cum)
				tests = append(tests, testItemStats(p, rows)...)
				out = append(out, itemStatPart(p, rows))
			}
		}
		if need.genre {
			genreDays = append(genreDays, p)
			genreSums = append(genreSums, r.e.genreDay(&a.genre, opts.Weights, gi))
			if inRange {
				start := p.AddDays(-(opts.Window - 1))
				for len(genreDays) > 0 && genreDays[0].Before(start) {
					genreDays, genreSums = genreDays[1:], genreSums[1:]
				}
				rows := r.e.genreScores(genreDays, genreSums, p, opts.HalfLife, gi)
				tests = append(tests, testGenre(p, rows)...)
				out = append(out, genrePart(p, rows))
			}
		}
		for _, t := range tests {
			r.testWarnings++
			r.warn(t)
		}
		t2 := r.env.Now()
		if err := r.commit(ctx, out); err != nil {
			return err
		}
		r.env.Log.Debug("partition built", "partition", dir, "rows", a.rows,
			"scan_s", t1.Sub(t0).Seconds(), "reduce_s", t2.Sub(t1).Seconds(), "write_s", r.env.Now().Sub(t2).Seconds())
		if popular != nil && r.deps.Popular != nil && !r.env.DryRun {
			if err := r.publish(ctx, p, popular); err != nil {
				return err
			}
		}
		if inRange && len(out) > 0 {
			r.daysBuilt++
		}
		prog.Add(1)
	}
	return nil
}

// itemStatsBase picks the item_stats partition to continue from: the
// latest one before From that was committed after every events partition it
// covers. An events partition re-committed later (late events appended by
// export-parquet) makes the item_stats partitions of its day and after
// stale; then an earlier one is used, or none (a scan from the first events
// partition).
func (r *run) itemStatsBase(ctx context.Context) (catalog.Date, bool, error) {
	s := r.deps.Lake
	before := r.opts.From.AddDays(-1)
	prev, err := lake.ListPartitions(ctx, s, lake.ZoneMart+"/"+ItemStats, catalog.Date{}, before)
	if err != nil || len(prev) == 0 {
		return catalog.Date{}, false, err
	}
	evs, err := lake.ListPartitions(ctx, s, lake.ZoneParquetEvents, catalog.Date{}, before)
	if err != nil {
		return catalog.Date{}, false, err
	}
	// newest[i]: the latest commit time among events partitions evs[:i+1].
	newest := make([]time.Time, len(evs))
	for i, d := range evs {
		m, err := lake.ReadManifest(ctx, s, lake.PartitionPath(lake.ZoneParquetEvents, d))
		if err != nil {
			return catalog.Date{}, false, err
		}
		newest[i] = m.CommittedAt
		if i > 0 && newest[i-1].After(newest[i]) {
			newest[i] = newest[i-1]
		}
	}
	for i := len(prev) - 1; i >= 0; i-- {
		b := prev[i]
		m, err := lake.ReadManifest(ctx, s, MartPartition(ItemStats, b))
		if err != nil {
			return catalog.Date{}, false, err
		}
		j := -1 // the last events partition on or before b
		for k, d := range evs {
			if !b.Before(d) {
				j = k
			}
		}
		if j < 0 || !newest[j].After(m.CommittedAt) {
			return b, true, nil
		}
		r.env.Log.Info("item_stats partition is older than its events; not continuing from it",
			"partition", MartPartition(ItemStats, b))
	}
	return catalog.Date{}, false, nil
}

func (r *run) itemStatRows(cum [][4]int64) []ItemStatRow {
	names := r.e.items.snapshot()
	rows := make([]ItemStatRow, 0, len(cum))
	for id, c := range cum {
		if c == [4]int64{} {
			continue
		}
		rows = append(rows, ItemStatRow{ItemID: names[id], Views: c[0], Clicks: c[1], Likes: c[2], Books: c[3]})
	}
	slices.SortFunc(rows, func(a, b ItemStatRow) int { return strings.Compare(a.ItemID, b.ItemID) })
	return rows
}

// commit runs the drift test of each built partition, then writes and
// commits it (nothing in a dry run).
func (r *run) commit(ctx context.Context, out []martRows) error {
	for _, m := range out {
		prevDir := MartPartition(m.name, m.date.AddDays(-1))
		if pm, err := lake.ReadManifest(ctx, r.deps.Lake, prevDir); err == nil && r.opts.Drift > 0 {
			if w := driftWarning(m.name, m.date, int64(m.n), pm.Rows(), r.opts.Drift); w != "" {
				r.testWarnings++
				r.warn(w)
			}
		} else if err != nil && !errors.Is(err, catalog.ErrNotFound) {
			return fmt.Errorf("build-mart: %s: %w", prevDir, err)
		}
		r.rowsBy[m.name] += int64(m.n)
		if r.env.DryRun {
			continue
		}
		if _, err := commitMart(ctx, r.deps.Lake, m, JobName, r.env.RunID, r.env.Now); err != nil {
			return fmt.Errorf("build-mart: %s dt=%s: %w", m.name, m.date, err)
		}
		r.sum.Written += int64(m.n)
		r.sum.Outputs = append(r.sum.Outputs, r.uri(MartPartition(m.name, m.date)))
	}
	return nil
}

func (r *run) publish(ctx context.Context, d catalog.Date, rows []PopularRow) error {
	items := make([]catalog.PopularItem, len(rows))
	for i, p := range rows {
		items[i] = catalog.PopularItem{Date: d, Rank: int(p.Rank), ItemID: p.ItemID, Views: p.Views, Viewers: p.Viewers}
	}
	err := job.Retry(ctx, job.DefaultBackoff, func(ctx context.Context) error {
		return r.deps.Popular.ReplacePopular(ctx, d, items)
	})
	if err != nil {
		return fmt.Errorf("build-mart: publish popular dt=%s: %w", d, err)
	}
	if r.deps.PopularURI != "" && !slices.Contains(r.sum.Outputs, r.deps.PopularURI) {
		r.sum.Outputs = append(r.sum.Outputs, r.deps.PopularURI)
	}
	return nil
}
