#!/usr/bin/env bash
# es8.sh — run the reindex-es suite (internal/search, etl/reindex and the
# reindex-es command test) against Elasticsearch 8.17.0 instead of the
# OpenSearch test node. `make test-es8` calls it.
#
#   scripts/es8.sh          install if missing, start ES 8 on 127.0.0.1:9260, run the suite, stop ES
#   scripts/es8.sh start    install and start only (prints the URL)
#   scripts/es8.sh stop     stop what start started (by pid file)
#
# Elasticsearch comes from Maven Central (org.elasticsearch.distribution.
# integ-test-zip:elasticsearch:8.17.0:zip) through mvn, like services.sh gets
# OpenSearch; it ships with security on, so it is started with
# -Expack.security.enabled=false. The integ-test-zip has no analysis-common
# (no cjk bigrams) and no nori: the suite is told so with
# MARQUEE_TEST_SEARCH_NO_CJK=1, and expects marquee to pick its own
# Hangul-bigram field (auto) and to refuse an explicit --analyzer cjk.
#
# It runs ES as the same non-root user as services.sh (marquee-search when
# root). MongoDB for the one MongoDB-backed test comes from .services/env
# (scripts/services.sh start). Cache: ${MARQUEE_SERVICES_CACHE:-~/.cache/marquee-services}.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
STATE=$ROOT/.services/es8
CACHE=${MARQUEE_SERVICES_CACHE:-$HOME/.cache/marquee-services}
ES_VERSION=8.17.0
PORT=${MARQUEE_ES8_PORT:-9260}
USER_NAME=${MARQUEE_SEARCH_USER:-marquee-search}
DEADLINE=${MARQUEE_ES8_DEADLINE:-240}
URL=http://127.0.0.1:$PORT
MARKER=org.elasticsearch.bootstrap.Elasticsearch

log() { printf 'es8: %s\n' "$*" >&2; }
die() {
	printf 'es8: ERROR: %s\n' "$*" >&2
	if [[ -s $STATE/es.log ]]; then
		printf 'es8: last lines of %s:\n' "$STATE/es.log" >&2
		tail -n 30 "$STATE/es.log" | sed 's/^/    /' >&2
	fi
	exit 1
}
is_root() { [[ $(id -u) -eq 0 ]]; }
as_user() { if is_root; then runuser -u "$USER_NAME" -- "$@"; else "$@"; fi; }

java_home() {
	local d
	[[ -n ${MARQUEE_JAVA_HOME:-} ]] && { echo "$MARQUEE_JAVA_HOME"; return 0; }
	for d in /usr/lib/jvm/java-21-openjdk-* /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/temurin-21* /usr/lib/jvm/temurin-17*; do
		[[ -x $d/bin/java ]] && { echo "$d"; return 0; }
	done
	return 1
}

pid_alive() {
	local pid
	[[ -s $STATE/es.pid ]] || return 1
	pid=$(<"$STATE/es.pid")
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$MARKER"
}

healthy() { curl -fsS -o /dev/null --max-time 2 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null; }

install() { # prints ES_HOME
	local base=$CACHE home tmp
	if is_root; then
		id -u "$USER_NAME" >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$USER_NAME" ||
			die "cannot create user $USER_NAME (Elasticsearch refuses to run as root)"
		mkdir -p "$CACHE"
		as_user test -x "$CACHE" 2>/dev/null || base=/var/cache/marquee-services
	fi
	mkdir -p "$base"
	home=$base/elasticsearch-$ES_VERSION
	if [[ ! -f $home/.installed ]]; then
		command -v mvn >/dev/null || die "mvn is missing (scripts/services.sh start installs it)"
		log "installing Elasticsearch $ES_VERSION (integ-test-zip, Maven Central) into $home"
		tmp=$base/elasticsearch-$ES_VERSION.tmp
		rm -rf "$tmp" "$home"
		mkdir -p "$tmp/dl" "$STATE"
		mvn -B -q -Dstyle.color=never dependency:copy \
			-Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
			-DoutputDirectory="$tmp/dl" >"$STATE/install.log" 2>&1 ||
			{ tail -20 "$STATE/install.log" >&2; die "downloading Elasticsearch $ES_VERSION from Maven Central failed"; }
		unzip -q "$tmp/dl/elasticsearch-$ES_VERSION.zip" -d "$tmp" || die "unzip failed"
		mv "$tmp/elasticsearch-$ES_VERSION" "$home"
		rm -rf "$tmp"
		touch "$home/.installed"
	fi
	is_root && chown -R "$USER_NAME:" "$home"
	echo "$home"
}

