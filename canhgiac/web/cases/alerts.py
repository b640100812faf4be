"""Urgent tips reach the officers who asked for them, as a message from the Official
Account they linked their own Zalo account through (canhgiac/web/accounts/actions.py).

Who: officers with a linked account and alerts on, active, and allowed to see the case
(``User.visible_unit_ids``, the console's one rule: a commune its own tips, a district
its communes'). What: the reference, the category, the first line and a link to the case;
never who sent it. The message leaves our hands for the provider's servers, where
retention cannot delete it, so numbers, links and names are taken out of the line too:
the officer reads the rest in the console.

Sent through the task queue and the channel's adapter like every answer: one task per
case and officer (its dedupe key), and one ``UrgentAlert`` claimed before the send, so
that a task run twice still sends once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, name
from canhgiac.web.accounts.models import OfficerChat, UrgentAlert, User
from canhgiac.web.cases.models import Case
from canhgiac.web.channels.base import SendError, adapter_for
from canhgiac.web.core.crypto import unseal
from canhgiac.web.core.db import writing
from canhgiac.web.knowledge.redaction import redact
from canhgiac.web.tasks.queue import enqueue

log = logging.getLogger("canhgiac.alerts")

TASK = "cases.urgent_alert"
PREVIEW = 120


def _may_alert(chat: OfficerChat, case: Case) -> bool:
    user = chat.user
    return chat.linked and chat.urgent_alerts and user.is_active and case.unit_id in user.visible_unit_ids()


def recipients(case: Case, *, exclude: User | None = None) -> list[OfficerChat]:
    """The linked chats an urgent ``case`` goes to. Only people of the case's unit or of
    a unit above it can see it, so only they are looked at."""
    chats = (
        OfficerChat.objects.filter(
            verified_at__isnull=False,
            channel__active=True,
            urgent_alerts=True,
            user__is_active=True,
            user__unit_id__in=case.unit.ancestor_ids(),
        )
        .exclude(chat_user_sealed="")
        .select_related("user", "channel")
        .order_by("pk")
    )
    return [chat for chat in chats if _may_alert(chat, case) and (exclude is None or chat.user_id != exclude.pk)]


def first_line(case: Case) -> str:
    """The tip's first line, without numbers, links or names, at most PREVIEW characters."""
    lines = [line.strip() for line in case.preview.splitlines() if line.strip()]
    line = redact(lines[0]) if lines else ""
    if not line:
        return "(Không có nội dung chữ)"
    return line if len(line) <= PREVIEW else line[: PREVIEW - 1].rstrip() + "…"


def text(case: Case) -> str:
    """The alert as the officer reads it on Zalo (in Vietnamese, as the console's default)."""
    what = name(CATEGORY_NAMES, case.category) if case.category else name(INTENT_NAMES, case.intent)
    link = settings.SITE_URL.rstrip("/") + reverse("cases:case", args=[case.reference])
    return f"TIN KHẨN CẤP {case.reference} · {what}\n{first_line(case)}\nMở tin: {link}"


def enqueue_urgent(case: Case, *, exclude: User | None = None) -> int:
    """Queue the alerts of an urgent case, in the caller's transaction (they go out only
    if the case is committed); ``exclude`` is the officer who made it urgent, who knows.
    Returns how many were queued (a case and officer already queued is not again)."""
    queued = 0
    for chat in recipients(case, exclude=exclude):
        task = enqueue(TASK, {"case_id": case.pk, "user_id": chat.user_id}, dedupe_key=f"{TASK}:{case.pk}:{chat.user_id}")
        queued += task is not None
    return queued


def _last_try(case_id: int, user_id: int) -> bool:
    from canhgiac.web.tasks.models import Task

    task = Task.objects.filter(dedupe_key=f"{TASK}:{case_id}:{user_id}").first()
    return task is not None and task.attempts >= task.max_attempts


def send(payload: dict[str, Any]) -> None:
    """The task ``cases.urgent_alert``. Who may receive it is asked again now: an officer
    deactivated, unlinked or moved since it was queued gets nothing, nor does anyone for a
    case no longer urgent (an officer corrected it) or deleted."""
    case_id, user_id = int(payload["case_id"]), int(payload["user_id"])
    case = Case.objects.select_related("unit").filter(pk=case_id).first()
    chat = OfficerChat.objects.select_related("user", "channel").filter(user_id=user_id).first()
    if case is None or chat is None or not case.urgent or not _may_alert(chat, case) or chat.channel is None:
        return
    with writing():
        alert, claimed = UrgentAlert.objects.get_or_create(user_id=user_id, case_id=case_id)
    if not claimed:
        return  # sent, failed for good, or the process died during the send: never twice
    channel = chat.channel
    adapter = adapter_for(channel.kind)
    if adapter is None or not adapter.pushes:
        UrgentAlert.objects.filter(pk=alert.pk).update(state=UrgentAlert.State.FAILED, error="channel does not send")
        return
    try:
        sent = adapter.send_text(channel, unseal(chat.chat_user_sealed), text(case))
    except SendError as exc:
        if exc.permanent or _last_try(case_id, user_id):
            UrgentAlert.objects.filter(pk=alert.pk).update(state=UrgentAlert.State.FAILED, error=str(exc)[:300])
            log.info("urgent alert of case %s to user %s not sent: %s", case_id, user_id, exc)
            if exc.permanent:
                return
        else:
            alert.delete()  # not taken: the claim is given back, and the retry sends it
        raise
    ids = sent.provider_message_ids
    UrgentAlert.objects.filter(pk=alert.pk).update(
        state=UrgentAlert.State.SENT, sent_at=timezone.now(), provider_id=ids[0] if ids else "", error=""
    )
