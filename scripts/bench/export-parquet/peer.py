"""DuckDB peer and output check for the export-parquet benchmark.

  peer.py convert EVENTS.jsonl OUT.parquet THREADS   JSONL -> one zstd Parquet file
  peer.py compare LAKE_DIR PEER.parquet              per-day counts and sums of both
"""
import json
import sys

import duckdb

COLUMNS = {
    "ts": "TIMESTAMPTZ", "user_id": "BIGINT", "age_group": "VARCHAR", "gender": "VARCHAR",
    "event": "VARCHAR", "item_id": "VARCHAR", "keyword": "VARCHAR", "result_count": "INTEGER",
    "session_id": "VARCHAR", "platform": "VARCHAR",
}

# Asia/Seoul has had no DST since 1988: a day is (epoch µs + 9 h) // 1 day.
STATS = """
SELECT (epoch_us(ts) + 32400000000) // 86400000000 AS day,
       count(*) AS n, sum(user_id) AS users, sum(result_count) AS results,
       count(item_id) AS items, count(keyword) AS keywords,
       min(epoch_us(ts)) AS min_ts, max(epoch_us(ts)) AS max_ts,
       bit_xor(hash(session_id)) AS sessions, bit_xor(hash(item_id)) AS item_hash,
       bit_xor(hash(keyword)) AS keyword_hash, count(DISTINCT event || age_group || gender || platform) AS combos
FROM read_parquet('{src}') GROUP BY 1 ORDER BY 1
"""


def convert(src, out, threads):
    con = duckdb.connect()
    con.execute(f"SET threads={int(threads)}")
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    con.execute(
        f"COPY (SELECT * FROM read_json('{src}', format='newline_delimited', columns={cols})) "
        f"TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
    )


def compare(lake, peer):
    con = duckdb.connect()
    con.execute("SET threads=2")
    mine = con.execute(STATS.format(src=f"{lake}/parquet/events/dt=*/*.parquet")).fetchall()
    theirs = con.execute(STATS.format(src=peer)).fetchall()
    # every marquee row must sit in the partition of its own date
    bad = con.execute(
        f"SELECT count(*) FROM read_parquet('{lake}/parquet/events/dt=*/*.parquet', hive_partitioning=true) "
        f"WHERE strftime(make_date(1970, 1, 1) + CAST((epoch_us(ts) + 32400000000) // 86400000000 AS INTEGER), '%Y-%m-%d') <> CAST(dt AS VARCHAR)"
    ).fetchone()[0]
    print(json.dumps({
        "equal": mine == theirs and bad == 0,
        "days": len(mine), "rows": sum(r[1] for r in mine), "peer_rows": sum(r[1] for r in theirs),
        "misplaced": bad,
        "diff": [[a, b] for a, b in zip(mine, theirs) if a != b][:3],
    }, default=str))


if __name__ == "__main__":
    if sys.argv[1] == "convert":
        convert(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
