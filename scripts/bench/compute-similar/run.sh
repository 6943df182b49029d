#!/usr/bin/env bash
# compute-similar benchmark: for each size (default 100k and 1M generated
# releases; MARQUEE_BENCH_SCALE=small: 20k only; MARQUEE_BENCH_SIZES="N M"
# to choose), on the same input in one run:
#   marquee        marquee compute-similar --source releases.jsonl --k 10
#                  (exact top-k, inverted index, all cores), lake output only.
#                  Above MARQUEE_BENCH_MARQUEE_FULL_MAX releases (default
#                  200000) it computes shard 0 of MARQUEE_BENCH_MARQUEE_SHARDS
#                  (default 8) against the whole catalog and extrapolates the
#                  full time (read + index once, search and write × shards);
#                  MARQUEE_BENCH_MARQUEE_FULL_MAX=0 always runs in full.
#   scikit-learn   the seed's method: TfidfVectorizer over marquee's tokens
#                  (sublinear_tf, smooth_idf, l2; tokens repeated by field
#                  weight) + linear_kernel top-k in chunks of rows. Above
#                  MARQUEE_BENCH_PEER_FULL_MAX releases (default 200000) it
#                  scores MARQUEE_BENCH_PEER_SAMPLE query rows (default 2000)
#                  and its full time is extrapolated (said in the output).
# Checks: marquee's lists equal the peer's (ids in order, scores within
# 1e-9) for every row the peer computed, and equal a brute-force scan on a
# sample (recall@k). Prints wall time, peak RSS and one BENCH line per size;
# exits 1 when a check fails. Never run by CI. MARQUEE_BENCH_REUSE_PEER=1
# keeps a previous peer result for the same input (re-timing marquee only).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
B=.bench/compute-similar
mkdir -p "$B"
export MARQUEE_CONFIG=/nonexistent MARQUEE_MONGO_URI=
K=${MARQUEE_BENCH_K:-10}
DATE=2026-11-26
SIZES=${MARQUEE_BENCH_SIZES:-100000 1000000}
[ "${MARQUEE_BENCH_SCALE:-}" = small ] && SIZES=${MARQUEE_BENCH_SIZES:-20000}
FULL_MAX=${MARQUEE_BENCH_PEER_FULL_MAX:-200000}
SAMPLE=${MARQUEE_BENCH_PEER_SAMPLE:-2000}
M_FULL_MAX=${MARQUEE_BENCH_MARQUEE_FULL_MAX:-200000}
M_SHARDS=${MARQUEE_BENCH_MARQUEE_SHARDS:-8}