start() {
	mkdir -p "$STATE"
	if pid_alive && healthy; then
		log "already running on $URL"
		return 0
	fi
	local jh home run
	jh=$(java_home) || die "no JDK 17/21 under /usr/lib/jvm (scripts/services.sh start installs one; or set MARQUEE_JAVA_HOME)"
	home=$(install)
	run=$STATE/run
	if is_root; then
		as_user test -x "$STATE" 2>/dev/null || run=/var/lib/marquee-es8/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
		mkdir -p "$run"
		chown -R "$USER_NAME:" "$run"
	fi
	echo "$run" >"$STATE/rundir"
	as_user mkdir -p "$run/data" "$run/logs" "$run/tmp"
	if ! pid_alive; then
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "port $PORT is taken (set MARQUEE_ES8_PORT)"
		log "starting Elasticsearch $ES_VERSION on $URL"
		(
			cd "$home"
			runas=()
			is_root && runas=(runuser -u "$USER_NAME" --)
			setsid "${runas[@]}" env ES_JAVA_HOME="$jh" ES_JAVA_OPTS="-Xms512m -Xmx512m" ES_TMPDIR="$run/tmp" \
				bin/elasticsearch -d -p "$run/es.pid" \
				-Ediscovery.type=single-node -Ecluster.name=marquee-es8 \
				-Ehttp.port="$PORT" -Etransport.port=$((PORT + 100)) -Enetwork.host=127.0.0.1 \
				-Epath.data="$run/data" -Epath.logs="$run/logs" \
				-Expack.security.enabled=false \
				-Ecluster.routing.allocation.disk.threshold_enabled=false \
				>"$STATE/es.log" 2>&1 </dev/null &
		)
	fi
	local deadline=$((SECONDS + DEADLINE))
	until healthy; do
		[[ -s $run/es.pid ]] && cp "$run/es.pid" "$STATE/es.pid"
		((SECONDS < deadline)) || die "no yellow health from $URL after ${DEADLINE}s"
		sleep 0.5
	done
	cp "$run/es.pid" "$STATE/es.pid"
	# The integ-test-zip does not serve GET /: ask the node for its version.
	log "ready: Elasticsearch $(curl -fsS "$URL/_nodes/_local?filter_path=nodes.*.version" | grep -o '"version":"[^"]*"')"
}

stop() {
	if pid_alive; then
		local pid
		pid=$(<"$STATE/es.pid")
		log "stopping Elasticsearch (pid $pid)"
		kill "$pid"
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	fi
	rm -f "$STATE/es.pid"
}

suite() {
	local nocjk=1 rc=0
	if curl -fsS --max-time 10 -H 'Content-Type: application/json' "$URL/_analyze" \
		-d '{"tokenizer":"standard","filter":["cjk_bigram"],"text":"뮤지컬"}' >/dev/null 2>&1; then
		nocjk=0
	fi
	log "running the reindex-es suite against $URL (MARQUEE_TEST_SEARCH_NO_CJK=$nocjk)"
	cd "$ROOT"
	if [[ -f .services/env ]]; then set -a; . .services/env; set +a; fi
	MARQUEE_TEST_SEARCH_URL=$URL MARQUEE_TEST_SEARCH_NO_CJK=$nocjk MARQUEE_CONFIG=/nonexistent \
		go test -count=1 -timeout 10m ./internal/search/ ./etl/reindex/ ./cmd/marquee/ -run 'Test(Server|Analyzers|IndexLifecycle|ErrorClassification|NewAndRedact|BasicAuth|Rebuild|Rollback|Incremental|BadDocuments|EmptySource|DryRun|MinRatio|Usage|NodeDies|Searchers|Korean|IndexBody|Document|Query|Sampler|ReindexESCommand)' || rc=$?
	return $rc
}

case ${1:-all} in
start) start; echo "$URL" ;;
stop) stop ;;
all)
	start
	rc=0
	suite || rc=$?
	[[ ${MARQUEE_ES8_KEEP:-} == 1 ]] || stop
	exit $rc
	;;
*) die "usage: $0 [start|stop|all]" ;;
esac
