"""Every change to cases goes through these functions: the web page, the API, the Zalo
channel and the console all call them, so each change is made once, in one transaction,
with one audit row.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from canhgiac.engine import Analysis
from canhgiac.engine.pipeline import CATEGORIES, INTENTS
from canhgiac.engine.similarity import MAX_DISTANCE, bands, distance, fingerprint, to_signed
from canhgiac.web.accounts.models import User
from canhgiac.web.audit.log import record
from canhgiac.web.cases import alerts
from canhgiac.web.cases.models import Attachment, Case, Label, Message, Note, Reporter, stored_type
from canhgiac.web.cases.replies import auto_reply
from canhgiac.web.channels.base import DeliveryReport, adapter_for, mark_received
from canhgiac.web.core import storage
from canhgiac.web.core.crypto import lookup_hash, lookup_hashes, seal, unseal
from canhgiac.web.core.db import writing
from canhgiac.web.core.engine import engine
from canhgiac.web.core.images import CleanImage
from canhgiac.web.core.text import clean
from canhgiac.web.indicators.actions import record_reports
from canhgiac.web.intake.models import Channel
from canhgiac.web.knowledge import answering as knowledge
from canhgiac.web.knowledge import redaction, search
from canhgiac.web.knowledge.models import Entry, Warning
from canhgiac.web.tasks.queue import enqueue

# A message from the same chat user joins their open case if it was active this recently.
THREAD_WINDOW = timedelta(days=7)
DUPLICATE_WINDOW = timedelta(days=14)
# Looser matches (paraphrases) are looked for among the unit's most recent cases only;
# near-copies are found over the whole window through the fingerprint's bands.
DUPLICATE_RECENT = 100


class ActionError(ValueError):
    """A refusal with a message for the person who asked (in Vietnamese)."""


@dataclass(frozen=True, slots=True)
class Photo:
    image: CleanImage
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A recording, video or file a citizen sent through a chat channel, kept as it came."""

    content: bytes
    mime: str
    name: str = ""


@dataclass(slots=True)
class Received:
    case: Case
    message: Message
    analysis: Analysis
    new_case: bool
    reply: Message | None
    followup_key: str | None
    """The secret key to follow the case up, shown once (web and API, new cases only)."""


# Follow-up keys: read from a screenshot and typed on a phone, so without look-alikes
# (no 0/O, 1/I/L, no "_"), like references. 28 characters of 31: 138 bits.
KEY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
KEY_LENGTH = 28
_KEY_SEPARATORS = re.compile(r"[\s\-]+")


def new_followup_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def display_key(key: str) -> str:
    """A key in groups of four, for reading and copying: ABCD-EFGH-..."""
    return "-".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalise_key(key: str) -> str:
    """A key as stored: a new key without its spaces and dashes, in capitals, however it
    was typed. Keys given before (token_urlsafe, 24 characters, case-sensitive, "-" and
    "_" in them) are never 28 letters of the alphabet, and stay as typed."""
    key = key.strip()
    squeezed = _KEY_SEPARATORS.sub("", key).upper()
    if len(squeezed) == KEY_LENGTH and all(c in KEY_ALPHABET for c in squeezed):
        return squeezed
    return key


def hash_key(key: str) -> str:
    return hashlib.sha256(normalise_key(key).encode()).hexdigest()


def reporter_for(channel: Channel, channel_user_id: str, contact: str, now: Any) -> Reporter:
    if not channel_user_id:  # the web and the API: a new anonymous reporter each time
        return Reporter.objects.create(channel=channel, contact_sealed=seal(contact), last_message_at=now)
    user_hash = lookup_hash(f"{channel.kind}:{channel.pk}", channel_user_id)
    # Under every configured key: a reporter first seen before a key rotation is still theirs.
    hashes = lookup_hashes(f"{channel.kind}:{channel.pk}", channel_user_id)
    reporter = Reporter.objects.filter(channel=channel, channel_user_hash__in=hashes).first()
    if reporter is None:
        return Reporter.objects.create(
            channel=channel,
            channel_user_hash=user_hash,
            channel_user_sealed=seal(channel_user_id),
            contact_sealed=seal(contact),
            last_message_at=now,
        )
    reporter.last_message_at = now
    if contact:
        reporter.contact_sealed = seal(contact)
    reporter.save(update_fields=["last_message_at", "contact_sealed"])
    return reporter


