#!/usr/bin/env bash
# services.sh — the real services marquee's tests talk to (DESIGN.md §6).
#
#   scripts/services.sh start    install what is missing, start everything, write .services/env
#   scripts/services.sh stop     stop what start started (by pid file)
#   scripts/services.sh status   say what runs where
#   scripts/services.sh env      print the env file (export NAME=value lines)
#
# Everything listens on 127.0.0.1:
#   MongoDB wire  mongo-java-server (in memory) via scripts/mongo-server  MARQUEE_MONGO_PORT  (27517)
#   GCS           fake-gcs-server                                         MARQUEE_GCS_PORT    (4443)
#   search        OpenSearch 2.19.1 + analysis-common (data wiped on start) MARQUEE_SEARCH_PORT (9250)
#   Chromium      Debian's chromium (no daemon; chromedp starts it)
#
# Installs come from package registries only: Debian apt (JDK 17, Maven, unzip,
# curl, chromium), Maven Central (mongo-java-server, OpenSearch) and the Go
# module proxy (fake-gcs-server). Downloads and builds are cached under
# ${MARQUEE_SERVICES_CACHE:-$HOME/.cache/marquee-services} (safe to delete);
# pid files, logs and the env file live in <repo>/.services/.
#
# Idempotent: start leaves running services alone, stop touches only the
# processes whose pid files it wrote. Runs non-interactively (CI, as root).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
STATE=$ROOT/.services
CACHE=${MARQUEE_SERVICES_CACHE:-$HOME/.cache/marquee-services}

MONGO_PORT=${MARQUEE_MONGO_PORT:-27517}
GCS_PORT=${MARQUEE_GCS_PORT:-4443}
SEARCH_PORT=${MARQUEE_SEARCH_PORT:-9250}
SEARCH_USER=${MARQUEE_SEARCH_USER:-marquee-search}
CHROMIUM=${MARQUEE_CHROMIUM:-/usr/bin/chromium}

FAKE_GCS_VERSION=v1.56.1
OPENSEARCH_VERSION=2.19.1

# Deadlines (seconds) for a started service to answer.
MONGO_DEADLINE=${MARQUEE_MONGO_DEADLINE:-60}
GCS_DEADLINE=${MARQUEE_GCS_DEADLINE:-60}
SEARCH_DEADLINE=${MARQUEE_SEARCH_DEADLINE:-240}

