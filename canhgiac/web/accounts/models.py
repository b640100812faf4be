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
