"""Measure a classifier against labelled data: precision, recall, F1, confusion, rates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BinaryReport", "ClassReport", "binary_report", "class_report", "threshold_for_f1", "threshold_for_fpr"]


@dataclass(frozen=True, slots=True)
class ClassMetrics:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# The headings of ``Report.table``, in English; the CLI passes its own for Vietnamese.
TABLE_WORDS = {
    "class": "class",
    "precision": "precision",
    "recall": "recall",
    "f1": "f1",
    "support": "support",
    "accuracy": "accuracy {accuracy:.4f} on {total}",
    "confusion": "confusion (rows: true, columns: predicted)",
}


@dataclass(slots=True)
class ClassReport:
    labels: list[str]
    per_class: list[ClassMetrics]
    confusion: dict[str, Counter[str]]
    """confusion[true][predicted] = count"""
    accuracy: float
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "total": self.total,
            "per_class": {
                m.label: {"precision": round(m.precision, 4), "recall": round(m.recall, 4), "f1": round(m.f1, 4), "support": m.support}
                for m in self.per_class
            },
            "confusion": {t: dict(c) for t, c in self.confusion.items()},
        }

    def table(self, words: dict[str, str] | None = None) -> str:
        """The per-class table and the confusion matrix; ``words`` puts its headings in
        another language (keys as in ``TABLE_WORDS``)."""
        w = {**TABLE_WORDS, **(words or {})}
        width = max(len(label) for label in [*self.labels, w["class"]]) + 2
        lines = [f"{w['class']:<{width}}{w['precision']:>10}{w['recall']:>10}{w['f1']:>10}{w['support']:>10}"]
        for m in self.per_class:
            lines.append(f"{m.label:<{width}}{m.precision:>10.3f}{m.recall:>10.3f}{m.f1:>10.3f}{m.support:>10}")
        lines.append(w["accuracy"].format(accuracy=self.accuracy, total=self.total))
        lines.append("")
        lines.append(w["confusion"])
        lines.append(" " * width + "".join(f"{label[:9]:>10}" for label in self.labels))
        for t in self.labels:
            lines.append(f"{t:<{width}}" + "".join(f"{self.confusion[t][p]:>10}" for p in self.labels))
        return "\n".join(lines)


def class_report(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None) -> ClassReport:
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    names = list(labels) if labels else sorted(set(truth) | set(predicted))
    for extra in sorted(set(truth) | set(predicted)):
        if extra not in names:
            names.append(extra)
    confusion: dict[str, Counter[str]] = {name: Counter() for name in names}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    per_class = []
    for name in names:
        tp = confusion[name][name]
        predicted_as = sum(confusion[t][name] for t in names)
        support = sum(confusion[name].values())
        precision = tp / predicted_as if predicted_as else 0.0
        recall = tp / support if support else 0.0
        per_class.append(ClassMetrics(name, precision, recall, _f1(precision, recall), support))
    correct = sum(confusion[n][n] for n in names)
    return ClassReport(names, per_class, confusion, correct / len(truth) if truth else 0.0, len(truth))


@dataclass(slots=True)
class BinaryReport:
    positive: str
    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int
    roc_auc: float | None
    curve: list[dict[str, float]] = field(default_factory=list)
    """Recall and false-positive rate at a few other thresholds."""

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        return {
            "positive": self.positive,
            "threshold": round(self.threshold, 4),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positive_rate": round(self.recall, 4),
            "false_positive_rate": round(self.fpr, 4),
            "confusion": {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn},
            "roc_auc": None if self.roc_auc is None else round(self.roc_auc, 4),
            "curve": self.curve,
        }

    def table(self) -> str:
        lines = [
            f"positive class: {self.positive}   operating threshold: {self.threshold:.3f}",
            f"precision {self.precision:.4f}  recall (TPR) {self.recall:.4f}  F1 {self.f1:.4f}  FPR {self.fpr:.4f}",
            f"confusion: TP {self.tp}  FN {self.fn}  FP {self.fp}  TN {self.tn}",
        ]
        if self.roc_auc is not None:
            lines.append(f"ROC AUC {self.roc_auc:.4f}")
        if self.curve:
            lines.append(
                "other thresholds:  " + "  ".join(f"{c['threshold']:.2f}: TPR {c['tpr']:.3f} FPR {c['fpr']:.4f}" for c in self.curve)
            )
        return "\n".join(lines)


def _auc(scores: Sequence[float], positives: Sequence[bool]) -> float | None:
    n_pos = sum(positives)
    n_neg = len(positives) - n_pos
    if not n_pos or not n_neg:
        return None
    ranked = sorted(zip(scores, positives, strict=True))
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2
        rank_sum += average_rank * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def binary_report(scores: Sequence[float], positives: Sequence[bool], threshold: float, positive: str = "positive") -> BinaryReport:
    tp = fp = tn = fn = 0
    for score, is_positive in zip(scores, positives, strict=True):
        predicted = score >= threshold
        if predicted and is_positive:
            tp += 1
        elif predicted:
            fp += 1
        elif is_positive:
            fn += 1
        else:
            tn += 1
    curve = []
    n_pos = sum(positives) or 1
    n_neg = (len(positives) - sum(positives)) or 1
    for t in (0.3, 0.5, 0.7, 0.9):
        curve.append(
            {
                "threshold": t,
                "tpr": round(sum(1 for s, p in zip(scores, positives, strict=True) if p and s >= t) / n_pos, 4),
                "fpr": round(sum(1 for s, p in zip(scores, positives, strict=True) if not p and s >= t) / n_neg, 4),
            }
        )
    return BinaryReport(positive, threshold, tp, fp, tn, fn, _auc(scores, positives), curve)


def threshold_for_fpr(scores: Sequence[float], positives: Sequence[bool], max_fpr: float) -> float:
    """The lowest threshold whose false-positive rate stays within ``max_fpr``."""
    negatives = sorted((s for s, p in zip(scores, positives, strict=True) if not p), reverse=True)
    if not negatives:
        return 0.5
    allowed = int(max_fpr * len(negatives))
    # Scores at or above the threshold are flagged; allow ``allowed`` negatives above it.
    boundary = negatives[allowed] if allowed < len(negatives) else 0.0
    return min(1.0, boundary + 1e-6)


def threshold_for_f1(scores: Sequence[float], positives: Sequence[bool]) -> float:
    """The threshold with the best F1 on these scores."""
    pairs = sorted(zip(scores, positives, strict=True), reverse=True)
    total_positive = sum(positives)
    if not total_positive or total_positive == len(pairs):
        return 0.5
    best_f1, best_threshold = -1.0, 0.5
    tp = fp = 0
    for i, (score, positive) in enumerate(pairs):
        tp += positive
        fp += not positive
        if i + 1 < len(pairs) and pairs[i + 1][0] == score:
            continue
        f1 = 2 * tp / (2 * tp + fp + (total_positive - tp))
        if f1 > best_f1:
            following = pairs[i + 1][0] if i + 1 < len(pairs) else 0.0
            best_f1, best_threshold = f1, (score + following) / 2
    return best_threshold
