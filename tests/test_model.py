"""The linear models, training and measurement, on small data made here."""

from __future__ import annotations

import filecmp
import json
import random
from pathlib import Path

import pytest

from canhgiac.engine.build import build_models
from canhgiac.engine.evaluate import binary_report, class_report, threshold_for_f1, threshold_for_fpr
from canhgiac.engine.model import FeatureConfig, Features, LinearModel, average_models, train_linear
from canhgiac.engine.train import grouped_folds, train_scam_model

CONFIG = FeatureConfig(word_ngrams=2, char_ngrams=None, structured=False)


def _toy(n: int = 200, seed: int = 1) -> tuple[list[Features], list[int]]:
    rng = random.Random(seed)
    good = ["hop", "to", "dan", "pho", "com", "nha", "hoc", "con"]
    bad = ["chuyen", "tien", "otp", "gap", "khoa", "link", "trung", "thuong"]
    xs, ys = [], []
    for i in range(n):
        label = i % 2
        words = rng.sample(bad if label else good, 4) + rng.sample(good + bad, 2)
        xs.append(Features.from_text(" ".join(words), CONFIG))
        ys.append(label)
    return xs, ys


def test_training_separates_separable_data() -> None:
    xs, ys = _toy()
    model = train_linear(xs, ys, ["ok", "bad"], config=CONFIG)
    predictions = [int(model.probabilities(x)[1] >= 0.5) for x in xs]
    assert sum(p == y for p, y in zip(predictions, ys, strict=True)) / len(ys) > 0.95
    assert model.weights[0]["w:otp"] > 0 > model.weights[0]["w:hop"]


def test_multiclass_probabilities_sum_to_one() -> None:
    xs = [Features.from_text(t, CONFIG) for t in ["ma tuy da", "trom xe may", "danh nhau chem", "ma tuy ke", "trom cho", "danh dap"]]
    model = train_linear(xs, [0, 1, 2, 0, 1, 2], ["drugs", "theft", "violence"], config=CONFIG)
    probabilities = model.probabilities(Features.from_text("ban ma tuy", CONFIG))
    assert abs(sum(probabilities) - 1) < 1e-9
    assert max(range(3), key=probabilities.__getitem__) == 0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    xs, ys = _toy()
    model = train_linear(xs, ys, ["ok", "bad"], config=FeatureConfig(char_ngrams=(2, 3), raw_words=True))
    model.threshold = 0.42
    model.save(tmp_path / "m.json")
    loaded = LinearModel.load(tmp_path / "m.json")
    assert loaded.features == model.features and loaded.threshold == 0.42
    for x in xs[:20]:
        assert abs(loaded.margins(x)[0] - model.margins(x)[0]) < 1e-2


def _format_1(model: LinearModel) -> dict[str, object]:
    """The file ``canhgiac train`` wrote before format 2: one dictionary per scorer."""
    data = model.to_json()
    data["format"] = 1
    data["weights"] = [{f: round(v, 4) for f, v in sorted(w.items()) if abs(v) >= 1e-3} for w in model.weights]
    return data


def test_models_saved_in_format_1_still_load(tmp_path: Path) -> None:
    xs, ys = _toy()
    three = [Features.from_text(t, CONFIG) for t in ["ma tuy da", "trom xe may", "danh nhau chem", "ma tuy ke", "trom cho", "danh dap"]]
    for model, examples in (
        (train_linear(xs, ys, ["ok", "bad"], config=CONFIG), xs),
        (train_linear(three, [0, 1, 2, 0, 1, 2], ["drugs", "theft", "violence"], config=CONFIG), three),
    ):
        old, new = tmp_path / "old.json", tmp_path / "new.json"
        old.write_text(json.dumps(_format_1(model)), encoding="utf-8")
        model.save(new)
        from_old, from_new = LinearModel.load(old), LinearModel.load(new)
        assert from_old.weights == from_new.weights and from_old.bias == from_new.bias
        for x in examples:
            assert from_old.margins(x) == from_new.margins(x)
            assert from_old.probabilities(x) == from_new.probabilities(x)
            for k in range(len(model.bias)):
                assert from_old.contributions(x, k) == from_new.contributions(x, k)


