"""Training with scikit-learn, exported into the engine's own model format, and the
training sources the shipped models learn from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from canhgiac.cli import main
from canhgiac.engine.build import generate
from canhgiac.engine.model import FeatureConfig, Features, LinearModel, TrainingExtraMissing, fit_logistic
from canhgiac.engine.train import SKLEARN_FEATURES, USER_FEATURES, train_scam_model

CONFIG = FeatureConfig(word_ngrams=2, char_ngrams=(3, 4), raw_char_ngrams=(3, 4), structured=True)


def _examples() -> tuple[list[Features], list[int]]:
    texts = [
        ("chuyen tien ngay vao tai khoan an toan", ["R:transfer"], 1),
        ("nhan qua tri an bam link de nhan", ["R:link"], 1),
        ("cung cap ma otp de xac minh tai khoan", ["R:otp"], 1),
        ("toi nay may gio ve an com", [], 0),
        ("ma otp cua ban la 000000 khong chia se cho ai", [], 0),
        ("hop phu huynh luc 8 gio sang thu bay", [], 0),
    ] * 3
    xs = [Features.from_text(t, CONFIG, s, raw=t) for t, s, _ in texts]
    return xs, [y for _, _, y in texts]


def test_fitted_model_scores_as_scikit_learn_does() -> None:
    """The exported JSON weights reproduce scikit-learn's decision function: a check needs
    no scikit-learn to give the same answer."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = _examples()
    model = fit_logistic(xs, ys, ["ok", "bad"], config=CONFIG, c=2.0, min_count=1)
    names = sorted({f for x in xs for f in (*x.text, *x.structured)})
    rows = [[(x.scale if f in x.text else 1.0) if f in x.text or f in x.structured else 0.0 for f in names] for x in xs]
    reference = LogisticRegression(C=2.0, class_weight="balanced", solver="lbfgs", max_iter=2000, tol=1e-6).fit(rows, ys)
    expected = reference.decision_function(rows)
    for x, want in zip(xs, expected, strict=True):
        assert model.margins(x)[0] == pytest.approx(want, abs=1e-3)


def test_softmax_keeps_every_class_and_predicts_it() -> None:
    xs, ys = _examples()
    labels = [2 if "hop" in " ".join(x.text) else y for x, y in zip(xs, ys, strict=True)]
    model = fit_logistic(xs, labels, ["ok", "bad", "meeting"], config=CONFIG, min_count=1)
    assert len(model.weights) == 3
    predicted = [max(range(3), key=model.probabilities(x).__getitem__) for x in xs]
    assert predicted == labels


def test_pruning_keeps_the_strongest_weights() -> None:
    xs, ys = _examples()
    full = fit_logistic(xs, ys, ["ok", "bad"], config=CONFIG, min_count=1)
    small = fit_logistic(xs, ys, ["ok", "bad"], config=CONFIG, min_count=1, max_features=5)
    assert len(small.weights[0]) == 5 < len(full.weights[0])
    strongest = sorted(full.weights[0].values(), key=abs, reverse=True)[:5]
    assert sorted(small.weights[0].values(), key=abs) == sorted(strongest, key=abs)


def test_fitting_twice_gives_identical_weights() -> None:
    """The shipped models are rebuilt byte for byte; the fit must not vary."""
    xs, ys = _examples()
    a = fit_logistic(xs, ys, ["ok", "bad"], config=CONFIG, min_count=1)
    b = fit_logistic(xs, ys, ["ok", "bad"], config=CONFIG, min_count=1)
    assert a.to_json() == b.to_json()


def test_accented_letter_groups_tell_apart_what_folding_joins() -> None:
    config = FeatureConfig(word_ngrams=1, char_ngrams=None, raw_char_ngrams=(3, 3), structured=False)
    bomb = Features.from_text("bom", config, raw="bom")
    pump = Features.from_text("bom", config, raw="bơm")
    assert "a: bơ" in pump.text and "a: bo" in bomb.text
    assert set(bomb.text) != set(pump.text)


def test_accented_letter_groups_survive_saving(tmp_path: Path) -> None:
    xs, ys = _examples()
    model = fit_logistic(xs, ys, ["ok", "bad"], config=CONFIG, min_count=1)
    model.save(tmp_path / "m.json")
    loaded = LinearModel.load(tmp_path / "m.json")
    assert loaded.features.raw_char_ngrams == (3, 4)
    assert any(f.startswith("a:") for f in loaded.weights[0])


def _without_sklearn(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry makes `import sklearn` fail as if it were not installed.
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "sklearn" else object())


