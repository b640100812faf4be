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
from canhgiac.web.channels.base import DeliveryReport, Quote, SendError, adapter_for, mark_received
from canhgiac.web.intake.models import Channel
from canhgiac.web.tasks.queue import Retry, enqueue

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
    """Who a bulletin goes to: the subscribers of its unit and the units under it, on the
    channels that send (Zalo today; the web page and the API have nobody to send to)."""
    units = Unit.subtree_of(bulletin.unit_id)
    present = Channel.objects.filter(unit_id__in=units).values_list("kind", flat=True).distinct()
    kinds = [kind for kind in set(present) if (adapter := adapter_for(kind)) is not None and adapter.pushes]
    return Reporter.objects.filter(subscribed=True, channel__unit_id__in=units, channel__kind__in=kinds).exclude(channel_user_sealed="")


def fitted_text(bulletin: Bulletin, url: str, limit: int) -> str:
    """The bulletin as one message of at most ``limit`` characters: a body too long for the
    channel (an SMS) is shortened, never the way to stop receiving bulletins."""
    text = bulletin.text(url)
    if len(text) <= limit:
        return text
    keep = max(0, len(bulletin.body) - (len(text) - limit) - 1)
    return Bulletin(title=bulletin.title, body=bulletin.body[:keep].rstrip() + "…").text(url)[:limit]


@dataclass(frozen=True, slots=True)
class ChannelCost:
    """What a bulletin costs on one channel that charges by the part (SMS), before it goes."""

    channel: Channel
    recipients: int
    quote: Quote
    shortened: bool
    """The bulletin is longer than one message on this channel: its body is cut."""

    @property
    def parts_each(self) -> int:
        """Parts each person's copy takes, in the form the channel's rule sends."""
        return self.quote.plain_parts if self.quote.sends_plain else self.quote.parts

    @property
    def total(self) -> int:
        return self.parts_each * self.recipients

    @property
    def accented_total(self) -> int:
        return self.quote.parts * self.recipients

    @property
    def plain_total(self) -> int:
        return self.quote.plain_parts * self.recipients

    @property
    def room(self) -> int:
        """Parts the unit may still send today."""
        return max(0, self.quote.daily_cap - self.quote.used_today)

    @property
    def waiting(self) -> int:
        """People whose copy goes over today's cap, and waits for the next day."""
        return max(0, self.recipients - self.room // max(1, self.parts_each))


@dataclass(frozen=True, slots=True)
class Preview:
    """What the officer confirms before a bulletin goes out."""

    recipients: int
    over_limit: int
    """Of them, those Zalo's limits would skip if it went out now."""
    costs: tuple[ChannelCost, ...] = ()
    """Per channel that charges by the part (SMS): the cost, and the unit's daily cap."""

    @property
    def reachable(self) -> int:
        return self.recipients - self.over_limit


def _costs(bulletin: Bulletin, people: QuerySet[Reporter]) -> tuple[ChannelCost, ...]:
    counts = dict(people.values_list("channel_id").annotate(n=Count("id")).order_by())
    costs = []
    for channel in Channel.objects.filter(pk__in=counts).order_by("name"):
        adapter = adapter_for(channel.kind)
        if adapter is None:
            continue
        # Each copy carries its recipient's own link; one of them stands for all (their
        # lengths differ by a character or two).
        sample = people.filter(channel=channel).order_by("-pk").first()
        full = bulletin.text(manage_url(sample) if sample is not None else "")
        text = fitted_text(bulletin, manage_url(sample) if sample is not None else "", min(MAX_TEXT, adapter.max_text))
        quote = adapter.quote(channel, text)
        if quote is not None:
            costs.append(ChannelCost(channel, counts[channel.pk], quote, shortened=text != full))
    return tuple(costs)


def preview(bulletin: Bulletin) -> Preview:
    everyone = recipients(bulletin)
    # Only channels whose provider limits broadcasts skip anyone.
    limited = [kind for kind in Channel.Kind.values if (adapter := adapter_for(kind)) is not None and adapter.limits_broadcasts]
    people = everyone.filter(channel__kind__in=limited)
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
    return Preview(everyone.count(), over, _costs(bulletin, everyone))


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
    from canhgiac.web.tasks.models import Task

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("bulletin", "reporter__channel").get(pk=payload["delivery_id"])
        if delivery.status != Delivery.Status.PENDING:
            return
        if not delivery.reporter.subscribed:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, reason="unsubscribed")
            return
        now = timezone.now()
        adapter = adapter_for(delivery.reporter.channel.kind)
        received = Delivery.objects.filter(reporter=delivery.reporter, status=Delivery.Status.SENT)
        limited = adapter is None or adapter.limits_broadcasts  # SMS has the unit's daily cap instead
        if limited and received.filter(sent_at__gte=now - timedelta(days=1)).count() >= PER_DAY:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, reason="limit: one a day")
            return
        if limited and received.filter(sent_at__gte=now - timedelta(days=30)).count() >= PER_MONTH:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, reason="limit: four a month")
            return
        # Claimed as sent before the call: a crash in the middle then loses one
        # bulletin for one person, where the other order could send it twice.
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=now)
    channel = delivery.reporter.channel
    try:
        if adapter is None:
            raise SendError(f"no adapter for {channel.kind}", permanent=True)
        user_id = delivery.reporter.channel_user_id()
        text = fitted_text(delivery.bulletin, manage_url(delivery.reporter), min(MAX_TEXT, adapter.max_text))
        if delivery.bulletin.image:
            # Uploaded to the provider with the text as its caption: one message, one id.
            with delivery.bulletin.image.open("rb") as handle:
                sent = adapter.send_image(channel, user_id, handle.read(), "image/jpeg", caption=text)
        else:
            sent = adapter.send_text(channel, user_id, text, key=f"b{delivery.pk}")
    except SendError as exc:
        if exc.resume_at is not None or exc.waits:
            # Over the unit's SMS cap, or the phone out of reach: it waits, and goes then.
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING, sent_at=None, reason=str(exc)[:200])
            delay = None if exc.resume_at is None else max(0.0, (exc.resume_at - timezone.now()).total_seconds())
            raise Retry(str(exc), delay=delay) from exc
        task = Task.objects.filter(dedupe_key=f"bulletin.deliver:{delivery.pk}").first()
        last_try = exc.permanent or task is None or task.attempts >= task.max_attempts
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if last_try else Delivery.Status.PENDING, sent_at=None, reason=str(exc)[:200]
        )
        if exc.permanent:
            return  # this follower cannot be reached: retrying changes nothing
        raise  # retried by the task queue, with backoff
    if sent.provider_message_ids:
        Delivery.objects.filter(pk=delivery.pk).update(provider_id=sent.provider_message_ids[0][:120])


