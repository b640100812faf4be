"""Cases: what citizens send, the thread around it, and what officers decided."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES, name
from canhgiac.web.core.crypto import unseal
from canhgiac.web.core.i18n import language

# Reference codes: no 0/O, 1/I/L, so that they can be read out over the phone.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"CG-{body[:4]}-{body[4:]}"


class Reporter(models.Model):
    """Whoever sent a case. Anonymous by default: no name, and whatever could identify
    them (contact details they chose to leave, their ID on a chat channel) is encrypted."""

    channel = models.ForeignKey("intake.Channel", on_delete=models.PROTECT, related_name="reporters")
    channel_user_hash = models.CharField(max_length=64, blank=True, db_index=True, help_text="keyed hash of the channel user ID")
    channel_user_sealed = models.TextField(blank=True, help_text="the channel user ID, encrypted (needed to reply)")
    contact_sealed = models.TextField(blank=True, help_text="contact details the reporter chose to give, encrypted")
    subscribed = models.BooleanField(_("nhận bản tin"), default=False)
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    last_message_at = models.DateTimeField(_("nhắn lần cuối lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("người báo")
        verbose_name_plural = _("người báo")

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_sealed)

    def channel_user_id(self) -> str:
        return unseal(self.channel_user_sealed)


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        WAITING_REPORTER = "waiting_reporter", _("Chờ người báo")
        # Answered from the knowledge base, and still open: an automatic answer may be
        # wrong, so only the citizen, an officer or a quiet period closes it.
        AUTO_ANSWERED = "auto_answered", _("Trả lời tự động, chờ xác nhận")
        RESOLVED = "resolved", _("Đã giải quyết")
        CLOSED = "closed", _("Đã đóng")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_REPORTER, Status.AUTO_ANSWERED)

    reference = models.CharField(_("mã tin"), max_length=16, unique=True, default=new_reference)
    followup_key_hash = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="cases")
    channel = models.ForeignKey("intake.Channel", on_delete=models.PROTECT, related_name="cases")
    reporter = models.ForeignKey(Reporter, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )

    # The engine's triage, as corrected by officers (the engine's first word is in Label).
    intent = models.CharField(_("ý định"), max_length=20, db_index=True)
    intent_confidence = models.FloatField(default=0)
    category = models.CharField(_("loại tin"), max_length=20, blank=True, db_index=True)
    urgent = models.BooleanField(_("khẩn cấp"), default=False, db_index=True)
    scam_score = models.FloatField(_("điểm rủi ro lừa đảo"), default=0)
    verdict = models.CharField(_("kết luận lừa đảo"), max_length=20, default="safe")
    reasons = models.JSONField(default=list, blank=True)
    indicators = models.JSONField(default=dict, blank=True)
    search_text = models.TextField(blank=True, help_text="folded text of the thread, for search without diacritics")
    preview = models.CharField(max_length=300, blank=True)

    # Near-duplicates: the first case of a group (see canhgiac.engine.similarity).
    # The knowledge base: the entry that answered, the entries offered to choose from,
    # and a published warning the message resembles (confirmed or to be checked).
    kb_entry = models.ForeignKey("knowledge.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    kb_offer = models.JSONField(default=list, blank=True)
    kb_rejected = models.ForeignKey(
        "knowledge.Entry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the automatic answer the citizen said was not right",
    )
    kb_learned = models.ForeignKey(
        "knowledge.Entry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the entry an officer wrote from this unanswered question",
    )
    warning = models.ForeignKey("knowledge.Warning", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    warning_score = models.FloatField(default=0)
    warning_confirmed = models.BooleanField(default=False)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates")
    fingerprint = models.BigIntegerField(default=0)
    band0 = models.IntegerField(default=0)
    band1 = models.IntegerField(default=0)
    band2 = models.IntegerField(default=0)
    band3 = models.IntegerField(default=0)

    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now, db_index=True)
    first_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    unread = models.BooleanField(default=True, help_text="a citizen wrote since an officer last opened it")

    class Meta:
        ordering = ["-last_activity", "-id"]
        verbose_name = _("tin")
        verbose_name_plural = _("tin")
        indexes = [
            models.Index(fields=["unit", "status", "-last_activity"]),
            # The live poll's unread count (cases:live).
            models.Index(fields=["unit", "unread", "status"], name="cases_case_live_unread"),
            models.Index(fields=["unit", "-last_activity"]),
            models.Index(fields=["unit", "band0"]),
            models.Index(fields=["unit", "band1"]),
            models.Index(fields=["unit", "band2"]),
            models.Index(fields=["unit", "band3"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now: Any = None) -> bool:
        """Open, nobody has answered yet, and older than the unit's patience. A case
        answered automatically has its answer: it waits for the citizen, not an officer."""
        now = now or timezone.now()
        hours = settings.CANHGIAC_OVERDUE_HOURS
        waiting = self.is_open and self.status != self.Status.AUTO_ANSWERED and self.first_reply_at is None
        return waiting and (now - self.created).total_seconds() > hours * 3600

    @property
    def intent_name(self) -> str:
        return name(INTENT_NAMES, self.intent, language())

    @property
    def category_name(self) -> str:
        return name(CATEGORY_NAMES, self.category, language()) if self.category else ""

    @property
    def verdict_name(self) -> str:
        return name(VERDICT_NAMES, self.verdict, language())


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Người dân")
        OUT = "out", _("Cán bộ")
        AUTO = "auto", _("Trả lời tự động")

    class Delivery(models.TextChoices):
        NONE = "none", _("Không cần gửi")
        PENDING = "pending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không được")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=5, choices=Direction.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created = models.DateTimeField(default=timezone.now)
    external_id = models.CharField(max_length=100, blank=True, help_text="the channel's message ID")
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.NONE)
    delivery_error = models.CharField(max_length=300, blank=True)
    parts_sent = models.PositiveSmallIntegerField(default=0, help_text="parts of a long answer already delivered")
    parts_claimed = models.PositiveSmallIntegerField(
        default=0, help_text="parts handed to the channel; more than parts_sent after a crash mid-call"
    )
    # A place the reporter chose to share with this message (with or without a photo).
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    # What the provider calls what was sent: delivery reports name these. The first part's
    # id is indexed (reports are looked up by it); every part's id is kept.
    provider_id = models.CharField(max_length=120, blank=True, db_index=True, help_text="the provider's id of the first part sent")
    provider_ids = models.JSONField(default=list, blank=True, help_text="the provider's ids of every part sent")
    delivered_at = models.DateTimeField(_("đến máy người dân lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("người dân xem lúc"), null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("tin nhắn")

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def map_url(self) -> str:
        return map_url(self.latitude, self.longitude) if self.has_location else ""


def map_url(latitude: float | None, longitude: float | None) -> str:
    """The place on OpenStreetMap, pinned, at street level."""
    if latitude is None or longitude is None:
        return ""
    return f"https://www.openstreetmap.org/?mlat={latitude:.5f}&mlon={longitude:.5f}#map=17/{latitude:.5f}/{longitude:.5f}"


# Extensions of stored files by type: never the sender's own (a file name is not a type).
EXTENSIONS = {
    "image/jpeg": "jpg",
    "audio/aac": "aac",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "application/pdf": "pdf",
}


# Office documents a citizen may send (a bank's letter, a fake summons).
STORED_DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/rtf",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        # .docx/.xlsx names are longer than content_type's 50 characters: kept as bytes.
    }
)


def stored_type(declared: str) -> str:
    """The type a channel file is recorded as: a recording, a video or a document type
    from the list; anything else (an SVG, a script, HTML) is just bytes. It only names the
    file: every stored file but a re-encoded photo is served as a download."""
    declared = declared.strip().lower()
    if declared in STORED_DOCUMENT_TYPES or re.fullmatch(r"(audio|video)/[a-z0-9.+-]{1,40}", declared):
        return declared
    return "application/octet-stream"


def attachment_path(instance: Attachment, filename: str) -> str:
    extension = EXTENSIONS.get(instance.content_type, "bin")
    return f"attachments/{instance.message.case_id}/{secrets.token_hex(8)}.{extension}"


class Attachment(models.Model):
    """A photo a reporter sent, re-encoded without its EXIF metadata; or a recording, a
    video or a file sent through a chat channel, kept as it came (within a size limit)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, blank=True)
    remote_url = models.URLField(max_length=500, blank=True, help_text="for channels that host the file (Zalo)")
    content_type = models.CharField(max_length=50, default="image/jpeg")
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    latitude = models.FloatField(null=True, blank=True, help_text="only when the reporter chose to share a place")
    longitude = models.FloatField(null=True, blank=True)
    name = models.CharField(_("tên tệp"), max_length=200, blank=True, help_text="the name the sender gave a file (not a photo)")

    class Meta:
        verbose_name = _("ảnh đính kèm")
        verbose_name_plural = _("ảnh đính kèm")

    @property
    def is_image(self) -> bool:
        # Only a photo re-encoded by core.images.clean_image (a JPEG, with its size) is
        # shown in the console: an SVG or any other "image" a channel reports is a file.
        return self.content_type == "image/jpeg" and self.width > 0


class Note(models.Model):
    """An officer's internal note: never shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("ghi chú nội bộ")
        verbose_name_plural = _("ghi chú nội bộ")


class Label(models.Model):
    """An officer's correction of the engine: training data for `canhgiac train`."""

    class Field(models.TextChoices):
        INTENT = "intent", _("Ý định")
        CATEGORY = "category", _("Loại tin")
        VERDICT = "verdict", _("Kết luận lừa đảo")
        URGENT = "urgent", _("Khẩn cấp")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="labels")
    field = models.CharField(max_length=20, choices=Field.choices)
    engine_value = models.CharField(max_length=40, blank=True)
    officer_value = models.CharField(max_length=40)
    text = models.TextField(help_text="the message the label is about, kept for training")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("nhãn huấn luyện")
        verbose_name_plural = _("nhãn huấn luyện")
