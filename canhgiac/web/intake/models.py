"""Channels through which messages arrive, and the raw events they deliver."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from canhgiac.web.core.crypto import seal, unseal


class Channel(models.Model):
    class Kind(models.TextChoices):
        WEB = "web", _("Trang web")
        API = "api", _("API")
        ZALO = "zalo", _("Zalo OA")
        SMS = "sms", _("SMS (điện thoại Android)")

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="channels", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại kênh"), max_length=10, choices=Kind.choices)
    slug = models.SlugField(_("tên trong đường dẫn"), unique=True)
    name = models.CharField(_("tên"), max_length=100)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    # Zalo Official Account settings; secrets encrypted.
    app_id = models.CharField(_("App ID của Zalo"), max_length=64, blank=True)
    oa_id = models.CharField(_("OA ID của Zalo"), max_length=64, blank=True)
    oa_secret_sealed = models.TextField(blank=True)
    app_secret_sealed = models.TextField(blank=True)
    access_token_sealed = models.TextField(blank=True)
    refresh_token_sealed = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(_("access token hết hạn lúc"), null=True, blank=True)
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    # Health, from the last sends (intake/health.py): a channel that fails says so on
    # every console page, not only in the server log.
    last_send_ok_at = models.DateTimeField(_("gửi được lần cuối lúc"), null=True, blank=True)
    last_send_error_at = models.DateTimeField(_("gửi lỗi lần cuối lúc"), null=True, blank=True)
    last_send_error = models.CharField(_("lỗi gửi lần cuối"), max_length=300, blank=True)
    last_send_error_code = models.IntegerField(_("mã lỗi gửi lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("kênh")
        verbose_name_plural = _("kênh")

    def __str__(self) -> str:
        return self.name

    def set_secret(self, field: str, value: str) -> None:
        setattr(self, f"{field}_sealed", seal(value))

    def secret(self, field: str) -> str:
        return unseal(getattr(self, f"{field}_sealed"))


class InboundEvent(models.Model):
    """A webhook event, stored before it is acknowledged. The same channel message ID is
    stored once: retries and replays change nothing."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="events")
    external_id = models.CharField(max_length=120)
    event_name = models.CharField(max_length=60)
    payload = models.JSONField()
    received = models.DateTimeField(default=timezone.now)
    processed = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="one_event_per_channel_message")]
        verbose_name = _("sự kiện từ kênh")
        verbose_name_plural = _("sự kiện từ kênh")
