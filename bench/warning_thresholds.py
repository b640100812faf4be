"""Warning-match thresholds, measured on a labelled set written for this project.

    python bench/warning_thresholds.py

Indexes the demo district's two published warnings (canhgiac/web/core/demo.py) and
matches the forwarded messages in tests/cases/warning_matches.jsonl: variants of the two
scripts (other banks, links, wording), other scams, and legitimate messages on the same
topics (a bank's real notice about biometrics, a police advisory). Prints, for each
threshold, how many messages it would confirm or suggest and how many were right.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canhgiac.web.settings")
    os.environ.setdefault("CANHGIAC_DEV", "1")
    import django

    django.setup()
    import canhgiac.web.core.demo as demo  # the warnings are plain data there
    from canhgiac.engine.retrieve import Index

    warnings = {title: [p.strip() for p in example.split("\n\n") if p.strip()] for title, example, _, _ in demo.DEMO_WARNINGS}
    index = Index.build(warnings.items())
    cases = [
        json.loads(line)
        for line in (ROOT / "tests" / "cases" / "warning_matches.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rows = []
    for case in cases:
        hits = index.search(case["text"], 1)
        expected = case["warning"]
        best = hits[0] if hits else None
        right = best is not None and expected is not None and expected in str(best.key).lower()
        rows.append((best.score if best else 0.0, right, expected is None, case.get("short", False)))
        shown = f"{best.score:.2f} {str(best.key)[:40]}" if best else "-"
        print(f"{'match ' if expected else 'other '}{shown:<50} {case['text'][:70]}")
    print()
    print(f"{'threshold':>9} {'above':>6} {'right':>6} {'wrong':>6}")
    for threshold in (0.2, 0.25, 0.3, 0.4, 0.5, 0.6):
        above = [r for r in rows if r[0] >= threshold and not r[3]]
        print(f"{threshold:>9.2f} {len(above):>6} {sum(1 for r in above if r[1]):>6} {sum(1 for r in above if not r[1]):>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