def apply_delivery_report(channel: Channel, report: DeliveryReport) -> int:
    """The provider says bulletins reached followers' phones, were read, or failed;
    returns how many deliveries that changed. Read implies received. Call within
    ``writing()``."""
    at = report.at or timezone.now()
    sent = Delivery.objects.filter(reporter__channel=channel, provider_id__in=report.provider_message_ids)
    if report.state == "failed":
        return sent.exclude(status=Delivery.Status.FAILED).update(status=Delivery.Status.FAILED, reason=report.error[:200])
    return mark_received(sent, report.state, at)


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
    received: int = 0
    """Deliveries the provider itself says reached the phone (its delivery events)."""
    read: int = 0
    """Of them, those the provider says were opened."""

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
            return _("Không đến được ai: đơn vị chưa có người đăng ký nhận bản tin nào.")
        return _("Đã đến %(sent)d/%(total)d người; %(failed)d lỗi, %(skipped)d bỏ qua.") % numbers


def progress(bulletins: list[Bulletin]) -> dict[int, Progress]:
    """The delivery of each bulletin, with the reasons of what did not go, and what the
    provider reported received and read (three queries)."""
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
    receipts = {b.pk: (0, 0) for b in bulletins}
    seen = (
        Delivery.objects.filter(bulletin__in=bulletins, delivered_at__isnull=False)
        .values("bulletin_id")
        .annotate(received=Count("id"), read=Count("read_at"))
        .order_by()
    )
    for row in seen:
        receipts[row["bulletin_id"]] = (row["received"], row["read"])
    return {b.pk: Progress(b, counts[b.pk], reasons[b.pk], *receipts[b.pk]) for b in bulletins}
