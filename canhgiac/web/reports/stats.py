"""The figures a district report quotes, for a set of units and a period.

The cases come from cases/queries.py, as in the inbox and the exports, so that the
dashboard, the monthly report, the lists and the files agree to the case.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES, name
from canhgiac.web.bulletins.models import Bulletin, Delivery
from canhgiac.web.cases import queries
from canhgiac.web.cases.models import Case, Reporter
from canhgiac.web.core.i18n import language
from canhgiac.web.reports.period import FIRST_DAY, LAST_DAY, BadPeriod, Period, parse_day

__all__ = ["FIRST_DAY", "LAST_DAY", "BadPeriod", "Figures", "Period", "figures", "parse_day"]


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
    counts: queries.Counts = field(default_factory=lambda: queries.Counts(0, 0))
    by_status: list[tuple[str, str, int]] = field(default_factory=list)
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
    resolved_by_officers: int = 0
    top_indicators: list[tuple[str, str, int]] = field(default_factory=list)
    subscribers: int = 0
    bulletins_sent: int = 0
    bulletin_deliveries: int = 0

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def status_counts(self) -> dict[str, int]:
        return {code: n for code, _label, n in self.by_status}

    def as_rows(self) -> list[tuple[str, Any]]:
        """The figures as (label, value) rows in the active language, for the monthly
        report and the Excel summary; dates as dates, counts as numbers."""
        start: date = self.period.start
        end: date = self.period.end
        rows: list[tuple[str, Any]] = [
            (_("Từ ngày"), start),
            (_("Đến ngày"), end),
            (_("Tổng số tin"), self.total),
            (_("Trong đó tin trùng được gộp"), self.counts.merged),
        ]
        rows += [(_("Trạng thái: %(name)s") % {"name": label}, n) for _code, label, n in self.by_status]
        rows += [(_("Ý định: %(name)s") % {"name": label}, n) for _code, label, n in self.by_intent]
        rows += [(_("Tin báo: %(name)s") % {"name": label}, n) for _code, label, n in self.by_category]
        rows += [(_("Kiểm tra lừa đảo: %(name)s") % {"name": label}, n) for _code, label, n in self.by_verdict]
        rows += [
            (_("Tin khẩn cấp"), self.urgent),
            (_("Trả lời tự động từ cơ sở hỏi đáp"), self.auto_answered),
            (_("Tin được cán bộ trả lời"), self.replied),
            (_("Thời gian đến trả lời đầu tiên, trung vị (giờ)"), self.first_reply_median_h),
            (_("Thời gian đến trả lời đầu tiên, 90% (giờ)"), self.first_reply_p90_h),
            (_("Tin cán bộ đã giải quyết (tính thời gian giải quyết)"), self.resolved_by_officers),
            (_("Thời gian giải quyết, trung vị (giờ)"), self.resolution_median_h),
            (_("Thời gian giải quyết, 90% (giờ)"), self.resolution_p90_h),
            (_("Người theo dõi"), self.subscribers),
            (_("Bản tin đã gửi"), self.bulletins_sent),
            (_("Lượt gửi bản tin thành công"), self.bulletin_deliveries),
        ]
        return rows


def figures(unit_ids: list[int], period: Period) -> Figures:
    """The figures of every case these units received in the period (near-duplicates
    counted one by one, as everywhere: see cases/queries.py)."""
    listing = queries.in_units(unit_ids, queries.Filters.period(period))
    cases = listing.cases.order_by()
    result = Figures(period, counts=listing.counts())
    lang = language()
    statuses = dict(cases.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    result.by_status = [(code, str(label), statuses.get(code, 0)) for code, label in Case.Status.choices]
    intents = dict(cases.values_list("intent").annotate(n=Count("id")).values_list("intent", "n"))
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
    # An officer's work: an automatic answer resolves a case in no time, which would make
    # the officers' median meaningless.
    resolutions = [
        r - c
        for c, r in cases.filter(resolved_at__isnull=False, kb_entry__isnull=True).values_list("created", "resolved_at")
        if r is not None
    ]
    result.replied, result.resolved_by_officers = len(replies), len(resolutions)
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
