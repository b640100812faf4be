"""The issue-8 measures on the unseen set (bench/unseen_v7/messages.csv), per slice.

The set was written by someone who had not seen the training sources, the rules or the
earlier sets, and nothing in it is trained or tuned on: figures here are reported, not
optimised. ``--data bench/unseen_v6/messages.csv`` (and ``unseen_v5`` down to
``unseen``) measure the earlier sets; their READMEs say why they are no longer unseen. ``--errors`` prints the wrong
rows: reading them is tuning, so use it on a development set only.

    python bench/unseen_eval.py [--data bench/unseen_v2/messages.csv] [--errors]

Measures (the table of issue 8):
- tip category accuracy: tips whose category is right;
- forwarded scams caught: scam_check rows with scam=1 whose verdict is "scam" (or
  "suspicious", which defers to an officer: counted apart);
- legitimate look-alikes called scam: scam_check rows with scam=0 whose verdict is "scam";
- intent accuracy: every row;
- victims routed as fraud tips: intent tip and category fraud on victims' reports.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from canhgiac.engine import Analysis, analyze
from canhgiac.engine.normalize import fold_diacritics

DEFAULT = Path(__file__).parent / "unseen_v7" / "messages.csv"

Row = dict[str, str]


def _accented(text: str) -> bool:
    return fold_diacritics(text) != text


def _rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "-"


def measures(rows: list[tuple[Row, Analysis]]) -> dict[str, str]:
    def share(select: Callable[[Row], bool], good: Callable[[Row, Analysis], bool]) -> str:
        chosen = [(r, a) for r, a in rows if select(r)]
        return _rate(sum(good(r, a) for r, a in chosen), len(chosen))

    def is_scam(r: Row) -> bool:
        return r["intent"] == "scam_check" and r["scam"] == "1"

    def is_lookalike(r: Row) -> bool:
        return r["intent"] == "scam_check" and r["scam"] == "0"

    return {
        "tip category accuracy": share(lambda r: r["intent"] == "tip", lambda r, a: a.category == r["category"]),
        "forwarded scams caught (verdict scam)": share(is_scam, lambda r, a: a.verdict == "scam"),
        "forwarded scams caught or deferred (scam or suspicious)": share(is_scam, lambda r, a: a.verdict != "safe"),
        "legitimate look-alikes called scam": share(is_lookalike, lambda r, a: a.verdict == "scam"),
        "intent accuracy": share(lambda r: True, lambda r, a: a.intent == r["intent"]),
        "victims routed as fraud tips": share(
            lambda r: r["intent"] == "tip" and r["category"] == "fraud",
            lambda r, a: a.intent == "tip" and a.category == "fraud",
        ),
        "urgent right on tips": share(lambda r: r["intent"] == "tip", lambda r, a: a.urgent == (r["urgent"] == "1")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--errors", action="store_true", help="print each wrong row")
    args = parser.parse_args()
    with args.data.open(encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
    rows = [(r, analyze(r["text"])) for r in data]
    slices: dict[str, list[tuple[Row, Analysis]]] = defaultdict(list)
    for r, a in rows:
        slices["all"].append((r, a))
        slices["with diacritics" if _accented(r["text"]) else "without diacritics"].append((r, a))
    names = list(measures(rows))
    table = {name: measures(chosen) for name, chosen in slices.items()}
    print("| measure | " + " | ".join(table) + " |")
    print("|---" * (len(table) + 1) + "|")
    for measure in names:
        print(f"| {measure} | " + " | ".join(table[s][measure] for s in table) + " |")
    families: dict[str, list[tuple[Row, Analysis]]] = defaultdict(list)
    for r, a in rows:
        families[r["family"]].append((r, a))
    print("\nper family: rows where intent, category (tips) and verdict (scam checks) are all right")
    for family, chosen in sorted(families.items()):
        right = sum(_right(r, a) for r, a in chosen)
        print(f"  {family:32} {_rate(right, len(chosen))}")
    if args.errors:
        print("\nwrong rows:")
        for r, a in rows:
            if not _right(r, a):
                print(
                    f"  [{r['family']}] want {r['intent']}/{r['category']}/{r['scam']} got {a.intent}/{a.category}/{a.verdict}: {r['text'][:150]}"
                )


def _right(r: Row, a: Analysis) -> bool:
    if a.intent != r["intent"]:
        return False
    if r["intent"] == "tip":
        return a.category == r["category"]
    if r["intent"] == "scam_check":
        return (a.verdict == "scam") == (r["scam"] == "1")
    return True


if __name__ == "__main__":
    main()