log() { printf 'services: [%3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

# fail_with_log NAME LOGFILE MESSAGE: print the tail of a service log and fail.
fail_with_log() {
	local name=$1 logfile=$2 msg=$3
	printf 'services: ERROR: %s: %s\n' "$name" "$msg" >&2
	if [[ -s $logfile ]]; then
		printf 'services: last lines of %s:\n' "$logfile" >&2
		tail -n 40 "$logfile" | sed 's/^/    /' >&2
	fi
	exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------------------
# process and port helpers

# pid_alive PIDFILE MARKER: the pid in PIDFILE runs and its command line
# contains MARKER (so a recycled pid is not mistaken for ours).
pid_alive() {
	local pidfile=$1 marker=$2 pid
	[[ -s $pidfile ]] || return 1
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# spawn PIDFILE LOGFILE CMD...: run CMD detached (own session, no stdin, output
# to LOGFILE, without the lock's fd 9) and record its pid. The pid is written by the process itself just
# before exec, so it is the service's pid whether or not setsid forked.
spawn() {
	local pidfile=$1 logfile=$2
	shift 2
	rm -f "$pidfile"
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >"$logfile" 2>&1 </dev/null 9>&- &
}

# stop_pid NAME PIDFILE MARKER: TERM the recorded process, wait, then KILL.
stop_pid() {
	local name=$1 pidfile=$2 marker=$3 pid i
	if ! pid_alive "$pidfile" "$marker"; then
		rm -f "$pidfile"
		log "$name: not running"
		return 0
	fi
	pid=$(<"$pidfile")
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do # 30 s
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name: pid $pid ignored TERM for 30 s; killing"
		kill -KILL "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
	fi
	rm -f "$pidfile"
	log "$name: stopped (pid $pid)"
}

# ---------------------------------------------------------------------------
# prerequisites

APT_UPDATED=
apt_install() { # packages...
	local sudo=()
	if ! is_root; then
		command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
			die "need root to install: $* (run: sudo apt-get install -y $*)"
		sudo=(sudo -n)
	fi
	command -v apt-get >/dev/null || die "no apt-get: install $* yourself"
	if [[ -z $APT_UPDATED ]]; then
		log "apt-get update"
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		APT_UPDATED=1
	fi
	log "apt-get install $*"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# java17_home prints a JDK home whose java is 17 or 21 (OpenSearch 2.19 does
# not run on 24+, where the security manager is gone).
java17_home() {
	local d
	if [[ -n ${MARQUEE_JAVA_HOME:-} ]]; then
		echo "$MARQUEE_JAVA_HOME"
		return 0
	fi
	for d in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-* /usr/lib/jvm/temurin-17* /usr/lib/jvm/temurin-21*; do
		if [[ -x $d/bin/javac ]]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

ensure_prereqs() {
	local missing=()
	java17_home >/dev/null || missing+=(openjdk-17-jdk-headless)
	command -v mvn >/dev/null || missing+=(maven)
	command -v unzip >/dev/null || missing+=(unzip)
	command -v curl >/dev/null || missing+=(curl)
	command -v setsid >/dev/null || missing+=(util-linux)
	if ((${#missing[@]})); then
		apt_install --no-install-recommends "${missing[@]}"
	fi
	command -v go >/dev/null || die "go is not installed (marquee needs Go ≥ 1.26: https://go.dev/dl/)"
	JAVA_HOME=$(java17_home) || die "no JDK 17/21 found under /usr/lib/jvm (set MARQUEE_JAVA_HOME)"
	export JAVA_HOME
	MVN=(mvn -B -q -Dstyle.color=never)
}

# ---------------------------------------------------------------------------
# MongoDB wire: mongo-java-server through scripts/mongo-server

MONGO_PID=$STATE/mongo.pid
MONGO_LOG=$STATE/mongo.log
MONGO_MARKER=marquee.mongoserver.Main

mongo_build() { # prints the build dir
	local src=$ROOT/scripts/mongo-server hash dir
	hash=$(cat "$src/pom.xml" $(find "$src/src" -type f | sort) | sha256sum | cut -c1-12)
	dir=$CACHE/mongo-server-$hash
	if [[ ! -f $dir/.built ]]; then
		log "mongo: building the launcher in $dir"
		rm -rf "$dir"
		mkdir -p "$dir"
		cp -R "$src/pom.xml" "$src/src" "$dir/"
		(cd "$dir" && "${MVN[@]}" package dependency:copy-dependencies) >"$STATE/mongo-build.log" 2>&1 ||
			fail_with_log mongo "$STATE/mongo-build.log" "building scripts/mongo-server failed"
		touch "$dir/.built"
	fi
	echo "$dir"
}

mongo_start() {
	if pid_alive "$MONGO_PID" "$MONGO_MARKER" && port_open "$MONGO_PORT"; then
		log "mongo: already running on 127.0.0.1:$MONGO_PORT"
		return 0
	fi
	if ! pid_alive "$MONGO_PID" "$MONGO_MARKER"; then
		port_open "$MONGO_PORT" && die "mongo: port $MONGO_PORT is taken by a process services.sh did not start (set MARQUEE_MONGO_PORT)"
		local dir
		dir=$(mongo_build)
		log "mongo: starting on 127.0.0.1:$MONGO_PORT"
		spawn "$MONGO_PID" "$MONGO_LOG" "$JAVA_HOME/bin/java" -Xmx${MARQUEE_MONGO_HEAP:-2g} \
			-cp "$dir/target/classes:$dir/target/dependency/*" "$MONGO_MARKER" 127.0.0.1 "$MONGO_PORT"
	fi
	local deadline=$((SECONDS + MONGO_DEADLINE))
	until port_open "$MONGO_PORT" && pid_alive "$MONGO_PID" "$MONGO_MARKER"; do
		if [[ -s $MONGO_PID ]] && ! pid_alive "$MONGO_PID" "$MONGO_MARKER"; then
			fail_with_log mongo "$MONGO_LOG" "the server exited during start"
		fi
		((SECONDS < deadline)) || fail_with_log mongo "$MONGO_LOG" "no answer on 127.0.0.1:$MONGO_PORT after ${MONGO_DEADLINE}s"
		sleep 0.2
	done
	log "mongo: ready on 127.0.0.1:$MONGO_PORT"
}

# ---------------------------------------------------------------------------
# GCS: fake-gcs-server

GCS_PID=$STATE/gcs.pid
GCS_LOG=$STATE/gcs.log
GCS_BIN=$CACHE/fake-gcs-server-$FAKE_GCS_VERSION/fake-gcs-server

gcs_install() {
	[[ -x $GCS_BIN ]] && return 0
	log "gcs: go install fake-gcs-server@$FAKE_GCS_VERSION"
	local dir=${GCS_BIN%/*}
	mkdir -p "$dir"
	# Outside the repository so its go.mod and GOFLAGS play no part.
	(cd "$CACHE" && env GOBIN="$dir.tmp" GOFLAGS= GO111MODULE=on CGO_ENABLED=0 \
		go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION") >"$STATE/gcs-build.log" 2>&1 ||
		fail_with_log gcs "$STATE/gcs-build.log" "go install github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION failed"
	mv "$dir.tmp/fake-gcs-server" "$GCS_BIN"
	rmdir "$dir.tmp" 2>/dev/null || true
}

gcs_start() {
	local url=http://127.0.0.1:$GCS_PORT/storage/v1/b
	if pid_alive "$GCS_PID" fake-gcs-server && http_ok "$url"; then
		log "gcs: already running on 127.0.0.1:$GCS_PORT"
		return 0
	fi
	if ! pid_alive "$GCS_PID" fake-gcs-server; then
		port_open "$GCS_PORT" && die "gcs: port $GCS_PORT is taken by a process services.sh did not start (set MARQUEE_GCS_PORT)"
		gcs_install
		log "gcs: starting on 127.0.0.1:$GCS_PORT"
		spawn "$GCS_PID" "$GCS_LOG" "$GCS_BIN" -scheme http -host 127.0.0.1 -port "$GCS_PORT" \
			-backend memory -public-host "127.0.0.1:$GCS_PORT" -log-level warn
	fi
	local deadline=$((SECONDS + GCS_DEADLINE))
	until http_ok "$url" && pid_alive "$GCS_PID" fake-gcs-server; do
		if [[ -s $GCS_PID ]] && ! pid_alive "$GCS_PID" fake-gcs-server; then
			fail_with_log gcs "$GCS_LOG" "the server exited during start"
		fi
		((SECONDS < deadline)) || fail_with_log gcs "$GCS_LOG" "no answer from $url after ${GCS_DEADLINE}s"
		sleep 0.2
	done
	log "gcs: ready on 127.0.0.1:$GCS_PORT"
}

# ---------------------------------------------------------------------------
# search: OpenSearch 2.19.1 (integ-test-zip) + analysis-common, as a non-root user

SEARCH_LOG=$STATE/search.log
SEARCH_MARKER=org.opensearch.bootstrap.OpenSearch
# The run directory (data, logs, pid) is recorded here so stop finds the pid
# file even when it had to live outside the repository.
SEARCH_RUN_FILE=$STATE/search.rundir

# as_search CMD...: run CMD as the user OpenSearch runs as (itself when not root).
as_search() {
	if is_root; then
		runuser -u "$SEARCH_USER" -- "$@"
	else
		"$@"
	fi
}

# search_reaches DIR: the search user can enter DIR (every parent is
# traversable; /root usually is not).
search_reaches() { as_search test -x "$1" 2>/dev/null; }

search_user() {
	is_root || return 0
	id -u "$SEARCH_USER" >/dev/null 2>&1 && return 0
	log "search: creating system user $SEARCH_USER"
	useradd -r -M -s /usr/sbin/nologin "$SEARCH_USER" 2>/dev/null || id -u "$SEARCH_USER" >/dev/null 2>&1 ||
		die "search: cannot create user $SEARCH_USER (OpenSearch refuses to run as root)"
}

# search_base prints where OpenSearch is installed: the cache when the search
# user can reach it, else /var/cache/marquee-services.
search_base() {
	mkdir -p "$CACHE"
	if search_reaches "$CACHE"; then
		echo "$CACHE"
	else
		mkdir -p /var/cache/marquee-services
		echo /var/cache/marquee-services
	fi
}

search_install() { # prints OPENSEARCH_HOME
	local base home tmp
	base=$(search_base)
	home=$base/opensearch-$OPENSEARCH_VERSION
	if [[ ! -f $home/.installed ]]; then
		log "search: installing OpenSearch $OPENSEARCH_VERSION into $home"
		tmp=$base/opensearch-$OPENSEARCH_VERSION.tmp
		rm -rf "$tmp" "$home"
		mkdir -p "$tmp/dl"
		{
			"${MVN[@]}" dependency:copy \
				-Dartifact="org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip" \
				-DoutputDirectory="$tmp/dl" &&
				"${MVN[@]}" dependency:copy \
					-Dartifact="org.opensearch.plugin:analysis-common:$OPENSEARCH_VERSION:jar" \
					-DoutputDirectory="$tmp/dl"
		} >"$STATE/search-build.log" 2>&1 ||
			fail_with_log search "$STATE/search-build.log" "downloading OpenSearch $OPENSEARCH_VERSION from Maven Central failed"
		unzip -q "$tmp/dl/opensearch-$OPENSEARCH_VERSION.zip" -d "$tmp" ||
			die "search: unzip of opensearch-$OPENSEARCH_VERSION.zip failed"
		local mod=$tmp/opensearch-$OPENSEARCH_VERSION/modules/analysis-common
		mkdir -p "$mod"
		cp "$tmp/dl/analysis-common-$OPENSEARCH_VERSION.jar" "$mod/"
		cat >"$mod/plugin-descriptor.properties" <<-EOF
			description=Adds "built in" analyzers to OpenSearch.
			version=$OPENSEARCH_VERSION
			name=analysis-common
			classname=org.opensearch.analysis.common.CommonAnalysisPlugin
			java.version=11
			opensearch.version=$OPENSEARCH_VERSION
			extended.plugins=
			has.native.controller=false
		EOF
		mv "$tmp/opensearch-$OPENSEARCH_VERSION" "$home"
		rm -rf "$tmp"
		touch "$home/.installed"
	fi
	if is_root; then
		chown -R "$SEARCH_USER:" "$home"
	fi
	echo "$home"
}

# search_rundir prints a directory the search user owns for data, logs and
# the pid file: .services/search, or under /var/lib when that is out of reach.
search_rundir() {
	local dir=$STATE/search
	mkdir -p "$dir"
	if is_root; then
		chown "$SEARCH_USER:" "$dir"
		if ! search_reaches "$dir"; then
			dir=/var/lib/marquee-search/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
			mkdir -p "$dir"
			chown "$SEARCH_USER:" /var/lib/marquee-search "$dir"
		fi
	fi
	echo "$dir"
}

search_pidfile() {
	[[ -s $SEARCH_RUN_FILE ]] && echo "$(<"$SEARCH_RUN_FILE")/opensearch.pid" || echo "$STATE/search/opensearch.pid"
}

search_verify() {
	local url=http://127.0.0.1:$SEARCH_PORT out
	out=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' "$url/_analyze" \
		-d '{"tokenizer":"standard","filter":["cjk_width","cjk_bigram"],"text":"뮤지컬레미제라블"}' 2>&1) ||
		fail_with_log search "$SEARCH_LOG" "_analyze with cjk_bigram failed (is analysis-common loaded?): $out"
	[[ $out == *'"뮤지"'* && $out == *'"라블"'* ]] ||
		fail_with_log search "$SEARCH_LOG" "_analyze did not return CJK bigrams: $out"
}

search_start() {
	local url=http://127.0.0.1:$SEARCH_PORT pidfile health
	health="$url/_cluster/health?wait_for_status=yellow&timeout=1s"
	pidfile=$(search_pidfile)
	if pid_alive "$pidfile" "$SEARCH_MARKER" && http_ok "$health"; then
		log "search: already running on 127.0.0.1:$SEARCH_PORT"
		return 0
	fi
	if ! pid_alive "$pidfile" "$SEARCH_MARKER"; then
		port_open "$SEARCH_PORT" && die "search: port $SEARCH_PORT is taken by a process services.sh did not start (set MARQUEE_SEARCH_PORT)"
		search_user
		local home run
		home=$(search_install)
		run=$(search_rundir)
		echo "$run" >"$SEARCH_RUN_FILE"
		pidfile=$run/opensearch.pid
		rm -f "$pidfile"
		# Like the in-memory MongoDB and GCS servers, the node starts empty:
		# indices left by earlier runs would only slow its recovery.
		rm -rf "$run/data" "$run/tmp"
		as_search mkdir -p "$run/data" "$run/logs" "$run/tmp"
		log "search: starting OpenSearch $OPENSEARCH_VERSION on 127.0.0.1:$SEARCH_PORT"
		# -d detaches; its output pipe never closes, so it goes to a file. The
		# cwd is the home: jvm.options writes logs/gc.log relative to it.
		(
			cd "$home"
			local runas=()
			is_root && runas=(runuser -u "$SEARCH_USER" --)
			setsid "${runas[@]}" env \
				OPENSEARCH_JAVA_HOME="$JAVA_HOME" \
				OPENSEARCH_JAVA_OPTS="-Xms512m -Xmx512m" \
				OPENSEARCH_TMPDIR="$run/tmp" \
				bin/opensearch -d -p "$pidfile" \
				-Ediscovery.type=single-node \
				-Ecluster.name=marquee-test \
				-Ehttp.port="$SEARCH_PORT" \
				-Etransport.port=$((SEARCH_PORT + 50)) \
				-Enetwork.host=127.0.0.1 \
				-Epath.data="$run/data" \
				-Epath.logs="$run/logs" \
				-Ecluster.routing.allocation.disk.threshold_enabled=false \
				>"$SEARCH_LOG" 2>&1 </dev/null 9>&- &
		)
	fi
	local deadline=$((SECONDS + SEARCH_DEADLINE)) started=$SECONDS
	until http_ok "$health"; do
		if ((SECONDS - started > 30)) && ! pid_alive "$pidfile" "$SEARCH_MARKER"; then
			fail_with_log search "$SEARCH_LOG" "OpenSearch is not running (no live pid in $pidfile)"
		fi
		((SECONDS < deadline)) || fail_with_log search "$SEARCH_LOG" "no yellow health from $url after ${SEARCH_DEADLINE}s"
		sleep 0.2
	done
	pid_alive "$pidfile" "$SEARCH_MARKER" ||
		fail_with_log search "$SEARCH_LOG" "a node answers on $url but its pid file $pidfile is stale"
	search_verify
	log "search: ready on 127.0.0.1:$SEARCH_PORT (CJK bigrams ok)"
}

# ---------------------------------------------------------------------------
# Chromium: a package, no daemon

chromium_ensure() {
	if [[ ! -x $CHROMIUM ]]; then
		[[ $CHROMIUM == /usr/bin/chromium ]] || die "chromium: $CHROMIUM does not exist"
		apt_install chromium >"$STATE/chromium-install.log" 2>&1 ||
			fail_with_log chromium "$STATE/chromium-install.log" "apt-get install chromium failed"
	fi
	local out profile ok=1
	profile=$(mktemp -d)
	out=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--no-first-run --user-data-dir="$profile" --dump-dom about:blank 2>&1) || ok=0
	rm -rf "$profile"
	if ((!ok)) || [[ $out != *'<html>'* ]]; then
		printf '%s\n' "$out" >"$STATE/chromium-check.log"
		fail_with_log chromium "$STATE/chromium-check.log" "$CHROMIUM --headless --dump-dom about:blank failed"
	fi
	log "chromium: ok ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
}

# ---------------------------------------------------------------------------

ENV_FILE=$STATE/env

env_lines() {
	cat <<-EOF
		export MARQUEE_TEST_MONGO_URI=mongodb://127.0.0.1:$MONGO_PORT
		export STORAGE_EMULATOR_HOST=127.0.0.1:$GCS_PORT
		export MARQUEE_TEST_SEARCH_URL=http://127.0.0.1:$SEARCH_PORT
		export MARQUEE_TEST_CHROMIUM=$CHROMIUM
	EOF
}

write_env() {
	{
		echo "# Written by scripts/services.sh start; read by internal/testenv. Use: . .services/env"
		env_lines
	} >"$ENV_FILE.tmp"
	mv "$ENV_FILE.tmp" "$ENV_FILE"
}

cmd_start() {
	local t0=$SECONDS
	mkdir -p "$STATE" "$CACHE"
	ensure_prereqs
	# The services start in parallel; each job reports through its exit code.
	local names=(mongo gcs search chromium) pids=() i rc=0
	mongo_start &
	pids+=($!)
	gcs_start &
	pids+=($!)
	search_start &
	pids+=($!)
	chromium_ensure &
	pids+=($!)
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			log "${names[$i]}: FAILED"
			rc=1
		fi
	done
	((rc == 0)) || die "some services did not start (see above; logs in $STATE)"
	write_env
	log "all services ready in $((SECONDS - t0))s; env in $ENV_FILE"
}

cmd_stop() {
	stop_pid mongo "$MONGO_PID" "$MONGO_MARKER"
	stop_pid gcs "$GCS_PID" fake-gcs-server
	stop_pid search "$(search_pidfile)" "$SEARCH_MARKER"
	rm -f "$ENV_FILE" "$SEARCH_RUN_FILE"
}

cmd_status() {
	local rc=0
	report() { # name ok detail
		if [[ $2 == yes ]]; then
			printf '%-9s running  %s\n' "$1" "$3"
		else
			printf '%-9s stopped  %s\n' "$1" "$3"
			rc=1
		fi
	}
	local ok
	ok=no; pid_alive "$MONGO_PID" "$MONGO_MARKER" && port_open "$MONGO_PORT" && ok=yes
	report mongo $ok "mongodb://127.0.0.1:$MONGO_PORT"
	ok=no; pid_alive "$GCS_PID" fake-gcs-server && http_ok "http://127.0.0.1:$GCS_PORT/storage/v1/b" && ok=yes
	report gcs $ok "http://127.0.0.1:$GCS_PORT"
	ok=no; pid_alive "$(search_pidfile)" "$SEARCH_MARKER" && http_ok "http://127.0.0.1:$SEARCH_PORT/_cluster/health" && ok=yes
	report search $ok "http://127.0.0.1:$SEARCH_PORT"
	ok=no; [[ -x $CHROMIUM ]] && ok=yes
	report chromium $ok "$CHROMIUM"
	return $rc
}

# cmd_env prints the env file, or the lines start would write when it has
# not run yet.
cmd_env() {
	if [[ -f $ENV_FILE ]]; then
		grep '^export ' "$ENV_FILE"
	else
		env_lines
	fi
}

# lock serialises start and stop between concurrent callers (several test
# runs may start the services at once).
lock() {
	mkdir -p "$STATE"
	exec 9>"$STATE/lock"
	flock -w 900 9 || die "another services.sh start/stop holds $STATE/lock"
}

case ${1:-} in
start) lock && cmd_start ;;
stop) lock && cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*)
	echo "usage: $0 start|stop|status|env" >&2
	exit 2
	;;
esac
