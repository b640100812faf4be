"""Zalo's webhook: verify, store, acknowledge; the work happens in a task.

Zalo expects an answer within about 2 seconds and retries for hours otherwise, then
disables the webhook. So this view does the least that makes the event safe: it checks
the signature and the timestamp, stores the raw event (once per message ID), queues its
processing, and answers 200.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from canhgiac.web.channels.zalo.adapter import DELIVERED, SEEN
from canhgiac.web.channels.zalo.signature import signature_matches
from canhgiac.web.core import storage
from canhgiac.web.core.text import clean_json
from canhgiac.web.core.text import loads as load_json
from canhgiac.web.intake.models import Channel, InboundEvent
from canhgiac.web.tasks.queue import enqueue


def _reject(status: int, code: str) -> JsonResponse:
    return JsonResponse({"error": code}, status=status)


def event_id(event: dict[str, object]) -> str:
    """What makes an event unique: the message ID, or for events without one (follow,
    unfollow, a message seen) the event name, user and timestamp. A delivery event names
    the OA's message, not a citizen's: its name keeps it apart from the message itself."""
    message = event.get("message")
    name = str(event.get("event_name", ""))
    if isinstance(message, dict) and message.get("msg_id"):
        prefix = f"{name}:" if name in (DELIVERED, SEEN) else ""
        return f"{prefix}{message['msg_id']}"[:120]
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    user = sender.get("id", "") if isinstance(sender, dict) else ""
    return f"{name}:{user}:{event.get('timestamp', '')}"[:120]


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, slug: str) -> HttpResponse:
    channel = Channel.objects.filter(slug=slug, kind=Channel.Kind.ZALO, active=True).first()
    if channel is None:
        return _reject(404, "no_such_channel")
    body = request.body  # its size and nesting are bounded already (core/middleware.py)
    try:
        event = load_json(body.decode("utf-8"))
    except (ValueError, RecursionError):  # ValueError: also numbers longer than Python converts
        return _reject(400, "bad_json")
    if not isinstance(event, dict):
        return _reject(400, "bad_event")
    # After the signature check (it is over the raw bytes): what is stored is storable.
    app_id = str(event.get("app_id", ""))
    timestamp = str(event.get("timestamp", ""))
    header = request.META.get("HTTP_X_ZEVENT_SIGNATURE", "")
    if app_id != channel.app_id or not signature_matches(header, app_id, body, timestamp, channel.secret("oa_secret")):
        return _reject(401, "bad_signature")
    try:
        age = abs(time.time() - int(timestamp) / 1000)
    except ValueError:
        return _reject(400, "bad_timestamp")
    if age > settings.ZALO_SIGNATURE_MAX_AGE:
        return _reject(401, "stale")
    event = clean_json(event)
    external_id = event_id(event)
    try:
        storage.check_room()
        with storage.guard(), transaction.atomic():
            stored = InboundEvent.objects.create(
                channel=channel, external_id=external_id, event_name=str(event.get("event_name", ""))[:60], payload=event
            )
            enqueue("channel.process_event", {"event_id": stored.pk}, dedupe_key=f"channel.event:{stored.pk}")
    except IntegrityError:
        return JsonResponse({"status": "duplicate"})  # a retry or a replay: already stored
    except storage.StorageFull:
        return _reject(503, "storage_full")  # not stored, so not acknowledged: Zalo may try again
    return JsonResponse({"status": "ok"})
