"""Sending bulletins: fan out to subscribers, deliver one by one within Zalo's limits.

Every recipient has one Delivery row (unique per bulletin and reporter), so a bulletin is
never sent to anyone twice, whatever retries and restarts happen. Zalo lets an Official
Account reach each follower only a few times a month and once a day; what would exceed
that is skipped, with the reason recorded, instead of being sent and refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canhgiac.engine.normalize import normalize
from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit.log import record
from canhgiac.web.bulletins.models import Bulletin, Delivery
from canhgiac.web.cases.models import Reporter
from canhgiac.web.intake.models import Channel
from canhgiac.web.tasks.queue import enqueue

LONGEST_MANAGE_URL = 160  # room kept in every bulletin for the recipient's own link
PER_DAY = 1
TOKEN_SALT = "canhgiac.bulletins.subscription"
PER_MONTH = 4
MAX_TEXT = 2000  # one Zalo message: a bulletin is never split, so a retry never repeats a part
PACE_SECONDS = 0.2  # five deliveries a second, well under Zalo's rate limits

_SUBSCRIBE = re.compile(r"^\s*(?:dang ky|dangky|dk|dang ky nhan tin|dang ky ban tin|subscribe)\s*[.!]*\s*$")
_UNSUBSCRIBE = re.compile(r"^\s*(?:huy|huy dang ky|huy ban tin|ngung|stop|unsubscribe)\s*[.!]*\s*$")


def subscription_command(text: str) -> bool | None:
    """True for "đăng ký", False for "hủy" (with or without diacritics), else None."""
    folded = normalize(text).plain
    if _SUBSCRIBE.match(folded):
        return True
    if _UNSUBSCRIBE.match(folded):
        return False
    return None


def manage_token(reporter: Reporter) -> str:
    """A link token for one subscriber's own page: signed, so it cannot be guessed or
    changed into another subscriber's; it names a row number and nothing about the person."""
    return signing.dumps(reporter.pk, salt=TOKEN_SALT, compress=True)


def reporter_from_token(token: str) -> Reporter | None:
    try:
        reporter_id = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return Reporter.objects.filter(pk=reporter_id).first()


def manage_url(reporter: Reporter) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("bulletin_subscription", args=[manage_token(reporter)])


def set_subscription(reporter: Reporter, subscribed: bool) -> str:
    """Subscribe or unsubscribe at once; returns the confirmation to send the person."""
    Reporter.objects.filter(pk=reporter.pk).update(subscribed=subscribed)
    reporter.subscribed = subscribed
    if subscribed:
        return f"Bạn đã đăng ký nhận bản tin cảnh báo. Nhắn HUY bất cứ lúc nào để ngừng, hoặc mở {manage_url(reporter)}"
    return f"Bạn đã ngừng nhận bản tin. Nhắn DANG KY nếu muốn nhận lại, hoặc mở {manage_url(reporter)}"


def send(bulletin: Bulletin, user: User, when: Any = None, ip: str | None = None) -> None:
    """Send now, or at ``when``: the fan-out task waits until then."""
    if not user.can_act or bulletin.unit_id not in user.visible_unit_ids():
        raise PermissionError("not allowed")
    if bulletin.status not in (Bulletin.Status.DRAFT, Bulletin.Status.SCHEDULED):
        raise ValueError("already sent")
    now = timezone.now()
    delay = max(0.0, (when - now).total_seconds()) if when else 0.0
    with transaction.atomic():
        bulletin.status = Bulletin.Status.SCHEDULED if delay else Bulletin.Status.SENDING
        bulletin.scheduled_at = when or now
        bulletin.save(update_fields=["status", "scheduled_at"])
        enqueue("bulletin.fanout", {"bulletin_id": bulletin.pk}, dedupe_key=f"bulletin.fanout:{bulletin.pk}", delay=delay)
        record("bulletin.sent" if not delay else "bulletin.scheduled", actor=user, unit=bulletin.unit, obj=bulletin, ip=ip)