def _duplicate_of(unit_id: int, print_: int, now: Any) -> int | None:
    """The group (first case) a new message belongs to, if it is a near-duplicate."""
    if not print_:
        return None
    window = Case.objects.filter(unit_id=unit_id, created__gte=now - DUPLICATE_WINDOW).exclude(fingerprint=0)
    b0, b1, b2, b3 = bands(print_)
    same_band = window.filter(Q(band0=b0) | Q(band1=b1) | Q(band2=b2) | Q(band3=b3)).order_by("-created")[:50]
    recent = window.order_by("-created")[:DUPLICATE_RECENT]
    best: tuple[int, int] | None = None
    for candidates in (same_band, recent):
        for case_id, other, group in candidates.values_list("id", "fingerprint", "duplicate_of_id"):
            d = distance(print_, other)
            if d <= MAX_DISTANCE and (best is None or d < best[0]):
                best = (d, group or case_id)
        if best is not None:
            break
    return best[1] if best else None


def _locked(case: Case) -> Case:
    """The case's row as it is now, locked until the transaction ends.

    Every change is computed from this row, never from an object the caller read before:
    otherwise a citizen's follow-up arriving while an officer closes the case would
    write back the status it had read. PostgreSQL locks the row (a second writer waits
    here); SQLite ignores FOR UPDATE, but its writers already take turns in ``writing()``.
    """
    return Case.objects.select_for_update().get(pk=case.pk)


def _write(case: Case, locked: Case, changes: dict[str, Any]) -> None:
    """Save only the fields that change on the locked row, then show the row as it now is
    on the caller's object (views and the API answer from it)."""
    for field, value in changes.items():
        setattr(locked, field, value)
    if changes:
        locked.save(update_fields=list(changes))
    if case is not locked:
        for column in Case._meta.concrete_fields:
            setattr(case, column.attname, getattr(locked, column.attname))


