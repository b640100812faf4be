"""Behaviour pinned by hand-written cases in tests/cases/*.jsonl (one case a line).

A message case may say what it expects of: intent, category (or not_category), urgent,
scam (is_scam), verdict, reasons (codes that must be among the reasons), no_reasons
(codes that must not be), cues and no_cues (cue groups that must, or must not, be found).
An indicator case says what it expects of each kind of indicator, and which domains are
official (a bank's, a carrier's, the state's: reported, never proposed for blocking).

A case still answered wrongly is listed in known_failures.jsonl, with why; it is run as a
strict xfail, so that fixing it is noticed (as ftfy does). A case may also say
``"xfail": "why"`` itself.

accents.jsonl holds twins: each message typed with its diacritics and without them,
under one label saying what the pair pins. The twin with diacritics is never worse.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from canhgiac.engine import Engine, extract, normalize
from canhgiac.engine.rules import find_cues

CASES = Path(__file__).parent / "cases"
MESSAGE_FILES = ("scams", "legit", "tips", "questions", "checks", "other", "accents", "victims", "intent", "verdicts")
KNOWN_FAILURES = CASES / "known_failures.jsonl"


def _known_failures() -> dict[tuple[str, str], str]:
    failures = {}
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            failures[(entry["file"], entry["text"])] = entry["reason"]
    return failures


def read(name: str) -> list[dict[str, Any]]:
    lines = (CASES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load(name: str) -> list[Any]:
    known = _known_failures()
    params = []
    for number, case in enumerate(read(name), start=1):
        reason = case.get("xfail") or known.get((name, case["text"]))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
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
    found = extract(normalize(case["text"]).plain)
    as_dict = found.to_dict()
    for key in ("phones", "bank_accounts", "urls", "domains", "zalo_links", "amounts_vnd"):
        if key in case:
            assert as_dict[key] == case[key], as_dict
    if "official" in case:
        assert [link.domain for link in found.links if link.official] == case["official"], found.links


def failures(engine: Engine, case: dict[str, Any]) -> list[str]:
    """What a message case expects and did not get, in words."""
    result = engine.analyze(case["text"])
    codes = [r.code for r in result.reasons]
    cues = find_cues(result.text)
    got = {
        "intent": result.intent,
        "category": result.category,
        "urgent": result.urgent,
        "scam": result.is_scam,
        "verdict": result.verdict,
        "victim": result.victim,
    }
    wrong = [f"{key}={got[key]!r}, expected {case[key]!r}" for key in got if key in case and got[key] != case[key]]
    if "not_category" in case and result.category == case["not_category"]:
        wrong.append(f"category={result.category!r}")
    if "not_verdict" in case and result.verdict == case["not_verdict"]:
        wrong.append(f"verdict={result.verdict!r}")
    wrong += [f"reason {code} missing" for code in case.get("reasons", []) if code not in codes]
    wrong += [f"reason {code} given" for code in case.get("no_reasons", []) if code in codes]
    wrong += [f"cue {name} missing" for name in case.get("cues", []) if name not in cues]
    wrong += [f"cue {name} found: {cues.phrases(name)}" for name in case.get("no_cues", []) if name in cues]
    return wrong


@pytest.mark.parametrize("case", [c for name in MESSAGE_FILES for c in load(name)])
def test_message(engine: Engine, case: dict[str, Any]) -> None:
    wrong = failures(engine, case)
    assert not wrong, f"{case['text']!r}: {'; '.join(wrong)}"


def test_accented_twin_is_never_worse(engine: Engine) -> None:
    """Over the whole twin file: typed with diacritics, a message is judged at least as
    well as typed without them (the words as written decide, not their folded forms)."""
    pairs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in read("accents"):
        pairs[case["label"]].append(case)
    assert len(pairs) >= 40
    worse = []
    for label, twins in pairs.items():
        assert len(twins) == 2, label
        accented, plain = sorted(twins, key=lambda c: not normalize(c["text"]).has_diacritics)
        assert normalize(accented["text"]).has_diacritics and not normalize(plain["text"]).has_diacritics, label
        if len(failures(engine, accented)) > len(failures(engine, plain)):
            worse.append(label)
    assert not worse


def test_known_failures_name_real_cases() -> None:
    """A known failure names a case that exists, says why, and is not listed twice."""
    texts = {(name, c["text"]) for name in (*MESSAGE_FILES, "normalize", "indicators") for c in read(name)}
    entries = [json.loads(line) for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for entry in entries:
        assert (entry["file"], entry["text"]) in texts, entry
        assert entry["reason"].strip(), entry
    assert len({(e["file"], e["text"]) for e in entries}) == len(entries)


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
