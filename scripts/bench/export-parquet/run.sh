#!/usr/bin/env bash
# export-parquet benchmark: N synthetic activity events (DESIGN.md §5a; 7 days,
# 50k items; default 10M ≈ 1.8 GB JSONL, seeded) → Parquet:
#   marquee  `marquee export-parquet --dataset events`: parsed, validated and
#            partitioned by event date in Asia/Seoul into parquet/events/dt=D
#            (zstd, row groups of 128k rows), committed with manifests
#   DuckDB   COPY (SELECT * FROM read_json(…, columns={…})) TO one file
#            (FORMAT parquet, COMPRESSION zstd), threads=2, no partitioning
# on the same file in one run, then checks both outputs hold the same rows
# (per day: count, sums of user_id and result_count, null counts, min/max ts,
# xor-hashes of session_id, item_id and keyword) and that every marquee row
# sits in the partition of its own date.
# Prints one BENCH line; exits non-zero only when the outputs differ.
#
# Env: MARQUEE_BENCH_SCALE=small (1M events), MARQUEE_BENCH_EVENTS=N,
# MARQUEE_BENCH_THREADS (DuckDB threads and marquee --workers, default 2).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
N=${MARQUEE_BENCH_EVENTS:-10000000}
[ "${MARQUEE_BENCH_SCALE:-}" = small ] && N=${MARQUEE_BENCH_EVENTS:-1000000}
THREADS=${MARQUEE_BENCH_THREADS:-2}
END=2026-11-22
B=.bench/export-parquet
mkdir -p "$B"
export MARQUEE_CONFIG=/nonexistent

log() { echo "export-parquet bench: $*" >&2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "inf"}'; }
rate() { awk -v n="$N" -v s="$1" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "inf"}'; }
# timed CMD...: runs CMD, sets t_wall t_rss_mb t_cpu (user+sys); GNU time when present.
timed() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%e %M %U %S" -o "$B/time.txt" "$@"
		local rc=$?
		read -r t_wall rss u s <"$B/time.txt"
		t_rss_mb=$((rss / 1024))
		t_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
		return $rc
	fi
	local t0 t1
	t0=$(date +%s.%N)
	"$@"
	local rc=$?
	t1=$(date +%s.%N)
	t_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
	t_rss_mb=na t_cpu=na
	return $rc
}

py=$(bash scripts/bench/venv.sh) || { log "no bench venv (scripts/bench/venv.sh)"; exit 0; }
log "building"
if [ -n "${MARQUEE_BENCH_BIN:-}" ]; then cp "$MARQUEE_BENCH_BIN" "$B/marquee"; else go build -o "$B/marquee" ./cmd/marquee || exit 1; fi
go build -o "$B/gen-events" ./scripts/bench/gen-events || exit 1

input=$B/events-$N.jsonl
if [ ! -s "$input" ]; then
	log "generating $N events (7 days to $END, 50k items)"
	"$B/gen-events" -n "$N" -days 7 -items 50000 -end "$END" -seed 42 -o "$input.tmp" && mv "$input.tmp" "$input" || exit 1
fi
mb=$(( $(stat -c %s "$input") / 1000000 ))

log "marquee export-parquet --dataset events ($mb MB)"
rm -rf "$B/lake" "$B/data"
timed "$B/marquee" export-parquet --dataset events --input "$input" --date "$END" --tz Asia/Seoul \
	--lake "$B/lake" --data-dir "$B/data" --workers "$THREADS" --log-format json >"$B/marquee.out" 2>"$B/marquee.err"
rc=$?
[ $rc -eq 0 ] || { log "marquee failed (exit $rc):"; tail -5 "$B/marquee.err" >&2; exit 1; }
tm=$t_wall m_rss=$t_rss_mb m_cpu=$t_cpu

log "DuckDB read_json → Parquet, threads=$THREADS"
rm -f "$B/peer.parquet"
timed "$py" scripts/bench/export-parquet/peer.py convert "$input" "$B/peer.parquet" "$THREADS" 2>"$B/peer.err"
prc=$?
[ $prc -eq 0 ] || { log "DuckDB failed (exit $prc):"; tail -5 "$B/peer.err" >&2; exit 1; }
tp=$t_wall p_rss=$t_rss_mb p_cpu=$t_cpu

log "comparing outputs"
cmp=$("$py" scripts/bench/export-parquet/peer.py compare "$B/lake" "$B/peer.parquet")
echo "$cmp" >"$B/compare.json"
equal=no
echo "$cmp" | grep -q '"equal": true' && equal=yes
m_bytes=$(du -sb "$B/lake/parquet/events" | cut -f1)
p_bytes=$(stat -c %s "$B/peer.parquet")

echo "BENCH export-parquet events-$N marquee=${tm}s peer(duckdb)=${tp}s ratio=$(ratio "$tm" "$tp") equal=$equal" \
	"marquee_rate=$(rate "$tm")ev/s peer_rate=$(rate "$tp")ev/s input=${mb}MB" \
	"marquee_rss=${m_rss}MB peer_rss=${p_rss}MB marquee_cpu=${m_cpu}s peer_cpu=${p_cpu}s" \
	"marquee_out=$((m_bytes / 1000000))MB peer_out=$((p_bytes / 1000000))MB"
[ "$equal" = yes ] || { log "outputs differ: $cmp"; exit 1; }
exit 0
