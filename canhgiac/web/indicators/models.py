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

    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("giá trị"), max_length=300)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.REPORTED, db_index=True)
    bank = models.CharField(_("ngân hàng"), max_length=60, blank=True)
    report_count = models.PositiveIntegerField(_("số lần được báo"), default=0)
    first_seen = models.DateTimeField(_("báo lần đầu"), default=timezone.now)
    last_seen = models.DateTimeField(_("báo gần nhất"), default=timezone.now)
    source = models.CharField(
        _("nguồn"), max_length=100, blank=True, help_text="the imported list (reports from cases are IndicatorReport rows)"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="one_indicator_per_value")]
        ordering = ["-last_seen"]
        verbose_name = _("chỉ dấu lừa đảo")
        verbose_name_plural = _("chỉ dấu lừa đảo")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class IndicatorReport(models.Model):
    """One case in which an indicator was reported, and the unit it belongs to.

    The registry is shared (a scam number is a scam number everywhere), but a case is
    its unit's: other units see how many reports and when, never which cases. When the
    case is deleted (retention) the report stays as a count and a date."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        # One report per case: a reporter repeating the number in a follow-up is not a second report.
        constraints = [models.UniqueConstraint(fields=["indicator", "case"], name="one_report_per_case")]
        indexes = [models.Index(fields=["indicator", "unit"])]
        verbose_name = _("lần báo chỉ dấu")
        verbose_name_plural = _("lần báo chỉ dấu")
