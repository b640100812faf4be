"""Features and linear models, in pure Python.

Why pure Python: a check must answer within milliseconds in a process that starts in a
fraction of a second, on an old office PC. A linear model over sparse binary features
needs nothing more than dictionary look-ups to predict, and trains on tens of thousands
of messages in seconds with AdaGrad. The model file is JSON: a reviewer can open it and
read which words push a verdict which way.
"""

from __future__ import annotations

import gc
import json
import math
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

__all__ = [
    "FeatureConfig",
    "Features",
    "LinearModel",
    "TrainingExtraMissing",
    "average_models",
    "fit_logistic",
    "require_training_extra",
    "text_features",
    "text_words",
    "train_linear",
]

_WORD = re.compile(r"[a-z0-9]+")
_DIGITS = re.compile(r"\d+")
_RAW_WORD = re.compile(r"\w+")

FORMAT_VERSION = 2
"""1: the weights one dictionary per scorer; 2: one row per feature (see ``LinearModel``)."""


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Which text features a model uses. Saved with the model, so a model always sees
    the features it was trained with."""

    word_ngrams: int = 2
    char_ngrams: tuple[int, int] | None = None
    """Character n-gram sizes inside words, e.g. (2, 5); None for none."""
    structured: bool = True
    """Cues, reasons, indicators and message shape (see ``pipeline.structured_features``)."""
    cue_groups: tuple[str, ...] | None = None
    """Which cue groups to use; None for all. The scam model leaves out broad groups
    ("job" fires on "nhân viên giao hàng") and learns from reasons instead."""
    length: bool = True
    """Whether the message's length bucket is a feature."""
    stacked: bool = False
    """Use the shipped scam model's score as a feature: a model trained on a few hundred
    messages then builds on what the project already knows instead of starting over."""
    raw_words: bool = False
    """Also words as written (lowercase, with diacritics): "tài khoản" and "tai khoan"
    then differ, which helps where the way of writing says something (most ads are
    typed without diacritics, most personal messages with)."""
    raw_char_ngrams: tuple[int, int] | None = None
    """Character n-gram sizes inside words as written (lowercase, with diacritics): the
    folded grams join "bom"/"bơm" and "mình"/"mìn", these keep them apart."""

    indicators: bool = True
    """Whether the features saying a number, account, link or amount is present (``I:``)
    are used. The category of a tip is what it reports, not whether a callback number
    came with it."""

    amounts: bool = True
    """Whether "an amount of money is named" (``I:amount``) is a feature, when the
    indicator features are. A scam asks for money, but so does a family asking a
    relative to repay 5 triệu; the scam model reads the request, not the sum."""

    def keeps(self, feature: str) -> bool:
        if feature.startswith("C:"):
            return self.cue_groups is None or feature[2:] in self.cue_groups
        if feature.startswith("M:len"):
            return self.length
        if feature.startswith("I:"):
            return self.indicators and (self.amounts or feature != "I:amount")
        return True

    @property
    def text_key(self) -> tuple[Any, ...]:
        """What decides the text features (see :func:`text_features`)."""
        return (self.word_ngrams, self.char_ngrams, self.raw_words, self.raw_char_ngrams)

    def kept(self, structured: Iterable[str]) -> list[str]:
        """The structured features this model uses, each once."""
        if not self.structured:
            return []
        groups, length, indicators, amounts = self.cue_groups, self.length, self.indicators, self.amounts
        if groups is None and length and indicators and amounts:
            return list(dict.fromkeys(structured))
        return list(
            dict.fromkeys(
                f
                for f in structured
                if not (
                    (groups is not None and f[:2] == "C:" and f[2:] not in groups)
                    or (not length and f[:5] == "M:len")
                    or (not indicators and f[:2] == "I:")
                    or (not amounts and f == "I:amount")
                )
            )
        )