def receive_message(
    *,
    channel: Channel,
    text: str,
    channel_user_id: str = "",
    contact: str = "",
    photos: Sequence[Photo] = (),
    external_id: str = "",
    case: Case | None = None,
    remote_attachments: Sequence[str] = (),
    location: tuple[float, float] | None = None,
    files: Sequence[StoredFile] = (),
    notices: Sequence[str] = (),
) -> Received:
    """A message from a citizen, through any channel: analysed, stored, answered.

    A new case is opened unless ``case`` is given (a web follow-up) or the chat user has
    an open case active within the last week (their follow-up on Zalo). Everything,
    the automatic answer included, is committed before the caller acknowledges.

    It takes no network address: a citizen's address is never stored (principle 4 of
    PRODUCT.md); rate limits count it in transient, hashed counters only.

    ``location`` is a place the citizen chose to share, kept with the message whether or
    not a photo comes with it. ``files`` are recordings, videos or files from a chat
    channel; ``notices`` say what was sent and not kept, and why: they are shown with the
    message, not analysed.
    """
    text, contact = clean(text).strip(), clean(contact)
    if not text and not photos and not remote_attachments and not files and not notices and location is None:
        raise ActionError(_("Tin nhắn trống: hãy viết nội dung hoặc gửi ảnh."))
    storage.check_room()
    analysis = engine().analyze(text)
    now = timezone.now()
    # Reads before the write transaction: they need no lock.
    print_ = fingerprint(text, folded=analysis.text.folded) if case is None else 0
    group = _duplicate_of(channel.unit_id, print_, now) if case is None else None
    answer = knowledge.plan(channel.unit_id, analysis, text, case.kb_offer if case is not None else None)
    reasons = [r.to_dict() for r in analysis.reasons]
    verdict, score = analysis.verdict, analysis.scam_score
    if answer.reason is not None:
        # A published warning, confirmed: the citizen is told it is that scam.
        reasons.insert(0, answer.reason)
        verdict, score = "scam", max(score, 0.95)
    with storage.guard(), writing():
        if case is not None:
            # A follow-up on a case named by the citizen (web, API): the row as it is now,
            # which an officer may have closed since the caller read it.
            case = _locked(case)
            if not case.is_open:
                raise ActionError(_("Tin này đã đóng."))
        reporter = case.reporter if case is not None else reporter_for(channel, channel_user_id, contact, now)
        if case is not None and contact:
            reporter.contact_sealed = seal(contact)
            reporter.save(update_fields=["contact_sealed"])
        if case is None and channel_user_id:
            case = (
                Case.objects.select_for_update()
                .filter(reporter=reporter, status__in=Case.OPEN_STATUSES, last_activity__gte=now - THREAD_WINDOW)
                .order_by("-last_activity")
                .first()
            )
        new_case = case is None
        followup_key = None
        if case is None:
            followup_key = None if channel_user_id else new_followup_key()
            band0, band1, band2, band3 = bands(print_)
            case = Case.objects.create(
                unit=channel.unit,
                channel=channel,
                reporter=reporter,
                followup_key_hash=hash_key(followup_key) if followup_key else "",
                intent=analysis.intent,
                intent_confidence=analysis.intent_confidence,
                category=analysis.category or "",
                urgent=analysis.urgent,
                scam_score=score,
                verdict=verdict,
                reasons=reasons,
                kb_entry=answer.entry,
                kb_offer=answer.offer,
                warning=answer.warning,
                warning_score=answer.warning_score,
                warning_confirmed=answer.warning_confirmed,
                # An automatic answer leaves the case open until the citizen, an officer
                # or a quiet period says it was right: a wrong one must not disappear.
                status=Case.Status.AUTO_ANSWERED if answer.entry is not None else Case.Status.NEW,
                indicators=analysis.indicators.to_dict(),
                search_text=analysis.text.folded,
                preview=text[:300],
                fingerprint=to_signed(print_),
                band0=band0,
                band1=band1,
                band2=band2,
                band3=band3,
                duplicate_of_id=group,
                created=now,
                updated=now,
                last_activity=now,
            )
            record(
                "case.opened",
                actor_label=f"channel:{channel.slug}",
                unit=channel.unit,
                obj=case,
                intent=analysis.intent,
                verdict=analysis.verdict,
            )
            if case.urgent:  # officers who asked hear of it on Zalo, once the case is committed
                alerts.enqueue_urgent(case)
        else:
            # ``case`` is the locked row: only what a message changes is written, so an
            # officer's assignment or status made meanwhile stays.
            changes: dict[str, Any] = {
                "search_text": (case.search_text + " " + analysis.text.folded)[-20000:],
                "last_activity": now,
                "updated": now,
                "unread": True,
            }
            if analysis.urgent and not case.urgent:
                changes["urgent"] = True
            if case.status == Case.Status.WAITING_REPORTER:
                changes["status"] = Case.Status.IN_PROGRESS
            if answer.entry is not None:
                changes["kb_entry"], changes["kb_offer"] = answer.entry, []
                if case.status in (Case.Status.NEW, Case.Status.AUTO_ANSWERED) and case.first_reply_at is None:
                    changes["status"] = Case.Status.AUTO_ANSWERED
            elif case.status == Case.Status.AUTO_ANSWERED:
                # Something else than "Đúng" / "Chưa đúng" after an automatic answer: an
                # officer reads it (the automatic answer may be why they write again).
                changes["status"] = Case.Status.NEW if case.first_reply_at is None else Case.Status.IN_PROGRESS
            _write(case, case, changes)
            if changes.get("urgent"):  # a follow-up made it urgent
                alerts.enqueue_urgent(case)
            record("case.message_received", actor_label=f"channel:{channel.slug}", unit=case.unit, obj=case)
        latitude, longitude = location if location is not None else (None, None)
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.IN,
            body="\n".join([text, *(clean(n) for n in notices)]).strip(),
            external_id=external_id,
            created=now,
            latitude=latitude,
            longitude=longitude,
        )
        for photo in photos:
            _attach_image(message, photo.image, photo.latitude, photo.longitude)
        for item in files:
            attachment = Attachment(
                message=message, content_type=stored_type(item.mime), size=len(item.content), name=clean(item.name)[:200]
            )
            attachment.file.save("file", ContentFile(item.content), save=False)
            attachment.save()
        for url in remote_attachments:
            Attachment.objects.create(message=message, remote_url=url[:500])
        if verdict == "scam" or analysis.victim:
            record_reports(analysis, case, now)
        if answer.entry is not None:
            Entry.objects.filter(pk=answer.entry.pk).update(answered=F("answered") + 1)
        if answer.warning_confirmed and answer.warning is not None:
            Warning.objects.filter(pk=answer.warning.pk).update(matched=F("matched") + 1)
        # A victim is told what to do now, not a published warning's "do not transfer".
        reply_text = (answer.text if not analysis.victim else "") or auto_reply(analysis, case.reference, new_case=new_case)
        reply = _outgoing(case, reply_text, Message.Direction.AUTO, author=None, reply_to=external_id)
    return Received(case, message, analysis, new_case, reply, followup_key)


