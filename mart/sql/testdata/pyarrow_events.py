#!/usr/bin/env python3
"""Write activity events (JSON lines, DESIGN.md §5a) as a committed events
partition the way an outside pyarrow job would: data page v1, snappy,
dictionary only for some columns, small row groups. Used by mart's SQL test
to check that build-mart reads other writers' files alike.

  python pyarrow_events.py EVENTS.jsonl LAKE_DIR YYYY-MM-DD
"""
import datetime as dt
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

COLS = ["ts", "user_id", "age_group", "gender", "event", "item_id", "keyword", "result_count", "session_id", "platform"]
SCHEMA = pa.schema([
    ("ts", pa.timestamp("us", tz="UTC")), ("user_id", pa.int64()), ("age_group", pa.string()),
    ("gender", pa.string()), ("event", pa.string()), ("item_id", pa.string()), ("keyword", pa.string()),
    ("result_count", pa.int32()), ("session_id", pa.string()), ("platform", pa.string()),
])


def main(src, lake, day):
    rows = {c: [] for c in COLS}
    with open(src, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            for c in COLS:
                v = e.get(c)
                if c == "ts":
                    v = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
                elif c in ("item_id", "keyword", "age_group") and v == "":
                    v = None
                elif c == "result_count" and e.get("event") != "search":
                    v = None
                rows[c].append(v)
    table = pa.table(rows, schema=SCHEMA)
    part = f"parquet/events/dt={day}"
    os.makedirs(os.path.join(lake, part), exist_ok=True)
    name = "part-pyarrow-00000.parquet"
    pq.write_table(table, os.path.join(lake, part, name), row_group_size=1000, data_page_version="1.0",
                   compression="snappy", use_dictionary=["age_group", "event", "item_id"])
    manifest = {"version": 1, "partition": part, "job": "pyarrow", "run_id": "pyarrow",
                "committed_at": "2026-01-01T00:00:00Z",
                "files": [{"name": name, "rows": table.num_rows, "bytes": 0, "run_id": "pyarrow"}]}
    with open(os.path.join(lake, part, "_manifest.json"), "w") as f:
        json.dump(manifest, f)


if __name__ == "__main__":
    main(*sys.argv[1:4])
