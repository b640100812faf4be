"""Knowledge-base answer thresholds, measured on a labelled set written for this project.

    python bench/kb_thresholds.py

Indexes the starter knowledge base (canhgiac/web/knowledge/starter.json) and asks the
questions in tests/cases/kb_questions.jsonl: paraphrases of starter entries (worded
unlike the entries' own variants) and questions the base cannot answer. For each
threshold: how many answers would go out automatically, how many of those are right,
and how often the right entry is among the three offered.
"""

from __future__ import annotations

import json
from pathlib import Path

from canhgiac.engine.retrieve import LEAD, Index, specific

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    starter = json.loads((ROOT / "canhgiac" / "web" / "knowledge" / "starter.json").read_text(encoding="utf-8"))["entries"]
    index = Index.build(((e["title"], [e["title"], *e["questions"]]) for e in starter), pairs=False)
    cases = [
        json.loads(line)
        for line in (ROOT / "tests" / "cases" / "kb_questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    results = [(c, index.search(c["text"], 3)) for c in cases]
    known = [r for r in results if r[0]["title"]]
    unknown = [r for r in results if not r[0]["title"]]
    print(
        f"{len(known)} answerable questions, {len(unknown)} the base cannot answer (vague ones among them); an answer also needs a lead of {LEAD} over the second best and two specific words"
    )
    print(f"{'threshold':>9} {'auto-answered':>14} {'right':>7} {'precision':>10} {'unanswerable auto-answered':>27}")

    def confident(case: dict, hits: list, threshold: float) -> bool:  # type: ignore[type-arg]
        lead = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0) if hits else 0.0
        named = specific(case["text"])
        return bool(hits) and hits[0].score >= threshold and lead >= LEAD and named

    for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.6):
        auto = [(c, h) for c, h in known if confident(c, h, threshold)]
        right = sum(1 for c, h in auto if h[0].key == c["title"])
        wrong_unknown = sum(1 for c, h in unknown if confident(c, h, threshold))
        precision = right / (len(auto) + wrong_unknown) if auto or wrong_unknown else 1.0
        print(f"{threshold:>9.2f} {len(auto):>14} {right:>7} {precision:>10.3f} {wrong_unknown:>27}")
    top3 = sum(1 for c, h in known if any(x.key == c["title"] for x in h))
    top1 = sum(1 for c, h in known if h and h[0].key == c["title"])
    print(f"right entry first: {top1}/{len(known)}; among the three offered: {top3}/{len(known)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