def _attach_image(message: Message, image: CleanImage, latitude: float | None = None, longitude: float | None = None) -> Attachment:
    attachment = Attachment(
        message=message, size=len(image.data), width=image.width, height=image.height, latitude=latitude, longitude=longitude
    )
    attachment.file.save("photo.jpg", ContentFile(image.data), save=False)
    attachment.save()
    return attachment


def pushes(channel: Channel) -> bool:
    """Whether answers on this channel are sent to the citizen (a chat, SMS), rather than
    read when they look (the web page, the API)."""
    adapter = adapter_for(channel.kind)
    return adapter is not None and adapter.pushes


def sends_images(channel: Channel) -> bool:
    """Whether an answer on this channel may carry a photo: its provider sends images."""
    adapter = adapter_for(channel.kind)
    return adapter is not None and adapter.pushes and adapter.sends_images


def _outgoing(
    case: Case, body: str, direction: str, author: User | None, reply_to: str = "", image: CleanImage | None = None, plain: bool = False
) -> Message:
    """Store an answer; channels that push get a delivery task in the same transaction,
    so it is sent exactly when the answer exists. An answer quotes the citizen's message
    it answers (an officer's, their latest), which also makes it a reply where the
    provider charges for messages that are not."""
    push = pushes(case.channel)
    if not reply_to and direction == Message.Direction.OUT:
        latest = case.messages.filter(direction=Message.Direction.IN).exclude(external_id="").order_by("-created", "-id").first()
        reply_to = latest.external_id if latest is not None else ""
    message = Message.objects.create(
        case=case, direction=direction, author=author, body=body, delivery=Message.Delivery.PENDING if push else Message.Delivery.NONE
    )
    if image is not None:
        _attach_image(message, image)
    if push:
        # ``plain``: the officer chose the form without diacritics (a cheaper SMS); the
        # answer stored is what they wrote.
        payload = {"message_id": message.pk, "reply_to": reply_to, **({"plain": True} if plain else {})}
        enqueue("channel.send", payload, dedupe_key=f"channel.send:{message.pk}")
    return message


