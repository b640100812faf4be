"""Every change the SMS channel makes to its own rows: a send claimed within the unit's
daily cap, handed to the phone, and what the phone later says became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from canhgiac.web.accounts.models import Unit
from canhgiac.web.cases.actions import answers_with_part
from canhgiac.web.cases.models import Message, Reporter
from canhgiac.web.channels.base import DeliveryReport, SendError, Sent
from canhgiac.web.channels.sms import client, numbers
from canhgiac.web.channels.sms import parts as sms_parts
from canhgiac.web.channels.sms.models import SmsGateway, SmsOutbound
from canhgiac.web.core.crypto import lookup_hash, lookup_hashes
from canhgiac.web.core.db import writing
from canhgiac.web.intake import health
from canhgiac.web.intake.models import Channel

# Codes for the channel's health banner, which has advice for each (intake/health.py).
PHONE_OFFLINE, PHONE_AUTH, PHONE_ERROR, OVER_CAP = health.PHONE_OFFLINE, health.PHONE_AUTH, health.PHONE_ERROR, health.OVER_CAP


class OverCap(SendError):
    """The unit has used its SMS for today: the send waits until ``resume_at``."""

    def __init__(self, message: str, resume_at: datetime) -> None:
        super().__init__(message, code=OVER_CAP, resume_at=resume_at)
        self.resume_at: datetime = resume_at


@dataclass(frozen=True, slots=True)
class Prepared:
    text: str
    count: sms_parts.Count


def gateway_of(channel: Channel) -> SmsGateway:
    gateway = SmsGateway.objects.filter(channel=channel).first()
    if gateway is None:
        raise SendError(_("Kênh SMS chưa được gắn với điện thoại nào (mục Điện thoại gửi SMS trong trang quản trị)."), permanent=True)
    return gateway


def prepare(gateway: SmsGateway, text: str, *, plain: bool | None = None) -> Prepared:
    """The text as it will go, and its cost. ``plain`` True or False is the sender's
    choice; None applies the unit's rule: a text with accents longer than
    ``plain_over_parts`` parts goes without them."""
    counted = sms_parts.count(text)
    if plain is None:
        plain = gateway.plain_over_parts > 0 and counted.encoding == "ucs2" and counted.parts > gateway.plain_over_parts
    if plain:
        text = sms_parts.plain(text)
        counted = sms_parts.count(text)
    return Prepared(text, counted)


def _start_of_today() -> datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def next_day() -> datetime:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def used_today(unit_id: int) -> int:
    """Parts the unit's SMS channels have handed to a phone since midnight (local time);
    those the phone refused cost nothing."""
    rows = SmsOutbound.objects.filter(channel__unit_id=unit_id, created__gte=_start_of_today()).exclude(state=SmsOutbound.State.REFUSED)
    return int(rows.aggregate(n=Sum("parts"))["n"] or 0)


def _claim(gateway: SmsGateway, provider_id: str, prepared: Prepared, message: Message | None, reporter: Reporter | None) -> SmsOutbound:
    """The send's row, made within the cap, or the row of an earlier try of the same send."""
    with writing(), transaction.atomic():
        # One claim at a time per unit, whose sends the cap counts (over all its SMS
        # channels): two workers must not both fit under it.
        Unit.objects.select_for_update().filter(pk=gateway.channel.unit_id).first()
        row = SmsOutbound.objects.filter(provider_id=provider_id).first()
        if row is not None:
            return row
        cap = gateway.daily_cap  # the unit's: one phone per unit (SmsGateway.clean)
        if prepared.count.parts > cap:
            raise SendError(
                _("Tin dài %(parts)d phần, hơn cả hạn mức %(cap)d SMS mỗi ngày của đơn vị: không gửi được.")
                % {"parts": prepared.count.parts, "cap": cap},
                permanent=True,
            )
        if used_today(gateway.channel.unit_id) + prepared.count.parts > cap:
            resume = next_day()
            raise OverCap(
                _("Đơn vị đã dùng hết hạn mức %(cap)d SMS hôm nay: tin sẽ được gửi sau 0 giờ ngày %(day)s.")
                % {"cap": cap, "day": timezone.localtime(resume).strftime("%d/%m/%Y")},
                resume,
            )
        return SmsOutbound.objects.create(
            channel=gateway.channel,
            provider_id=provider_id,
            message=message,
            reporter=reporter,
            parts=prepared.count.parts,
            encoding=prepared.count.encoding,
        )


def _failure(gateway: SmsGateway, exc: client.GatewayError) -> SendError:
    """What a failed call means for the send and for the channel's health."""
    channel = gateway.channel
    if exc.about_recipient:
        return SendError(_("Điện thoại từ chối gửi tới số này: %(error)s") % {"error": exc}, code=exc.code, permanent=True)
    if exc.code == client.OFFLINE:
        code, text = (
            PHONE_OFFLINE,
            _(
                "Không kết nối được điện thoại gửi SMS: hãy xem điện thoại còn bật, còn pin, còn Wi-Fi và ứng dụng SMS Gateway đang chạy. "
                "Tin nhắn đang chờ và sẽ tự gửi khi điện thoại kết nối lại."
            ),
        )
    elif exc.code in (401, 403):
        code, text = (
            PHONE_AUTH,
            _("Điện thoại từ chối tên đăng nhập hoặc mật khẩu: hãy nhập lại ở mục Điện thoại gửi SMS trong trang quản trị."),
        )
    else:
        code, text = PHONE_ERROR, _("Điện thoại gửi SMS trả lỗi (%(error)s); hệ thống tự thử lại.") % {"error": exc}
    health.send_failed(channel, code, text)
    # A phone switched off is waited for, however long; other errors are retried and,
    # in the end, shown as failed.
    return SendError(text, code=code, waits=code == PHONE_OFFLINE)


