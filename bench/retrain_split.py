"""Retrain on 70% of a labelled CSV and test on the rest, through the real CLI.

Near-duplicate groups (the `group_id` column) stay on one side of the split, as the data
README asks, so the test messages are not templated copies of training ones.

    python bench/retrain_split.py --data ../shared/data/vi_sms_spam_pham2016.csv --positive spam --max-fpr 0.004
    python bench/retrain_split.py --data ../shared/data/vi_smishing_ie403_2025.csv --positive smishing

Prints, for each seed: threshold, recall (TPR), false-positive rate, precision, F1, AUC.

``--peer`` runs the same splits through the usual text classifier instead (scikit-learn's
TF-IDF of letter groups 2-5 and words 1-2 on the folded text, and of letter groups on the
text as written, with a LinearSVC), its threshold chosen the same way: out of fold on the
training part. It also prints the most recall any threshold reaches on the test part
within the false-positive rate (chosen on the test itself, so not a result: a ceiling).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def split(rows: list[dict[str, str]], seed: int, share: float) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    groups = sorted({r.get("group_id") or str(i) for i, r in enumerate(rows)})
    random.Random(seed).shuffle(groups)
    train_groups = set(groups[: int(len(groups) * share)])
    train = [r for i, r in enumerate(rows) if (r.get("group_id") or str(i)) in train_groups]
    test = [r for i, r in enumerate(rows) if (r.get("group_id") or str(i)) not in train_groups]
    return train, test


def write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "canhgiac.cli", *args], capture_output=True, text=True, check=True)
    return done.stdout


def _peer_threshold(scores: list[float], positives: list[bool], max_fpr: float | None) -> float:
    from canhgiac.engine.evaluate import threshold_for_f1, threshold_for_fpr

    return threshold_for_fpr(scores, positives, max_fpr) if max_fpr is not None else threshold_for_f1(scores, positives)


def peer(train: list[dict[str, str]], test: list[dict[str, str]], positive: str, max_fpr: float | None) -> dict[str, float]:
    """The peer classifier on one split, scored as ``canhgiac eval`` scores a model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    from canhgiac.engine.evaluate import binary_report, threshold_for_fpr
    from canhgiac.engine.normalize import fold_diacritics

    def fold(text: str) -> str:
        return fold_diacritics(text.lower())

    def pipeline() -> Any:
        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=fold),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, preprocessor=fold, token_pattern=r"\S+"),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        )
        return make_pipeline(features, LinearSVC(class_weight="balanced"))

    texts = [r["text"] for r in train]
    labels = [r["label"] == positive for r in train]
    groups = [r.get("group_id") or str(i) for i, r in enumerate(train)]
    oof = cross_val_predict(pipeline(), texts, labels, groups=groups, cv=GroupKFold(5), method="decision_function")
    threshold = _peer_threshold([float(x) for x in oof], labels, max_fpr)
    model = pipeline().fit(texts, labels)
    scores = [float(x) for x in model.decision_function([r["text"] for r in test])]
    truth = [r["label"] == positive for r in test]
    b = binary_report(scores, truth, threshold, positive)
    result = {
        "threshold": threshold,
        "recall": b.recall,
        "false_positive_rate": b.fpr,
        "precision": b.precision,
        "f1": b.f1,
        "roc_auc": b.roc_auc or 0.0,
    }
    if max_fpr is not None:
        result["ceiling"] = binary_report(scores, truth, threshold_for_fpr(scores, truth, max_fpr), positive).recall
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--positive", required=True)
    parser.add_argument("--max-fpr", help="passed to canhgiac train (default: threshold for best F1)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--share", type=float, default=0.7)
    parser.add_argument("--peer", action="store_true", help="the TF-IDF + LinearSVC peer instead of canhgiac train")
    args = parser.parse_args()
    with args.data.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"{args.data.name}: {len(rows)} rows, {args.share:.0%} of groups to train, positive {args.positive!r}")
    print(f"{'seed':>4} {'train':>6} {'test':>5} {'threshold':>9} {'recall':>7} {'FPR':>7} {'precision':>9} {'F1':>6} {'AUC':>6}")
    results = []
    for seed in range(1, args.seeds + 1):
        train, test = split(rows, seed, args.share)
        if args.peer:
            b = peer(train, test, args.positive, float(args.max_fpr) if args.max_fpr else None)
            results.append(b)
            ceiling = f"  (ceiling at this FPR on the test part: {b['ceiling']:.4f})" if "ceiling" in b else ""
            print(
                f"{seed:>4} {len(train):>6} {len(test):>5} {b['threshold']:>9.4f} {b['recall']:>7.4f} {b['false_positive_rate']:>7.4f} {b['precision']:>9.4f} {b['f1']:>6.4f} {b['roc_auc']:>6.4f}{ceiling}"
            )
            continue
        with tempfile.TemporaryDirectory() as tmp:
            train_path, test_path, model = Path(tmp, "train.csv"), Path(tmp, "test.csv"), Path(tmp, "model")
            write(train, train_path)
            write(test, test_path)
            extra = ["--max-fpr", args.max_fpr] if args.max_fpr else []
            cli("train", "--data", str(train_path), "--positive", args.positive, "--out", str(model), *extra)
            report = json.loads(
                cli("eval", "--data", str(test_path), "--task", "scam", "--positive", args.positive, "--model", str(model), "--json")
            )
        b = report["binary"]
        results.append(b)
        print(
            f"{seed:>4} {len(train):>6} {len(test):>5} {b['threshold']:>9.4f} {b['recall']:>7.4f} {b['false_positive_rate']:>7.4f} {b['precision']:>9.4f} {b['f1']:>6.4f} {b['roc_auc']:>6.4f}"
        )
    mean = {k: sum(r[k] for r in results) / len(results) for k in ("recall", "false_positive_rate", "precision", "f1", "roc_auc")}
    print(
        f"mean {'':>23} {mean['recall']:>7.4f} {mean['false_positive_rate']:>7.4f} {mean['precision']:>9.4f} {mean['f1']:>6.4f} {mean['roc_auc']:>6.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
