#!/usr/bin/env bash
# ingest-posters benchmark (issue 6): posters/s and MB/s of `marquee
# ingest-posters` from a local image server, against a sequential downloader
# (scripts/bench/ingest-posters/sequential.py: GET, sniff, sha256, store once,
# index), on the same seeded posters; the two indexes and object sets must be
# equal. Then marquee with --verify structure, marquee's rerun (conditional GETs, 304s) and, when the GCS
# emulator runs (.services/env), marquee into a gs:// lake.
#   MARQUEE_BENCH_SCALE=small            100 posters instead of 1000
#   MARQUEE_BENCH_POSTERS_N=N            number of releases
#   MARQUEE_BENCH_POSTERS_LATENCY=20ms   added latency per image response
#   MARQUEE_BENCH_POSTERS_WORKERS=8      marquee --workers and --per-host
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
here=scripts/bench/ingest-posters
out=.bench/ingest-posters
rm -rf "$out" && mkdir -p "$out"
if [ "${MARQUEE_BENCH_SCALE:-}" = small ]; then n=100; else n=1000; fi
n=${MARQUEE_BENCH_POSTERS_N:-$n}
latency=${MARQUEE_BENCH_POSTERS_LATENCY:-20ms}
workers=${MARQUEE_BENCH_POSTERS_WORKERS:-8}
date=2026-11-26

go build -o "$out/marquee" ./cmd/marquee
go build -o "$out/fixture" ./$here/fixture
py=$(scripts/bench/venv.sh 2>/dev/null || command -v python3)

