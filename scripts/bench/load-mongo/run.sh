#!/usr/bin/env bash
# load-mongo benchmark: raw records → normalised releases in MongoDB.
#   marquee load-mongo   parallel normalisers, content-hash lookup, parallel
#                        unordered bulk upserts (--workers 4, --batch-size 1000)
#   peer                 scripts/bench/load-mongo/loadbench peer: one worker,
#                        ordered bulk batches of 1000 ReplaceOne upserts (the
#                        shape of mongoimport --mode upsert), the same
#                        normaliser, so the documents are equal
# on the same seeded input (3 sources, ~0.5% malformed lines, ~1% items crawled
# twice), for 10k and 100k raw records, then the rerun of the unchanged day.
# Besides wall time it reports CPU seconds (the command's user+sys plus what the
# private server burnt meanwhile), which stay comparable on a busy machine.
# Checks both collections are equal (count, per-kind and per-region counts, sum
# of prices, digest of (id, content_hash)) and prints one BENCH line per case.
#
# The server: a private mongo-java-server (the launcher services.sh builds, in
# memory) started here with a large heap on a free port and stopped at the end:
# 100k releases twice do not fit the 512 MB heap of the shared test server.
# MARQUEE_BENCH_MONGO_URI=mongodb://… uses that server instead.
#
# Env: MARQUEE_BENCH_SCALE=small (1k and 5k records), MARQUEE_BENCH_SIZES="10000 100000",
# MARQUEE_BENCH_WORKERS=4, MARQUEE_BENCH_MONGO_URI, MARQUEE_BENCH_MONGO_HEAP=3g,
# MARQUEE_BENCH_WARM=20000 (records of the throwaway warm-up load of each side),
# MARQUEE_BENCH_WARM_ROUNDS=3 (how many warm-up loads each side runs),
# MARQUEE_BENCH_SETTLE=1 (0: no full GC of the private server before each command).
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
if [ -f .services/env ]; then set -a; . .services/env; set +a; fi
URI=${MARQUEE_BENCH_MONGO_URI:-}
SIZES=${MARQUEE_BENCH_SIZES:-10000 100000}
[ "${MARQUEE_BENCH_SCALE:-}" = small ] && SIZES=${MARQUEE_BENCH_SIZES:-1000 5000}
WORKERS=${MARQUEE_BENCH_WORKERS:-4}
DATE=2026-11-22
B=.bench/load-mongo
mkdir -p "$B"
export MARQUEE_CONFIG=/nonexistent

log() { echo "load-mongo bench: $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "inf"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "inf"}'; }
# CPU seconds: of a finished command (from /usr/bin/time) and of the private server
# (utime+stime from /proc), so that figures taken on a busy machine stay comparable.
TIMEF=$B/time.out
timed() { /usr/bin/time -f "%U %S" -o "$TIMEF" "$@"; }
cmd_cpu() { awk '{printf "%.2f", $1+$2}' "$TIMEF"; }
server_cpu() {
	if [ -n "$server_pid" ] && [ -r "/proc/$server_pid/stat" ]; then
		awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$server_pid/stat"
	else echo 0; fi
}
add() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a+b}'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a-b}'; }

log "building"
if [ -n "${MARQUEE_BENCH_BIN:-}" ]; then cp "$MARQUEE_BENCH_BIN" "$B/marquee"; else go build -o "$B/marquee" ./cmd/marquee || exit 1; fi
go build -o "$B/loadbench" ./scripts/bench/load-mongo/loadbench || exit 1
server_pid=
if [ -z "$URI" ]; then
	cache=${MARQUEE_SERVICES_CACHE:-$HOME/.cache/marquee-services}
	launcher=$(ls -d "$cache"/mongo-server-*/ 2>/dev/null | head -1)
	java=$(command -v java || true)
	[ -n "${JAVA_HOME:-}" ] && java=$JAVA_HOME/bin/java
	if [ -z "$launcher" ] || [ -z "$java" ]; then
		log "no mongo-java-server launcher in $cache (run scripts/services.sh start once) or no java"; exit 0
	fi
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	# The heap is fixed (-Xms = -Xmx): a growing heap makes whoever runs first
	# (marquee) pay its resizing and extra collections (server CPU of marquee's
	# 100k load: 5.0–6.4 s in four runs with -Xmx alone, 4.9–6.0 s in five with
	# both).
	"$java" -Xms"${MARQUEE_BENCH_MONGO_HEAP:-3g}" -Xmx"${MARQUEE_BENCH_MONGO_HEAP:-3g}" -cp "${launcher}target/classes:${launcher}target/dependency/*" \
		marquee.mongoserver.Main 127.0.0.1 "$port" >"$B/mongo.log" 2>&1 &
	server_pid=$!
	URI=mongodb://127.0.0.1:$port
	log "private mongo-java-server (pid $server_pid, heap ${MARQUEE_BENCH_MONGO_HEAP:-3g}) on $URI"
	for _ in $(seq 1 150); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.2
	done
