#!/usr/bin/env bash
# Creates (once) the Python virtual env the peer benchmarks use, from PyPI:
# DuckDB, scikit-learn, Scrapy, pyarrow. Prints the venv's python path.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${MARQUEE_BENCH_VENV:-$root/.bench/venv}
stamp=$venv/.marquee-ok-1
if [ ! -f "$stamp" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check \
    duckdb scikit-learn scrapy pyarrow numpy >&2
  touch "$stamp"
fi
echo "$venv/bin/python"
