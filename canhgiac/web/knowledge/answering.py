"""What to answer at once: a knowledge-base answer, three to choose from, or a warning."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from canhgiac.engine import Analysis
from canhgiac.engine.retrieve import LEAD, specific
from canhgiac.engine.rules import reason_message
from canhgiac.web.knowledge import search
from canhgiac.web.knowledge.models import Entry, Warning

_CHOICE = re.compile(r"^\s*(?:so\s*|số\s*)?([1-3])\s*[.!]?\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Plan:
    text: str | None = None
    """The answer to send instead of the default one, if any."""
    entry: Entry | None = None
    offer: list[int] = field(default_factory=list)
    warning: Warning | None = None
    warning_score: float = 0.0
    warning_confirmed: bool = False
    reason: dict[str, Any] | None = None


def choice(text: str) -> int | None:
    """ "2", "số 2", "2." -> 2: the reporter picking one of the offered answers."""
    match = _CHOICE.match(text)
    return int(match.group(1)) if match else None


def plan(unit_id: int, analysis: Analysis, text: str, offer: list[int] | None = None) -> Plan:
    result = Plan()
    picked = choice(text) if offer else None
    if offer and picked is not None and picked <= len(offer):
        entry = Entry.objects.filter(pk=offer[picked - 1]).first()
        if entry is not None:
            return Plan(text=entry.reply_text(), entry=entry)
    if analysis.intent == "scam_check" or analysis.verdict != "safe":
        found = search.warnings(unit_id, text)
        if found and found[0].score >= search.WARNING_SUGGESTED:
            warning: Warning = found[0].item
            result.warning, result.warning_score = warning, found[0].score
            words = len(analysis.text.folded.split())
            if found[0].score >= search.WARNING_CONFIRMED and words >= search.WARNING_MIN_WORDS:
                result.warning_confirmed = True
                result.reason = {
                    "code": "matches_warning",
                    "message": reason_message("matches_warning"),
                    "evidence": warning.title,
                    "weight": round(found[0].score, 3),
                }
                result.text = f"CẢNH BÁO: {warning.title}\n{warning.signs}\nNên làm: {warning.advice}"
    if analysis.intent == "question":
        matches = search.answers(unit_id, text)
        lead = matches[0].score - (matches[1].score if len(matches) > 1 else 0.0) if matches else 0.0
        if matches and matches[0].score >= search.CONFIDENT and lead >= LEAD and specific(text):
            result.entry = matches[0].item
            result.text = matches[0].item.reply_text()
        elif matches and matches[0].score >= search.SUGGEST:
            shown = [m for m in matches if m.score >= search.SUGGEST / 2][:3]
            result.offer = [m.item.pk for m in shown]
            lines = [f"{i}. {m.item.title}" for i, m in enumerate(shown, 1)]
            result.text = (
                "Có phải bạn muốn hỏi:\n"
                + "\n".join(lines)
                + "\nTrả lời bằng số (1, 2 hoặc 3) để xem câu trả lời; nếu không phải, cán bộ sẽ trả lời bạn."
            )
    return result