def answers_with_part(channel: Channel, provider_ids: Sequence[str]) -> QuerySet[Message]:
    """The answers on ``channel`` any of whose parts the provider knows by one of
    ``provider_ids``: the first part's id is on the row, every part's in its list."""
    ids = [i for i in provider_ids if i]
    first = list(Message.objects.filter(case__channel=channel, provider_id__in=ids).values_list("pk", "provider_id"))
    later = [i for i in ids if i not in {p for _pk, p in first}][:50]
    pks = {pk for pk, _p in first}
    if later:
        # The list is JSON: a part's id appears in it quoted. Checked again in Python, as
        # the text search is only a filter.
        nearby = Q()
        for i in later:
            nearby |= Q(provider_ids__icontains=f'"{i}"')
        rows = Message.objects.filter(nearby, case__channel=channel).values_list("pk", "provider_ids")
        pks |= {pk for pk, listed in rows if isinstance(listed, list) and set(map(str, listed)) & set(later)}
    return Message.objects.filter(pk__in=pks)


def apply_delivery_report(channel: Channel, report: DeliveryReport) -> int:
    """The provider says answers on ``channel`` reached the citizen's phone, were read, or
    failed; returns how many answers that changed. Read implies delivered.

    An answer sent in several parts (a long SMS answer in three sends, a Zalo answer and
    its photo) fails when any part fails, and counts as delivered when its first part is:
    that part says the number or account is reached, and a later part's failure, if one
    comes, still marks the whole answer failed. Call within ``writing()``."""
    at = report.at or timezone.now()
    sent = Message.objects.filter(case__channel=channel, provider_id__in=report.provider_message_ids)
    if report.state == "failed":
        failed = answers_with_part(channel, report.provider_message_ids).exclude(delivery=Message.Delivery.FAILED)
        return failed.update(delivery=Message.Delivery.FAILED, delivery_error=report.error[:300])
    return mark_received(sent, report.state, at)


# ---------------------------------------------------------------- automatic answers

ANSWER_RIGHT_ACK = "Cảm ơn bạn đã xác nhận. Nếu cần hỏi thêm, bạn cứ nhắn cho chúng tôi."
ANSWER_WRONG_ACK = "Cảm ơn bạn đã cho biết. Cán bộ sẽ đọc câu hỏi của bạn và trả lời bạn sớm."


def awaiting_confirmation(channel: Channel, channel_user_id: str) -> Case | None:
    """The chat user's case whose automatic answer awaits their word, if any: the one a
    reply of "Đúng" or "Chưa đúng" is about."""
    hashes = lookup_hashes(f"{channel.kind}:{channel.pk}", channel_user_id)
    return (
        Case.objects.filter(
            channel=channel,
            reporter__channel_user_hash__in=hashes,
            status=Case.Status.AUTO_ANSWERED,
            last_activity__gte=timezone.now() - THREAD_WINDOW,
        )
        .order_by("-last_activity")
        .first()
    )


def _answer_reviewed(locked: Case, right: bool, now: Any, *, officer: bool) -> dict[str, Any]:
    """The changes for an automatic answer said to be right (resolved) or not (back to an
    officer, and on the unanswered questions, with the entry that did not answer it)."""
    if right:
        return {"status": Case.Status.RESOLVED, "resolved_at": locked.resolved_at or now, "updated": now}
    status = Case.Status.IN_PROGRESS if officer or locked.first_reply_at is not None else Case.Status.NEW
    return {"status": status, "kb_rejected": locked.kb_entry, "kb_entry": None, "updated": now}


def confirm_answer(case: Case, right: bool, *, by: str, text: str = "", external_id: str = "") -> Message | None:
    """The citizen's word on an automatic answer: "Đúng" resolves the case, "Chưa đúng"
    hands it to an officer. ``by`` names the channel (for the audit log); ``text`` is
    what they wrote (a chat channel) or the button they pressed (the web page). Returns
    the acknowledgement, or None when the case no longer awaits a confirmation (the
    button pressed twice, or an officer was faster)."""
    text = clean(text).strip()[:200] or ("Đúng" if right else "Chưa đúng")
    with writing():
        locked = _locked(case)
        if locked.status != Case.Status.AUTO_ANSWERED:
            _write(case, locked, {})
            return None
        now = timezone.now()
        entry_id = locked.kb_entry_id
        Message.objects.create(case=case, direction=Message.Direction.IN, body=text, external_id=external_id, created=now)
        changes = _answer_reviewed(locked, right, now, officer=False)
        changes["last_activity"] = now
        if not right:
            changes["unread"] = True
        _write(case, locked, changes)
        record("case.answer_confirmed" if right else "case.answer_rejected", actor_label=by, unit=case.unit, obj=case, entry=entry_id)
        ack = ANSWER_RIGHT_ACK if right else ANSWER_WRONG_ACK
        return _outgoing(case, ack, Message.Direction.AUTO, author=None, reply_to=external_id)


