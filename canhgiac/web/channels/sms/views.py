"""The phone's webhook: verify, store, acknowledge; the work happens in a task.

The app retries an event it could not deliver, so this view does the least that makes
the event safe: it checks the signature and its age, stores the event once per event ID
(the message ID it carries is derived from the text and is not unique), queues its
processing, and answers 200.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from canhgiac.web.channels.sms.adapter import EVENTS, seal_numbers
from canhgiac.web.channels.sms.models import SmsGateway
from canhgiac.web.channels.sms.signature import signature_matches
from canhgiac.web.core import storage
from canhgiac.web.core.text import clean_json
from canhgiac.web.core.text import loads as load_json
from canhgiac.web.intake.models import Channel, InboundEvent
from canhgiac.web.tasks.queue import enqueue


def _reject(status: int, code: str) -> JsonResponse:
    return JsonResponse({"error": code}, status=status)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, slug: str) -> HttpResponse:
    gateway = (
        SmsGateway.objects.select_related("channel")
        .filter(channel__slug=slug, channel__kind=Channel.Kind.SMS, channel__active=True)
        .first()
    )
    if gateway is None:
        return _reject(404, "no_such_channel")
    body = request.body  # its size and nesting are bounded already (core/middleware.py)
    timestamp = request.META.get("HTTP_X_TIMESTAMP", "").strip()
    if not signature_matches(request.META.get("HTTP_X_SIGNATURE", ""), gateway.secret("signing_key"), body, timestamp):
        return _reject(401, "bad_signature")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return _reject(400, "bad_timestamp")
    if age > settings.SMS_SIGNATURE_MAX_AGE:
        return _reject(401, "stale")
    try:
        event = load_json(body.decode("utf-8"))
    except (ValueError, RecursionError):  # ValueError: also bad UTF-8, numbers longer than Python converts
        return _reject(400, "bad_json")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not event["id"].strip():
        return _reject(400, "bad_event")
    name = str(event.get("event", ""))
    if name not in EVENTS:
        return JsonResponse({"status": "ignored"})  # system:ping, sms:data-received, mms:...: nothing to keep
    # The signature was checked on the body as sent; what is stored has the number sealed.
    event = seal_numbers(clean_json(event))
    try:
        storage.check_room()
        with storage.guard(), transaction.atomic():
            stored = InboundEvent.objects.create(
                channel=gateway.channel, external_id=event["id"].strip()[:120], event_name=name, payload=event
            )
            enqueue("channel.process_event", {"event_id": stored.pk}, dedupe_key=f"channel.event:{stored.pk}")
    except IntegrityError:
        return JsonResponse({"status": "duplicate"})  # a retry or a replay: already stored
    except storage.StorageFull:
        return _reject(503, "storage_full")  # not stored, so not acknowledged: the phone tries again
    return JsonResponse({"status": "ok"})