def recipients(bulletin: Bulletin) -> QuerySet[Reporter]:
    """Who a bulletin goes to: the Zalo subscribers of its unit and the units under it."""
    units = Unit.subtree_of(bulletin.unit_id)
    return Reporter.objects.filter(subscribed=True, channel__unit_id__in=units, channel__kind=Channel.Kind.ZALO).exclude(
        channel_user_sealed=""
    )


@dataclass(frozen=True, slots=True)
class Preview:
    """What the officer confirms before a bulletin goes out."""

    recipients: int
    over_limit: int
    """Of them, those Zalo's limits would skip if it went out now."""

    @property
    def reachable(self) -> int:
        return self.recipients - self.over_limit


def preview(bulletin: Bulletin) -> Preview:
    people = recipients(bulletin)
    now = timezone.now()
    received = Delivery.objects.filter(reporter__in=people, status=Delivery.Status.SENT)
    today = received.filter(sent_at__gte=now - timedelta(days=1)).values("reporter_id")
    month = (
        received.filter(sent_at__gte=now - timedelta(days=30))
        .values("reporter_id")
        .annotate(n=Count("id"))
        .filter(n__gte=PER_MONTH)
        .values("reporter_id")
    )
    over = people.filter(Q(pk__in=today) | Q(pk__in=month)).count()
    return Preview(people.count(), over)


def fanout(payload: dict[str, Any]) -> None:
    bulletin = Bulletin.objects.select_related("unit").get(pk=payload["bulletin_id"])
    Delivery.objects.bulk_create(
        [Delivery(bulletin=bulletin, reporter=r) for r in recipients(bulletin)], ignore_conflicts=True, batch_size=1000
    )
    for number, delivery_id in enumerate(
        Delivery.objects.filter(bulletin=bulletin, status=Delivery.Status.PENDING).values_list("id", flat=True)
    ):
        enqueue("bulletin.deliver", {"delivery_id": delivery_id}, dedupe_key=f"bulletin.deliver:{delivery_id}", delay=number * PACE_SECONDS)
    Bulletin.objects.filter(pk=bulletin.pk).update(status=Bulletin.Status.SENT, sent_at=timezone.now())


def deliver(payload: dict[str, Any]) -> None:
    from canhgiac.web.channels.zalo.client import ZaloClient, ZaloError
    from canhgiac.web.tasks.models import Task

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("bulletin", "reporter__channel").get(pk=payload["delivery_id"])
        if delivery.status != Delivery.Status.PENDING:
            return
        if not delivery.reporter.subscribed:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, reason="unsubscribed")
            return
        now = timezone.now()
        received = Delivery.objects.filter(reporter=delivery.reporter, status=Delivery.Status.SENT)
        if received.filter(sent_at__gte=now - timedelta(days=1)).count() >= PER_DAY:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, reason="limit: one a day")
            return
        if received.filter(sent_at__gte=now - timedelta(days=30)).count() >= PER_MONTH:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, reason="limit: four a month")
            return
        # Claimed as sent before the call: a crash in the middle then loses one
        # bulletin for one person, where the other order could send it twice.
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=now)
    client = ZaloClient(delivery.reporter.channel)
    try:
        user_id = delivery.reporter.channel_user_id()
        image_url = settings.SITE_URL.rstrip("/") + delivery.bulletin.image_path() if delivery.bulletin.image else ""
        text = delivery.bulletin.text(manage_url(delivery.reporter))
        client.send_text(user_id, text[:MAX_TEXT], image_url=image_url)
    except ZaloError as exc:
        task = Task.objects.filter(dedupe_key=f"bulletin.deliver:{delivery.pk}").first()
        last_try = task is None or task.attempts >= task.max_attempts
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if last_try else Delivery.Status.PENDING, sent_at=None, reason=str(exc)[:200]
        )
        raise  # retried by the task queue, with backoff


