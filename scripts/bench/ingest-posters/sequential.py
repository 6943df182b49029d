"""The peer: a sequential poster downloader, the loop a data engineer writes
instead of a tool. For each release_id<TAB>url line: GET, sniff the type from
the magic bytes, sha256, store once at posters/<aa>/<sha256>.<ext>, and write
an index line {release_id, url, object, sha256, bytes}."""
import hashlib
import json
import os
import sys
import urllib.request

MAGIC = [(b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif")]


def ext_of(b):
    for magic, ext in MAGIC:
        if b.startswith(magic):
            return ext
    if b[:4] == b"RIFF" and b[8:12] == b"WEBP":
        return "webp"
    return None


def main(urls, out):
    n = total = 0
    with open(urls, encoding="utf-8") as f, open(os.path.join(out, "index.jsonl"), "w", encoding="utf-8") as idx:
        for line in f:
            rid, url = line.rstrip("\n").split("\t")
            with urllib.request.urlopen(url, timeout=60) as r:
                body = r.read((10 << 20) + 1)
            ext = ext_of(body)
            if ext is None or len(body) > 10 << 20:
                continue
            sha = hashlib.sha256(body).hexdigest()
            key = f"posters/{sha[:2]}/{sha}.{ext}"
            path = os.path.join(out, key)
            if not os.path.exists(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                tmp = path + ".tmp"
                with open(tmp, "wb") as o:
                    o.write(body)
                os.replace(tmp, path)
            idx.write(json.dumps({"release_id": rid, "url": url, "object": key, "sha256": sha, "bytes": len(body)}) + "\n")
            n += 1
            total += len(body)
    print(f"posters={n} bytes={total}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