def close_quiet_answers(now: Any = None, batch: int = 200) -> int:
    """Resolve the cases whose automatic answer nobody questioned for
    CANHGIAC_AUTO_ANSWER_QUIET_HOURS: the citizen had the answer and said no more.
    Each is audited; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.CANHGIAC_AUTO_ANSWER_QUIET_HOURS)
    quiet = Case.objects.filter(status=Case.Status.AUTO_ANSWERED, last_activity__lt=cutoff)
    done = 0
    while ids := list(quiet.order_by("id").values_list("id", flat=True)[:batch]):
        with writing():
            # Rows locked and read again: a citizen's "Chưa đúng" arriving meanwhile wins.
            for case in quiet.select_for_update().filter(pk__in=ids).select_related("unit"):
                _write(case, case, _answer_reviewed(case, True, now, officer=False))
                record(
                    "case.answer_quiet",
                    actor_label="auto_answer",
                    unit=case.unit,
                    obj=case,
                    entry=case.kb_entry_id,
                    hours=settings.CANHGIAC_AUTO_ANSWER_QUIET_HOURS,
                )
                done += 1
    return done


def close_quiet_answers_task(payload: dict[str, Any]) -> None:
    """The worker's hourly task (canhgiac.web.tasks.queue.HOURLY)."""
    close_quiet_answers()


# ---------------------------------------------------------------------------- officers


def _require_act(user: User, case: Case) -> None:
    if not user.can_act or case.unit_id not in user.visible_unit_ids():
        raise PermissionError("not allowed to change this case")


def reply(case: Case, user: User, body: str, ip: str | None = None, image: CleanImage | None = None, plain: bool = False) -> Message:
    """An officer's answer to the reporter, with a photo where the channel sends one;
    ``plain`` sends it without diacritics where that costs less (SMS), and the audit
    record says so (the thread shows it)."""
    body = body.strip()
    if image is not None and not pushes(case.channel):
        raise ActionError(_("Kênh này không gửi được ảnh cho người báo."))
    if image is not None and not sends_images(case.channel):
        # Refused before anything goes: the text would reach the citizen and the photo
        # fail after it, leaving the answer marked failed though they have it.
        raise ActionError(_("Kênh này chỉ gửi được chữ (như SMS): hãy bỏ ảnh rồi gửi lại."))
    if not body and image is None:
        raise ActionError(_("Câu trả lời trống."))
    if len(body) > 10_000:
        raise ActionError(_("Câu trả lời quá dài (tối đa 10.000 ký tự)."))
    _require_act(user, case)
    with writing():
        locked = _locked(case)
        plain = plain and pushes(case.channel)
        message = _outgoing(case, body, Message.Direction.OUT, author=user, image=image, plain=plain)
        now = timezone.now()
        changes: dict[str, Any] = {"updated": now}
        if locked.first_reply_at is None:
            changes["first_reply_at"] = now
        if locked.status in (Case.Status.NEW, Case.Status.AUTO_ANSWERED):  # an officer has taken it over
            changes["status"] = Case.Status.IN_PROGRESS
        _write(case, locked, changes)
        details: dict[str, Any] = {"message": message.pk, **({"plain": True} if plain else {})}
        record("case.replied", actor=user, unit=case.unit, obj=case, ip=ip, **details)
    return message


