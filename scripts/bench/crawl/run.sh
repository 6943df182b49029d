#!/usr/bin/env bash
# Crawl benchmark (issue 5): pages/s of `marquee crawl` on a generated local
# ticket site of list + detail pages, politeness off, against Scrapy with
# CONCURRENT_REQUESTS equal to marquee's parallelism, items compared one by
# one; then JavaScript pages/s with 1, 2 and 4 browser tabs.
#   MARQUEE_BENCH_SCALE=small      quick run (10 lists x 20 items, 10 JS pages)
#   MARQUEE_BENCH_CRAWL_PAR=8      parallelism (marquee rate.parallelism = Scrapy CONCURRENT_REQUESTS)
#   MARQUEE_BENCH_CRAWL_LATENCY=0  added server latency per response (e.g. 20ms)
#   MARQUEE_BENCH_CRAWL_JS_DELAY=50ms  how long a JS page waits before building its content
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
here=scripts/bench/crawl
out=.bench/crawl
rm -rf "$out" && mkdir -p "$out"
if [ "${MARQUEE_BENCH_SCALE:-}" = small ]; then lists=10 per=20 jspages=10; else lists=100 per=20 jspages=40; fi
par=${MARQUEE_BENCH_CRAWL_PAR:-8}
latency=${MARQUEE_BENCH_CRAWL_LATENCY:-0}
jsdelay=${MARQUEE_BENCH_CRAWL_JS_DELAY:-50ms}
date=2026-11-26
chromium=${MARQUEE_TEST_CHROMIUM:-/usr/bin/chromium}

go build -o "$out/marquee" ./cmd/marquee
go build -o "$out/fixture" ./$here/fixture
py=$(scripts/bench/venv.sh)
scrapy=$(dirname "$py")/scrapy

"$out/fixture" -lists "$lists" -per "$per" -js-pages "$jspages" -js-delay "$jsdelay" -latency "$latency" >"$out/fixture.url" 2>"$out/fixture.log" &
fixture_pid=$!
trap 'kill $fixture_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/fixture.url" ] && break; sleep 0.1; done
base=$(head -1 "$out/fixture.url")
[ -n "$base" ] || { echo "fixture did not start" >&2; exit 1; }

cat >"$out/sites.yaml" <<YAML
sites:
  - name: bench
    kind: performance
    start_urls: ["$base/list/1.html"]
    source_id: {from: url, regex: '/show/(\d+)\.html$'}
    rate: {delay: 0s, parallelism: $par}
    max_pages: 1000000
    list:
      items: "ul.shows > li"
      fields: {title: ".title"}
      link: "a.more@href"
      next: "a.next@href"
    detail:
      fields:
        title: "h1.title"
        date_text: ".period"
        venue: ".venue"
        price: {css: ".prices li", all: true, sep: " / "}
        cast: {css: ".cast li", all: true}
        poster_url: "img.poster@src"
  - name: jsbench
    kind: movie
    render: browser
    start_urls: ["$base/js/index.html"]
    wait_for: "#ready"
    source_id: {from: url, regex: '/js/item/(\d+)'}
    rate: {delay: 0s, parallelism: 4}
    list: {items: "#list li", fields: {title: a}, link: "a@href"}
    detail: {fields: {title: "h1.title", release_date: ".d"}}
YAML

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s > 0) printf "%.1f", n/s; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3f", a/b; else print "-" }'; }
marquee() { MARQUEE_CONFIG=/nonexistent "$out/marquee" crawl --date "$date" --sites "$out/sites.yaml" --log-format json "$@"; }

pages=$((lists + lists * per))
rc=0

# static: marquee vs Scrapy
t0=$(now)
marquee --data-dir "$out/m-static" --site bench >"$out/m-static.json" 2>"$out/m-static.log" || { echo "marquee crawl failed (see $out/m-static.log)" >&2; rc=1; }
t1=$(now)
"$scrapy" runspider "$here/spider.py" -a "base=$base" -O "$out/scrapy.jsonl:jsonlines" \
  -s CONCURRENT_REQUESTS="$par" -s CONCURRENT_REQUESTS_PER_DOMAIN="$par" -s DOWNLOAD_DELAY=0 \
  -s AUTOTHROTTLE_ENABLED=False -s ROBOTSTXT_OBEY=True -s LOG_LEVEL=WARNING -s TELNETCONSOLE_ENABLED=False \
  -s FEED_EXPORT_ENCODING=utf-8 -s USER_AGENT=marquee-bench 2>"$out/scrapy.log" || { echo "scrapy failed (see $out/scrapy.log)" >&2; rc=1; }
t2=$(now)
tm=$(secs "$t0" "$t1"); ts=$(secs "$t1" "$t2")
cmp=$("$py" "$here/compare.py" "$out/m-static/lake/raw/releases/source=bench/dt=$date" "$out/scrapy.jsonl" \
  title,date_text,venue,price,cast,poster_url 2>"$out/compare.log" || echo "equal=no")
equal=$(sed -n 's/.*equal=\([a-z]*\).*/\1/p' <<<"$cmp")
echo "BENCH crawl static-${pages}p marquee=${tm}s peer(scrapy)=${ts}s ratio=$(ratio "$tm" "$ts") equal=${equal:-no} marquee_pages_s=$(rate $pages "$tm") scrapy_pages_s=$(rate $pages "$ts") parallelism=$par $cmp"
[ "$equal" = yes ] || rc=1

# browser: JS pages/s with 1, 2, 4 tabs (no peer: Scrapy does not run JavaScript)
if [ -x "$chromium" ]; then
  for tabs in 1 2 4; do
    t0=$(now)
    marquee --data-dir "$out/m-js-$tabs" --site jsbench --chromium "$chromium" --tabs "$tabs" >"$out/m-js-$tabs.json" 2>"$out/m-js-$tabs.log" || true
    t1=$(now)
    tm=$(secs "$t0" "$t1")
    written=$(tail -1 "$out/m-js-$tabs.json" | sed -n 's/.*"written":\([0-9]*\).*/\1/p')
    ok=no; [ "${written:-0}" = "$jspages" ] && ok=yes
    echo "BENCH crawl js-tabs-$tabs-delay-$jsdelay marquee=${tm}s peer(none)=- ratio=- equal=$ok js_pages_s=$(rate $((jspages + 1)) "$tm") items=${written:-0}"
    [ "$ok" = yes ] || rc=1
  done
else
  echo "crawl bench: no Chromium at $chromium; JS cases skipped" >&2
fi
exit $rc
