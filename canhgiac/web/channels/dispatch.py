"""What happens to a channel's events and answers, whatever the channel: the background
tasks behind every adapter (canhgiac/web/channels/base.py).

``process_event``: a stored webhook event, parsed by its channel's adapter, becomes a
citizen's message (its photos and files fetched from the provider now, while the links
last), a subscription, or a delivery report. ``send_message`` and ``send_text``: answers
go out through the adapter, each part once under its own key, and the provider's ids are
kept for the delivery reports that name them. A send over a daily cap waits for the time
the adapter gives, and one whose provider is out of reach (the office phone off) is
retried with backoff: neither is ever given up.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from canhgiac.engine.normalize import normalize
from canhgiac.web.accounts.chats import answer_link_code
from canhgiac.web.bulletins import sending as bulletins
from canhgiac.web.cases import actions
from canhgiac.web.cases.models import Message, Reporter
from canhgiac.web.channels.base import DeliveryReport, Inbound, InboundAttachment, SendError, Subscription, adapter_for
from canhgiac.web.core.crypto import lookup_hashes
from canhgiac.web.core.db import writing
from canhgiac.web.core.images import ImageRejected, clean_image
from canhgiac.web.core.ratelimit import allow
from canhgiac.web.intake.models import Channel, InboundEvent
from canhgiac.web.knowledge.answering import confirmation
from canhgiac.web.tasks.queue import Retry, enqueue

log = logging.getLogger("canhgiac.channels")

DOWNLOAD_TIMEOUT = 20
# What each kind of attachment is called in the line a case shows about it.
WHAT = {"image": "ảnh", "audio": "đoạn ghi âm", "video": "đoạn video", "file": "tệp"}


def split_text(text: str, limit: int) -> list[str]:
    """Split a long answer into messages a channel accepts, at line or word breaks."""
    text = text.strip()
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


# ----------------------------------------------------------------- bulletin commands

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
    return bulletins.subscription_command(text)


# ---------------------------------------------------------------------------- incoming


def process_event(payload: dict[str, Any]) -> None:
    """The task ``channel.process_event``: one stored event, once."""
    row = InboundEvent.objects.select_related("channel", "channel__unit").get(pk=payload["event_id"])
    if row.processed is not None:
        return
    channel = row.channel
    adapter = adapter_for(channel.kind)
    parsed = adapter.parse(row) if adapter is not None else None
    error = ""
    if isinstance(parsed, Inbound):
        error = _inbound(channel, parsed)
    elif isinstance(parsed, Subscription):
        _subscription(channel, parsed)
    elif isinstance(parsed, DeliveryReport) and adapter is not None:
        with writing():
            adapter.apply_report(channel, parsed)  # the channel's own rows first (SMS sends)
            actions.apply_delivery_report(channel, parsed)
            bulletins.apply_delivery_report(channel, parsed)
    InboundEvent.objects.filter(pk=row.pk, processed__isnull=True).update(processed=timezone.now(), error=error)


def _inbound(channel: Channel, message: Inbound) -> str:
    """A citizen's message: a bulletin command, their word on an automatic answer, or a
    message for a case. Returns what went wrong, for the event's row."""
    if not allow(f"{channel.kind}-user", f"{channel.pk}:{message.sender}", settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW):
        return "rate_limited"
    text_only = not message.attachments and message.location is None
    if text_only and answer_link_code(channel, message):
        return ""  # "LK 123456": an officer linking their own account, not a tip
    wanted = command(message.text) if text_only else None
    if wanted is not None:
        # "ĐĂNG KÝ" / "HỦY" is a request about bulletins, not a tip: no case is opened.
        _subscribe(channel, message.sender, wanted, reply_to=message.event_id)
        return ""
    # "Đúng" / "Chưa đúng" after an automatic answer is the citizen's word on it, not a
    # new message to analyse.
    right = confirmation(message.text) if text_only else None
    awaiting = actions.awaiting_confirmation(channel, message.sender) if right is not None else None
    if right is not None and awaiting is not None:
        actions.confirm_answer(awaiting, right, by=f"channel:{channel.slug}", text=message.text, external_id=message.event_id)
        return ""
    fetched = fetch_attachments(channel, message.attachments)
    try:
        actions.receive_message(
            channel=channel,
            text=message.text,
            channel_user_id=message.sender,
            external_id=message.event_id,
            photos=fetched.photos,
            files=fetched.files,
            notices=fetched.notices,
            location=message.location,
        )
    except actions.ActionError as exc:
        return str(exc)
    return ""


