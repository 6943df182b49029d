#!/usr/bin/env bash
# Creates (once) the Python virtual env of the peer benchmarks and of the
# tests that read marquee's Parquet with an independent reader, from PyPI.
# Prints the venv's python path.
#   venv.sh        the benchmarks' env: DuckDB, pyarrow, numpy, scikit-learn, Scrapy
#   venv.sh test   what tests need: DuckDB, pyarrow, numpy
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${MARQUEE_BENCH_VENV:-$root/.bench/venv}
profile=${1:-full}
pkgs=(duckdb pyarrow numpy)
[ "$profile" = test ] || pkgs+=(scikit-learn scrapy)
stamp=$venv/.marquee-$profile-1
if [ ! -f "$stamp" ] && ! { [ "$profile" = test ] && [ -f "$venv/.marquee-full-1" ]; }; then
  mkdir -p "${venv%/*}"
  exec 9>"${venv%/*}/.venv.lock"
  flock 9
  if [ ! -f "$stamp" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "${pkgs[@]}" >&2
    touch "$stamp"
  fi
fi
echo "$venv/bin/python"
