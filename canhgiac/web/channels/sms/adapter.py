"""SMS through an Android phone at the office (SMS Gateway for Android) as a channel
(canhgiac/web/channels/base.py). It has no path of its own beyond the webhook:
- Incoming: the webhook (views.py) stores each event and enqueues
  ``channel.process_event``, which calls ``parse``, then the generic actions with the
  number as the channel identity, and for delivery reports ``apply_report`` (the send
  rows, ``SmsOutbound``) before the generic marking of answers and bulletins.
- Outgoing: ``channel.send`` / ``channel.send_text`` / ``bulletin.deliver`` call
  ``send_text`` with a key per part (the phone refuses a second message of one ID);
  over the unit's daily cap the send raises OverCap (``resume_at``: it waits until
  then), with the phone offline a SendError that ``waits`` (retried, never given up).
- Cost: ``cost`` (parts) for the bulletin confirmation and the reply form.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from canhgiac.web.channels.base import DeliveryReport, DeliveryState, Inbound, Parsed, Quote, SendError, Sent
from canhgiac.web.channels.sms import actions, numbers, parts
from canhgiac.web.channels.sms.models import SmsGateway
from canhgiac.web.core.crypto import seal, unseal

if TYPE_CHECKING:
    from canhgiac.web.intake.models import Channel, InboundEvent

RECEIVED = "sms:received"
# The phone number in a stored event, sealed (core/crypto): the webhook takes the number
# fields out of the event before storing it (``seal_numbers``), so that a citizen's
# number is never at rest in the clear, in the table or in its backups.
NUMBER_SEALED = "number_sealed"
# Where the app puts a number: "sender" (received, current versions), "phoneNumber"
# (older versions, and reports), "recipient" (reports).
NUMBER_FIELDS = ("sender", "phoneNumber", "recipient")
REPORTS: dict[str, DeliveryState] = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}
EVENTS = frozenset({RECEIVED, *REPORTS})
MAX_TEXT = 670  # ten parts with accents, five without: longer answers go in several sends


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any, limit: int = 500) -> str:
    return str(value)[:limit] if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _when(value: Any) -> datetime | None:
    """The phone's time of an event ("2026-11-30T15:04:05.000+07:00"), if it parses."""
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def seal_numbers(event: dict[str, Any]) -> dict[str, Any]:
    """The event as it may be stored: its number fields replaced by one sealed value."""
    payload = event.get("payload")
    if not isinstance(payload, dict):
        return event
    payload = dict(payload)
    found = [_str(payload.pop(name, None), 40) for name in NUMBER_FIELDS]
    number = next((n for n in found if n), "")
    if number:
        payload[NUMBER_SEALED] = seal(number)
    return {**event, "payload": payload}


def _sender(payload: dict[str, Any]) -> str:
    sealed = payload.get(NUMBER_SEALED)
    if isinstance(sealed, str) and sealed:
        return numbers.normalise(unseal(sealed))
    # An event stored before numbers were sealed.
    return numbers.normalise(_str(payload.get("sender"), 40) or _str(payload.get("phoneNumber"), 40))


class SmsAdapter:
    kind = "sms"
    pushes = True
    max_text = MAX_TEXT
    limits_broadcasts = False  # the unit's daily cap is the limit
    sends_images = False  # text only: the gateway's send API offers no MMS

    def parse(self, event: InboundEvent) -> Parsed:
        payload = _dict(_dict(event.payload).get("payload"))
        if event.event_name == RECEIVED:
            sender = _sender(payload)
            if not sender:
                return None
            text = payload.get("message")
            return Inbound(
                event_id=event.external_id,
                sender=sender,
                text=text if isinstance(text, str) else "",
                received_at=_when(payload.get("receivedAt")),
            )
        state = REPORTS.get(event.event_name)
        message_id = _str(payload.get("messageId"), 36)
        if state is None or not message_id:
            return None
        at = _when(payload.get("deliveredAt") or payload.get("failedAt") or payload.get("sentAt"))
        return DeliveryReport((message_id,), state, at, _str(payload.get("reason"), 300) if state == "failed" else "")

    def send_text(
        self, channel: Channel, recipient: str, text: str, *, reply_to: str = "", key: str = "", plain: bool | None = None
    ) -> Sent:
        """An SMS has no thread to reply in: ``reply_to`` only tells this send from
        another of the same text. ``key`` makes a retried send the same message to the
        phone (without one, the same text to the same number in answer to the same
        message is); ``plain`` chooses the form without diacritics (None: the unit's
        rule for long texts)."""
        return actions.send(channel, recipient, text, key=key, reply_to=reply_to, plain=plain)

    def send_image(self, channel: Channel, recipient: str, image: bytes, mime: str, *, caption: str = "") -> Sent:
        # SMS carries text only (MMS is not offered by the gateway's send API): the caption
        # goes, the image cannot.
        if not caption:
            raise SendError(_("SMS không gửi được ảnh."), permanent=True)
        return actions.send(channel, recipient, caption)

    def cost(self, text: str) -> int:
        return parts.parts(text)

    def quote(self, channel: Channel, text: str) -> Quote | None:
        gateway = SmsGateway.objects.filter(channel=channel).first()
        if gateway is None:
            return None  # not paired with a phone: nothing can go, and the send says why
        return Quote(
            parts=parts.parts(text),
            plain_parts=parts.parts(parts.plain(text)),
            sends_plain=actions.prepare(gateway, text).text != text,
            daily_cap=gateway.daily_cap,
            used_today=actions.used_today(channel.unit_id),
            resume_at=actions.next_day(),
            plain_text=parts.plain(text),
        )

    def apply_report(self, channel: Channel, report: DeliveryReport) -> None:
        actions.apply_report(channel, report)


ADAPTER = SmsAdapter()
