"""The one read path for lists of cases: the inbox, the API, the CSV and Excel exports, the
dashboard and the monthly report all choose and count their cases here, so that the
figures they show agree.

How near-duplicates count, everywhere: every case is counted (a tip sent three times is
three messages received, and three in every total); the inbox and the API show a group of
near-duplicates as one line, under the first case of the group among those listed, and
every page says so: "27 tin, trong đó 7 tin trùng được gộp" (27 messages, 20 lines).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from canhgiac.engine import fold_diacritics
from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES
from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.cases.models import Case
from canhgiac.web.reports.period import Period, parse_day

SORTS = {
    "activity": ("-last_activity", "-id"),
    "newest": ("-created", "-id"),
    "oldest": ("created", "id"),
    "risk": ("-scam_score", "-id"),
    "urgent": ("-urgent", "-last_activity", "-id"),
}
KEYS = ("status", "intent", "category", "urgent", "verdict", "unit", "assigned", "q", "sort", "group", "from", "to")


def search_terms(query: str) -> list[str]:
    """The words of a search, folded like the stored text: "ma túy" finds "ma tuy"."""
    return [w for w in fold_diacritics(query.lower()).split() if w][:8]


@dataclass(frozen=True, slots=True)
class Filters:
    """What a list is filtered by, as the inbox's form and the API's query string name it.
    ``status`` is "open" (the inbox's default), "all", or one status; ``group`` is "0" to
    list near-duplicates one by one. Values that name nothing are ignored, not obeyed."""

    status: str = "open"
    intent: str = ""
    category: str = ""
    urgent: str = ""
    verdict: str = ""
    unit: str = ""
    assigned: str = ""
    q: str = ""
    sort: str = ""
    group: str = ""
    start: str = ""
    end: str = ""

    @classmethod
    def from_params(cls, params: Any) -> Filters:
        """From a query string. A date that cannot be read or is out of range raises
        BadPeriod (a 400 that says why), so no list is ever of another period than asked."""
        chosen = {key: str(params.get(key, "") or "") for key in KEYS}
        parse_day(chosen["from"])
        parse_day(chosen["to"])
        return cls(
            status=chosen["status"] or "open",
            intent=chosen["intent"],
            category=chosen["category"],
            urgent=chosen["urgent"],
            verdict=chosen["verdict"],
            unit=chosen["unit"],
            assigned=chosen["assigned"],
            q=chosen["q"],
            sort=chosen["sort"],
            group=chosen["group"],
            start=chosen["from"],
            end=chosen["to"],
        )

    @classmethod
    def period(cls, period: Period, unit: str = "") -> Filters:
        """Every case received in a period: the dashboard's and the monthly report's."""
        return cls(status="all", unit=unit, start=period.start.isoformat(), end=period.end.isoformat())

    def as_dict(self) -> dict[str, str]:
        """As the query string names them (the form's values, the API's "filters")."""
        values = asdict(self)
        values["from"], values["to"] = values.pop("start"), values.pop("end")
        return values

    def everything(self) -> Filters:
        """The same cases with near-duplicates listed one by one (what the exports hold)."""
        return replace(self, group="0")


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    lines: int

    @property
    def merged(self) -> int:
        return self.total - self.lines

    def sentence(self) -> str:
        """How the list counts, for the line on every page that lists or counts cases."""
        return _(
            "%(total)d tin, trong đó %(merged)d tin trùng được gộp: mỗi nhóm tin giống nhau là một dòng trong hộp thư, và mọi số liệu đều đếm đủ từng tin."
        ) % {"total": self.total, "merged": self.merged}


@dataclass(frozen=True, slots=True)
class CaseList:
    filters: Filters
    cases: QuerySet[Case]
    """Every matching case, near-duplicates included, in the chosen order."""
    lines: QuerySet[Case]
    """What the inbox and the API list: one line per group unless ``group`` is "0"."""

    def counts(self) -> Counts:
        """Cases and lines, in one query."""
        cases = self.cases.order_by()
        if self.filters.group == "0":
            total = cases.count()
            return Counts(total, total)
        found = cases.aggregate(total=Count("id"), lines=Count("id", filter=_line(cases)))
        return Counts(found["total"], found["lines"])

    def duplicates_of(self, heads: list[Case]) -> dict[int, int]:
        """How many listed cases each line stands for besides itself."""
        if self.filters.group == "0":
            return {}
        rows = (
            self.cases.filter(duplicate_of_id__in=[c.pk for c in heads])
            .order_by()
            .values_list("duplicate_of_id")
            .annotate(n=Count("id"))
            .values_list("duplicate_of_id", "n")
        )
        return dict(rows)


def _line(cases: QuerySet[Case]) -> Q:
    """A case that is a line of its own among ``cases``: the first of its group, or one
    whose first is not among them (another status, another period), so that nothing
    matching a filter ever drops out of the list."""
    return Q(duplicate_of__isnull=True) | ~Q(duplicate_of__in=cases.order_by().values("pk"))


def _grouped(cases: QuerySet[Case]) -> QuerySet[Case]:
    """One line per group of near-duplicates among ``cases``."""
    return cases.filter(_line(cases))


def in_units(unit_ids: list[int], filters: Filters, user: User | None = None) -> CaseList:
    """The cases of these units (already checked as visible) that match the filters."""
    cases = Case.objects.filter(unit_id__in=unit_ids)
    first, last = parse_day(filters.start), parse_day(filters.end)
    if first is not None:
        cases = cases.filter(created__gte=Period(first, first).start_at)
    if last is not None:
        cases = cases.filter(created__lt=Period(last, last).end_at)
    if filters.status == "open":
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    elif filters.status in Case.Status.values:
        cases = cases.filter(status=filters.status)
    if filters.intent in INTENT_NAMES:
        cases = cases.filter(intent=filters.intent)
    if filters.category in CATEGORY_NAMES:
        cases = cases.filter(category=filters.category)
    if filters.urgent == "1":
        cases = cases.filter(urgent=True)
    if filters.verdict in VERDICT_NAMES:
        cases = cases.filter(verdict=filters.verdict)
    if filters.assigned == "me" and user is not None:
        cases = cases.filter(assigned_to=user)
    elif filters.assigned == "none":
        cases = cases.filter(assigned_to__isnull=True)
    for term in search_terms(filters.q):
        cases = cases.filter(Q(search_text__contains=term) | Q(reference__iexact=term))
    cases = cases.order_by(*SORTS.get(filters.sort, SORTS["activity"]))
    return CaseList(filters, cases, cases if filters.group == "0" else _grouped(cases))


def chosen_units(user: User, unit: str) -> list[int]:
    """The units a list covers: those the user sees, or the chosen one and those under it
    when it is one of them (another unit's number is ignored, not obeyed)."""
    visible = user.visible_unit_ids()
    if unit.isdigit() and int(unit) in visible:
        return [u for u in Unit.subtree_of(int(unit)) if u in visible]
    return visible


def case_list(user: User, filters: Filters) -> CaseList:
    """The cases this user may see that match the filters."""
    units = chosen_units(user, filters.unit) if user.is_active else []
    return in_units(units, filters, user)
