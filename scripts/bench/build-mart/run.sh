#!/usr/bin/env bash
# build-mart benchmark: N events (default 10M) over 7 days, exported to
# parquet/events by the export-parquet job; popular_daily, ranking_age_daily
# and search_keywords_daily with --top 10 for all 7 days:
#   marquee   one `marquee build-mart --from … --to …` invocation
#   DuckDB    the same three marts as SQL (mart/sql/duckdb/*.sql: row_number()
#             over grouped counts, count(DISTINCT user_id)), threads=2, on the
#             same Parquet files (the ones the manifests list)
# then compares every row of the three marts (mart/sql/duckdb_marts.py).
# Prints one BENCH line; exits non-zero only when the outputs differ.
#
# Env: MARQUEE_BENCH_SCALE=small (1M events), MARQUEE_BENCH_EVENTS=N,
# MARQUEE_BENCH_THREADS (DuckDB threads and marquee --workers, default 2),
# MARQUEE_BENCH_ALL=1 adds a second case: every mart (item_stats over all
# partitions, genre_preference with a 3-day window) for the last two days,
# --top 100, compared row by row with DuckDB (scores within 1e-9).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
N=${MARQUEE_BENCH_EVENTS:-10000000}
[ "${MARQUEE_BENCH_SCALE:-}" = small ] && N=${MARQUEE_BENCH_EVENTS:-1000000}
THREADS=${MARQUEE_BENCH_THREADS:-2}
DAYS=7
END=2026-11-22
FROM=2026-11-16
MARTS=popular_daily,ranking_age_daily,search_keywords_daily
B=.bench/build-mart
mkdir -p "$B"
export MARQUEE_CONFIG=/nonexistent

log() { echo "build-mart bench: $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "inf"}'; }
rate() { awk -v n="$N" -v s="$1" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "inf"}'; }

py=$(bash scripts/bench/venv.sh) || { log "no bench venv (scripts/bench/venv.sh)"; exit 0; }
log "building"
if [ -n "${MARQUEE_BENCH_BIN:-}" ]; then cp "$MARQUEE_BENCH_BIN" "$B/marquee"; else go build -o "$B/marquee" ./cmd/marquee || exit 1; fi
go build -o "$B/prep" ./scripts/bench/build-mart/prep || exit 1

lakedir=$B/lake-$N
if [ ! -f "$lakedir/.ok" ]; then
	log "generating $N events over $DAYS days and exporting them to Parquet"
	rm -rf "$lakedir"
	"$B/prep" -n "$N" -days "$DAYS" -end "$END" -lake "$lakedir" || exit 1
	touch "$lakedir/.ok"
fi
rm -rf "$lakedir/mart" "$B/data"

log "marquee build-mart --mart $MARTS --from $FROM --to $END --top 10"
t0=$(now)
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$B/marquee.time")
rm -f "$B/marquee.time"
"${timer[@]}" "$B/marquee" build-mart --lake "$lakedir" --data-dir "$B/data" --mart "$MARTS" --from "$FROM" --to "$END" \
	--top 10 --workers "$THREADS" --log-format json >"$B/marquee.out" 2>"$B/marquee.err"
rc=$?
t1=$(now)
[ $rc -eq 0 ] || { log "marquee failed (exit $rc):"; tail -5 "$B/marquee.err" >&2; exit 1; }
tm=$(secs "$t0" "$t1")
cm=$(awk '{printf "%.2f", $1+$2}' "$B/marquee.time" 2>/dev/null)

log "DuckDB SQL, threads=$THREADS, and the row-by-row comparison"
"$py" mart/sql/duckdb_marts.py --lake "$lakedir" --from "$FROM" --to "$END" --marts "$MARTS" \
	--top 10 --threads "$THREADS" >"$B/duckdb.json" 2>"$B/duckdb.err"
prc=$?
[ -s "$B/duckdb.json" ] || { log "duckdb failed:"; tail -5 "$B/duckdb.err" >&2; exit 1; }
td=$("$py" -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["duckdb_seconds"])' "$B/duckdb.json")
cd_=$("$py" -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["duckdb_cpu_seconds"])' "$B/duckdb.json")
rows=$("$py" -c 'import json,sys; m=json.load(open(sys.argv[1]))["marts"]; print(",".join("%s:%d" % (k, v["rows"]) for k, v in m.items()))' "$B/duckdb.json")
eq=no
[ $prc -eq 0 ] && eq=yes
[ $eq = yes ] || log "outputs differ: $(cat "$B/duckdb.json")"
echo "BENCH build-mart daily-top10-${N} marquee=${tm}s peer(duckdb)=${td}s ratio=$(ratio "$tm" "$td") equal=$eq marquee_events_per_s=$(rate "$tm") peer_events_per_s=$(rate "$td") cpu_marquee=${cm}s cpu_peer=${cd_}s load=$(cut -d' ' -f1 /proc/loadavg) rows=$rows"
status=0
[ $eq = yes ] || status=1

if [ "${MARQUEE_BENCH_ALL:-}" = 1 ]; then
	"$B/prep" -genres "$B/genres.jsonl" || exit 1
	rm -rf "$lakedir/mart"
	log "all marts, 2026-11-21..$END"
	rm -f "$B/marquee.time"
	t0=$(now)
	"${timer[@]}" "$B/marquee" build-mart --lake "$lakedir" --data-dir "$B/data" --mart all --from 2026-11-21 --to "$END" \
		--top 100 --window 3d --half-life 2 --genres "$B/genres.jsonl" --workers "$THREADS" --log-format json \
		>"$B/marquee-all.out" 2>"$B/marquee-all.err" || { log "marquee failed:"; tail -5 "$B/marquee-all.err" >&2; exit 1; }
	t1=$(now)
	tm=$(secs "$t0" "$t1")
	cm=$(awk '{printf "%.2f", $1+$2}' "$B/marquee.time" 2>/dev/null)
	"$py" mart/sql/duckdb_marts.py --lake "$lakedir" --from 2026-11-21 --to "$END" \
		--marts popular_daily,ranking_age_daily,search_keywords_daily,item_stats,genre_preference \
		--top 100 --window 3 --half-life 2 --genres "$B/genres.jsonl" --threads "$THREADS" >"$B/duckdb-all.json" 2>"$B/duckdb-all.err"
	prc=$?
	[ -s "$B/duckdb-all.json" ] || { log "duckdb failed:"; tail -5 "$B/duckdb-all.err" >&2; exit 1; }
	td=$("$py" -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["duckdb_seconds"])' "$B/duckdb-all.json")
	cd_=$("$py" -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["duckdb_cpu_seconds"])' "$B/duckdb-all.json")
	rows=$("$py" -c 'import json,sys; m=json.load(open(sys.argv[1]))["marts"]; print(",".join("%s:%d" % (k, v["rows"]) for k, v in m.items()))' "$B/duckdb-all.json")
	eq=no
	[ $prc -eq 0 ] && eq=yes
	[ $eq = yes ] || { log "outputs differ: $(head -c 2000 "$B/duckdb-all.json")"; status=1; }
	echo "BENCH build-mart all-marts-2days-${N} marquee=${tm}s peer(duckdb)=${td}s ratio=$(ratio "$tm" "$td") equal=$eq cpu_marquee=${cm}s cpu_peer=${cd_}s load=$(cut -d' ' -f1 /proc/loadavg) rows=$rows"
fi
exit $status
