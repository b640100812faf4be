"""An officer's link code arriving through a chat channel: recognised before the message
could become a case, answered, and sent like every other answer (through the channel's
adapter, from the task queue).

The codes are six digits, so guessing is slowed here: a chat user has a few tries every
15 minutes, and a channel a few dozen (many accounts guessing together).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from django.utils import timezone

from canhgiac.web.accounts import actions
from canhgiac.web.channels.base import Inbound, SendError, adapter_for
from canhgiac.web.core.crypto import seal, unseal
from canhgiac.web.core.ratelimit import allow, refund
from canhgiac.web.intake.models import Channel
from canhgiac.web.tasks.queue import enqueue

log = logging.getLogger("canhgiac.accounts")

# "LK 123456", "lk123456", "LK: 123 456", "LK-123456": the whole message, nothing else.
_CODE = re.compile(r"^\s*lk[\s:.#-]*(\d{3})[\s.-]?(\d{3})\s*[.!]?\s*$", re.IGNORECASE)
TRIES_PER_USER = 5
TRIES_PER_CHANNEL = 50
WINDOW = 900

LINKED = (
    "Đã liên kết tài khoản Zalo này với tài khoản cán bộ của bạn trên Cảnh Giác. "
    "Tin khẩn cấp của đơn vị sẽ được gửi tới bạn qua đây; bạn có thể tắt trong trang Tài khoản của tôi."
)
WRONG = "Mã liên kết không đúng hoặc đã hết hạn. Hãy tạo mã mới trong trang Tài khoản của tôi trên Cảnh Giác rồi nhắn lại."
TOO_MANY = "Bạn đã nhập sai mã liên kết quá nhiều lần. Hãy thử lại sau 15 phút."


def link_code(text: str) -> str | None:
    """The six digits of a message that is a link code, or None."""
    match = _CODE.match(unicodedata.normalize("NFKC", text)) if len(text) < 40 else None
    return match.group(1) + match.group(2) if match else None


def answer_link_code(channel: Channel, message: Inbound) -> bool:
    """If ``message`` is a link code, link (or refuse) and answer it; True when it was one,
    so that it opens no case."""
    code = link_code(message.text) if channel.kind in actions.CHAT_KINDS else None
    if code is None:
        return False
    user_key = f"{channel.pk}:{message.sender}"
    if not allow("chat-link-user", user_key, TRIES_PER_USER, WINDOW) or not allow(
        "chat-link-channel", str(channel.pk), TRIES_PER_CHANNEL, WINDOW
    ):
        _reply(channel, message, TOO_MANY)
        return True
    chat = actions.confirm_link(channel, message.sender, code, timezone.now())
    if chat is None:
        _reply(channel, message, WRONG)
        return True
    # A right code is not a guess: the tries go back.
    refund("chat-link-user", user_key)
    refund("chat-link-channel", str(channel.pk))
    _reply(channel, message, LINKED)
    return True


def _reply(channel: Channel, message: Inbound, text: str) -> None:
    # The recipient is sealed in the task's payload: a chat user ID is never stored in the clear.
    enqueue(
        "accounts.chat_reply",
        {"channel_id": channel.pk, "to": seal(message.sender), "text": text, "reply_to": message.event_id},
        dedupe_key=f"accounts.chat_reply:{channel.pk}:{message.event_id}",
    )


def send_reply(payload: dict[str, Any]) -> None:
    """The task ``accounts.chat_reply``: the answer to a link code."""
    channel = Channel.objects.get(pk=payload["channel_id"])
    adapter = adapter_for(channel.kind)
    if adapter is None or not adapter.pushes:
        return
    try:
        adapter.send_text(channel, unseal(payload["to"]), payload["text"], reply_to=payload.get("reply_to", ""))
    except SendError as exc:
        if not exc.permanent:
            raise
        log.info("answer to a link code on channel %s not sent: %s", channel.pk, exc)
