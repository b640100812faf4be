"""Knowledge-base retrieval: accuracy and speed.

    python bench/retrieval.py [--data ../shared/data/dichvucong_faq_questions.csv]

Accuracy: index the questions written with diacritics, ask with their no-diacritics
twins (same `pair_id`), report top-1 and top-3. Speed: an index of 10,000 entries (the
questions and texts made from them), p50 and p99 of single look-ups on one core.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from canhgiac.engine.retrieve import Index

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "dichvucong_faq_questions.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    with args.data.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    accented = {r["pair_id"]: r["text"] for r in rows if r["has_diacritics"] == "True"}
    plain = {r["pair_id"]: r["text"] for r in rows if r["has_diacritics"] == "False"}
    pairs = [(pid, plain[pid]) for pid in accented if pid in plain]
    index = Index.build(((pid, [text]) for pid, text in accented.items()), pairs=False)
    top1 = top3 = 0
    for pid, query in pairs:
        hits = index.search(query, 3)
        top1 += bool(hits) and hits[0].key == pid
        top3 += any(h.key == pid for h in hits)
    print(f"{len(pairs)} questions: top-1 {top1 / len(pairs):.4f}, top-3 {top3 / len(pairs):.4f}")

    # 10,000 entries: the real questions, and more made by recombining their halves.
    rng = random.Random(5)
    texts = list(accented.values())
    entries = [(f"q{i}", [t]) for i, t in enumerate(texts)]
    while len(entries) < args.entries:
        a, b = rng.sample(texts, 2)
        wa, wb = a.split(), b.split()
        entries.append((f"s{len(entries)}", [" ".join(wa[: len(wa) // 2] + wb[len(wb) // 2 :])]))
    start = time.perf_counter()
    big = Index.build(entries, pairs=False)
    print(f"index of {len(big):,} entries built in {time.perf_counter() - start:.2f}s")
    latencies = []
    for _, query in pairs * 5:
        t0 = time.perf_counter()
        big.search(query, 3)
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"{len(latencies)} look-ups: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