def test_fitting_without_scikit_learn_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_sklearn(monkeypatch)
    xs, ys = _examples()
    with pytest.raises(TrainingExtraMissing, match=r"canhgiac\[train\]"):
        fit_logistic(xs, ys, ["ok", "bad"], config=CONFIG)


def test_build_model_without_scikit_learn_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _without_sklearn(monkeypatch)
    code = main(["--lang", "en", "build-model", "--out", str(tmp_path / "m")])
    assert code == 2
    assert "pip install 'canhgiac[train]'" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_retraining_needs_no_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    """`canhgiac train` (and retraining from the console) runs on a plain install."""
    _without_sklearn(monkeypatch)
    model = train_scam_model(["chuyen tien ngay", "hop luc 8 gio"] * 6, [True, False] * 6, folds=2)
    assert model.probabilities(Features.from_text("chuyen tien ngay", model.features))[1] > 0.5


_RETRAIN_TEXTS = [
    "Ban trung thuong xe SH, nhan qua tai link ngay",
    "Chuyen tien ngay vao tai khoan an toan de xac minh",
    "Cung cap ma OTP de nhan qua tri an khach hang",
    "Toi nay may gio anh ve an com",
    "Hop phu huynh luc 8 gio sang thu bay nhe",
    "Em gui file bao cao roi, anh xem giup em",
] * 4


def test_retraining_fits_with_scikit_learn_when_installed() -> None:
    """With the train extra, `canhgiac train` fits scikit-learn's logistic regression on
    words and the shipped model's score, without rule findings (they cost recall at a low
    false-positive rate on the benchmark data): the saved model says so."""
    positives = [i % 6 < 3 for i in range(len(_RETRAIN_TEXTS))]
    model = train_scam_model(_RETRAIN_TEXTS, positives, folds=2)
    assert model.info["method"] == "sklearn"
    assert model.features == SKLEARN_FEATURES
    assert not any(f.startswith(("R:", "C:", "I:", "M:")) for f in model.weights[0])
    assert "D:shipped_scam" in model.weights[0]
    loaded = LinearModel.from_json(model.to_json())
    scam = Features.from_text("nhan qua tai link ngay", loaded.features, raw="nhan qua tai link ngay")
    chat = Features.from_text("hop phu huynh luc 8 gio", loaded.features, raw="hop phu huynh luc 8 gio")
    assert loaded.probabilities(scam)[1] > loaded.probabilities(chat)[1]


def test_retraining_falls_back_to_adagrad_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _without_sklearn(monkeypatch)
    data = tmp_path / "labelled.csv"
    rows = ["text,label"] + [f"{t},{'scam' if i % 6 < 3 else 'ok'}" for i, t in enumerate(_RETRAIN_TEXTS)]
    data.write_text("\n".join(r.replace(", ", " ") if r != "text,label" else r for r in rows) + "\n", encoding="utf-8")
    code = main(["--lang", "en", "train", "--data", str(data), "--out", str(tmp_path / "m"), "--folds", "2"])
    assert code == 0
    assert "training with pure-Python AdaGrad" in capsys.readouterr().err
    saved = LinearModel.load(tmp_path / "m" / "model.json")
    assert saved.info["method"] == "adagrad" and saved.features == USER_FEATURES


def test_unknown_training_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown training method"):
        train_scam_model(_RETRAIN_TEXTS, [i % 2 == 0 for i in range(len(_RETRAIN_TEXTS))], method="svm")


def test_sources_give_every_kind_its_label() -> None:
    examples = generate()
    kinds = {e.kind for e in examples}
    # Families that only the new hand-written corpora have are read.
    assert {"police_vneid", "military_order", "family_chat", "account_security"} <= kinds
    by_kind: dict[str, set[tuple[bool, str]]] = {}
    for e in examples:
        by_kind.setdefault(e.kind, set()).add((e.scam, e.intent))
    assert by_kind["police_vneid"] == {(True, "scam_check")}
    assert by_kind["account_security"] == {(False, "scam_check")}
    # People talking to people are not asking for a check.
    assert by_kind["family_chat"] == {(False, "other")} == by_kind["work_chat"]
    # Victims' reports are tips that carry scam text.
    # Victims' reports are tips; those that paste the scam (a link, the scammer's words
    # in quotes) carry scam text, those that only retell do not.
    fraud = [e for e in examples if e.category == "fraud"]
    assert {e.intent for e in fraud} == {"tip"}
    assert {e.scam for e in fraud if '"' in e.text} == {True}
    assert False in {e.scam for e in fraud}
    drugs = {(e.scam, e.intent) for e in examples if e.category == "drugs"}
    assert drugs == {(False, "tip")}
    assert {e.intent for e in examples if e.kind == "question"} == {"question"}