"$out/fixture" serve -n "$n" -latency "$latency" >"$out/fixture.url" 2>"$out/fixture.log" &
fixture_pid=$!
trap 'kill $fixture_pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do [ -s "$out/fixture.url" ] && break; sleep 0.1; done
base=$(head -1 "$out/fixture.url")
[ -n "$base" ] || { echo "fixture did not start" >&2; exit 1; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s > 0) printf "%.1f", n/s; else print "inf" }'; }
mbs() { awk -v b="$1" -v s="$2" 'BEGIN{ if (s > 0) printf "%.2f", b/1e6/s; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3f", a/b; else print "-" }'; }
field() { tail -1 "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
marquee() { MARQUEE_CONFIG=/nonexistent "$out/marquee" ingest-posters --date "$date" --log-format json \
  --workers "$workers" --per-host "$workers" "$@"; }

"$out/fixture" raw -n "$n" -base "$base" -lake "$out/m/lake" -date "$date" -urls "$out/urls.tsv"
mkdir -p "$out/peer"
rc=0

t0=$(now)
marquee --data-dir "$out/m" >"$out/m1.json" 2>"$out/m1.log" || { echo "marquee failed (see $out/m1.log)" >&2; rc=1; }
t1=$(now)
"$py" "$here/sequential.py" "$out/urls.tsv" "$out/peer" >"$out/peer.txt" 2>"$out/peer.log" || { echo "peer failed (see $out/peer.log)" >&2; rc=1; }
t2=$(now)
tm=$(secs "$t0" "$t1"); tp=$(secs "$t1" "$t2")
bytes_m=$(field "$out/m1.json" bytes); bytes_p=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$out/peer.txt")
cmp=$("$py" "$here/compare.py" "$out/m/lake" "$date" "$out/peer" 2>"$out/compare.log" || echo "equal=no")
equal=$(sed -n 's/.*equal=\([a-z]*\).*/\1/p' <<<"$cmp")
echo "BENCH ingest-posters download-${n} marquee=${tm}s peer(sequential-python)=${tp}s ratio=$(ratio "$tm" "$tp") equal=${equal:-no} marquee_posters_s=$(rate "$n" "$tm") peer_posters_s=$(rate "$n" "$tp") marquee_MB_s=$(mbs "${bytes_m:-0}" "$tm") peer_MB_s=$(mbs "${bytes_p:-0}" "$tp") workers=$workers latency=$latency $(sed "s/equal=[a-z]* //" <<<"$cmp")"
[ "$equal" = yes ] || rc=1

# The same with --verify structure (header + end marker instead of a full decode).
"$out/fixture" raw -n "$n" -base "$base" -lake "$out/s/lake" -date "$date"
t0=$(now)
marquee --data-dir "$out/s" --verify structure >"$out/s1.json" 2>"$out/s1.log" || { echo "marquee --verify structure failed (see $out/s1.log)" >&2; rc=1; }
t1=$(now)
ts=$(secs "$t0" "$t1")
cmp=$("$py" "$here/compare.py" "$out/s/lake" "$date" "$out/peer" 2>>"$out/compare.log" || echo "equal=no")
equal=$(sed -n 's/.*equal=\([a-z]*\).*/\1/p' <<<"$cmp")
echo "BENCH ingest-posters download-verify-structure-${n} marquee=${ts}s peer(sequential-python)=${tp}s ratio=$(ratio "$ts" "$tp") equal=${equal:-no} marquee_posters_s=$(rate "$n" "$ts") marquee_MB_s=$(mbs "${bytes_m:-0}" "$ts") workers=$workers latency=$latency"
[ "$equal" = yes ] || rc=1

# Rerun: every URL answers 304, nothing is uploaded.
t0=$(now)
marquee --data-dir "$out/m" >"$out/m2.json" 2>"$out/m2.log" || rc=1
t1=$(now)
tr=$(secs "$t0" "$t1")
nm=$(tail -1 "$out/m2.json" | sed -n 's/.*"not_modified":\([0-9]*\).*/\1/p'); up=$(tail -1 "$out/m2.json" | sed -n 's/.*"uploaded":\([0-9]*\).*/\1/p')
distinct=$(cut -f2 "$out/urls.tsv" | sort -u | wc -l)
ok=no; [ "${nm:-0}" = "$distinct" ] && [ "${up:-1}" = 0 ] && ok=yes
echo "BENCH ingest-posters rerun-304-${n} marquee=${tr}s peer(sequential-python)=${tp}s ratio=$(ratio "$tr" "$tp") equal=$ok marquee_posters_s=$(rate "$n" "$tr") not_modified=${nm:-0} uploaded=${up:-?}"
[ "$ok" = yes ] || rc=1

# Into the GCS emulator (fake-gcs-server), when it runs.
if [ -f .services/env ]; then set -a; . .services/env; set +a; fi
if [ -n "${STORAGE_EMULATOR_HOST:-}" ] && curl -sf "http://$STORAGE_EMULATOR_HOST/storage/v1/b" >/dev/null; then
  bucket="bench-posters-$$-$(date +%s)"
  curl -sf -X POST "http://$STORAGE_EMULATOR_HOST/storage/v1/b?project=bench" -H 'Content-Type: application/json' -d "{\"name\":\"$bucket\"}" >/dev/null
  "$out/fixture" raw -n "$n" -base "$base" -lake "gs://$bucket/lake" -date "$date"
  t0=$(now)
  marquee --data-dir "$out/g" --lake "gs://$bucket/lake" >"$out/g1.json" 2>"$out/g1.log" || rc=1
  t1=$(now)
  tg=$(secs "$t0" "$t1")
  written=$(field "$out/g1.json" written); up=$(tail -1 "$out/g1.json" | sed -n 's/.*"uploaded":\([0-9]*\).*/\1/p')
  ok=no; [ "${written:-0}" = "$n" ] && [ "${up:-0}" = "$distinct" ] && ok=yes
  echo "BENCH ingest-posters gcs-emulator-${n} marquee=${tg}s peer(sequential-python,local)=${tp}s ratio=$(ratio "$tg" "$tp") equal=$ok marquee_posters_s=$(rate "$n" "$tg") marquee_MB_s=$(mbs "${bytes_m:-0}" "$tg") written=${written:-0} uploaded=${up:-0}"
  [ "$ok" = yes ] || rc=1
else
  echo "ingest-posters bench: no GCS emulator (scripts/services.sh start); gs:// case skipped" >&2
fi
exit $rc
