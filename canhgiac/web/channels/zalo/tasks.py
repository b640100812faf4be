"""Background work for Zalo: turn stored events into cases, send answers."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from canhgiac.engine.normalize import normalize
from canhgiac.web.bulletins.sending import set_subscription, subscription_command
from canhgiac.web.cases.actions import ActionError, awaiting_confirmation, confirm_answer, receive_message, reporter_for
from canhgiac.web.cases.models import Message, Reporter
from canhgiac.web.channels.zalo.client import ZaloClient, ZaloError, split_text
from canhgiac.web.core.crypto import lookup_hashes
from canhgiac.web.core.db import writing
from canhgiac.web.core.ratelimit import allow
from canhgiac.web.intake.models import Channel, InboundEvent
from canhgiac.web.knowledge.answering import confirmation
from canhgiac.web.tasks.queue import enqueue

log = logging.getLogger("canhgiac.zalo")

MESSAGE_EVENTS = {
    "user_send_text",
    "user_send_image",
    "user_send_file",
    "user_send_location",
    "user_send_link",
    "user_send_sticker",
    "user_send_gif",
    "user_send_audio",
    "user_send_video",
}


# Bulletin commands as people type them, without diacritics or with, politely or not:
# "đăng ký nhận tin cảnh báo", "cho tôi nhận cảnh báo", "hủy nhận tin", "dừng nhận".
# Only a whole short message is a command: "đăng ký xe cần gì" is a question, a tip that
# says "đăng ký" is a tip. "dung" alone is "Đúng" (an answer confirmed), never "dừng".
_WHO = r"(?:(?:cho |xin )?(?:toi|minh|em|tui|chau|con|anh|chi) )?(?:muon |xin |can )?"
_WHAT = r"(?: (?:tin|ban tin|tin nhan|thong bao|tin tuc))?(?: canh bao)?"
_POLITE = r"(?: (?:voi|nhe|nha|a|ah|ak|giup|di|nhen|ha))*"
_SUBSCRIBE = re.compile(
    rf"^{_WHO}(?:(?:dang ky|dangky|dk|subscribe)(?: (?:nhan|theo doi))?{_WHAT}"
    rf"|(?:nhan|theo doi) (?:ban tin|canh bao|tin canh bao|tin nhan canh bao|thong bao canh bao|tin tuc canh bao)){_POLITE}$"
)
_UNSUBSCRIBE = re.compile(
    rf"^{_WHO}(?:huy(?: dang ky)?(?: nhan)?|ngung(?: (?:nhan|dang ky))?|dung (?:nhan|dang ky)|khong (?:muon )?nhan"
    rf"|unsubscribe|stop){_WHAT}(?: nua)?{_POLITE}$"
)


def command(text: str) -> bool | None:
    """True to subscribe to bulletins, False to stop, None for any other message."""
    if len(text) > 80:
        return None
    folded = " ".join(re.sub(r"[^\w ]+", " ", normalize(text).plain).split())
    if _SUBSCRIBE.match(folded):
        return True
    if _UNSUBSCRIBE.match(folded):
        return False
    return subscription_command(text)


def _dict(value: Any) -> dict[str, Any]:
    """Part of an event as a mapping: Zalo's, or {} for anything else (a payload is
    signed by Zalo, but its shape is only as good as their documentation)."""
    return value if isinstance(value, dict) else {}


def _describe(event: dict[str, Any]) -> tuple[str, list[str]]:
    """The text and attachment links of a message event."""
    message = _dict(event.get("message"))
    text = str(message["text"]) if isinstance(message.get("text"), str) else ""
    links: list[str] = []
    attachments = message.get("attachments")
    for item in attachments if isinstance(attachments, list) else []:
        item = _dict(item)
        payload = _dict(item.get("payload"))
        coordinates = _dict(payload.get("coordinates"))
        if item.get("type") == "location" and coordinates:
            text = f"{text}\n[Vị trí người gửi chia sẻ: {coordinates.get('latitude')}, {coordinates.get('longitude')}]".strip()
        elif isinstance(payload.get("url"), str) and payload["url"].startswith(("https://", "http://")):
            links.append(payload["url"][:500])
    if event.get("event_name") == "user_send_sticker" and not text:
        text = "[sticker]"
    return text, links


def process_event(payload: dict[str, Any]) -> None:
    event_row = InboundEvent.objects.select_related("channel", "channel__unit").get(pk=payload["event_id"])
    if event_row.processed is not None:
        return
    event = event_row.payload
    name = event_row.event_name
    who = _dict(event.get("sender")) if name not in ("follow", "unfollow") else _dict(event.get("follower")) or _dict(event.get("sender"))
    sender = str(who.get("id") or "")[:64]
    channel = event_row.channel
    error = ""
    if name in MESSAGE_EVENTS and sender:
        if not allow("zalo-user", f"{channel.pk}:{sender}", settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW):
            error = "rate_limited"
        else:
            text, links = _describe(event)
            wanted = command(text) if name == "user_send_text" else None
            if wanted is not None:
                # "ĐĂNG KÝ" / "HỦY" is a request about bulletins, not a tip: no case is opened.
                _subscribe(channel, sender, wanted, event_row)
            else:
                # "Đúng" / "Chưa đúng" after an automatic answer is the citizen's word on
                # it, not a new message to analyse.
                right = confirmation(text) if name == "user_send_text" else None
                awaiting = awaiting_confirmation(channel, sender) if right is not None else None
                if right is not None and awaiting is not None:
                    confirm_answer(awaiting, right, by=f"channel:{channel.slug}", text=text, external_id=event_row.external_id)
                else:
                    try:
                        receive_message(
                            channel=channel, text=text, channel_user_id=sender, external_id=event_row.external_id, remote_attachments=links
                        )
                    except ActionError as exc:
                        error = str(exc)
    elif name == "follow" and sender:
        # Following the Official Account is the person's own request to hear from it.
        _subscribe(channel, sender, True, None)
    elif name == "unfollow" and sender:
        user_hashes = lookup_hashes(f"{channel.kind}:{channel.pk}", sender)  # under every key: stable across rotation
        Reporter.objects.filter(channel=channel, channel_user_hash__in=user_hashes).update(subscribed=False)
    InboundEvent.objects.filter(pk=event_row.pk, processed__isnull=True).update(processed=timezone.now(), error=error)


def _subscribe(channel: Channel, sender: str, subscribed: bool, event_row: InboundEvent | None) -> None:
    with writing(), transaction.atomic():
        reporter = reporter_for(channel, sender, "", timezone.now())
        confirmation = set_subscription(reporter, subscribed)
        if event_row is not None:  # a follow needs no answer; a command does
            enqueue(
                "zalo.send_text",
                {"reporter_id": reporter.pk, "text": confirmation, "reply_to": event_row.external_id},
                dedupe_key=f"zalo.send_text:{event_row.pk}",
            )


def send_text(payload: dict[str, Any]) -> None:
    """A short answer outside any case (a subscription confirmed)."""
    reporter = Reporter.objects.select_related("channel").get(pk=payload["reporter_id"])
    ZaloClient(reporter.channel).send_text(reporter.channel_user_id(), payload["text"], payload.get("reply_to", ""))


UNCERTAIN = (
    "Máy chủ dừng giữa lúc gửi phần {part}: không rõ người dân đã nhận chưa. Không gửi lại để tránh gửi hai lần; "
    "hãy hỏi lại người dân hoặc gửi lại nếu cần."
)


def send_message(payload: dict[str, Any]) -> None:
    """Deliver an answer, in parts of at most 2,000 characters, never one twice.

    Each part is claimed before the call and recorded as sent after it. A Zalo error
    (refused, 5xx, timeout) gives the claim back and the task retries. A claim left over
    means the process died during the call, so Zalo may have the part: it is not sent
    again, and the officer sees why on the case."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("case__reporter", "case__channel").get(pk=payload["message_id"])
        if message.delivery in (Message.Delivery.SENT, Message.Delivery.FAILED):
            return
        if message.parts_claimed > message.parts_sent:
            Message.objects.filter(pk=message.pk).update(
                delivery=Message.Delivery.FAILED, delivery_error=UNCERTAIN.format(part=message.parts_claimed)[:300]
            )
            return
    parts = split_text(message.body)
    channel = message.case.channel
    user_id = message.case.reporter.channel_user_id()
    client = ZaloClient(channel)
    sent = message.parts_sent
    try:
        while sent < len(parts):
            Message.objects.filter(pk=message.pk).update(parts_claimed=sent + 1)
            client.send_text(user_id, parts[sent], payload.get("reply_to", "") if sent == 0 else "")
            sent += 1
            Message.objects.filter(pk=message.pk).update(parts_sent=sent)
    except ZaloError as exc:
        Message.objects.filter(pk=message.pk).update(parts_claimed=sent, delivery_error=str(exc)[:300])
        from canhgiac.web.tasks.models import Task

        task = Task.objects.filter(dedupe_key=f"zalo.send:{message.pk}").first()
        if task is not None and task.attempts >= task.max_attempts:
            Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.FAILED)
        raise
    Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.SENT, delivery_error="")
