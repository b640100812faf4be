"""Periods: the days and months a filter or a report names, checked at the door."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

# The days a filter may name. Cases cannot be older than the channel, nor from the far
# future; outside this range the conversion to UTC at midnight overflows (0001-01-01 in
# Asia/Ho_Chi_Minh is still year 0 in UTC) and the databases refuse some dates.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
MONTH = re.compile(r"\d{4}-\d{2}")


class BadPeriod(ValueError):
    """A date or month in a filter that cannot be read or is out of range: the page
    answers 400 with this message rather than quietly showing another period."""


def _day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def parse_day(value: str | None) -> date | None:
    """A day from a filter (YYYY-MM-DD), None when not given; BadPeriod when wrong."""
    if not value:
        return None
    day = _day(value)
    if day is None:
        raise BadPeriod(
            _("Ngày không hợp lệ: %(value)s. Dùng dạng YYYY-MM-DD, từ %(first)s đến %(last)s.")
            % {"value": value[:40], "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        )
    return day


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    """Inclusive."""

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, datetime.min.time()))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), datetime.min.time()))

    @classmethod
    def parse(cls, start: str | None, end: str | None, default_days: int = 30) -> Period:
        """From the filter's days; either may be left out. BadPeriod when one is wrong."""
        end_day = parse_day(end) or timezone.localdate()
        start_day = parse_day(start) or max(FIRST_DAY, end_day - timedelta(days=default_days - 1))
        if start_day > end_day:
            start_day, end_day = end_day, start_day
        return cls(start_day, end_day)

    @classmethod
    def month(cls, value: str | None) -> Period:
        """A calendar month (YYYY-MM), this month when not given; BadPeriod when wrong."""
        first = _day(f"{value}-01") if value and MONTH.fullmatch(value) else None
        if not value:
            first = timezone.localdate().replace(day=1)
        elif first is None:
            raise BadPeriod(
                _("Tháng không hợp lệ: %(value)s. Dùng dạng YYYY-MM, từ %(first)s đến %(last)s.")
                % {"value": value[:40], "first": FIRST_DAY.strftime("%Y-%m"), "last": LAST_DAY.strftime("%Y-%m")}
            )
        next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return cls(first, next_month - timedelta(days=1))
