"""Compares marquee's raw partition with Scrapy's items, item by item.
Usage: compare.py PARTITION_DIR SCRAPY_JSONL FIELD[,FIELD...]
Prints 'items=N equal=yes|no' and the first differences."""
import gzip
import json
import os
import sys

part, peer, fields = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
manifest = json.load(open(os.path.join(part, "_manifest.json")))
ours = {}
for f in manifest["files"]:
    with gzip.open(os.path.join(part, f["name"]), "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            ours[r["source_id"]] = {k: r["fields"].get(k) for k in fields if r["fields"].get(k)}
theirs = {}
with open(peer, encoding="utf-8") as fh:
    for line in fh:
        r = json.loads(line)
        theirs[r["source_id"]] = {k: r.get(k) for k in fields if r.get(k)}
diffs = []
for sid in sorted(set(ours) | set(theirs)):
    if ours.get(sid) != theirs.get(sid):
        diffs.append((sid, ours.get(sid), theirs.get(sid)))
for d in diffs[:5]:
    print("diff", json.dumps(d, ensure_ascii=False), file=sys.stderr)
print(f"items={len(ours)} peer_items={len(theirs)} equal={'yes' if not diffs and ours else 'no'}")
