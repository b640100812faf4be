"""Retrain the scam decision on anyone's labelled data (a CSV, or labels from the console).

The operating threshold is chosen on out-of-fold scores (grouped when the data has near-
duplicate groups), so the false-positive rate it promises is measured on messages the
model had not seen, not on its own training set.
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from canhgiac.engine.evaluate import threshold_for_f1, threshold_for_fpr
from canhgiac.engine.model import FeatureConfig, Features, LinearModel, average_models, fit_logistic, train_linear
from canhgiac.engine.pipeline import features_for, prepare

__all__ = ["LabelledData", "featurize_texts", "read_labelled_csv", "sklearn_available", "train_scam_model"]

# Settings for models trained by users in pure Python (AdaGrad, when scikit-learn is not
# installed): words and letter groups, so that teencode and misspellings a normalizer
# does not know still share features.
USER_FEATURES = FeatureConfig(word_ngrams=2, char_ngrams=(1, 4), structured=True, raw_words=True, stacked=True)

# Settings for the exact fit (scikit-learn's logistic regression, exported as an ordinary
# LinearModel). Chosen on 10 grouped 70/30 splits of each third-party file, threshold out
# of fold on the training part (bench/README.md):
# - no rule findings, cues or indicators: on Pham 2016 they cost recall at FPR 0.4%
#   (0.44 with them, 0.63 without) and on IE403 they lowered AUC (0.947 against 0.966):
#   a link, an amount or a hotline is in carriers' notices as much as in their ads;
# - the shipped model's score kept: on IE403 F1 0.836 with it, 0.722 without (on Pham
#   0.630 with, 0.659 without: within the spread of the splits);
# - no letter groups: folded 1-4 grams gave Pham 0.586, IE403 0.823 (and word 3-grams
#   with letter groups 2-5, Pham 0.565), for a larger file.
SKLEARN_FEATURES = FeatureConfig(word_ngrams=2, structured=False, raw_words=True, stacked=True)
# Inverse regularization: C = 16 against 4, Pham 0.630 against 0.631, IE403 F1 0.836
# against 0.813. Few features are shared between a user's messages and the binary
# features are already scaled by 1/sqrt(n), so weak regularization suits them.
SKLEARN_C = 16.0

Progress = Callable[[int, int], None]


def featurize_texts(texts: Sequence[str], config: FeatureConfig, progress: Progress | None = None) -> list[Features]:
    out = []
    for i, text in enumerate(texts):
        out.append(features_for(prepare(text), config))
        if progress is not None and (i % 200 == 0 or i == len(texts) - 1):
            progress(i + 1, len(texts))
    return out


@dataclass(slots=True)
class LabelledData:
    texts: list[str]
    labels: list[str]
    groups: list[str]


def read_labelled_csv(path: Path, text_column: str = "text", label_column: str = "label", group_column: str | None = None) -> LabelledData:
    """Read ``text,label`` rows (other columns ignored). Rows with an empty text are skipped."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        for required in (text_column, label_column):
            if required not in fields:
                raise ValueError(f"{path}: no column {required!r} (columns: {', '.join(fields)})")
        if group_column is None and "group_id" in fields:
            group_column = "group_id"
        for i, row in enumerate(reader):
            text = row[text_column] or ""
            if not text.strip():
                continue
            texts.append(text)
            labels.append((row[label_column] or "").strip())
            groups.append(row[group_column] if group_column and row.get(group_column) else str(i))
    return LabelledData(texts, labels, groups)


def grouped_folds(groups: Sequence[str], folds: int, seed: int = 7) -> list[list[int]]:
    """Split indices into folds that never split a group."""
    unique = sorted(set(groups))
    random.Random(seed).shuffle(unique)
    fold_of = {g: i % folds for i, g in enumerate(unique)}
    out: list[list[int]] = [[] for _ in range(folds)]
    for index, group in enumerate(groups):
        out[fold_of[group]].append(index)
    return out


def sklearn_available() -> bool:
    """Whether the exact fit can be used (the optional ``train`` extra is installed)."""
    import importlib.util

    return importlib.util.find_spec("sklearn") is not None


def train_scam_model(
    texts: Sequence[str],
    positives: Sequence[bool],
    *,
    groups: Sequence[str] | None = None,
    positive_label: str = "scam",
    max_fpr: float | None = None,
    folds: int = 5,
    epochs: int = 10,
    config: FeatureConfig | None = None,
    method: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    source: str = "",
) -> LinearModel:
    """Train a scam/not-scam model: one model per fold, averaged into the final one, so
    that the threshold chosen on out-of-fold scores holds for the model that is shipped.
    The threshold gives the best F1, or the most recall within ``max_fpr``.

    ``method`` is "sklearn" (scikit-learn's exact logistic fit on
    :data:`SKLEARN_FEATURES`, exported into the engine's JSON format: a check still needs
    nothing but the engine) or "adagrad" (pure Python on :data:`USER_FEATURES`, so that
    retraining needs no scientific library); by default the first when scikit-learn is
    installed. On the 3 grouped splits of bench/retrain_split.py the exact fit gave Pham
    2016 recall 0.690 against 0.617 at FPR 0.4% (better on each split), IE403 F1 0.860
    against 0.804 (better on each split)."""
    if len(set(positives)) < 2:
        raise ValueError("the data needs both positive and negative examples")
    if method is None:
        method = "sklearn" if sklearn_available() else "adagrad"
    if method not in ("sklearn", "adagrad"):
        raise ValueError(f"unknown training method {method!r}")
    if config is None:
        config = SKLEARN_FEATURES if method == "sklearn" else USER_FEATURES

    def stage(name: str) -> Progress | None:
        if progress is None:
            return None
        report = progress
        return lambda done, total: report(name, done, total)

    features = featurize_texts(texts, config, stage("features"))
    labels = [int(p) for p in positives]
    classes = ["not_" + positive_label, positive_label]
    oof = [0.0] * len(texts)
    split = grouped_folds(groups or [str(i) for i in range(len(texts))], folds)
    fold_models = []
    for k, held_out in enumerate(split):
        held = set(held_out)
        train_idx = [i for i in range(len(texts)) if i not in held]
        xs, ys = [features[i] for i in train_idx], [labels[i] for i in train_idx]
        if method == "sklearn":
            # Every feature kept (min_count 1): a user's file is small and a phrase seen
            # once in a fold's training part still counts in the averaged model.
            model = fit_logistic(xs, ys, classes, config=config, c=SKLEARN_C, min_count=1)
        else:
            model = train_linear(xs, ys, classes, config=config, epochs=epochs)
        for i in held_out:
            oof[i] = model.probabilities(features[i])[1]
        fold_models.append(model)
        if progress is not None:
            progress("cross-validation", k + 1, folds)
    threshold = threshold_for_fpr(oof, positives, max_fpr) if max_fpr is not None else threshold_for_f1(oof, positives)
    final = average_models(fold_models)
    final.threshold = threshold
    final.info = {
        "trained_on": source,
        "examples": len(texts),
        "positives": sum(labels),
        "positive": positive_label,
        "max_fpr": max_fpr,
        "method": method,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return final


def labels_to_bool(labels: Iterable[str], positive: str) -> list[bool]:
    return [label == positive for label in labels]