fi
"$B/loadbench" stats -uri "$URI" -db bench_probe >/dev/null 2>&1 || { log "no MongoDB at $URI"; [ -n "$server_pid" ] && kill "$server_pid"; exit 0; }

tag=$(date +%s)-$$
dbs=()
cleanup() {
	for db in "${dbs[@]}"; do "$B/loadbench" drop -uri "$URI" -db "$db" >/dev/null 2>&1; done
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
}
trap cleanup EXIT

# Warm the server's JIT up on a throwaway load, so neither side pays it: the
# first side to run would otherwise pay the compilation of the server's insert
# and update paths (with a 3k warm-up, marquee's 100k first load, which runs
# first, cost the server ~2.5 CPU-s more than the same load on a warm server).
# One round is not enough: on 2026-11-26 (16:10 UTC) the server spent 1.4–1.5
# CPU-s on the first 10k load measured after one 20k round of each side, and
# 0.5–0.6 s on the fifth and sixth; after three rounds, 0.4–0.6 s from the first.
WARM=${MARQUEE_BENCH_WARM:-20000}
WARM_ROUNDS=${MARQUEE_BENCH_WARM_ROUNDS:-3}
warm=$B/lake-warm-$WARM
[ -f "$warm/raw/releases/source=nol/dt=$DATE/_manifest.json" ] || "$B/loadbench" gen -n "$WARM" -seed 7 -lake "$warm" -date "$DATE" || exit 1
for _ in $(seq 1 "$WARM_ROUNDS"); do
	# One database each: into the peer's collection marquee would only compare
	# hashes, and its insert path would stay cold.
	"$B/loadbench" peer -lake "$warm" -date "$DATE" -uri "$URI" -db "bench_warmp_${tag//-/_}" 2>/dev/null
	"$B/marquee" load-mongo --date "$DATE" --mongo-uri "$URI" --mongo-db "bench_warmm_${tag//-/_}" --data-dir "$B/data" \
		--lake "$warm" --workers "$WORKERS" --batch-size 1000 --log-format json >/dev/null 2>&1
	"$B/loadbench" drop -uri "$URI" -db "bench_warmp_${tag//-/_}"
	"$B/loadbench" drop -uri "$URI" -db "bench_warmm_${tag//-/_}"
done

# settle collects the private server's garbage before each measured command,
# so that neither side pays (in server CPU and wall time) for collecting what
# the warm-up or the other side left behind.
jcmd=$(command -v jcmd || true)
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jcmd" ] && jcmd=$JAVA_HOME/bin/jcmd
settle() {
	[ "${MARQUEE_BENCH_SETTLE:-1}" = 1 ] && [ -n "$server_pid" ] && [ -n "$jcmd" ] && "$jcmd" "$server_pid" GC.run >/dev/null 2>&1
	return 0
}