def _subscription(channel: Channel, event: Subscription) -> None:
    if event.subscribed:
        # Following the channel is the person's own request to hear from it; it needs no answer.
        _subscribe(channel, event.sender, True, reply_to=None)
        return
    user_hashes = lookup_hashes(f"{channel.kind}:{channel.pk}", event.sender)  # under every key: stable across rotation
    Reporter.objects.filter(channel=channel, channel_user_hash__in=user_hashes).update(subscribed=False)


def _subscribe(channel: Channel, sender: str, subscribed: bool, *, reply_to: str | None) -> None:
    with writing(), transaction.atomic():
        reporter = actions.reporter_for(channel, sender, "", timezone.now())
        answer = bulletins.set_subscription(reporter, subscribed)
        if reply_to is not None:  # a command is answered, a follow is not
            enqueue(
                "channel.send_text",
                {"reporter_id": reporter.pk, "text": answer, "reply_to": reply_to},
                dedupe_key=f"channel.send_text:{channel.pk}:{reply_to}",
            )


# ------------------------------------------------------------------------ attachments


@dataclass
class Fetched:
    photos: list[actions.Photo]
    files: list[actions.StoredFile]
    notices: list[str]
    """Lines for the case about what was sent and not kept, and why (in Vietnamese)."""


class DownloadFailed(Exception):
    pass


class TooLarge(Exception):
    pass


