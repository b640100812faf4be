"""The registry of reported indicators: scam phone numbers, bank accounts, domains, pages.

Only indicators are recorded, never the people who reported them or opinions of anyone.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Số điện thoại")
        BANK_ACCOUNT = "bank_account", _("Tài khoản ngân hàng")
        DOMAIN = "domain", _("Tên miền")
        PAGE = "page", _("Trang trên nền tảng lớn")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Được báo")
        CONFIRMED = "confirmed", _("Đã xác nhận lừa đảo")
        DISMISSED = "dismissed", _("Đã loại bỏ")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REPORTED, db_index=True)
    bank = models.CharField(max_length=60, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=100, blank=True, help_text="case, officer or the imported list")
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="one_indicator_per_value")]
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
