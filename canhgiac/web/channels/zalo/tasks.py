"""Background work for Zalo: turn stored events into cases, send answers."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from canhgiac.web.cases.actions import ActionError, receive_message
from canhgiac.web.cases.models import Message, Reporter
from canhgiac.web.channels.zalo.client import ZaloClient, ZaloError, split_text
from canhgiac.web.core.crypto import lookup_hash
from canhgiac.web.core.ratelimit import allow
from canhgiac.web.intake.models import InboundEvent

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


def _describe(event: dict[str, Any]) -> tuple[str, list[str]]:
    """The text and attachment links of a message event."""
    message = event.get("message") or {}
    text = str(message.get("text") or "")
    links: list[str] = []
    for item in message.get("attachments") or []:
        payload = item.get("payload") or {}
        if item.get("type") == "location" and payload.get("coordinates"):
            c = payload["coordinates"]
            text = f"{text}\n[Vị trí người gửi chia sẻ: {c.get('latitude')}, {c.get('longitude')}]".strip()
        elif payload.get("url"):
            links.append(str(payload["url"]))
    if event.get("event_name") == "user_send_sticker" and not text:
        text = "[sticker]"
    return text, links


def process_event(payload: dict[str, Any]) -> None:
    event_row = InboundEvent.objects.select_related("channel", "channel__unit").get(pk=payload["event_id"])
    if event_row.processed is not None:
        return
    event = event_row.payload
    name = event_row.event_name
    sender = (
        str((event.get("sender") or {}).get("id", ""))
        if name not in ("follow", "unfollow")
        else str((event.get("follower") or event.get("sender") or {}).get("id", ""))
    )
    channel = event_row.channel
    error = ""
    if name in MESSAGE_EVENTS and sender:
        if not allow("zalo-user", f"{channel.pk}:{sender}", settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW):
            error = "rate_limited"
        else:
            text, links = _describe(event)
            try:
                receive_message(
                    channel=channel, text=text, channel_user_id=sender, external_id=event_row.external_id, remote_attachments=links
                )
            except ActionError as exc:
                error = str(exc)
    elif name in ("follow", "unfollow") and sender:
        user_hash = lookup_hash(f"{channel.kind}:{channel.pk}", sender)
        Reporter.objects.filter(channel=channel, channel_user_hash=user_hash).update(subscribed=name == "follow")
    InboundEvent.objects.filter(pk=event_row.pk, processed__isnull=True).update(processed=timezone.now(), error=error)


def send_message(payload: dict[str, Any]) -> None:
    """Deliver an answer, in parts of at most 2,000 characters. Parts already sent are
    remembered, so a retry after a failure or a crash never sends a part twice."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("case__reporter", "case__channel").get(pk=payload["message_id"])
        if message.delivery == Message.Delivery.SENT:
            return
    parts = split_text(message.body)
    channel = message.case.channel
    user_id = message.case.reporter.channel_user_id()
    client = ZaloClient(channel)
    sent = message.parts_sent
    try:
        while sent < len(parts):
            client.send_text(user_id, parts[sent], payload.get("reply_to", "") if sent == 0 else "")
            sent += 1
            Message.objects.filter(pk=message.pk).update(parts_sent=sent)
    except ZaloError as exc:
        Message.objects.filter(pk=message.pk).update(delivery_error=str(exc)[:300])
        from canhgiac.web.tasks.models import Task

        task = Task.objects.filter(dedupe_key=f"zalo.send:{message.pk}").first()
        if task is not None and task.attempts >= task.max_attempts:
            Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.FAILED)
        raise
    Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.SENT, delivery_error="")
