"""Meeting figures for a period: one function, used by the meetings list, the dashboard,
the Excel export and the monthly report, so every screen quotes the same numbers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet, Sum
from django.utils import timezone

from canhgiac.web.meetings.models import Attendance, Session


@dataclass(frozen=True)
class MeetingSummary:
    sessions: int
    """Sessions held: started within the period, by now, and not cancelled."""
    invited: int
    present: int
    """Officer-entered counts plus QR check-ins."""
    by_topic: list[tuple[str, int, int]]
    """(topic name, sessions, present), most sessions first."""

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.invited if self.invited else None


def held(unit_ids: list[int], start: datetime, end: datetime) -> QuerySet[Session]:
    """The sessions counted as held: start inclusive, end exclusive (as Period.start_at and
    Period.end_at). A planned session not yet begun has not been held, even when the
    period runs into the future; one begun but not marked held yet still counts, since
    officers often record the report days later."""
    return Session.objects.filter(unit_id__in=unit_ids, starts_at__gte=start, starts_at__lt=min(end, timezone.now())).exclude(
        status=Session.Status.CANCELLED
    )


def _summarise(sessions: QuerySet[Session]) -> MeetingSummary:
    rows = list(sessions.order_by().values("pk", "topic__name", "checked_in"))
    if not rows:
        return MeetingSummary(0, 0, 0, [])
    counts = (
        Attendance.objects.filter(session_id__in=[row["pk"] for row in rows])
        .order_by()
        .values("session_id")
        .annotate(invited=Sum("invited"), present=Sum("present"))
    )
    invited_by = {row["session_id"]: row["invited"] or 0 for row in counts}
    present_by = {row["session_id"]: row["present"] or 0 for row in counts}
    topics: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    invited = present = 0
    for row in rows:
        here = present_by.get(row["pk"], 0) + row["checked_in"]
        invited += invited_by.get(row["pk"], 0)
        present += here
        topics[row["topic__name"]][0] += 1
        topics[row["topic__name"]][1] += here
    by_topic = sorted(((name, n, p) for name, (n, p) in topics.items()), key=lambda item: (-item[1], item[0]))
    return MeetingSummary(len(rows), invited, present, by_topic)


def summary(unit_ids: list[int], start: datetime, end: datetime) -> MeetingSummary:
    """Sessions held, invited, present and sessions per topic for these units, start
    inclusive, end exclusive (aware datetimes)."""
    return _summarise(held(unit_ids, start, end))


def by_unit(unit_ids: list[int], start: datetime, end: datetime) -> list[tuple[str, MeetingSummary]]:
    """The same figures for each unit that held a session, by unit name."""
    sessions = held(unit_ids, start, end)
    units = sessions.order_by("unit__name").values_list("unit_id", "unit__name").distinct()
    return [(name, _summarise(sessions.filter(unit_id=unit_id))) for unit_id, name in units]


def dashboard(unit_ids: list[int], start: datetime, end: datetime) -> dict[str, object]:
    """The dashboard's meetings card: the total and each unit's figures."""
    return {"meetings": summary(unit_ids, start, end), "meetings_by_unit": by_unit(unit_ids, start, end)}
