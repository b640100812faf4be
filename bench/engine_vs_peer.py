"""Throughput of the whole `canhgiac check --jsonl` pipeline against a typical peer.

The peer is what Vietnamese spam filters usually are: pyvi word segmentation, TF-IDF
over word 1-2 grams, and a LinearSVC, trained in this run and predicting in-process.
Ours is measured as a user runs it: a fresh process, JSON lines in and out, every stage
(normalization, indicators, rules, three models). Same messages, same machine, one core.

    ./dev bench [--data FILE.csv] [--repeat N] [--no-peer]

Prints messages per second for each, the ratio, and in-process latency percentiles.
Ours is also given per CPU second of its process (user + system time), which a busy
machine disturbs far less than the wall clock; ``--no-peer`` skips the peer (which needs
pyvi and scikit-learn, from requirements/bench.lock).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "vi_sms_spam_pham2016.csv"


def read_texts(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r.get("label", "") for r in rows]


def one_core() -> None:
    # Pin this process (and the children it starts) to one core, so the comparison does
    # not depend on how many cores a library would grab.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def installed() -> None:
    """Byte-compile the package, as pip does when it installs it: a user's `canhgiac check`
    reads bytecode. (Where PYTHONDONTWRITEBYTECODE is set, as on some CI machines, every
    fresh process would otherwise compile the sources again: 55-60 ms of each start.)"""
    import compileall

    compileall.compile_dir(str(ROOT / "canhgiac"), quiet=1)


def ours(texts: list[str]) -> tuple[float, int, float]:
    """Seconds for a fresh `canhgiac check --jsonl` process over all texts, lines out,
    and the CPU seconds the process used."""
    payload = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts).encode("utf-8")
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "canhgiac.cli", "check", "--jsonl"], input=payload, capture_output=True, check=True)
    seconds = time.perf_counter() - start
    return seconds, done.stdout.count(b"\n"), _children_cpu() - cpu


def peer(train_texts: list[str], train_labels: list[str], texts: list[str]) -> dict[str, float]:
    from pyvi import ViTokenizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LinearSVC()
    model.fit(vectorizer.fit_transform([ViTokenizer.tokenize(t) for t in train_texts]), train_labels)

    start = time.perf_counter()
    latencies = []
    for text in texts:
        t0 = time.perf_counter()
        model.predict(vectorizer.transform([ViTokenizer.tokenize(text)]))
        latencies.append(time.perf_counter() - t0)
    one_by_one = time.perf_counter() - start

    start = time.perf_counter()
    model.predict(vectorizer.transform([ViTokenizer.tokenize(t) for t in texts]))
    batch = time.perf_counter() - start
    latencies.sort()
    return {"one_by_one": one_by_one, "batch": batch, "p50": latencies[len(latencies) // 2], "p99": latencies[int(len(latencies) * 0.99)]}


def ours_in_process(texts: list[str]) -> dict[str, float]:
    from canhgiac.engine import Engine

    engine = Engine()
    for t in texts[:100]:
        engine.analyze(t)
    latencies = []
    cpu = time.process_time()
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        engine.analyze(text)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    latencies.sort()
    return {"total": total, "cpu": cpu, "p50": latencies[len(latencies) // 2], "p99": latencies[int(len(latencies) * 0.99)]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    parser.add_argument("--no-peer", action="store_true", help="time ours only")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"bench: no data at {args.data}", file=sys.stderr)
        return 2
    one_core()
    installed()
    texts, labels = read_texts(args.data)
    n = len(texts)
    print(f"{n} messages from {args.data.name}, one core, best of {args.repeat}")

    runs = [ours(texts) for _ in range(args.repeat)]
    assert all(lines == n for _, lines, _ in runs), f"ours answered {[r[1] for r in runs]} lines for {n} messages"
    our_seconds = min(seconds for seconds, _, _ in runs)
    our_cpu = statistics.median(cpu for _, _, cpu in runs)
    inproc_runs = [ours_in_process(texts) for _ in range(args.repeat)]
    inproc = min(inproc_runs, key=lambda r: r["total"])
    ours_rate = n / our_seconds
    print()
    print(f"{'pipeline':<58}{'msg/s':>10}")
    print(f"{'ours: canhgiac check --jsonl (fresh process, all stages)':<58}{ours_rate:>10,.0f}")
    print(f"{'ours: the same, per CPU second (median)':<58}{n / our_cpu:>10,.0f}")
    print(f"{'ours: in-process, one at a time, per CPU second (median)':<58}{n / statistics.median(r['cpu'] for r in inproc_runs):>10,.0f}")
    if not args.no_peer:
        peer_runs = [peer(texts, labels, texts) for _ in range(args.repeat)]
        best_one = min(r["one_by_one"] for r in peer_runs)
        best_batch = min(r["batch"] for r in peer_runs)
        print(f"{'peer: pyvi + TF-IDF + LinearSVC, in-process, one at a time':<58}{n / best_one:>10,.0f}")
        print(f"{'peer: the same, in-process, one batch':<58}{n / best_batch:>10,.0f}")
        print()
        print(f"ratio ours / peer one at a time: {ours_rate / (n / best_one):.2f}x")
        print(f"ratio ours / peer batch:         {ours_rate / (n / best_batch):.2f}x")
    print()
    print(
        f"in-process latency, ours: p50 {inproc['p50'] * 1000:.3f} ms, p99 {inproc['p99'] * 1000:.3f} ms ({n / inproc['total']:,.0f} msg/s)"
    )
    if not args.no_peer:
        p = peer_runs[0]
        print(f"in-process latency, peer: p50 {p['p50'] * 1000:.3f} ms, p99 {p['p99'] * 1000:.3f} ms")
    print()
    cold = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "canhgiac.cli", "check", texts[0]], capture_output=True, check=True)
        cold.append(time.perf_counter() - start)
    print(f'cold start, canhgiac check "...": {min(cold):.3f} s (best), {max(cold):.3f} s (worst)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