log() { echo "compute-similar bench: $*" >&2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.3f", a/b; else print "inf"}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "inf"}'; }
mib() { awk -v k="$1" 'BEGIN{printf "%.0f", k/1024}'; }

log "building"
go build -o "$B/marquee" ./cmd/marquee || exit 1
go build -o "$B/simbench" ./scripts/bench/compute-similar/simbench || exit 1
PY=$(scripts/bench/venv.sh) || { log "no Python venv (scripts/bench/venv.sh)"; exit 0; }

fail=0
for N in $SIZES; do
	rel=$B/releases-$N.jsonl tok=$B/tokens-$N.jsonl
	if [ ! -s "$rel" ] || [ ! -s "$tok" ]; then
		log "generating $N releases"
		"$B/simbench" gen -n "$N" -seed 42 -date "$DATE" -out "$rel.tmp" -tokens "$tok.tmp" && mv "$rel.tmp" "$rel" && mv "$tok.tmp" "$tok" || exit 1
	fi
	lakedir=$B/lake-$N
	rm -rf "$lakedir"
	shard_args=() shard="" shards=1
	if [ "$M_FULL_MAX" -gt 0 ] && [ "$N" -gt "$M_FULL_MAX" ]; then
		shard="0/$M_SHARDS" shards=$M_SHARDS shard_args=(--shard "$shard")
	fi
	log "n=$N: marquee compute-similar ${shard_args[*]:-}"
	/usr/bin/time -f "%e %M %U %S" -o "$B/time-marquee-$N" \
		"$B/marquee" compute-similar --source "$rel" --k "$K" --lake "$lakedir" --date "$DATE" --log-format json "${shard_args[@]}" \
		>"$B/summary-$N.json" 2>"$B/marquee-$N.log" || { log "marquee failed: $(tail -3 "$B/marquee-$N.log")"; fail=1; continue; }
	read -r m_wall m_kb m_user m_sys <"$B/time-marquee-$N"
	lists=$(tail -1 "$B/summary-$N.json" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["written"])')
	phases=$(tail -1 "$B/summary-$N.json" | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["details"]["phases"]))')
	# full-run estimate: per-shard work (search, mart) × shards, the rest once
	m_s=$(tail -1 "$B/summary-$N.json" | "$PY" -c '
import json,sys
d=json.load(sys.stdin); p=d["details"]["phases"]; n=int(sys.argv[1]); wall=float(sys.argv[2])
per=p.get("search_s",0)+p.get("mart_s",0)
print(round(wall+(n-1)*per,2))' "$shards" "$m_wall")

	peer_args=()
	[ "$N" -gt "$FULL_MAX" ] && peer_args=(--sample "$SAMPLE")
	if [ "${MARQUEE_BENCH_REUSE_PEER:-}" = 1 ] && [ -s "$B/peer-$N.json" ] && [ -s "$B/time-peer-$N" ]; then
		log "n=$N: reusing the previous scikit-learn result"
	else
	log "n=$N: scikit-learn ${peer_args[*]:-(all rows)}"
	/usr/bin/time -f "%e %M" -o "$B/time-peer-$N" \
		"$PY" scripts/bench/compute-similar/peer_sklearn.py --tokens "$tok" --k "$K" --out "$B/peer-$N.jsonl" "${peer_args[@]}" \
		>"$B/peer-$N.json" 2>"$B/peer-$N.log" || { log "peer failed: $(tail -3 "$B/peer-$N.log")"; fail=1; continue; }
	fi
	read -r p_wall p_kb <"$B/time-peer-$N"
	p_s=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["extrapolated_total_s"])' "$B/peer-$N.json")
	sampled=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("yes" if d["sampled"] else "no")' "$B/peer-$N.json")

	cmp=$("$B/simbench" compare -lake "$lakedir" -date "$DATE" -peer "$B/peer-$N.jsonl" -shard "$shard")
	rs=$((N >= 1000000 ? 50 : 200))
	rec=$("$B/simbench" recall -in "$rel" -lake "$lakedir" -date "$DATE" -k "$K" -sample "$rs" -shard "$shard" 2>/dev/null)
	eq_peer=$(echo "$cmp" | "$PY" -c 'import json,sys; print("yes" if json.load(sys.stdin)["all_equal"] else "no")')
	eq_bf=$(echo "$rec" | "$PY" -c 'import json,sys; print("yes" if json.load(sys.stdin)["all_equal"] else "no")')
	recall=$(echo "$rec" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["recall"])')
	equal=no
	[ "$eq_peer" = yes ] && [ "$eq_bf" = yes ] && equal=yes
	[ "$equal" = yes ] || fail=1
	log "n=$N: marquee wall=${m_wall}s cpu=${m_user}+${m_sys}s (full-run estimate ${m_s}s, shard=${shard:-none}) rss=$(mib "$m_kb")MiB phases=$phases"
	log "n=$N: scikit-learn wall=${p_wall}s (full-time estimate ${p_s}s, sampled=$sampled) rss=$(mib "$p_kb")MiB"
	log "n=$N: vs peer $cmp"
	log "n=$N: vs brute force ($rs queries) $rec"
	echo "BENCH compute-similar n=$N marquee=${m_s}s peer(scikit-learn)=${p_s}s ratio=$(ratio "$m_s" "$p_s") equal=$equal" \
		"marquee_rate=$(rate "$N" "$m_s")/s peer_rate=$(rate "$N" "$p_s")/s lists=$lists" \
		"marquee_rss=$(mib "$m_kb")MiB peer_rss=$(mib "$p_kb")MiB recall@$K=$recall marquee_shard=${shard:-none} peer_sampled=$sampled"
done
exit $fail
