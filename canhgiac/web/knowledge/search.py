"""Look-ups in a unit's knowledge base and warnings, with cached indexes.

The index for a set of units is rebuilt when an entry changes: one cheap query (count
and latest change) tells whether the cached one is still current.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet

from canhgiac.engine.retrieve import CONFIDENT, SUGGEST, Index, same_question, subject_words
from canhgiac.web.accounts.models import Unit
from canhgiac.web.cases.models import Case
from canhgiac.web.knowledge.models import Entry, Warning

# The thresholds for answers (CONFIDENT, SUGGEST) are the engine's, with the measures
# behind them, so that bench/kb_questions.py decides as the web application does.
__all__ = ["CONFIDENT", "SUGGEST", "Group", "Match", "answers", "unanswered", "unanswered_groups", "warnings"]
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


# Unanswered questions are grouped by canhgiac.engine.retrieve.same_question: one entry
# answers a whole group.
# The most recent unanswered questions grouped: the list is what to write next, not an archive.
UNANSWERED_LIMIT = 1000


def unanswered(unit_ids: list[int]) -> QuerySet[Case]:
    """Questions the knowledge base did not answer (or answered wrongly, said the citizen)
    and nobody has answered since: no officer replied, no entry was written from them."""
    return Case.objects.filter(
        unit_id__in=unit_ids, intent="question", kb_entry__isnull=True, first_reply_at__isnull=True, kb_learned__isnull=True
    )


@dataclass(slots=True)
class Group:
    """Similar unanswered questions, newest first."""

    cases: list[Case] = field(default_factory=list)

    @property
    def latest(self) -> Case:
        return self.cases[0]

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def rejected(self) -> list[Entry]:
        """Entries sent automatically that the citizens said did not answer them."""
        seen: dict[int, Entry] = {}
        for case in self.cases:
            if case.kb_rejected is not None:
                seen.setdefault(case.kb_rejected.pk, case.kb_rejected)
        return list(seen.values())


def unanswered_groups(unit_ids: list[int], limit: int = UNANSWERED_LIMIT) -> list[Group]:
    """The unanswered questions of these units in groups of similar ones, the most asked
    first (then the most recent)."""
    cases = list(unanswered(unit_ids).select_related("kb_rejected").order_by("-created", "-id")[:limit])
    parent = list(range(len(cases)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    position = {case.pk: i for i, case in enumerate(cases)}
    # Candidates share a word beyond the procedure words: an inverted index of those words.
    having: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        if case.duplicate_of_id in position:  # near-copies, already grouped on arrival
            parent[root(i)] = root(position[case.duplicate_of_id])
        for word in subject_words(case.preview):
            having.setdefault(word, []).append(i)
    for i, case in enumerate(cases):
        candidates = {j for word in subject_words(case.preview) for j in having[word] if j > i}
        for j in sorted(candidates):
            if root(i) != root(j) and same_question(case.preview, cases[j].preview):
                parent[root(j)] = root(i)
    groups: dict[int, Group] = {}
    for i, case in enumerate(cases):  # newest first, so each group's cases are too
        groups.setdefault(root(i), Group()).cases.append(case)
    return sorted(groups.values(), key=lambda g: (-g.count, -g.latest.created.timestamp(), -g.latest.pk))


def unanswered_group(unit_ids: list[int], case: Case) -> Group | None:
    """The group of unanswered questions a case is in (None if it is answered)."""
    for group in unanswered_groups(unit_ids):
        if any(c.pk == case.pk for c in group.cases):
            return group
    return None
