"""Compares marquee's poster index (a local lake partition) with the peer's
index.jsonl: the same (release_id, url, object, sha256, bytes) set, and the
same stored objects. Prints `equal=yes|no releases=N objects=M`."""
import gzip
import json
import os
import sys


def marquee_index(lake, date):
    part = os.path.join(lake, "posters", "index", f"dt={date}")
    with open(os.path.join(part, "_manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    rows = set()
    for fe in m["files"]:
        with gzip.open(os.path.join(part, fe["name"]), "rt", encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                rows.add((e["release_id"], e["url"], e["object"], e["sha256"], e["bytes"]))
    return rows


def objects(root):
    out = set()
    base = os.path.join(root, "posters")
    for d, dirs, files in os.walk(base):
        if os.path.relpath(d, base).startswith("index"):
            continue
        for name in files:
            if not name.startswith("."):
                out.add(os.path.relpath(os.path.join(d, name), root))
    return out


def main(lake, date, peer):
    m = marquee_index(lake, date)
    p = set()
    with open(os.path.join(peer, "index.jsonl"), encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            p.add((e["release_id"], e["url"], e["object"], e["sha256"], e["bytes"]))
    mo, po = objects(lake), objects(peer)
    equal = m == p and mo == po and len(m) > 0
    if not equal:
        print(f"only marquee: {sorted(m - p)[:3]} only peer: {sorted(p - m)[:3]} objects {len(mo)} vs {len(po)}", file=sys.stderr)
    print(f"equal={'yes' if equal else 'no'} releases={len(m)} objects={len(mo)}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
