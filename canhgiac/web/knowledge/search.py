"""Look-ups in a unit's knowledge base and warnings, with cached indexes.

The index for a set of units is rebuilt when an entry changes: one cheap query (count
and latest change) tells whether the cached one is still current.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet

from canhgiac.engine.retrieve import Index
from canhgiac.web.accounts.models import Unit
from canhgiac.web.knowledge.models import Entry, Warning

# Thresholds on the cosine score, measured with bench/kb_thresholds.py on paraphrased,
# unanswerable and vague questions (tests/cases/kb_questions.jsonl): with the two rules
# below, from CONFIDENT 20 of 40 paraphrases are answered automatically, all 20 rightly,
# and none of the 16 others is; from SUGGEST the right entry was among the three offered
# for 39 of 40. Below, an officer answers.
CONFIDENT = 0.45
SUGGEST = 0.3
# Warnings (measured with bench/warning_thresholds.py on tests/cases/warning_matches.jsonl):
# at or above WARNING_CONFIRMED the warning is a reason in the verdict, sent at once (5
# variants of the scripts there, no wrong one); from WARNING_SUGGESTED it is suggested to
# an officer (8 right, none wrong; real notices on the same topics scored at most 0.20).
# Messages shorter than WARNING_MIN_WORDS words never confirm automatically.
WARNING_CONFIRMED = 0.5
WARNING_SUGGESTED = 0.25
WARNING_MIN_WORDS = 8

_lock = threading.Lock()
_cache: dict[tuple[str, tuple[int, ...]], tuple[Any, Index]] = {}


def unit_and_ancestors(unit_id: int) -> tuple[int, ...]:
    ids = [unit_id]
    parent = Unit.objects.filter(pk=unit_id).values_list("parent_id", flat=True).first()
    while parent is not None:
        ids.append(parent)
        parent = Unit.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    return tuple(ids)


def _index(kind: str, queryset: QuerySet[Any], units: tuple[int, ...]) -> Index:
    version = queryset.aggregate(n=Count("id"), latest=Max("updated"))
    key = (kind, units)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
    if kind == "kb":
        index = Index.build(((e.pk, e.question_list()) for e in queryset if e.is_valid()), pairs=False)
    else:
        index = Index.build((w.pk, w.examples()) for w in queryset)
    with _lock:
        _cache[key] = (version, index)
    return index


@dataclass(frozen=True, slots=True)
class Match:
    item: Any
    score: float


def answers(unit_id: int, text: str, limit: int = 3) -> list[Match]:
    units = unit_and_ancestors(unit_id)
    entries = Entry.objects.filter(unit_id__in=units, active=True)
    hits = _index("kb", entries, units).search(text, limit)
    found = {e.pk: e for e in Entry.objects.filter(pk__in=[h.key for h in hits])}
    return [Match(found[h.key], h.score) for h in hits if h.key in found]


def warnings(unit_id: int, text: str, limit: int = 1) -> list[Match]:
    units = unit_and_ancestors(unit_id)
    published = Warning.objects.filter(unit_id__in=units, published=True)
    hits = _index("warnings", published, units).search(text, limit)
    found = {w.pk: w for w in Warning.objects.filter(pk__in=[h.key for h in hits])}
    return [Match(found[h.key], h.score) for h in hits if h.key in found]
