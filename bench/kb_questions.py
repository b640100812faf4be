"""Automatic answers from the knowledge base: none wrong, and how many right ones remain.

    python bench/kb_questions.py

Indexes the starter knowledge base (canhgiac/web/knowledge/starter.json) and asks the
questions written for it in bench/kb_questions/: answerable.csv (each with the title of
the entry that answers it) and unanswerable.csv (subjects the base does not cover but
whose questions share its procedure words: pets, fishing, weddings, foreigners, land;
and near-misses, such as a car where the base knows motorbikes), with and without
diacritics. The decision is the web application's (canhgiac.engine.retrieve.decide).
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from canhgiac.engine.retrieve import Index, decide

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "kb_questions"


@dataclass
class Result:
    answerable: int = 0
    unanswerable: int = 0
    right: int = 0
    """Answerable questions answered automatically with their entry."""
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    """(question, expected title or "", title sent): automatic answers that are wrong."""
    offered: int = 0
    offered_right: int = 0
    """Answerable questions without an automatic answer whose entry was among the offers."""
    unanswerable_offered: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    """Why answerable questions got no automatic answer."""


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def evaluate() -> Result:
    starter = json.loads((ROOT / "canhgiac" / "web" / "knowledge" / "starter.json").read_text(encoding="utf-8"))["entries"]
    texts = {e["title"]: [e["title"], *e["questions"]] for e in starter}
    index = Index.build(texts.items(), pairs=False)
    result = Result()
    for expected, rows in (("title", _rows("answerable.csv")), ("", _rows("unanswerable.csv"))):
        for row in rows:
            question, title = row["question"], row[expected] if expected else ""
            hits = index.search(question, 3)
            decision = decide(question, [(h.score, texts[str(h.key)]) for h in hits])
            offers = [str(hits[i].key) for i in decision.offers]
            if title:
                result.answerable += 1
            else:
                result.unanswerable += 1
                result.unanswerable_offered += bool(offers)
            if decision.answer is not None:
                sent = str(hits[decision.answer].key)
                if sent == title:
                    result.right += 1
                else:
                    result.wrong.append((question, title, sent))
            elif title:
                result.refused[decision.refused or ""] += 1
                result.offered += bool(offers)
                result.offered_right += title in offers
    return result


def main() -> int:
    r = evaluate()
    print(f"{r.answerable} answerable questions, {r.unanswerable} the base cannot answer")
    print(f"wrong automatic answers: {len(r.wrong)} (target 0)")
    for question, title, sent in r.wrong:
        print(f"  {question!r}: sent {sent!r}, expected {title or 'none'!r}")
    print(f"right automatic answers: {r.right} of {r.answerable} ({r.right / max(r.answerable, 1):.0%})")
    print(f"answerable, not answered automatically: {r.answerable - r.right}, by reason {dict(r.refused)}")
    print(f"  of them given offers: {r.offered}, with the right entry among them: {r.offered_right}")
    print(f"unanswerable given offers (a choice, never an answer): {r.unanswerable_offered} of {r.unanswerable}")
    return 1 if r.wrong else 0


if __name__ == "__main__":
    sys.exit(main())
