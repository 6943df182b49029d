#!/usr/bin/env bash
# make demo: the daily chain on local defaults against a bundled demo site.
#
# Starts the real services (scripts/services.sh), serves the demo sites
# (scripts/demo/demosite: a ticket site, a movie API, a JavaScript exhibition
# page, JSON-LD sports pages, posters), writes a day of activity events, runs
# `marquee run daily` for today, and prints what came out. Everything lands in
# .demo/ (delete it to start over); the services stay up (scripts/services.sh stop).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
demo=$root/.demo
bin=$root/bin/marquee
[ -x "$bin" ] || go build -o "$bin" ./cmd/marquee
scripts/services.sh start >&2
set -a; . .services/env; set +a

mkdir -p "$demo/logs"
go build -o "$demo/demosite" ./scripts/demo/demosite
go build -o "$demo/report" ./scripts/demo/report

today=${MARQUEE_DEMO_DATE:-$(TZ=Asia/Seoul date +%F)}
yesterday=$(date -d "$today -1 day" +%F)

rm -f "$demo/addr"
"$demo/demosite" -addr 127.0.0.1:0 -addr-file "$demo/addr" >"$demo/demosite.log" 2>&1 &
site_pid=$!
trap 'kill $site_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$demo/addr" ] && break; sleep 0.1; done
[ -s "$demo/addr" ] || { echo "demo: the demo site did not start (see $demo/demosite.log)" >&2; exit 1; }
base=$(cat "$demo/addr")
sed "s#{{BASE}}#$base#g" scripts/demo/sites.yaml >"$demo/sites.yaml"
"$demo/demosite" -events "$demo/logs/events-$yesterday.jsonl" -day "$yesterday" -n 30000

cat >"$demo/marquee.yaml" <<YAML
data-dir: $demo/data
mongo-uri: $MARQUEE_TEST_MONGO_URI
mongo-db: marquee_demo
search-url: $MARQUEE_TEST_SEARCH_URL
sites: $demo/sites.yaml
crawl:
  chromium: $MARQUEE_TEST_CHROMIUM
export-parquet:
  dataset: events
  input: $demo/logs/*.jsonl
build-mart:
  top: 10
compute-similar:
  k: 3
reindex-es:
  alias: demo_releases
YAML

echo "demo: marquee run daily --date $today (site $base, config $demo/marquee.yaml)" >&2
set +e
MARQUEE_CONFIG="$demo/marquee.yaml" "$bin" run daily --date "$today" --keep-going --log-format text \
  2> >(grep -v '"level":"DEBUG"' >&2) | tee "$demo/summary.jsonl"
rc=${PIPESTATUS[0]}
set -e
# The releases snapshot for analysts (the daily chain exports the events).
# (its own config: the chain's export-parquet settings are for the events)
sed '/^export-parquet:/,/^[^ ]/{/^export-parquet:/d;/^  /d}' "$demo/marquee.yaml" >"$demo/marquee-releases.yaml"
MARQUEE_CONFIG="$demo/marquee-releases.yaml" "$bin" export-parquet --dataset releases --date "$today" --log-format text \
  2>>"$demo/export-releases.log" | tail -n 1 >>"$demo/summary.jsonl" || true

"$demo/report" -mongo-uri "$MARQUEE_TEST_MONGO_URI" -mongo-db marquee_demo -search-url "$MARQUEE_TEST_SEARCH_URL" \
  -alias demo_releases -lake "$demo/data/lake" -event-day "$yesterday" -q 레미제라블
echo "demo: run daily exited $rc; summaries in $demo/summary.jsonl; lake in $demo/data/lake" >&2
exit "$rc"
