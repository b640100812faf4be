"""Units (district, wards, communes), the people who work in them, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """A police or people's committee unit. Units form a tree: a district above its
    wards and communes. Everything a citizen sends belongs to one unit."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Quận, huyện")
        COMMUNE = "commune", _("Xã, phường, thị trấn")

    name = models.CharField(_("tên"), max_length=200)
    slug = models.SlugField(_("tên trong đường dẫn"), unique=True)
    kind = models.CharField(_("cấp"), max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("đơn vị cấp trên")
    )
    retention_days = models.PositiveIntegerField(
        _("thời hạn lưu trữ (ngày)"), default=730, help_text=_("Tin đã đóng quá hạn này bị xóa hẳn, kể cả thông tin liên hệ.")
    )
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A unit under itself would make the tree a loop: every subtree walk would follow it.
        if self.pk is not None and self.parent_id is not None and self.parent_id in Unit.subtree_of(self.pk):
            raise ValidationError({"parent": _("Đơn vị cấp trên không thể là chính đơn vị này hoặc một đơn vị cấp dưới của nó.")})

    def subtree_ids(self) -> list[int]:
        """This unit and every unit under it (a district sees its communes)."""
        return Unit.subtree_of(self.pk)

    def ancestor_ids(self) -> list[int]:
        """This unit and the units above it, nearest first (a commune, its district...)."""
        ids = [self.pk]
        parent = self.parent_id
        while parent is not None and parent not in ids:  # a loop written into the database ends here
            ids.append(parent)
            parent = Unit.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
        return ids

    @staticmethod
    def subtree_of(unit_id: int) -> list[int]:
        ids = [unit_id]
        seen = {unit_id}
        frontier = [unit_id]
        while frontier:
            # Units already seen are left out, so a loop written straight into the database
            # (the forms refuse one) cannot make this walk forever.
            found = Unit.objects.filter(parent_id__in=frontier).order_by().values_list("pk", flat=True)
            frontier = [pk for pk in found if pk not in seen]
            seen.update(frontier)
            ids.extend(frontier)
        return ids


class User(AbstractUser):
    """An officer, supervisor, viewer or administrator of one unit."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Quản trị")
        SUPERVISOR = "supervisor", _("Chỉ huy")
        OFFICER = "officer", _("Cán bộ")
        VIEWER = "viewer", _("Xem")

    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("đơn vị"))
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.OFFICER)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def visible_unit_ids(self) -> list[int]:
        """Units whose cases this user may see: supervisors and admins see the units under
        theirs; officers and viewers their own unit only. Worked out once per request."""
        cached: list[int] | None = getattr(self, "_visible_unit_ids", None)
        if cached is not None:
            return cached
        if self.unit_id is None:
            ids: list[int] = []
        elif self.role in (self.Role.SUPERVISOR, self.Role.ADMIN):
            ids = Unit.subtree_of(self.unit_id)
        else:
            ids = [self.unit_id]
        self._visible_unit_ids = ids
        return ids

    @property
    def can_act(self) -> bool:
        """May change cases: reply, assign, note, change status."""
        return self.is_active and self.role != self.Role.VIEWER

    @property
    def can_reveal(self) -> bool:
        """May see a reporter's contact details (each time with a reason, audited)."""
        return self.is_active and self.role in (self.Role.SUPERVISOR, self.Role.ADMIN)

    @property
    def can_administer(self) -> bool:
        return self.is_active and self.role == self.Role.ADMIN


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for the officers' API. Only its hash is stored; the token itself is shown
    once, when made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("người dùng"))
    name = models.CharField(_("tên"), max_length=100, default="api")
    key_hash = models.CharField(_("mã băm"), max_length=64, unique=True)
    prefix = models.CharField(_("phần đầu của token"), max_length=8)
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    last_used = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    @classmethod
    def issue(cls, user: User, name: str = "api") -> tuple[ApiToken, str]:
        raw = "cg_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8])
        return token, raw


class PasswordLink(models.Model):
    """A one-time link for a person to set their own password, given by a supervisor (in
    person or by phone). Only the hash of its token is kept, so a copy of the database
    opens no account; it works once, for a day."""

    LIFETIME_HOURS = 24

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_links", verbose_name=_("người dùng"))
    token_hash = models.CharField(_("mã băm"), max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("người tạo"))
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires = models.DateTimeField(_("hết hạn lúc"))
    used = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết đặt mật khẩu")
        verbose_name_plural = _("liên kết đặt mật khẩu")


class OfficerChat(models.Model):
    """An officer's own account on a chat channel (the Zalo Official Account of their unit,
    or of one above it), linked to their console account so that urgent tips reach them
    there. Linked by a one-time code the officer sends to the OA: only its keyed hash is
    kept, for 15 minutes. The chat user ID is sealed, like a reporter's, and found again
    by a keyed hash; one row per officer, kept when unlinked (their choice of alerts stays)."""

    CODE_MINUTES = 15

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="chat", verbose_name=_("người dùng"))
    channel = models.ForeignKey(
        "intake.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="officer_chats", verbose_name=_("kênh")
    )
    chat_user_hash = models.CharField(max_length=64, blank=True, db_index=True, help_text="keyed hash of the chat user ID")
    chat_user_sealed = models.TextField(blank=True, help_text="the chat user ID, encrypted (needed to send)")
    verified_at = models.DateTimeField(_("liên kết lúc"), null=True, blank=True)
    urgent_alerts = models.BooleanField(_("nhận tin khẩn cấp"), default=True)
    code_hash = models.CharField(max_length=64, blank=True, db_index=True, help_text="keyed hash of the pending link code")
    code_expires = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("liên kết Zalo của cán bộ")
        verbose_name_plural = _("liên kết Zalo của cán bộ")

    @property
    def linked(self) -> bool:
        return self.verified_at is not None and self.channel_id is not None and bool(self.chat_user_sealed)


class UrgentAlert(models.Model):
    """One urgent tip sent to one officer's chat: claimed before the send, so that a task
    run twice (a worker that died mid-send, a retry) never sends it twice. It holds no
    text: the case says what the tip was, and goes with it when retention deletes it."""

    class State(models.TextChoices):
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không được")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="urgent_alerts", verbose_name=_("người dùng"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="officer_alerts", verbose_name=_("tin"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.SENDING)
    error = models.CharField(_("lỗi"), max_length=300, blank=True)
    provider_id = models.CharField(max_length=120, blank=True, help_text="the provider's id of the message sent")
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tin khẩn cấp gửi cán bộ")
        verbose_name_plural = _("tin khẩn cấp gửi cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="one_alert_per_officer_and_case")]
