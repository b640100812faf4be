"""Behaviour pinned by hand-written cases in tests/cases/*.jsonl (one case a line).

A message case may say what it expects of: intent, category, urgent, scam (is_scam),
and reasons (codes that must be among the reasons). A case that is a known failure says
``"xfail": "why"`` and is run as a strict xfail, so fixing it is noticed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from canhgiac.engine import Engine, extract, normalize

CASES = Path(__file__).parent / "cases"
MESSAGE_FILES = ("scams", "legit", "tips", "questions", "checks", "other")


def load(name: str) -> list[Any]:
    params = []
    for number, line in enumerate((CASES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        case = json.loads(line)
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
        params.append(pytest.param(case, id=f"{name}:{number}", marks=marks))
    return params


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.mark.parametrize("case", load("normalize"))
def test_normalize(case: dict[str, Any]) -> None:
    result = normalize(case["text"])
    assert result.original == case["text"]
    if "folded" in case:
        assert result.folded == case["folded"]
    for part in case.get("folded_contains", []):
        assert part in result.folded, result.folded
    for step in case.get("steps", []):
        assert step in result.steps, result.steps


@pytest.mark.parametrize("case", load("indicators"))
def test_indicators(case: dict[str, Any]) -> None:
    found = extract(normalize(case["text"]).plain).to_dict()
    for key in ("phones", "bank_accounts", "urls", "domains", "zalo_links", "amounts_vnd"):
        if key in case:
            assert found[key] == case[key], found


@pytest.mark.parametrize("case", [c for name in MESSAGE_FILES for c in load(name)])
def test_message(engine: Engine, case: dict[str, Any]) -> None:
    result = engine.analyze(case["text"])
    codes = [r.code for r in result.reasons]
    described = f"{case['text']!r} -> {result.intent}/{result.category} scam={result.scam_score:.2f} {codes}"
    if "intent" in case:
        assert result.intent == case["intent"], described
    if "category" in case:
        assert result.category == case["category"], described
    if "urgent" in case:
        assert result.urgent == case["urgent"], described
    if "scam" in case:
        assert result.is_scam == case["scam"], described
    for code in case.get("reasons", []):
        assert code in codes, described


def test_cases_cover_every_category_and_reason() -> None:
    """The cases must exercise every category and every reason the engine can give."""
    from canhgiac.engine.pipeline import CATEGORIES
    from canhgiac.engine.rules import REASON_CODES

    cases = [p.values[0] for name in MESSAGE_FILES for p in load(name)]
    categories = {c.get("category") for c in cases}
    reasons = {code for c in cases for code in c.get("reasons", [])}
    assert set(CATEGORIES) <= categories
    # known_indicator needs a registry, matches_warning published warnings (the web
    # tests), and scam_wording is the model's own: tested apart.
    assert set(REASON_CODES) - {"known_indicator", "scam_wording", "matches_warning"} <= reasons
    assert len(cases) >= 200
    folded = sum(1 for c in cases if normalize(c["text"]).has_diacritics is False)
    assert folded >= len(cases) * 0.4