def test_format_2_keeps_one_row_per_feature(tmp_path: Path) -> None:
    """Every class's weight for a feature side by side, so that a check looks each
    feature up once; and a reviewer still reads which word pushes which class."""
    model = LinearModel(["a", "b", "c"], [{"w:x": 1.0, "w:y": 0.0004}, {"w:y": -2.0}, {}], [0.0, 0.1, -0.1])
    assert model.to_json()["weights"] == {"w:x": [1.0, 0, 0], "w:y": [0, -2.0, 0]}
    model.save(tmp_path / "m.json")
    loaded = LinearModel.load(tmp_path / "m.json")
    assert loaded.weights == [{"w:x": 1.0}, {"w:y": -2.0}, {}]
    x = Features(["w:y", "w:z", "w:x"], [])
    assert loaded.margins(x) == [0.0 + 1.0 / 3**0.5, 0.1 - 2.0 / 3**0.5, -0.1]
    assert loaded.contributions(x, 1) == [("w:y", -2.0 / 3**0.5)]


def test_unknown_model_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="unsupported model format"):
        LinearModel.load(path)


def test_average_of_models_is_the_mean_of_weights() -> None:
    a = LinearModel(["n", "p"], [{"x": 1.0, "y": 2.0}], [0.0])
    b = LinearModel(["n", "p"], [{"x": 3.0}], [1.0])
    mean = average_models([a, b])
    assert mean.weights[0] == {"x": 2.0, "y": 1.0} and mean.bias == [0.5]


def test_grouped_folds_keep_groups_together() -> None:
    groups = [str(i // 3) for i in range(90)]
    folds = grouped_folds(groups, 5)
    assert sorted(i for f in folds for i in f) == list(range(90))
    for fold in folds:
        assert {groups[i] for i in fold}.isdisjoint({groups[i] for f in folds if f is not fold for i in f})


def test_thresholds() -> None:
    scores = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95, 0.35]
    labels = [False, False, False, False, True, True, True, True, True, False]
    threshold = threshold_for_fpr(scores, labels, 0.0)
    report = binary_report(scores, labels, threshold)
    assert report.fpr == 0.0 and report.recall == 1.0
    assert 0.4 < threshold_for_f1(scores, labels) <= 0.6
    assert report.roc_auc == 1.0


def test_class_report_counts() -> None:
    report = class_report(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    a, b = report.per_class
    assert (a.precision, a.recall) == (1.0, 0.5)
    assert abs(b.precision - 2 / 3) < 1e-9 and b.recall == 1.0
    assert report.confusion["a"]["b"] == 1 and report.accuracy == 0.75


def test_train_scam_model_picks_threshold_out_of_fold() -> None:
    texts = [f"chuyen tien gap vao tai khoan {i}" for i in range(30)] + [f"toi nay hop to dan pho luc {i} gio" for i in range(30)]
    labels = [True] * 30 + [False] * 30
    model = train_scam_model(texts, labels, folds=3, max_fpr=0.0)
    assert 0 < model.threshold <= 1
    assert model.info["positives"] == 30 and model.features.stacked


def test_shipped_models_are_what_the_sources_build(tmp_path: Path) -> None:
    """The shipped default models are reproducible from training/sources, byte for byte."""
    build_models(tmp_path)
    shipped = Path(__file__).resolve().parents[1] / "canhgiac" / "engine" / "data" / "models"
    for name in ("scam", "intent", "category"):
        assert filecmp.cmp(tmp_path / f"{name}.json", shipped / f"{name}.json", shallow=False), (
            f"{name}.json is stale: run canhgiac build-model"
        )