@dataclass(slots=True)
class Features:
    """A message as a model sees it: text n-grams (weighted together so that a long
    message does not outvote a short one) and structured features (each worth 1)."""

    text: list[str]
    structured: list[str]
    values: dict[str, float] = field(default_factory=dict)
    """Real-valued features (another model's score, for a stacked model)."""

    @property
    def scale(self) -> float:
        return 1.0 / math.sqrt(len(self.text)) if self.text else 0.0

    @staticmethod
    def from_text(
        folded: str, config: FeatureConfig, structured: Iterable[str] = (), raw: str = "", words: list[str] | None = None
    ) -> Features:
        """``words`` may be given when already computed (see :func:`text_words`)."""
        return Features(text_features(folded, config, raw, words), config.kept(structured))


def text_features(folded: str, config: FeatureConfig, raw: str = "", words: list[str] | None = None) -> list[str]:
    """The text n-grams of a message, each once, in order of first appearance. Depends
    only on the text and on ``config.text_key``, so models that share that key can share
    the list (it is never modified)."""
    if words is None:
        words = text_words(folded)
    text = ["w:" + w for w in words]
    if config.word_ngrams >= 2:
        text += [f"w:{a} {b}" for a, b in pairwise(words)]
    for n in range(3, config.word_ngrams + 1):
        text.extend("w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    if config.char_ngrams:
        text += _char_ngrams("c:", words, *config.char_ngrams)
    if raw and (config.raw_words or config.raw_char_ngrams):
        # Digits shaped in the whole text at once, not word by word: a run of digits lies
        # inside one word, so the words are the same.
        lowered = raw.lower()
        raw_words = _RAW_WORD.findall(_DIGITS.sub(_digit_shape, lowered) if _DIGITS.search(lowered) else lowered)
        if config.raw_words:
            text += ["r:" + w for w in raw_words]
        if config.raw_char_ngrams:
            text += _char_ngrams("a:", raw_words, *config.raw_char_ngrams)
    return list(dict.fromkeys(text))


def _char_ngrams(prefix: str, words: list[str], low: int, high: int) -> list[str]:
    """The character n-grams of each word once, padded with a space on each side. Built
    as lists, not generators (and the raw words' digits shaped once, above): the category
    model's features (made for tips only) 91 → 87 µs a message on the benchmark's
    messages (bench/engine_vs_peer.py)."""
    grams: list[str] = []
    for word in dict.fromkeys(words):
        padded = f" {word} "
        for n in range(low, high + 1):
            grams += [prefix + padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


def text_words(folded: str) -> list[str]:
    """The words of a folded text, digits reduced to their count ("0912345678" -> "00000"),
    and digits masked with x's ("0238 xxx 456", "09xx") read as digits: the hand-written
    scams mask their numbers more often than the notices do, and "xxx" had become a scam
    word (a job advert with "gọi cô Nga 0238 xxx 456" scored 0.59, with a real number 0.42)."""
    if "xx" in folded:
        folded = _MASKED_DIGITS.sub(_masked_shape, folded)
    if _DIGITS.search(folded) is None:
        return _WORD.findall(folded)
    return _WORD.findall(_DIGITS.sub(_digit_shape, folded))


_MASKED_DIGITS = re.compile(r"\b\d*x{2,}[\dx]*\b")


def _masked_shape(match: re.Match[str]) -> str:
    found = match.group()
    return "0" * min(len(found), 5) if len(found) >= 3 else found


def _digit_shape(match: re.Match[str]) -> str:
    # "0912345678" and "0987654321" are the same kind of thing; keep only the length.
    return "0" * min(len(match.group()), 5)


class LinearModel:
    """One linear scorer per class over sparse binary features.

    Two classes are stored as one scorer (the positive class's), with a probability from
    the logistic function and an operating ``threshold`` on it.

    A model of several scorers keeps its weights one row per feature (``rows``: the
    feature's weight in every class, 0 where a class has none), so that a message costs
    one look-up per feature, not one per feature and class (intent has 4 classes,
    category 11): scoring the three models took 56 µs of the 320 µs a message of
    `canhgiac check --jsonl` on Pham 2016 with a dictionary per class, 34 µs with rows.
    The rows are in the file as they are used (format 2), so start-up builds nothing.
    ``weights`` (one dictionary per scorer) is what training makes and tests read; each
    view is made from the other when first asked for, and neither is to be changed once
    the model has scored. A single scorer (the scam model) keeps its dictionary.
    """

    __slots__ = ("_rows", "_weights", "bias", "classes", "features", "info", "threshold")

    def __init__(
        self,
        classes: list[str],
        weights: list[dict[str, float]],
        bias: list[float],
        features: FeatureConfig | None = None,
        threshold: float = 0.5,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.classes = classes
        self.bias = bias
        self.features = features if features is not None else FeatureConfig()
        self.threshold = threshold
        self.info: dict[str, Any] = info if info is not None else {}
        self._weights: list[dict[str, float]] | None = weights
        self._rows: dict[str, list[float]] | None = None

    @classmethod
    def from_rows(
        cls,
        classes: list[str],
        rows: dict[str, list[float]],
        bias: list[float],
        features: FeatureConfig | None = None,
        threshold: float = 0.5,
        info: dict[str, Any] | None = None,
    ) -> LinearModel:
        """A model of several scorers from its rows (feature -> its weight in each)."""
        model = cls(classes, [], bias, features, threshold, info)
        model._weights = None
        model._rows = rows
        return model

    @property
    def weights(self) -> list[dict[str, float]]:
        """One dictionary per scorer: feature -> weight, features without weight left out."""
        if self._weights is None:
            rows = self._rows or {}
            self._weights = [{f: w for f, row in rows.items() if (w := row[k])} for k in range(len(self.bias))]
        return self._weights

    @property
    def rows(self) -> dict[str, list[float]]:
        """Feature -> its weight in each scorer (0 where the scorer has none)."""
        if self._rows is None:
            weights = self.weights
            names = dict.fromkeys(f for w in weights for f in w)
            self._rows = {f: [w.get(f, 0.0) for w in weights] for f in names}
        return self._rows

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2 and len(self.bias) == 1

    def margins(self, x: Features) -> list[float]:
        scale = x.scale
        if len(self.bias) == 1:
            b = self.bias[0]
            get = self.weights[0].get
            text = sum(filter(None, map(get, x.text)))
            structured = sum(filter(None, map(get, x.structured)))
            if x.values:
                structured += sum(get(f, 0.0) * v for f, v in x.values.items())
            return [b + scale * text + structured]
        row_of = (self._rows if self._rows is not None else self.rows).get
        n = len(self.bias)
        # Each class's sum runs over its weights in the features' order, as one dictionary
        # per class summed them; the rows' zeros (a class without the feature) add nothing,
        # so the margins are the same floats to the last bit.
        hits = list(filter(None, map(row_of, x.text)))
        texts: Iterable[float] = map(sum, zip(*hits, strict=True)) if hits else repeat(0.0, n)
        hits = list(filter(None, map(row_of, x.structured)))
        sums: list[float] = list(map(sum, zip(*hits, strict=True))) if hits else [0.0] * n
        if x.values:
            for k in range(n):
                sums[k] += sum((row[k] if (row := row_of(f)) is not None else 0.0) * v for f, v in x.values.items())
        return [b + scale * t + s for b, t, s in zip(self.bias, texts, sums, strict=True)]

    def probabilities(self, x: Features) -> list[float]:
        margins = self.margins(x)
        if self.binary:
            p = _sigmoid(margins[0])
            return [1.0 - p, p]
        top = max(margins)
        exps = [math.exp(m - top) for m in margins]
        total = sum(exps)
        return [e / total for e in exps]

    def contributions(self, x: Features, class_index: int = 0) -> list[tuple[str, float]]:
        """Each present feature's push on one class's score, largest first."""
        scale = x.scale
        if len(self.bias) == 1:
            get = self.weights[class_index].get
            pairs = [(f, w * scale) for f, w in zip(x.text, map(get, x.text), strict=True) if w is not None]
            if x.structured:
                pairs += [(f, w) for f, w in zip(x.structured, map(get, x.structured), strict=True) if w is not None]
            if x.values:
                pairs += [(f, w * v) for f, v in x.values.items() if (w := get(f)) is not None]
        else:
            k = class_index
            row_of = (self._rows if self._rows is not None else self.rows).get
            pairs = [(f, row[k] * scale) for f, row in zip(x.text, map(row_of, x.text), strict=True) if row and row[k]]
            if x.structured:
                pairs += [(f, row[k]) for f, row in zip(x.structured, map(row_of, x.structured), strict=True) if row and row[k]]
            if x.values:
                pairs += [(f, row[k] * v) for f, v in x.values.items() if (row := row_of(f)) and row[k]]
        pairs.sort(key=_strength, reverse=True)  # stable: equal pushes keep their order
        return pairs

    # ------------------------------------------------------------------ files

    def to_json(self) -> dict[str, Any]:
        """The model as saved. Weights under 0.001 are left out (written 0 in a row), the
        rest rounded to 4 decimals. Format 2 keeps them one row per feature, sorted by
        feature: ``{"w:otp": 1.52}`` for one scorer, ``{"w:otp": [0, -0.31, 1.52, 0]}``
        (a weight for each class, in the order of ``classes``) for several."""
        if len(self.bias) == 1:
            weights: dict[str, Any] = {f: round(v, 4) for f, v in sorted(self.weights[0].items()) if abs(v) >= 1e-3}
        else:
            weights = {}
            for f, row in sorted(self.rows.items()):
                kept = [round(v, 4) if abs(v) >= 1e-3 else 0 for v in row]
                if any(kept):
                    weights[f] = kept
        return {
            "format": FORMAT_VERSION,
            "classes": self.classes,
            "bias": [round(b, 6) for b in self.bias],
            "threshold": round(self.threshold, 6),
            "features": asdict(self.features),
            "info": self.info,
            "weights": weights,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        """A model from :meth:`to_json`, of this format or of format 1 (one dictionary
        per scorer: what `canhgiac train` saved before format 2)."""
        version = data.get("format")
        if version not in (1, FORMAT_VERSION):
            raise ValueError(f"unsupported model format {version!r}")
        fc = data["features"]
        char = tuple(fc["char_ngrams"]) if fc.get("char_ngrams") else None
        raw_char = tuple(fc["raw_char_ngrams"]) if fc.get("raw_char_ngrams") else None
        groups = tuple(fc["cue_groups"]) if fc.get("cue_groups") is not None else None
        features = FeatureConfig(
            word_ngrams=fc["word_ngrams"],
            char_ngrams=char,
            structured=fc["structured"],
            cue_groups=groups,
            length=fc.get("length", True),
            raw_words=fc.get("raw_words", False),
            stacked=fc.get("stacked", False),
            raw_char_ngrams=raw_char,
            indicators=fc.get("indicators", True),
            amounts=fc.get("amounts", True),
        )
        classes = list(data["classes"])
        bias = list(data["bias"])
        threshold = float(data["threshold"])
        info = dict(data.get("info", {}))
        weights = data["weights"]
        if version == 1:
            return cls(classes, [dict(w) for w in weights], bias, features, threshold, info)
        if not isinstance(weights, dict):
            raise ValueError("model format 2 keeps its weights in one object")
        # The parsed objects are used as they are: copying 50,000 weights would cost
        # start-up time for nothing.
        if len(bias) == 1:
            return cls(classes, [weights], bias, features, threshold, info)
        return cls.from_rows(classes, weights, bias, features, threshold, info)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        text = path.read_text(encoding="utf-8")
        # The rows are lists (30,000 in the intent model, 23,000 in the category model),
        # and the cyclic collector, set off again and again while json makes them, walked
        # every one made before: the category model took 64 ms to load at start-up instead
        # of 50. A parse makes no cycles; the collector waits until it is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            data = json.loads(text)
        finally:
            if collecting:
                gc.enable()
        return cls.from_json(data)


def average_models(models: Sequence[LinearModel]) -> LinearModel:
    """The mean of several models' weights (fold models of one cross-validation)."""
    first = models[0]
    n = len(models)
    weights: list[dict[str, float]] = []
    for k in range(len(first.weights)):
        total: dict[str, float] = {}
        for model in models:
            for f, v in model.weights[k].items():
                total[f] = total.get(f, 0.0) + v / n
        weights.append(total)
    bias = [sum(m.bias[k] for m in models) / n for k in range(len(first.bias))]
    return LinearModel(classes=list(first.classes), weights=weights, bias=bias, features=first.features, threshold=first.threshold)


def _strength(pair: tuple[str, float]) -> float:
    return abs(pair[1])


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train_linear(
    examples: Sequence[Features],
    labels: Sequence[int],
    classes: list[str],
    *,
    config: FeatureConfig,
    epochs: int = 12,
    l2: float = 1e-5,
    learning_rate: float = 0.5,
    balanced: bool = True,
    seed: int = 13,
    progress: Callable[[int, int], None] | None = None,
) -> LinearModel:
    """Logistic regression (softmax for more than two classes), trained with AdaGrad.

    ``balanced`` weighs each class by the inverse of its frequency, so that 600 spam
    among 3,600 messages count as much as the rest.
    """
    if len(examples) != len(labels):
        raise ValueError("examples and labels differ in length")
    if not examples:
        raise ValueError("no training examples")
    n_classes = len(classes)
    binary = n_classes == 2
    scorers = 1 if binary else n_classes
    weights: list[dict[str, float]] = [{} for _ in range(scorers)]
    squares: list[dict[str, float]] = [{} for _ in range(scorers)]
    bias = [0.0] * scorers
    bias_squares = [1e-8] * scorers
    counts = [0] * n_classes
    for label in labels:
        counts[label] += 1
    class_weight = [(len(labels) / (n_classes * c) if c else 0.0) if balanced else 1.0 for c in counts]

    order = list(range(len(examples)))
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(order)
        for i in order:
            x = examples[i]
            y = labels[i]
            scale = x.scale
            items = [(f, scale) for f in x.text] + [(f, 1.0) for f in x.structured] + list(x.values.items())
            if binary:
                w0 = weights[0]
                margin = bias[0] + sum(w0.get(f, 0.0) * v for f, v in items)
                grads = [(_sigmoid(margin) - (1.0 if y == 1 else 0.0)) * class_weight[y]]
            else:
                margins = [bias[k] + sum(weights[k].get(f, 0.0) * v for f, v in items) for k in range(scorers)]
                top = max(margins)
                exps = [math.exp(m - top) for m in margins]
                total = sum(exps)
                grads = [(exps[k] / total - (1.0 if k == y else 0.0)) * class_weight[y] for k in range(scorers)]
            for k, g in enumerate(grads):
                if g == 0.0:
                    continue
                w = weights[k]
                sq = squares[k]
                for f, v in items:
                    old = w.get(f, 0.0)
                    grad = g * v + l2 * old
                    acc = sq.get(f, 1e-8) + grad * grad
                    sq[f] = acc
                    w[f] = old - learning_rate * grad / math.sqrt(acc)
                bias_squares[k] += g * g
                bias[k] -= learning_rate * g / math.sqrt(bias_squares[k])
        if progress is not None:
            progress(epoch + 1, epochs)
    return LinearModel(classes=list(classes), weights=weights, bias=bias, features=config)


class TrainingExtraMissing(RuntimeError):
    """scikit-learn, needed to train (never to check), is not installed."""

    def __init__(self) -> None:
        super().__init__("training needs scikit-learn: pip install 'canhgiac[train]'")


def require_training_extra() -> None:
    """Raise :class:`TrainingExtraMissing` unless scikit-learn can be imported."""
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        raise TrainingExtraMissing()


def fit_logistic(
    examples: Sequence[Features],
    labels: Sequence[int],
    classes: list[str],
    *,
    config: FeatureConfig,
    c: float = 1.0,
    balanced: bool = True,
    min_count: int = 2,
    max_features: int | None = None,
    min_weight: float = 0.0,
    structured_scale: float = 1.0,
) -> LinearModel:
    """Logistic regression (softmax for more than two classes) fitted by scikit-learn.

    The same model as :func:`train_linear`, on the same features and with the same
    scaling, so the result is an ordinary :class:`LinearModel` that predicts with
    dictionary look-ups: scikit-learn is needed to train, never to check. It converges
    exactly where AdaGrad wanders, and in seconds on the char n-grams of tens of
    thousands of messages. One thread and a fixed solver: the same data gives the same
    weights.

    ``min_count`` drops features seen in fewer examples (they cannot generalise and fill
    the file); ``max_features`` and ``min_weight`` prune each scorer to its strongest
    weights so that the model file stays small and a check stays fast.

    ``structured_scale`` below 1 regularizes the structured features (rule findings,
    cues, indicators) more than the words: each is one feature that fires on many
    messages, and a rule that misfires on a real notice should not decide alone.
    """
    try:
        import numpy as np
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits
    except ImportError as exc:
        raise TrainingExtraMissing() from exc
    from array import array

    if len(examples) != len(labels):
        raise ValueError("examples and labels differ in length")
    if len(set(labels)) < 2:
        raise ValueError("the data needs at least two classes")
    seen: dict[str, int] = {}
    for x in examples:
        for f in (*x.text, *x.structured, *x.values):
            seen[f] = seen.get(f, 0) + 1
    names = sorted(f for f, n in seen.items() if n >= min_count)
    column = {f: j for j, f in enumerate(names)}
    indptr = array("q", [0])
    indices = array("i")
    data = array("d")
    for x in examples:
        row: dict[int, float] = {}
        scale = x.scale
        for f in x.text:
            j = column.get(f)
            if j is not None:
                row[j] = scale
        for f in x.structured:
            j = column.get(f)
            if j is not None:
                row[j] = structured_scale
        for f, v in x.values.items():
            j = column.get(f)
            if j is not None:
                row[j] = v * structured_scale
        for j in sorted(row):
            indices.append(j)
            data.append(row[j])
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.frombuffer(data, dtype=np.float64), np.frombuffer(indices, dtype=np.int32), np.frombuffer(indptr, dtype=np.int64)),
        shape=(len(examples), len(names)),
    )
    y = np.asarray(labels)
    present = sorted(set(labels))
    classifier = LogisticRegression(C=c, class_weight="balanced" if balanced else None, solver="lbfgs", max_iter=2000, tol=1e-6)
    with threadpool_limits(limits=1):
        classifier.fit(matrix, y)
    # A structured feature was fitted on values of ``structured_scale``; the engine gives it 1.
    unscale = np.array([structured_scale if not (f.startswith(("w:", "c:", "a:", "r:"))) else 1.0 for f in names])
    coef = classifier.coef_ * unscale
    intercept = classifier.intercept_
    weights: list[dict[str, float]] = []
    bias: list[float] = []
    if len(classes) == 2:
        rows = [(coef[0], float(intercept[0]))]
    else:
        # A class missing from the data gets no scorer from scikit-learn: it never wins.
        by_class = {label: k for k, label in enumerate(present)}
        rows = [(coef[by_class[k]], float(intercept[by_class[k]])) if k in by_class else (None, -30.0) for k in range(len(classes))]
    for values, b in rows:
        kept: dict[str, float] = {}
        if values is not None:
            order = np.argsort(-np.abs(values), kind="stable")
            if max_features is not None:
                order = order[:max_features]
            for j in order:
                v = float(values[j])
                if abs(v) < max(min_weight, 1e-3):
                    break
                kept[names[j]] = v
        weights.append(kept)
        bias.append(b)
    return LinearModel(classes=list(classes), weights=weights, bias=bias, features=config)