def change_status(case: Case, user: User, status: str, ip: str | None = None) -> None:
    if status not in Case.Status.values:
        raise ActionError(_("Trạng thái không hợp lệ."))
    _require_act(user, case)
    if status == Case.Status.AUTO_ANSWERED and case.status != status:
        # Only an automatic answer puts a case there (its confirmation and quiet period follow).
        raise ActionError(_("Trạng thái này chỉ do trả lời tự động đặt."))
    with writing():
        locked = _locked(case)
        old = locked.status
        if status == old:  # already so, perhaps by another officer a moment ago
            _write(case, locked, {})
            return
        now = timezone.now()
        changes: dict[str, Any] = {"status": status, "updated": now}
        if status in (Case.Status.RESOLVED, Case.Status.CLOSED) and locked.resolved_at is None:
            changes["resolved_at"] = now
        if status == Case.Status.CLOSED:
            changes["closed_at"] = now
        if status in Case.OPEN_STATUSES and locked.closed_at is not None:
            changes["closed_at"] = None
        _write(case, locked, changes)
        record("case.status", actor=user, unit=case.unit, obj=case, ip=ip, old=old, new=status)


def review_answer(case: Case, user: User, right: bool, ip: str | None = None) -> None:
    """An officer's word on an automatic answer, in the citizen's place: right (the case
    is resolved) or not (the officer takes it, and the question joins the unanswered)."""
    _require_act(user, case)
    with writing():
        locked = _locked(case)
        if locked.status != Case.Status.AUTO_ANSWERED:
            raise ActionError(_("Tin này không còn chờ xác nhận câu trả lời tự động."))
        entry_id = locked.kb_entry_id
        _write(case, locked, _answer_reviewed(locked, right, timezone.now(), officer=True))
        record("case.answer_confirmed" if right else "case.answer_rejected", actor=user, unit=case.unit, obj=case, ip=ip, entry=entry_id)


def mark_learned(case_ids: Sequence[int], entry: Entry, user: User, ip: str | None = None) -> int:
    """Questions an officer has now written an entry for leave the unanswered list.
    Only cases in the officer's units, still unanswered; returns how many."""
    with writing():
        cases = list(
            Case.objects.select_for_update()
            .filter(pk__in=case_ids, unit_id__in=user.visible_unit_ids(), kb_learned__isnull=True)
            .select_related("unit")
        )
        for case in cases:
            _write(case, case, {"kb_learned": entry, "updated": timezone.now()})
            record("case.kb_learned", actor=user, unit=case.unit, obj=case, ip=ip, entry=entry.pk)
    return len(cases)


def assign(case: Case, user: User, assignee: User | None, ip: str | None = None) -> None:
    _require_act(user, case)
    if assignee is not None and (not assignee.is_active or case.unit_id not in assignee.visible_unit_ids() or not assignee.can_act):
        raise ActionError(_("Không thể giao cho người này."))
    with writing():
        locked = _locked(case)
        old = locked.assigned_to_id
        _write(case, locked, {"assigned_to": assignee, "updated": timezone.now()})
        record("case.assigned", actor=user, unit=case.unit, obj=case, ip=ip, old=old, new=assignee.pk if assignee else None)


def add_note(case: Case, user: User, body: str, ip: str | None = None) -> Note:
    body = body.strip()
    if not body:
        raise ActionError(_("Ghi chú trống."))
    _require_act(user, case)
    with writing():
        note = Note.objects.create(case=case, author=user, body=body[:10_000])
        record("case.note", actor=user, unit=case.unit, obj=case, ip=ip, note=note.pk)
    return note


_ALLOWED = {
    "intent": set(INTENTS),
    "category": set(CATEGORIES) | {""},
    "verdict": {"scam", "suspicious", "safe"},
    "urgent": {"true", "false"},
}


