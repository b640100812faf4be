"""Bulletins: awareness posts sent to a unit's subscribers, with a record per recipient."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Bulletin(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        SCHEDULED = "scheduled", _("Đã hẹn giờ")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="bulletins", verbose_name=_("đơn vị"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    # Re-encoded JPEG without metadata (core.images); public once the bulletin is sent.
    image = models.FileField(_("ảnh"), upload_to="bulletins/%Y/%m/", blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("phát lúc"), null=True, blank=True)
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("người soạn")
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("bản tin")
        verbose_name_plural = _("bản tin")

    def __str__(self) -> str:
        return self.title

    def image_path(self) -> str:
        """The image's public address, relative to the site; empty without one."""
        return reverse("bulletin_image", args=[self.pk]) if self.image else ""

    def text(self, manage_url: str = "") -> str:
        stop = f"Nhắn HUY hoặc mở {manage_url} để ngừng nhận bản tin." if manage_url else "Nhắn HUY để ngừng nhận bản tin."
        return f"{self.title}\n\n{self.body}\n\n({stop})"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        SENT = "sent", _("Đã nhận")
        FAILED = "failed", _("Gửi không được")
        SKIPPED = "skipped", _("Bỏ qua")

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("bản tin"))
    reporter = models.ForeignKey("cases.Reporter", on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("người nhận"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.CharField(_("lý do"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # The provider's id of what was sent, and what its delivery reports said of it.
    provider_id = models.CharField(max_length=120, blank=True, db_index=True)
    delivered_at = models.DateTimeField(_("đến máy lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("xem lúc"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bulletin", "reporter"], name="one_delivery_per_recipient")]
        verbose_name = _("lượt gửi bản tin")
        verbose_name_plural = _("lượt gửi bản tin")
