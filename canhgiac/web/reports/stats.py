"""The figures a district report quotes, for a set of units and a period."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES, name
from canhgiac.web.bulletins.models import Bulletin, Delivery
from canhgiac.web.cases.models import Case, Reporter
from canhgiac.web.core.i18n import language

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


def _hours(deltas: list[timedelta]) -> tuple[float | None, float | None]:
    """Median and 90th percentile, in hours."""
    if not deltas:
        return None, None
    hours = sorted(d.total_seconds() / 3600 for d in deltas)
    p90 = hours[min(len(hours) - 1, int(0.9 * len(hours)))]
    return round(statistics.median(hours), 1), round(p90, 1)


@dataclass(slots=True)
class Figures:
    period: Period
    total: int = 0
    by_intent: list[tuple[str, str, int]] = field(default_factory=list)
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    by_verdict: list[tuple[str, str, int]] = field(default_factory=list)
    tips_over_time: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    urgent: int = 0
    auto_answered: int = 0
    first_reply_median_h: float | None = None
    first_reply_p90_h: float | None = None
    resolution_median_h: float | None = None
    resolution_p90_h: float | None = None
    replied: int = 0
    resolved: int = 0
    top_indicators: list[tuple[str, str, int]] = field(default_factory=list)
    subscribers: int = 0
    bulletins_sent: int = 0
    bulletin_deliveries: int = 0

    def as_rows(self) -> list[tuple[str, Any]]:
        """The figures as (label, value) rows, for the report and the Excel sheet."""
        rows: list[tuple[str, Any]] = [
            ("Từ ngày", self.period.start.isoformat()),
            ("Đến ngày", self.period.end.isoformat()),
            ("Tổng số tin", self.total),
        ]
        rows += [(f"Ý định: {label}", n) for _, label, n in self.by_intent]
        rows += [(f"Tin báo: {label}", n) for _, label, n in self.by_category]
        rows += [(f"Kiểm tra lừa đảo: {label}", n) for _, label, n in self.by_verdict]
        rows += [
            ("Tin khẩn cấp", self.urgent),
            ("Trả lời tự động từ cơ sở hỏi đáp", self.auto_answered),
            ("Tin được cán bộ trả lời", self.replied),
            ("Thời gian đến trả lời đầu tiên, trung vị (giờ)", self.first_reply_median_h),
            ("Thời gian đến trả lời đầu tiên, 90% (giờ)", self.first_reply_p90_h),
            ("Tin đã giải quyết", self.resolved),
            ("Thời gian giải quyết, trung vị (giờ)", self.resolution_median_h),
            ("Thời gian giải quyết, 90% (giờ)", self.resolution_p90_h),
            ("Người theo dõi", self.subscribers),
            ("Bản tin đã gửi", self.bulletins_sent),
            ("Lượt gửi bản tin thành công", self.bulletin_deliveries),
        ]
        return rows


def figures(unit_ids: list[int], period: Period) -> Figures:
    cases: QuerySet[Case] = Case.objects.filter(unit_id__in=unit_ids, created__gte=period.start_at, created__lt=period.end_at)
    result = Figures(period)
    lang = language()
    intents = dict(cases.values_list("intent").annotate(n=Count("id")).values_list("intent", "n"))
    result.total = sum(intents.values())
    result.by_intent = [(k, name(INTENT_NAMES, k, lang), intents.get(k, 0)) for k in INTENT_NAMES]
    categories = dict(cases.filter(intent="tip").values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    result.by_category = sorted(((k, name(CATEGORY_NAMES, k, lang), categories.get(k, 0)) for k in CATEGORY_NAMES), key=lambda r: -r[2])
    verdicts = dict(cases.filter(intent="scam_check").values_list("verdict").annotate(n=Count("id")).values_list("verdict", "n"))
    result.by_verdict = [(k, name(VERDICT_NAMES, k, lang), verdicts.get(k, 0)) for k in VERDICT_NAMES]
    result.urgent = cases.filter(urgent=True).count()
    result.auto_answered = cases.filter(kb_entry__isnull=False, first_reply_at__isnull=True).count()

    days = (period.end - period.start).days + 1
    trunc = TruncWeek("created") if days <= 120 else TruncMonth("created")
    buckets: dict[str, dict[str, int]] = {}
    for bucket, category, n in (
        cases.filter(intent="tip").annotate(bucket=trunc).values_list("bucket", "category").annotate(n=Count("id")).order_by("bucket")
    ):
        label = timezone.localtime(bucket).strftime("%d/%m" if days <= 120 else "%m/%Y") if isinstance(bucket, datetime) else str(bucket)
        buckets.setdefault(label, {})[category] = n
    result.tips_over_time = list(buckets.items())

    replies = [r - c for c, r in cases.filter(first_reply_at__isnull=False).values_list("created", "first_reply_at") if r is not None]
    resolutions = [
        r - c
        for c, r in cases.filter(resolved_at__isnull=False, kb_entry__isnull=True).values_list("created", "resolved_at")
        if r is not None
    ]
    result.replied, result.resolved = len(replies), len(resolutions)
    result.first_reply_median_h, result.first_reply_p90_h = _hours(replies)
    result.resolution_median_h, result.resolution_p90_h = _hours(resolutions)

    counter: Counter[tuple[str, str]] = Counter()
    for indicators in cases.filter(verdict="scam").values_list("indicators", flat=True):
        for phone in indicators.get("phones", []):
            counter[("phone", phone)] += 1
        for account in indicators.get("bank_accounts", []):
            counter[("bank_account", account["number"])] += 1
        for domain in indicators.get("domains", []):
            counter[("domain", domain)] += 1
    result.top_indicators = [(kind, value, n) for (kind, value), n in counter.most_common(10)]
    result.subscribers = Reporter.objects.filter(channel__unit_id__in=unit_ids, subscribed=True).count()
    sent = Bulletin.objects.filter(unit_id__in=unit_ids, sent_at__gte=period.start_at, sent_at__lt=period.end_at)
    result.bulletins_sent = sent.count()
    result.bulletin_deliveries = Delivery.objects.filter(bulletin__in=sent, status=Delivery.Status.SENT).count()
    return result