status=0
for N in $SIZES; do
	lakedir=$B/lake-$N
	if [ ! -f "$lakedir/raw/releases/source=nol/dt=$DATE/_manifest.json" ]; then
		log "generating $N raw records"
		rm -rf "$lakedir"
		"$B/loadbench" gen -n "$N" -seed 42 -lake "$lakedir" -date "$DATE" || exit 1
	fi
	mdb=bench_marquee_${N}_${tag//-/_}
	pdb=bench_peer_${N}_${tag//-/_}
	dbs+=("$mdb" "$pdb")

	log "marquee load-mongo: $N raw records, $WORKERS workers"
	settle
	s0=$(server_cpu)
	t0=$(now)
	timed "$B/marquee" load-mongo --date "$DATE" --mongo-uri "$URI" --mongo-db "$mdb" --data-dir "$B/data" \
		--lake "$lakedir" --workers "$WORKERS" --batch-size 1000 --log-format json >"$B/marquee-$N.out" 2>"$B/marquee-$N.err"
	rc=$?
	t1=$(now)
	[ $rc -eq 0 ] || { log "marquee failed (exit $rc):"; tail -5 "$B/marquee-$N.err" >&2; exit 1; }
	tm=$(secs "$t0" "$t1")
	cmc=$(cmd_cpu); cms=$(sub "$(server_cpu)" "$s0"); cm=$(add "$cmc" "$cms")
	log "marquee: $(tail -1 "$B/marquee-$N.out")"

	log "peer (single worker, ordered ReplaceOne upserts)"
	settle
	s0=$(server_cpu)
	t0=$(now)
	timed "$B/loadbench" peer -lake "$lakedir" -date "$DATE" -uri "$URI" -db "$pdb" -batch 1000 || exit 1
	t1=$(now)
	tp=$(secs "$t0" "$t1")
	cpc=$(cmd_cpu); cps=$(sub "$(server_cpu)" "$s0"); cp=$(add "$cpc" "$cps")

	sm=$("$B/loadbench" stats -uri "$URI" -db "$mdb")
	sp=$("$B/loadbench" stats -uri "$URI" -db "$pdb")
	eq=no
	[ "$sm" = "$sp" ] && eq=yes
	log "marquee: $sm"
	log "peer:    $sp"
	echo "BENCH load-mongo load-${N} marquee=${tm}s peer(single-worker-replace-upsert)=${tp}s ratio=$(ratio "$tm" "$tp") equal=$eq marquee_records_per_s=$(rate "$N" "$tm") peer_records_per_s=$(rate "$N" "$tp") speedup=$(ratio "$tp" "$tm")x cpu_marquee=${cm}s(client=${cmc}+server=${cms}) cpu_peer=${cp}s(client=${cpc}+server=${cps}) cpu_ratio=$(ratio "$cm" "$cp")"
	[ $eq = yes ] || status=1

	log "rerun of the unchanged day"
	settle
	s0=$(server_cpu)
	t0=$(now)
	timed "$B/marquee" load-mongo --date "$DATE" --mongo-uri "$URI" --mongo-db "$mdb" --data-dir "$B/data" \
		--lake "$lakedir" --workers "$WORKERS" --batch-size 1000 --log-format json >"$B/marquee-rerun-$N.out" 2>"$B/marquee-rerun-$N.err"
	rc=$?
	t1=$(now)
	[ $rc -eq 0 ] || { log "marquee rerun failed (exit $rc):"; tail -5 "$B/marquee-rerun-$N.err" >&2; exit 1; }
	tr=$(secs "$t0" "$t1")
	cmc=$(cmd_cpu); cms=$(sub "$(server_cpu)" "$s0"); cm=$(add "$cmc" "$cms")
	written=$(tail -1 "$B/marquee-rerun-$N.out" | sed -n 's/.*"written":\([0-9]*\).*/\1/p')
	settle
	s0=$(server_cpu)
	t0=$(now)
	timed "$B/loadbench" peer -lake "$lakedir" -date "$DATE" -uri "$URI" -db "$pdb" -batch 1000 || exit 1
	t1=$(now)
	tpr=$(secs "$t0" "$t1")
	cpc=$(cmd_cpu); cps=$(sub "$(server_cpu)" "$s0"); cp=$(add "$cpc" "$cps")
	sm2=$("$B/loadbench" stats -uri "$URI" -db "$mdb")
	eq=no
	[ "$sm2" = "$sm" ] && [ "$written" = 0 ] && eq=yes
	echo "BENCH load-mongo rerun-unchanged-${N} marquee=${tr}s peer(single-worker-replace-upsert)=${tpr}s ratio=$(ratio "$tr" "$tpr") equal=$eq marquee_written=${written} of_first_run=$(ratio "$tr" "$tm") cpu_marquee=${cm}s(client=${cmc}+server=${cms}) cpu_peer=${cp}s(client=${cpc}+server=${cps}) cpu_ratio=$(ratio "$cm" "$cp")"
	[ $eq = yes ] || status=1
done
exit $status
