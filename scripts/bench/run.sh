#!/usr/bin/env bash
# make bench: every peer benchmark in one run. Each scripts/bench/<job>/run.sh
# builds what it needs, generates seeded input, runs marquee and the peer on
# the same input, checks that the outputs are equal, and prints
#   BENCH <job> <case> marquee=<x>s peer(<name>)=<y>s ratio=<x/y> equal=yes|no
# A benchmark's figure never fails this script; an equality failure is reported.
# MARQUEE_BENCH_ONLY=job1,job2 picks benchmarks; MARQUEE_BENCH_SCALE=small runs quick sizes.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -f .services/env ]; then set -a; . .services/env; set +a; fi
mkdir -p .bench
summary=.bench/summary.txt
: > "$summary"
failed=()
for dir in scripts/bench/*/; do
  job=$(basename "$dir")
  [ -x "$dir/run.sh" ] || continue
  if [ -n "${MARQUEE_BENCH_ONLY:-}" ] && [[ ",$MARQUEE_BENCH_ONLY," != *",$job,"* ]]; then continue; fi
  echo "== bench $job" >&2
  start=$(date +%s)
  if "$dir/run.sh" 2>&1 | tee ".bench/$job.log" | grep --line-buffered '^BENCH' | tee -a "$summary"; then :; fi
  rc=${PIPESTATUS[0]}
  echo "   ($job: exit $rc, $(( $(date +%s) - start ))s; log .bench/$job.log)" >&2
  [ "$rc" -eq 0 ] || failed+=("$job")
done
echo
echo "== summary ($(nproc) cores, $(date -u +%FT%TZ))"
cat "$summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "benchmarks that did not finish cleanly (see .bench/<job>.log): ${failed[*]}"
fi
exit 0
