"""Crime-prevention meetings (tuyên truyền phòng chống tội phạm) and their attendance.

Public-safety meetings for residents: how scams work, drugs, traffic, fire. Attendance is
counted, never listed: the officer enters invited and present per group, and a QR check-in
adds one to a counter. Nothing about any attendee is stored, not even a row per check-in.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The topics a unit starts with; it may rename, add or retire them.
DEFAULT_TOPICS = (
    "Lừa đảo qua mạng",
    "Ma túy",
    "An toàn giao thông",
    "Phòng cháy chữa cháy",
    "Trộm cắp tài sản",
    "Bạo lực gia đình",
)


def new_checkin_token() -> str:
    # 192 bits: the check-in page cannot be found by guessing.
    return secrets.token_urlsafe(24)


def material_path(instance: Session, filename: str) -> str:
    # The uploaded name is not used on disk (it may hold anything); the extension was
    # checked by the form.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"meetings/{instance.unit_id}/{secrets.token_hex(8)}.{suffix}"


class Topic(models.Model):
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="meeting_topics", verbose_name=_("đơn vị"))
    name = models.CharField(_("tên chủ đề"), max_length=120)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="meetings_topic_unit_name")]
        verbose_name = _("chủ đề tuyên truyền")
        verbose_name_plural = _("chủ đề tuyên truyền")

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Dự kiến")
        HELD = "held", _("Đã tổ chức")
        CANCELLED = "cancelled", _("Đã hủy")

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="meeting_sessions", verbose_name=_("đơn vị"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("chủ đề"))
    title = models.CharField(_("tên buổi"), max_length=200)
    place = models.CharField(_("địa điểm"), max_length=200)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    target_group = models.CharField(_("đối tượng"), max_length=200, blank=True)
    leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("cán bộ phụ trách"))
    warnings = models.ManyToManyField("knowledge.Warning", blank=True, related_name="+", verbose_name=_("cảnh báo dùng làm tài liệu"))
    bulletins = models.ManyToManyField("bulletins.Bulletin", blank=True, related_name="+", verbose_name=_("bản tin dùng làm tài liệu"))
    material = models.FileField(_("tài liệu tải lên"), upload_to=material_path, blank=True)
    material_name = models.CharField(_("tên tài liệu"), max_length=200, blank=True)
    report = models.TextField(_("báo cáo sau buổi"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    checkin_token = models.CharField(max_length=64, unique=True, default=new_checkin_token)
    checked_in = models.PositiveIntegerField(_("điểm danh qua mã QR"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated = models.DateTimeField(_("sửa lúc"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["unit", "starts_at"], name="meetings_unit_starts")]
        verbose_name = _("buổi tuyên truyền")
        verbose_name_plural = _("buổi tuyên truyền")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Invited and present for one group of residents at one session: counts only."""

    class Group(models.TextChoices):
        HOUSEHOLDS = "households", _("Hộ gia đình")
        STUDENTS = "students", _("Học sinh")
        TRADERS = "traders", _("Tiểu thương")
        WORKERS = "workers", _("Công nhân")
        ELDERLY = "elderly", _("Người cao tuổi")
        OTHER = "other", _("Khác")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    group = models.CharField(_("nhóm"), max_length=20, choices=Group.choices)
    invited = models.PositiveIntegerField(_("số mời"), default=0)
    present = models.PositiveIntegerField(_("số có mặt"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "group"], name="meetings_attendance_session_group")]
        verbose_name = _("số người dự")
        verbose_name_plural = _("số người dự")
