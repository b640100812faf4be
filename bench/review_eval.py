"""Score the engine on the messages written by reviewers (a development set): the fifth
session's in bench/review5/, the sixth session's in bench/review6/, the seventh's in
bench/review7/, the eighth's in bench/review8/ to bench/review10/.

Each line of bench/review*/*.jsonl holds a message and what a commune officer would expect
of it (intent, category, verdict, victim, urgent; a list means any of them is right).
Lines marked debatable are left out. A "serious" error is a legitimate message called a
scam, a scam called safe, or a victim not recognised.

    python bench/review_eval.py            # one line per file
    python bench/review_eval.py -v tips3   # and the wrong rows of the files named
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from canhgiac.engine import Analysis, analyze

SETS = sorted(Path(__file__).resolve().parent.glob("review[0-9]*"))


def _any_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def problems(expected: dict[str, Any], got: Analysis) -> list[str]:
    """What the engine got wrong on one message, as ``field=value`` strings."""
    wrong = []
    if expected.get("intent") and got.intent not in _any_of(expected["intent"]):
        wrong.append(f"intent={got.intent}")
    categories = _any_of(expected.get("category")) + _any_of(expected.get("also_acceptable_category") or [])
    if expected.get("category") and got.category not in categories:
        wrong.append(f"category={got.category}")
    if expected.get("verdict") and got.verdict not in _any_of(expected["verdict"]):
        wrong.append(f"verdict={got.verdict} ({got.scam_score:.2f})")
    for field in ("victim", "urgent"):
        if expected.get(field) is not None and getattr(got, field) != expected[field]:
            wrong.append(f"{field}={getattr(got, field)}")
    return wrong


def serious(expected: dict[str, Any], got: Analysis) -> bool:
    verdicts = _any_of(expected.get("verdict"))
    return (
        (verdicts == ["safe"] and got.verdict == "scam")
        or ("scam" in verdicts and got.verdict == "safe")
        or (expected.get("victim") is True and not got.victim)
    )


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    names = [a for a in argv if a != "-v"]
    for path in [p for folder in SETS for p in sorted(folder.glob("*.jsonl"))]:
        if names and path.stem not in names:
            continue
        total = wrong = grave = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            expected = row["expected"]
            if expected.get("debatable"):
                continue
            got = analyze(row["text"])
            found = problems(expected, got)
            total += 1
            if found:
                wrong += 1
                grave += serious(expected, got)
                if verbose:
                    print(f"  {row['id']}: {' '.join(found)} | {row['text'][:120]}")
        print(f"{path.parent.name}/{path.stem}: {total - wrong}/{total} right, serious {grave}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
