#!/usr/bin/env python3
"""compute-similar's peer: the seed's own method, scikit-learn.

TfidfVectorizer over marquee's tokens (each token already repeated by its
field weight, so the counts are marquee's weighted term frequencies) with
sublinear_tf, smooth_idf and l2 norm, then linear_kernel (= cosine on
L2-normalised rows) in chunks of rows against the whole matrix and a top-k
per row: score descending, then id ascending, self excluded, scores > 0.

  peer_sklearn.py --tokens tokens.jsonl --k 10 --out peer.jsonl \
      [--sample N] [--chunk-cells 50000000]

--sample N times only N query rows spread over the matrix (for sizes where
the full run would take hours) and reports the extrapolated full time.
Prints one JSON line with the timings.
"""
import argparse
import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel


def identity(doc):
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--chunk-cells", type=int, default=50_000_000)
    a = ap.parse_args()

    t0 = time.perf_counter()
    ids, docs = [], []
    with open(a.tokens, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            docs.append(d["tokens"])
    t_read = time.perf_counter() - t0

    t1 = time.perf_counter()
    vec = TfidfVectorizer(analyzer=identity, lowercase=False, sublinear_tf=True,
                          smooth_idf=True, norm="l2", dtype=np.float64)
    X = vec.fit_transform(docs)
    del docs
    t_fit = time.perf_counter() - t1

    n = X.shape[0]
    rows = np.arange(n)
    if a.sample and a.sample < n:
        rows = np.linspace(0, n - 1, a.sample).astype(np.int64)
    chunk = max(1, a.chunk_cells // n)
    k = a.k
    t2 = time.perf_counter()
    with open(a.out, "w", encoding="utf-8") as out:
        for s in range(0, len(rows), chunk):
            q = rows[s:s + chunk]
            S = linear_kernel(X[q], X)  # dense len(q) x n, like the seed's cosine_sim
            S[np.arange(len(q)), q] = -1.0  # self excluded
            for i, r in enumerate(q):
                row = S[i]
                if k < n:
                    part = np.argpartition(-row, k)[:k]
                    kth = row[part].min()
                    cand = np.nonzero(row >= kth)[0]  # every tie of the k-th
                else:
                    cand = np.arange(n)
                cand = cand[row[cand] > 0]
                order = np.lexsort((cand, -row[cand]))[:k]  # score desc, id (= row) asc
                items = [[ids[j], float(row[j])] for j in cand[order]]
                out.write(json.dumps({"id": ids[r], "items": items}, ensure_ascii=False) + "\n")
    t_search = time.perf_counter() - t2
    full_search = t_search * n / len(rows)
    print(json.dumps({
        "n": n, "terms": len(vec.vocabulary_), "query_rows": int(len(rows)),
        "read_s": round(t_read, 3), "fit_s": round(t_fit, 3), "search_s": round(t_search, 3),
        "total_s": round(t_fit + t_search, 3),
        "extrapolated_total_s": round(t_fit + full_search, 3),
        "sampled": bool(len(rows) < n),
    }))


if __name__ == "__main__":
    sys.exit(main())