def download(url: str, limit: int) -> tuple[bytes, str]:
    """The file at ``url`` (its bytes and declared type), at most ``limit`` bytes."""
    if not url.startswith(("https://", "http://")):
        raise DownloadFailed("không có đường dẫn")
    request = urllib.request.Request(url, headers={"User-Agent": "canhgiac"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
            data: bytes = response.read(limit + 1)
            mime = str(response.headers.get_content_type() or "")
    except urllib.error.HTTPError as exc:
        reason = "đường dẫn đã hết hạn" if exc.code in (403, 404, 410) else f"máy chủ trả lỗi HTTP {exc.code}"
        raise DownloadFailed(reason) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, ValueError) as exc:
        raise DownloadFailed("không kết nối được") from exc
    if len(data) > limit:
        raise TooLarge
    return data, mime


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " MB"


def fetch_attachments(channel: Channel, attachments: tuple[InboundAttachment, ...]) -> Fetched:
    """Photos and files fetched from the provider now, as evidence: its links do not last.
    Photos go through the same checks and re-encoding as the web form's (EXIF stripped);
    recordings, videos and files are kept up to a size limit. What is not kept is said."""
    fetched = Fetched([], [], [])
    source = channel.get_kind_display()
    photo_limit, file_limit = settings.CANHGIAC_MAX_PHOTO_BYTES, settings.CANHGIAC_MAX_CHANNEL_FILE_BYTES
    for item in attachments:
        if item.kind in ("sticker", "link"):
            if item.kind == "sticker":
                fetched.notices.append("[Người dân gửi một nhãn dán (sticker); nhãn dán không được lưu.]")
            continue
        what = WHAT[item.kind]
        limit = photo_limit if item.kind == "image" else file_limit
        if item.size is not None and item.size > limit:
            fetched.notices.append(f"[Không lưu {what} người dân gửi ({_megabytes(item.size)}): lớn hơn giới hạn {_megabytes(limit)}.]")
            continue
        try:
            data, mime = (item.content, item.mime) if item.content else download(item.url, limit)
        except TooLarge:
            fetched.notices.append(f"[Không lưu {what} người dân gửi: lớn hơn giới hạn {_megabytes(limit)}.]")
            continue
        except DownloadFailed as exc:
            fetched.notices.append(f"[Không tải được {what} người dân gửi qua {source}: {exc}.]")
            continue
        if item.kind == "image":
            try:
                fetched.photos.append(actions.Photo(clean_image(data, limit)))
            except ImageRejected as exc:
                fetched.notices.append(f"[Không lưu {what} người dân gửi: {exc}]")
            continue
        fetched.files.append(actions.StoredFile(data, _mime(item, mime), item.name))
    return fetched


def _mime(item: InboundAttachment, served: str) -> str:
    """The type a file is kept as: what the provider said, within reason."""
    for mime in (item.mime, served):
        if re.fullmatch(r"[a-z]+/[a-z0-9.+-]{1,40}", mime or "") and mime != "application/octet-stream":
            return mime
    return {"audio": "audio/aac", "video": "video/mp4"}.get(item.kind, "application/octet-stream")


# ---------------------------------------------------------------------------- outgoing

UNCERTAIN = (
    "Máy chủ dừng giữa lúc gửi phần {part}: không rõ người dân đã nhận chưa. Không gửi lại để tránh gửi hai lần; "
    "hãy hỏi lại người dân hoặc gửi lại nếu cần."
)


def _last_try(*dedupe_keys: str) -> bool:
    from canhgiac.web.tasks.models import Task

    task = Task.objects.filter(dedupe_key__in=dedupe_keys).first()
    return task is not None and task.attempts >= task.max_attempts


def send_message(payload: dict[str, Any]) -> None:
    """The task ``channel.send``: deliver an answer (its text in parts the channel takes,
    then its photo), never a part twice.

    Each part is claimed before the call and recorded as sent after it. A failed send
    gives the claim back and the task retries, unless the recipient cannot be reached at
    all. A claim left over means the process died during the call, so the provider may
    have the part: it is not sent again, and the officer sees why on the case."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("case__reporter", "case__channel").get(pk=payload["message_id"])
        if message.delivery in (Message.Delivery.SENT, Message.Delivery.FAILED):
            return
        if message.parts_claimed > message.parts_sent:
            Message.objects.filter(pk=message.pk).update(
                delivery=Message.Delivery.FAILED, delivery_error=UNCERTAIN.format(part=message.parts_claimed)[:300]
            )
            return
    channel = message.case.channel
    adapter = adapter_for(channel.kind)
    if adapter is None or not adapter.pushes:
        Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.NONE)
        return
    parts = split_text(message.body, adapter.max_text)
    images = [a for a in message.attachments.all() if a.file and a.is_image]
    user_id = message.case.reporter.channel_user_id()
    reply_to = str(payload.get("reply_to", ""))
    plain = True if payload.get("plain") else None  # the officer chose "without diacritics"
    sent, ids = message.parts_sent, [str(i) for i in message.provider_ids]
    try:
        while sent < len(parts) + len(images):
            Message.objects.filter(pk=message.pk).update(parts_claimed=sent + 1)
            if sent < len(parts):
                result = adapter.send_text(
                    channel, user_id, parts[sent], reply_to=reply_to if sent == 0 else "", key=f"{message.pk}.{sent}", plain=plain
                )
            else:
                image = images[sent - len(parts)]
                with image.file.open("rb") as handle:
                    result = adapter.send_image(channel, user_id, handle.read(), image.content_type)
            ids.extend(result.provider_message_ids)
            sent += 1
            Message.objects.filter(pk=message.pk).update(parts_sent=sent, provider_ids=ids, provider_id=ids[0] if ids else "")
    except SendError as exc:
        if exc.resume_at is not None or exc.waits:
            # Not a failure: the answer waits ("Đang gửi", with the reason on the case).
            Message.objects.filter(pk=message.pk).update(parts_claimed=sent, delivery_error=str(exc)[:300])
            raise _wait(exc) from exc
        done = exc.permanent or _last_try(f"channel.send:{message.pk}", f"zalo.send:{message.pk}")
        Message.objects.filter(pk=message.pk).update(
            parts_claimed=sent, delivery_error=str(exc)[:300], **({"delivery": Message.Delivery.FAILED} if done else {})
        )
        if exc.permanent:
            return  # retrying cannot reach them; the case says why
        raise
    Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.SENT, delivery_error="")


def send_text(payload: dict[str, Any]) -> None:
    """The task ``channel.send_text``: a short answer outside any case (a subscription
    confirmed)."""
    reporter = Reporter.objects.select_related("channel").get(pk=payload["reporter_id"])
    adapter = adapter_for(reporter.channel.kind)
    if adapter is None or not adapter.pushes:
        return
    try:
        adapter.send_text(reporter.channel, reporter.channel_user_id(), payload["text"], reply_to=payload.get("reply_to", ""))
    except SendError as exc:
        if exc.resume_at is not None or exc.waits:
            raise _wait(exc) from exc
        if not exc.permanent:
            raise
        log.info("answer to reporter %s not sent: %s", reporter.pk, exc)


def _wait(exc: SendError) -> Retry:
    """A send that must wait, as the task queue retries it: at ``resume_at`` (the next day,
    over a daily cap), or with backoff while the provider is out of reach; never given up."""
    if exc.resume_at is None:
        return Retry(str(exc))
    return Retry(str(exc), delay=max(0.0, (exc.resume_at - timezone.now()).total_seconds()))
