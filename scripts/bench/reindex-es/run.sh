#!/usr/bin/env bash
# reindex-es benchmark: load N releases (default 100k) into the search node
#   marquee reindex-es   bounded bulk workers (--workers, default 4), full job:
#                        create, load, restore settings, verify, alias swap
#   single-threaded      scripts/bench/reindex-es/loader: one bulk request at a
#                        time, fixed batch of 1000, same mapping and loading
#                        settings (so only the loading strategy differs)
#   elasticdump          npm elasticdump@6.125.1 (installed into .bench/), same
#                        documents, --limit 1000, into an index with the same mapping
# and checks the three indices hold the same documents (count, per-kind counts,
# hits of a Korean query). Prints one BENCH line per peer.
#
# Env: MARQUEE_BENCH_SCALE=small (10k releases), MARQUEE_BENCH_RELEASES=N,
# MARQUEE_BENCH_WORKERS=N, MARQUEE_BENCH_SEARCH_URL (default: the test node
# from .services/env), MARQUEE_BENCH_SKIP_ELASTICDUMP=1.
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
if [ -f .services/env ]; then set -a; . .services/env; set +a; fi
URL=${MARQUEE_BENCH_SEARCH_URL:-${MARQUEE_TEST_SEARCH_URL:-http://127.0.0.1:9250}}
N=${MARQUEE_BENCH_RELEASES:-100000}
[ "${MARQUEE_BENCH_SCALE:-}" = small ] && N=${MARQUEE_BENCH_RELEASES:-10000}
WORKERS=${MARQUEE_BENCH_WORKERS:-4}
B=.bench/reindex-es
mkdir -p "$B"
export MARQUEE_CONFIG=/nonexistent

log() { echo "reindex-es bench: $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
rate() { awk -v n="$N" -v s="$1" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "inf"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "inf"}'; }

curl -fsS -m 5 "$URL" >/dev/null || { log "no search node at $URL (scripts/services.sh start)"; exit 0; }

# The node's CPU seconds (user+sys from /proc), when it runs on this host:
# the node does the same indexing work for every loader, so its CPU time
# bounds how much any loader can gain from concurrency on this machine.
NODE_PID=$(curl -fsS -m 5 "$URL/_nodes/_local/process?filter_path=nodes.*.process.id" 2>/dev/null | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
[ -n "$NODE_PID" ] && [ -r "/proc/$NODE_PID/stat" ] || NODE_PID=""
TCK=$(getconf CLK_TCK)
CORES=$(nproc)
nodecpu() {
	[ -n "$NODE_PID" ] || { echo 0; return; }
	awk -v t="$TCK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12+$13)/t }' "/proc/$NODE_PID/stat"
}
cpu() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }

log "building"
if [ -n "${MARQUEE_BENCH_BIN:-}" ]; then cp "$MARQUEE_BENCH_BIN" "$B/marquee"; else go build -o "$B/marquee" ./cmd/marquee || exit 1; fi
go build -o "$B/loader" ./scripts/bench/reindex-es/loader || exit 1
rel=$B/releases-$N.jsonl
if [ ! -s "$rel" ]; then
	log "generating $N releases"
	go run ./scripts/bench/reindex-es/gen -n "$N" -seed 42 -out "$rel.tmp" && mv "$rel.tmp" "$rel" || exit 1
fi
tag=$(date +%s)-$$
alias=bench-rel-$tag
single=bench-single-$tag
dumpidx=bench-dump-$tag
"$B/loader" docs -in "$rel" -out "$B/docs.jsonl" -dump "$B/dump.json" -index "$dumpidx" || exit 1

cleanup() {
	for i in $(curl -fsS "$URL/_cat/indices/bench-*-$tag*?h=index" 2>/dev/null); do
		"$B/loader" delete -url "$URL" -index "$i" >/dev/null 2>&1
	done
}
trap cleanup EXIT

# Warm the node's JVM (JIT, caches) so the first timed loader is not penalised.
head -n 2000 "$B/docs.jsonl" >"$B/warmup.jsonl"
"$B/loader" single -url "$URL" -index "bench-warm-$tag" -in "$B/warmup.jsonl" -batch 500 >/dev/null 2>&1
"$B/loader" delete -url "$URL" -index "bench-warm-$tag" >/dev/null 2>&1

"$B/loader" idle -url "$URL"
log "marquee reindex-es: $N releases, $WORKERS workers"
c0=$(nodecpu)
t0=$(now)
"$B/marquee" reindex-es --search-url "$URL" --data-dir "$B/data" --alias "$alias" --source "$rel" \
	--analyzer cjk --replicas 0 --workers "$WORKERS" --batch-size 1000 --log-format json \
	>"$B/marquee.out" 2>"$B/marquee.err"
rc=$?
t1=$(now)
c1=$(nodecpu)
[ $rc -eq 0 ] || { log "marquee failed (exit $rc):"; tail -5 "$B/marquee.err" >&2; exit 1; }
tm=$(secs "$t0" "$t1")
cm=$(cpu "$c0" "$c1")

"$B/loader" idle -url "$URL"
log "single-threaded bulk loader, batch 1000"
c0=$(nodecpu)
t0=$(now)
"$B/loader" single -url "$URL" -index "$single" -in "$B/docs.jsonl" -batch 1000 || exit 1
t1=$(now)
c1=$(nodecpu)
ts=$(secs "$t0" "$t1")
cs=$(cpu "$c0" "$c1")
if [ -n "$NODE_PID" ]; then
	# The best any loader can do here: the node's work spread over every core.
	log "node CPU: marquee ${cm}s, single-threaded ${cs}s on $CORES cores; ceiling for any loader vs single-threaded: $(awk -v w="$ts" -v c="$cm" -v n="$CORES" 'BEGIN{ if (c>0) printf "%.2f", w/(c/n); else print "n/a"}')x"
fi

sm=$("$B/loader" stats -url "$URL" -index "$alias")
ss=$("$B/loader" stats -url "$URL" -index "$single")
eq=no
[ "$sm" = "$ss" ] && eq=yes
log "marquee: $sm"
log "single:  $ss"
echo "BENCH reindex-es load-${N} marquee=${tm}s peer(single-threaded-bulk)=${ts}s ratio=$(ratio "$tm" "$ts") equal=$eq marquee_docs_per_s=$(rate "$tm") peer_docs_per_s=$(rate "$ts") speedup=$(ratio "$ts" "$tm")x node_cpu_marquee=${cm}s node_cpu_peer=${cs}s"
status=0
[ $eq = yes ] || status=1

ED=.bench/elasticdump/node_modules/.bin/elasticdump
if [ "${MARQUEE_BENCH_SKIP_ELASTICDUMP:-}" != 1 ]; then
	if [ ! -x "$ED" ]; then
		log "installing elasticdump@6.125.1 into .bench/elasticdump"
		mkdir -p .bench/elasticdump
		npm install --prefix .bench/elasticdump --no-audit --no-fund elasticdump@6.125.1 >.bench/elasticdump/install.log 2>&1 ||
			log "elasticdump did not install (see .bench/elasticdump/install.log)"
	fi
	if [ -x "$ED" ]; then
		"$B/loader" idle -url "$URL"
		log "elasticdump, limit 1000"
		"$B/loader" create -url "$URL" -index "$dumpidx" || exit 1
		t0=$(now)
		"$ED" --input="$B/dump.json" --output="$URL/$dumpidx" --type=data --limit=1000 --noRefresh >"$B/elasticdump.log" 2>&1
		erc=$?
		t1=$(now)
		te=$(secs "$t0" "$t1")
		if [ $erc -ne 0 ]; then
			log "elasticdump failed (exit $erc):"
			tail -5 "$B/elasticdump.log" >&2
		else
			se=$("$B/loader" stats -url "$URL" -index "$dumpidx")
			eqe=no
			[ "$sm" = "$se" ] && eqe=yes
			log "elasticdump: $se"
			echo "BENCH reindex-es load-${N} marquee=${tm}s peer(elasticdump)=${te}s ratio=$(ratio "$tm" "$te") equal=$eqe marquee_docs_per_s=$(rate "$tm") peer_docs_per_s=$(rate "$te") speedup=$(ratio "$te" "$tm")x"
			[ $eqe = yes ] || status=1
		fi
	fi
fi
exit $status