def correct(case: Case, user: User, field: str, value: str, ip: str | None = None) -> Label | None:
    """An officer overrides the engine; the correction is kept as a training label."""
    if field not in _ALLOWED or value not in _ALLOWED[field]:
        raise ActionError(_("Giá trị không hợp lệ."))
    _require_act(user, case)
    first = case.messages.filter(direction=Message.Direction.IN).order_by("created").first()
    with writing():
        locked = _locked(case)
        current = str(locked.urgent).lower() if field == "urgent" else getattr(locked, field)
        if current == value:
            _write(case, locked, {})
            return None
        label = Label.objects.create(
            case=case, field=field, engine_value=current, officer_value=value, text=first.body if first else locked.preview, author=user
        )
        changes: dict[str, Any] = {field: value == "true" if field == "urgent" else value, "updated": timezone.now()}
        if field == "intent" and value != "tip":
            changes["category"] = ""
        _write(case, locked, changes)
        record("case.corrected", actor=user, unit=case.unit, obj=case, ip=ip, field=field, old=current, new=value)
        if field == "urgent" and value == "true":  # the officer who says so knows already
            alerts.enqueue_urgent(case, exclude=user)
    return label


def mark_read(case: Case, user: User) -> None:
    """Opening a case marks it read, for those who answer it: a viewer looking on does not
    hide it from the officers. A message that arrived after the page read the case (its
    last activity moved) stays unread."""
    if case.unread and user.can_act and case.unit_id in user.visible_unit_ids():
        with writing():
            if Case.objects.filter(pk=case.pk, last_activity=case.last_activity).update(unread=False):
                case.unread = False


def reveal_contact(case: Case, user: User, reason: str, ip: str | None = None) -> str:
    """Show a reporter's contact details: only to roles allowed, only with a reason, and
    every reveal is in the audit log."""
    reason = reason.strip()
    if not user.can_reveal or case.unit_id not in user.visible_unit_ids():
        raise PermissionError("not allowed to reveal contact details")
    if len(reason) < 10:
        raise ActionError(_("Hãy ghi rõ lý do (ít nhất 10 ký tự)."))
    if not case.reporter.contact_sealed:
        raise ActionError(_("Người báo không để lại thông tin liên hệ."))
    record("reporter.revealed", actor=user, unit=case.unit, obj=case, ip=ip, reason=reason[:500])
    return unseal(case.reporter.contact_sealed)


def answer_and_learn(case: Case, user: User, *, title: str, question: str, answer: str, source: str = "", ip: str | None = None) -> Message:
    """Reply to a question and add it, in the officer's wording, to the knowledge base, so
    the next person who asks gets the answer at once.

    The entry keeps nothing of the citizen: the question is what the officer wrote (the
    case page offers the citizen's words with numbers, links and names taken out), taken
    out again here in case a number was typed back in; the entry does not point at the
    case, so it holds nothing retention would have to find when the case goes.
    """
    title, question = redaction.redact(title.strip()), redaction.redact(question.strip())
    answer = answer.strip()
    if not title or not question or not answer:
        raise ActionError(_("Cần tiêu đề, câu hỏi và câu trả lời."))
    _require_act(user, case)
    # Read before the reply takes the case off the unanswered list: the questions like it
    # are answered by the new entry too.
    group = search.unanswered_group(user.visible_unit_ids(), case)
    with writing():
        if _locked(case).kb_entry_id is not None:  # the form sent twice, or by two officers
            raise ActionError(_("Tin này đã được thêm vào cơ sở hỏi đáp."))
        message = reply(case, user, answer, ip)
        entry = Entry.objects.create(
            unit=case.unit,
            title=title[:200],
            questions=question[:5000],
            # The reply may greet the citizen by name ("Chào chị Hoa"); the base does not.
            answer=redaction.redact_names(answer),
            source_name=source.strip()[:300],
            created_by=user,
        )
        _write(case, _locked(case), {"kb_entry": entry})
        record("knowledge.learned", actor=user, unit=case.unit, obj=case, ip=ip, entry=entry.pk)
        if group is not None:
            mark_learned([c.pk for c in group.cases if c.pk != case.pk], entry, user, ip)
    return message