def reach(bulletins: list[Bulletin]) -> dict[int, dict[str, int]]:
    """How many deliveries of each bulletin are in each state."""
    counts = {b.pk: dict.fromkeys(Delivery.Status.values, 0) for b in bulletins}
    rows = Delivery.objects.filter(bulletin__in=bulletins).values_list("bulletin_id", "status").annotate(n=Count("id")).order_by()
    for bulletin_id, status, n in rows:
        counts[bulletin_id][status] = n
    return counts


# The reasons deliver() records, as an officer reads them; anything else is what Zalo said.
REASONS = {
    "unsubscribed": gettext_lazy("đã hủy đăng ký trước khi đến lượt"),
    "limit: one a day": gettext_lazy("giới hạn của Zalo: một bản tin mỗi ngày"),
    "limit: four a month": gettext_lazy("giới hạn của Zalo: bốn bản tin mỗi tháng"),
}


def reason_text(reason: str) -> str:
    return str(REASONS[reason]) if reason in REASONS else reason or _("không rõ lý do")


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a bulletin's delivery stands, from its delivery rows: the truth the list and
    the bulletin's page show, never "sent" with nobody reached."""

    bulletin: Bulletin
    counts: dict[str, int]
    failures: list[tuple[str, int]]
    """(reason as read, how many), for failed and skipped deliveries."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def sent(self) -> int:
        return self.counts[Delivery.Status.SENT]

    @property
    def pending(self) -> int:
        return self.counts[Delivery.Status.PENDING]

    @property
    def failed(self) -> int:
        return self.counts[Delivery.Status.FAILED]

    @property
    def skipped(self) -> int:
        return self.counts[Delivery.Status.SKIPPED]

    @property
    def state(self) -> str:
        """draft, scheduled, sending, nobody (sent to no one), done or problems."""
        status = self.bulletin.status
        if status in (Bulletin.Status.DRAFT, Bulletin.Status.SCHEDULED):
            return str(status)
        if status == Bulletin.Status.SENDING or self.pending:
            return "sending"
        if not self.total:
            return "nobody"
        return "problems" if self.failed or self.skipped else "done"

    def summary(self) -> str:
        numbers = {"sent": self.sent, "total": self.total, "pending": self.pending, "failed": self.failed, "skipped": self.skipped}
        state = self.state
        if state == "draft":
            return _("Bản nháp, chưa gửi.")
        if state == "scheduled":
            when = timezone.localtime(self.bulletin.scheduled_at) if self.bulletin.scheduled_at else None
            return _("Hẹn gửi lúc %(when)s.") % {"when": when.strftime("%H:%M %d/%m/%Y") if when else "—"}
        if state == "sending" and not self.total:
            return _("Đang gửi: đang lập danh sách người nhận.")
        if state == "sending":
            return _("Đang gửi: %(sent)d/%(total)d người đã nhận, %(pending)d đang chờ, %(failed)d lỗi, %(skipped)d bỏ qua.") % numbers
        if state == "nobody":
            return _("Không đến được ai: đơn vị chưa có người theo dõi nào qua Zalo.")
        return _("Đã đến %(sent)d/%(total)d người; %(failed)d lỗi, %(skipped)d bỏ qua.") % numbers


def progress(bulletins: list[Bulletin]) -> dict[int, Progress]:
    """The delivery of each bulletin, with the reasons of what did not go (two queries)."""
    counts = reach(bulletins)
    reasons: dict[int, list[tuple[str, int]]] = {b.pk: [] for b in bulletins}
    rows = (
        Delivery.objects.filter(bulletin__in=bulletins, status__in=(Delivery.Status.FAILED, Delivery.Status.SKIPPED))
        .values_list("bulletin_id", "reason")
        .annotate(n=Count("id"))
        .order_by("bulletin_id", "-n", "reason")
    )
    for bulletin_id, reason, n in rows:
        reasons[bulletin_id].append((reason_text(reason), n))
    return {b.pk: Progress(b, counts[b.pk], reasons[b.pk]) for b in bulletins}
