"""An Android phone running SMS Gateway for Android, paired with an SMS channel, and what
was sent through it.

The channel (``intake.Channel``, kind "sms") is the unit's SMS line; its gateway holds
how to reach the phone (address, credentials), the key its webhooks are signed with,
and the unit's daily cap. Secrets are sealed like the channel's own.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from canhgiac.web.core.crypto import seal, unseal


def new_id_prefix() -> str:
    return secrets.token_hex(4)


class SmsGateway(models.Model):
    channel = models.OneToOneField(
        "intake.Channel",
        on_delete=models.CASCADE,
        related_name="sms_gateway",
        limit_choices_to={"kind": "sms"},
        verbose_name=_("kênh"),
    )
    base_url = models.URLField(
        _("địa chỉ của điện thoại"),
        help_text=_("Như ứng dụng SMS Gateway hiển thị ở mục Local Server, ví dụ http://192.168.1.20:8080"),
    )
    username = models.CharField(_("tên đăng nhập của điện thoại"), max_length=100)
    password_sealed = models.TextField(blank=True)
    signing_key_sealed = models.TextField(blank=True)
    sim_number = models.PositiveSmallIntegerField(
        _("khe SIM"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("Để trống để dùng SIM mặc định của điện thoại."),
    )
    daily_cap = models.PositiveIntegerField(
        _("số SMS tối đa mỗi ngày"),
        default=200,
        help_text=_("Tính theo phần tin (mỗi phần là một SMS phải trả tiền). Tin vượt hạn mức chờ sang ngày hôm sau."),
    )
    plain_over_parts = models.PositiveSmallIntegerField(
        _("gửi không dấu khi dài hơn (số phần)"),
        default=2,
        help_text=_("Tin có dấu dài hơn số phần này được gửi không dấu, rẻ hơn khoảng hai lần rưỡi. 0: luôn gửi như đã viết."),
    )
    # Ours, chosen before the call: a send retried after a crash names the same message,
    # and the phone refuses the second one (409) instead of sending it twice.
    id_prefix = models.CharField(max_length=16, default=new_id_prefix, editable=False)
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("điện thoại gửi SMS")
        verbose_name_plural = _("điện thoại gửi SMS")

    def __str__(self) -> str:
        return str(self.channel)

    def clean(self) -> None:
        # The daily cap is the unit's (sends are counted over all its SMS channels), and
        # it is this row's: one phone per unit keeps that a single figure.
        channel = getattr(self, "channel", None)
        if channel is not None and SmsGateway.objects.filter(channel__unit_id=channel.unit_id).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"channel": _("Đơn vị này đã có một điện thoại gửi SMS: mỗi đơn vị chỉ dùng một, với một hạn mức SMS mỗi ngày.")}
            )

    def set_secret(self, field: str, value: str) -> None:
        setattr(self, f"{field}_sealed", seal(value))

    def secret(self, field: str) -> str:
        return unseal(getattr(self, f"{field}_sealed"))


class SmsOutbound(models.Model):
    """One send through the phone: which answer it was, how many parts it cost, what the
    phone said became of it. Neither the number nor the text is kept here: they are in
    the case, which retention deletes, and this row with it."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("Đang gửi")
        SENT = "sent", _("Điện thoại đã nhận")
        DELIVERED = "delivered", _("Đã đến máy người nhận")
        FAILED = "failed", _("Gửi không được")
        REFUSED = "refused", _("Điện thoại từ chối")

    channel = models.ForeignKey("intake.Channel", on_delete=models.CASCADE, related_name="sms_outbound")
    provider_id = models.CharField(max_length=36, unique=True)
    message = models.ForeignKey("cases.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reporter = models.ForeignKey("cases.Reporter", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    parts = models.PositiveSmallIntegerField(default=1)
    encoding = models.CharField(max_length=5, default="ucs2")
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLAIMED)
    error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["channel", "created"], name="sms_outbound_day")]
        verbose_name = _("SMS đã gửi")
        verbose_name_plural = _("SMS đã gửi")

    def __str__(self) -> str:
        return self.provider_id
