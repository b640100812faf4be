"""What to answer at once: a knowledge-base answer, three to choose from, or a warning."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from canhgiac.engine import Analysis
from canhgiac.engine.retrieve import decide
from canhgiac.engine.rules import reason_message
from canhgiac.web.knowledge import search
from canhgiac.web.knowledge.models import Entry, Warning

_CHOICE = re.compile(r"^\s*(?:so\s*|số\s*)?([1-3])\s*[.!]?\s*$", re.IGNORECASE)

# Sent after every automatic answer: it may be wrong, and the citizen is the one who knows.
CONFIRM_PROMPT = 'Câu trả lời này có đúng điều bạn hỏi không? Hãy trả lời "Đúng" hoặc "Chưa đúng"; nếu chưa đúng, cán bộ sẽ trả lời bạn.'

# The citizen's answer to that prompt, word for word. Words are taken as typed: folded,
# "dừng" (stop) and "dùng" (use) would be "dung" too, so only "đúng" or "dung" count.
_WORDS = re.compile(r"\w+")
_RIGHT = frozenset(["đúng", "dung"])
_NOT = frozenset(["chưa", "chua", "không", "khong", "ko", "k", "kg", "khg", "hông", "hong"])
_WRONG = frozenset(["sai"])
# Thanks, politeness, "rồi", "câu trả lời này": around the word, they change nothing.
_FILLER = frozenset(
    [
        "cảm",
        "ơn",
        "cam",
        "on",
        "rồi",
        "roi",
        "r",
        "rùi",
        "rui",
        "ạ",
        "a",
        "nhé",
        "nhe",
        "nha",
        "ok",
        "oke",
        "okay",
        "vâng",
        "vang",
        "dạ",
        "da",
        "đã",
        "câu",
        "cau",
        "trả",
        "tra",
        "lời",
        "loi",
        "này",
        "nay",
        "bạn",
        "ban",
        "em",
        "anh",
        "chị",
        "chi",
        "ad",
        "nhiều",
        "nhieu",
        "lắm",
        "thanks",
        "thank",
        "you",
        "là",
        "la",
        "hoàn",
        "hoan",
        "toàn",
        "toan",
        "vậy",
        "vay",
        "thì",
        "thi",
        "mà",
        "ma",
    ]
)
_KNOWN = _RIGHT | _NOT | _WRONG | _FILLER


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


def confirmation(text: str) -> bool | None:
    """ "Đúng", "đúng rồi, cảm ơn" -> True; "chưa đúng", "sai", "không đúng" -> False: the
    citizen's word on an automatic answer. None for anything else (a new question, "đúng
    không?"), which is a message like any other."""
    words = _WORDS.findall(unicodedata.normalize("NFC", text).lower())
    if not words or len(words) > 8 or any(w not in _KNOWN for w in words):
        return None
    if any(w in _WRONG for w in words) or any(a in _NOT and b in _RIGHT for a, b in pairwise(words)):
        return False
    if any(w in _RIGHT for w in words) and not any(w in _NOT for w in words):
        return True
    return None


def plan(unit_id: int, analysis: Analysis, text: str, offer: list[int] | None = None) -> Plan:
    result = Plan()
    picked = choice(text) if offer else None
    if offer and picked is not None and picked <= len(offer):
        entry = Entry.objects.filter(pk=offer[picked - 1]).first()
        if entry is not None:
            return Plan(text=f"{entry.reply_text()}\n\n{CONFIRM_PROMPT}", entry=entry)
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
        decision = decide(text, [(m.score, m.item.question_list()) for m in matches])
        if decision.answer is not None:
            result.entry = matches[decision.answer].item
            result.text = f"{result.entry.reply_text()}\n\n{CONFIRM_PROMPT}"
        elif decision.offers:
            shown = [matches[i] for i in decision.offers]
            result.offer = [m.item.pk for m in shown]
            lines = [f"{i}. {m.item.title}" for i, m in enumerate(shown, 1)]
            result.text = (
                "Có phải bạn muốn hỏi:\n"
                + "\n".join(lines)
                + "\nTrả lời bằng số (1, 2 hoặc 3) để xem câu trả lời; nếu không phải, cán bộ sẽ trả lời bạn."
            )
    return result
