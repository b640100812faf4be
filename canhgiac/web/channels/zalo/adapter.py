"""Zalo as a channel (canhgiac/web/channels/base.py): what its events mean, how to send.

Event names and shapes from ../shared/ZALO.md: a citizen's message (``user_send_*``,
``anonymous_send_text``), follow / unfollow, and the delivery events in which the OA is
the sender and the user the recipient (``user_received_message``: one ``msg_id``
delivered; ``user_seen_message``: ``msg_ids`` read).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from canhgiac.web.channels.base import DeliveryReport, Inbound, InboundAttachment, Parsed, Quote, SendError, Sent, Subscription
from canhgiac.web.channels.zalo.client import MAX_TEXT, ZaloClient, ZaloError
from canhgiac.web.intake import health

if TYPE_CHECKING:
    from canhgiac.web.intake.models import Channel, InboundEvent

MESSAGE_EVENTS = frozenset(
    {
        "user_send_text",
        "anonymous_send_text",
        "user_send_image",
        "user_send_file",
        "user_send_location",
        "user_send_link",
        "user_send_sticker",
        "user_send_gif",
        "user_send_audio",
        "user_send_video",
    }
)
DELIVERED = "user_received_message"
SEEN = "user_seen_message"
# Attachment types as Zalo names them, as the generic side keeps them: a gif is noted like
# a sticker, never stored.
KINDS = {"image": "image", "audio": "audio", "voice": "audio", "video": "video", "file": "file", "sticker": "sticker", "gif": "sticker"}
_URL_PREFIXES = ("https://", "http://")


def _dict(value: Any) -> dict[str, Any]:
    """Part of an event as a mapping: Zalo's, or {} for anything else (a payload is
    signed by Zalo, but its shape is only as good as their documentation)."""
    return value if isinstance(value, dict) else {}


def _str(value: Any, limit: int = 500) -> str:
    return str(value)[:limit] if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _size(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _when(event: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(event.get("timestamp", "")) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _coordinates(payload: dict[str, Any]) -> tuple[float, float] | None:
    coordinates = _dict(payload.get("coordinates"))
    try:
        latitude, longitude = float(coordinates["latitude"]), float(coordinates["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def inbound(event: dict[str, Any], event_id: str) -> Inbound | None:
    """A citizen's message event as an Inbound: text, attachments, location."""
    sender = _str(_dict(event.get("sender")).get("id"), 64)
    if not sender:
        return None
    message = _dict(event.get("message"))
    lines = [message["text"]] if isinstance(message.get("text"), str) and message["text"].strip() else []
    attachments: list[InboundAttachment] = []
    location = None
    items = message.get("attachments")
    for item in items if isinstance(items, list) else []:
        item = _dict(item)
        kind, payload = _str(item.get("type"), 20), _dict(item.get("payload"))
        url = _str(payload.get("url"))
        if kind == "location":
            location = _coordinates(payload) or location
        elif kind == "link":
            # A link the citizen shares is what a scam check is about: it is read as text,
            # so the engine sees the address.
            title = _str(payload.get("title") or payload.get("description"), 300)
            lines.extend(part for part in (title, url) if part and part not in lines)
        elif kind in KINDS and (url.startswith(_URL_PREFIXES) or KINDS[kind] == "sticker"):
            attachments.append(
                InboundAttachment(
                    kind=KINDS[kind],  # type: ignore[arg-type]
                    url=url if url.startswith(_URL_PREFIXES) else "",
                    name=_str(payload.get("name"), 200),
                    mime=_str(payload.get("type") if kind == "file" else "", 100),
                    size=_size(payload.get("size")),
                )
            )
    if event.get("event_name") in ("user_send_sticker", "user_send_gif") and not attachments:
        attachments.append(InboundAttachment(kind="sticker"))
    return Inbound(
        event_id=event_id,
        sender=sender,
        text="\n".join(lines),
        attachments=tuple(attachments),
        location=location,
        quoted_message_id=_str(message.get("quote_msg_id"), 120),
        received_at=_when(event),
    )


def delivery(event: dict[str, Any], name: str) -> DeliveryReport | None:
    message = _dict(event.get("message"))
    if name == DELIVERED:
        ids = [_str(message.get("msg_id"), 120)]
    else:
        listed = message.get("msg_ids")
        ids = [_str(i, 120) for i in listed] if isinstance(listed, list) else [_str(message.get("msg_id"), 120)]
    ids = [i for i in ids if i]
    if not ids:
        return None
    return DeliveryReport(tuple(ids[:500]), "delivered" if name == DELIVERED else "read", at=_when(event))


class ZaloAdapter:
    kind = "zalo"
    pushes = True
    max_text = MAX_TEXT
    limits_broadcasts = True
    sends_images = True

    def parse(self, event: InboundEvent) -> Parsed:
        payload, name = _dict(event.payload), event.event_name
        if name in MESSAGE_EVENTS:
            return inbound(payload, event.external_id)
        if name in (DELIVERED, SEEN):
            return delivery(payload, name)
        if name in ("follow", "unfollow"):
            who = _dict(payload.get("follower")) or _dict(payload.get("sender"))
            sender = _str(who.get("id"), 64)
            return Subscription(sender, name == "follow", event.external_id) if sender else None
        return None

    def send_text(
        self, channel: Channel, recipient: str, text: str, *, reply_to: str = "", key: str = "", plain: bool | None = None
    ) -> Sent:
        # Zalo takes no ID of ours and charges nothing by length: ``key`` and ``plain`` mean nothing here.
        try:
            return Sent((ZaloClient(channel).send_text(recipient, text, reply_to),))
        except ZaloError as exc:
            raise _send_error(exc) from exc

    def send_image(self, channel: Channel, recipient: str, image: bytes, mime: str, *, caption: str = "") -> Sent:
        try:
            return Sent((ZaloClient(channel).send_image(recipient, image, mime, caption[:MAX_TEXT]),))
        except ZaloError as exc:
            raise _send_error(exc) from exc

    def cost(self, text: str) -> int:
        return 1

    def quote(self, channel: Channel, text: str) -> Quote | None:
        return None  # Zalo charges nothing by the message

    def apply_report(self, channel: Channel, report: DeliveryReport) -> None:
        return None  # Zalo's reports are about answers and bulletins only: the generic side applies them


def _send_error(exc: ZaloError) -> SendError:
    # A person who blocked the account or has not written within Zalo's window cannot be
    # reached by retrying.
    return SendError(str(exc), code=exc.code, permanent=exc.code in health.RECIPIENT_ERRORS)


ADAPTER = ZaloAdapter()
