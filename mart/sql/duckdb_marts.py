#!/usr/bin/env python3
"""Run the DuckDB mart SQL (mart/sql/duckdb/*.sql) over a marquee lake and
compare every row with what `marquee build-mart` wrote.

Reads only the files each partition's _manifest.json lists, like marquee.
Prints one JSON object: {"duckdb_seconds": ..., "duckdb_cpu_seconds": ..., "marts": {name: {"rows": n,
"marquee_rows": m, "equal": bool, "diff": [...]}}}. Exit 0 when every
compared mart is equal (or --no-compare), 1 otherwise.

  python duckdb_marts.py --lake LAKE --from 2026-11-16 --to 2026-11-22 \
      --marts popular_daily,ranking_age_daily,search_keywords_daily --top 10 --threads 2
"""
import argparse
import datetime as dt
import json
import os
import resource
import sys
import time

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
DAILY = ["popular_daily", "ranking_age_daily", "search_keywords_daily"]
KEYS = {  # columns compared exactly; genre_preference's score with a tolerance
    "popular_daily": "dt, rank, item_id, views, viewers",
    "ranking_age_daily": "dt, age_group, rank, item_id, views, viewers",
    "search_keywords_daily": "dt, keyword, searches, users, zero_result_rate, ctr",
    "item_stats": "dt, item_id, views, clicks, likes, books",
    "genre_preference": "dt, user_id, genre",
}


def day(s):
    return dt.date.fromisoformat(s)


def partitions(lake, zone):
    root = os.path.join(lake, zone)
    out = {}
    if not os.path.isdir(root):
        return out
    for name in sorted(os.listdir(root)):
        if not name.startswith("dt="):
            continue
        mpath = os.path.join(root, name, "_manifest.json")
        if not os.path.exists(mpath):
            continue
        with open(mpath) as f:
            m = json.load(f)
        out[day(name[3:])] = [os.path.join(root, name, e["name"]) for e in m.get("files", [])]
    return out


def events_view(con, files_by_day, lo, hi):
    files = [f for d, fs in sorted(files_by_day.items()) if (lo is None or d >= lo) and d <= hi for f in fs]
    if not files:
        con.execute("CREATE OR REPLACE VIEW events AS SELECT NULL::TIMESTAMPTZ AS ts, NULL::BIGINT AS user_id, "
                    "NULL::VARCHAR AS age_group, NULL::VARCHAR AS gender, NULL::VARCHAR AS event, NULL::VARCHAR AS item_id, "
                    "NULL::VARCHAR AS keyword, NULL::INTEGER AS result_count, NULL::VARCHAR AS session_id, "
                    "NULL::VARCHAR AS platform, NULL::DATE AS dt WHERE false")
        return
    lst = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    con.execute(f"CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet([{lst}], "
                f"hive_partitioning = true, hive_types = {{'dt': DATE}})")