def implicit_key(channel: Channel, number: str, text: str, reply_to: str) -> str:
    """A key for a caller that gives none (the generic send): what it sends, to whom, in
    answer to what. Keyed, so the ID the phone keeps reveals neither number nor text."""
    return "h" + lookup_hash(f"sms-send:{channel.pk}", f"{number}\n{reply_to}\n{text}")[:24]


def send(
    channel: Channel,
    recipient: str,
    text: str,
    *,
    key: str = "",
    reply_to: str = "",
    plain: bool | None = None,
    message: Message | None = None,
    reporter: Reporter | None = None,
) -> Sent:
    """Hand ``text`` to the phone for ``recipient``, once, within the unit's cap.

    ``key`` names this send among the channel's: a send tried again with the same key
    (after a crash, after the phone was offline) is the same message to the phone, which
    refuses a second copy. Without one, the same text to the same number in answer to the
    same message is the same send. Raises OverCap (wait), SendError (permanent, or try
    again)."""
    gateway = gateway_of(channel)
    number = numbers.normalise(recipient)
    if not number:
        raise SendError(_("Không có số điện thoại người nhận."), permanent=True)
    prepared = prepare(gateway, text, plain=plain)
    provider_id = f"{gateway.id_prefix}-{key or implicit_key(channel, number, text, reply_to)}"[:36]
    if reporter is None:
        # The row goes with the person it was sent to when retention deletes them.
        hashes = lookup_hashes(f"{channel.kind}:{channel.pk}", number)
        reporter = Reporter.objects.filter(channel=channel, channel_user_hash__in=hashes).first()
    try:
        row = _claim(gateway, provider_id, prepared, message, reporter)
    except OverCap as exc:
        # Every console page says it until the first SMS of the new day goes out.
        health.send_failed(channel, OVER_CAP, str(exc))
        raise
    if row.state in (SmsOutbound.State.SENT, SmsOutbound.State.DELIVERED):
        return Sent((row.provider_id,), row.parts)
    if row.state in (SmsOutbound.State.FAILED, SmsOutbound.State.REFUSED):
        raise SendError(row.error or _("Gửi không được"), permanent=True)
    body = client.send_body(provider_id, number, prepared.text, gateway.sim_number)
    try:
        client.send(gateway.base_url, gateway.username, gateway.secret("password"), body)
    except client.GatewayError as exc:
        failure = _failure(gateway, exc)
        now = timezone.now()
        if failure.permanent:
            SmsOutbound.objects.filter(pk=row.pk).update(state=SmsOutbound.State.REFUSED, error=str(failure)[:300], updated=now)
        else:
            SmsOutbound.objects.filter(pk=row.pk).update(error=str(failure)[:300], updated=now)
        raise failure from exc
    health.sent_ok(channel)
    # A delivery report may have come in first, from a fast phone: it is not undone.
    SmsOutbound.objects.filter(pk=row.pk, state=SmsOutbound.State.CLAIMED).update(
        state=SmsOutbound.State.SENT, error="", updated=timezone.now()
    )
    return Sent((row.provider_id,), row.parts)


# What each report may follow: a report arriving late never takes a send back.
_AFTER = {
    "sent": (SmsOutbound.State.CLAIMED,),
    "delivered": (SmsOutbound.State.CLAIMED, SmsOutbound.State.SENT),
    "failed": (SmsOutbound.State.CLAIMED, SmsOutbound.State.SENT),
}


def apply_report(channel: Channel, report: DeliveryReport) -> int:
    """The phone's word on what it sent: the send's row, and for a failure the answer it
    carried, with the phone's reason in words (the generic side then marks delivered
    answers and bulletins). Returns rows changed. Call within ``writing()``."""
    if report.state not in _AFTER:
        return 0
    now = timezone.now()
    with transaction.atomic():
        rows = SmsOutbound.objects.select_for_update().filter(
            channel=channel, provider_id__in=report.provider_message_ids, state__in=_AFTER[report.state]
        )
        changed = list(rows.values_list("pk", "message_id"))
        error = report.error[:300] if report.state == "failed" else ""
        SmsOutbound.objects.filter(pk__in=[pk for pk, _m in changed]).update(state=report.state, error=error, updated=now)
        if report.state == "failed" and changed:
            linked = [m for _pk, m in changed if m is not None]
            # Any part of an answer (a long one goes in several sends): the whole answer failed.
            answers = Message.objects.filter(
                Q(pk__in=linked) | Q(pk__in=answers_with_part(channel, report.provider_message_ids).values("pk"))
            )
            reason = _("Điện thoại báo không gửi được tin tới người dân (%(reason)s).") % {"reason": report.error or _("không rõ lý do")}
            answers.update(delivery=Message.Delivery.FAILED, delivery_error=reason[:300])
    return len(changed)