def sql(name):
    with open(os.path.join(HERE, "duckdb", name + ".sql")) as f:
        return f.read().strip().rstrip(";")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lake", required=True)
    ap.add_argument("--from", dest="frm", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--marts", default=",".join(DAILY))
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--window", type=int, default=28)
    ap.add_argument("--half-life", type=float, default=7.0)
    ap.add_argument("--weights", default="view=1,click=2,like=3,book=5")
    ap.add_argument("--genres", help="JSONL of releases with id and genres")
    ap.add_argument("--no-compare", action="store_true")
    ap.add_argument("--score-tolerance", type=float, default=1e-9)
    a = ap.parse_args()
    frm, to = day(a.frm), day(a.to)
    marts = [m for m in a.marts.split(",") if m]
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET VARIABLE top = {a.top}")
    w = dict(view=1.0, click=2.0, like=3.0, book=5.0)
    for kv in a.weights.split(","):
        if kv.strip():
            k, v = kv.split("=")
            w[k.strip()] = float(v)
    for k, v in w.items():
        con.execute(f"SET VARIABLE w_{k} = {v}::DOUBLE")
    con.execute(f"SET VARIABLE window_days = {a.window}")
    con.execute(f"SET VARIABLE half_life = {a.half_life}::DOUBLE")
    if "genre_preference" in marts:
        if a.genres:
            con.execute("CREATE TABLE item_genres AS SELECT id AS item_id, unnest(genres) AS genre "
                        f"FROM read_json('{a.genres}', format = 'newline_delimited', columns = {{'id': 'VARCHAR', 'genres': 'VARCHAR[]'}})")
        else:
            con.execute("CREATE TABLE item_genres(item_id VARCHAR, genre VARCHAR)")

    ev = partitions(a.lake, "parquet/events")
    days = [d for d in sorted(ev) if frm <= d <= to]
    start = time.perf_counter()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    daily = [m for m in marts if m in DAILY]
    if daily:
        events_view(con, ev, frm, to)
        for m in daily:
            con.execute(f"CREATE OR REPLACE TABLE res_{m} AS {sql(m)}")
    for m in ("item_stats", "genre_preference"):
        if m not in marts:
            continue
        cols = "CAST(NULL AS DATE) AS dt, *"
        first = True
        for d in days:
            lo = None if m == "item_stats" else d - dt.timedelta(days=a.window - 1)
            events_view(con, ev, lo, d)
            con.execute(f"SET VARIABLE dt = DATE '{d.isoformat()}'")
            body = f"SELECT DATE '{d.isoformat()}' AS dt, * FROM ({sql(m)})"
            if first:
                con.execute(f"CREATE OR REPLACE TABLE res_{m} AS {body}")
                first = False
            else:
                con.execute(f"INSERT INTO res_{m} {body}")
        if first:
            con.execute(f"CREATE OR REPLACE TABLE res_{m} AS SELECT {cols} FROM ({sql(m)}) WHERE false")
    seconds = time.perf_counter() - start
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)

    out = {"duckdb_seconds": round(seconds, 3), "duckdb_cpu_seconds": round(cpu, 3), "days": [d.isoformat() for d in days], "marts": {}}
    ok = True
    for m in marts:
        r = {"rows": con.execute(f"SELECT count(*) FROM res_{m}").fetchone()[0]}
        if not a.no_compare:
            parts = partitions(a.lake, "mart/" + m)
            sel = []
            for d in days:
                fs = parts.get(d)
                if not fs:
                    continue
                lst = ", ".join("'" + f.replace("'", "''") + "'" for f in fs)
                if m in DAILY:
                    sel.append(f"SELECT * FROM read_parquet([{lst}])")
                else:
                    sel.append(f"SELECT DATE '{d.isoformat()}' AS dt, * FROM read_parquet([{lst}])")
            if sel:
                con.execute(f"CREATE OR REPLACE TABLE mq_{m} AS " + " UNION ALL ".join(sel))
            else:
                con.execute(f"CREATE OR REPLACE TABLE mq_{m} AS SELECT * FROM res_{m} WHERE false")
            r["marquee_rows"] = con.execute(f"SELECT count(*) FROM mq_{m}").fetchone()[0]
            k = KEYS[m]
            a_b = con.execute(f"SELECT {k} FROM res_{m} EXCEPT ALL SELECT {k} FROM mq_{m} ORDER BY ALL LIMIT 5").fetchall()
            b_a = con.execute(f"SELECT {k} FROM mq_{m} EXCEPT ALL SELECT {k} FROM res_{m} ORDER BY ALL LIMIT 5").fetchall()
            diff = [["duckdb only"] + [str(x) for x in row] for row in a_b] + [["marquee only"] + [str(x) for x in row] for row in b_a]
            if m == "genre_preference" and not diff:
                bad = con.execute(
                    f"SELECT a.dt, a.user_id, a.genre, a.score, b.score FROM res_{m} a JOIN mq_{m} b USING (dt, user_id, genre) "
                    f"WHERE abs(a.score - b.score) > {a.score_tolerance} * greatest(1, abs(a.score)) LIMIT 5").fetchall()
                diff = [["score"] + [str(x) for x in row] for row in bad]
            r["equal"] = r["rows"] == r["marquee_rows"] and not diff
            r["diff"] = diff
            ok = ok and r["equal"]
        out["marts"][m] = r
    print(json.dumps(out, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
