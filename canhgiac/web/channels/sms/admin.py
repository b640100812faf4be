"""The phone of an SMS channel in the administration pages: its address and credentials,
the key its webhooks are signed with, the unit's daily cap. Secrets are written, never
shown back; an admin sees the phones of its own units only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from canhgiac.web.channels.sms.models import SmsGateway
from canhgiac.web.core.admin_site import AuditedAdmin, site

_KEEP = _("Để trống nếu không đổi.")


class SmsGatewayForm(forms.ModelForm):  # type: ignore[type-arg]
    # In local mode the phone serves plain HTTP on the office network.
    base_url = forms.URLField(
        label=SmsGateway._meta.get_field("base_url").verbose_name,
        help_text=SmsGateway._meta.get_field("base_url").help_text,
        assume_scheme="http",
    )
    password = forms.CharField(label=_("Mật khẩu của điện thoại"), required=False, widget=forms.PasswordInput, help_text=_KEEP)
    signing_key = forms.CharField(
        label=_("Khóa ký webhook (signing key)"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Khóa đã đặt trong ứng dụng SMS Gateway (Settings → Webhooks → Signing Key). Để trống nếu không đổi."),
    )

    class Meta:
        model = SmsGateway
        fields = ("channel", "base_url", "username", "sim_number", "daily_cap", "plain_over_parts")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for field in ("password", "signing_key"):
            if not cleaned.get(field) and not getattr(self.instance, f"{field}_sealed", ""):
                self.add_error(field, _("Cần nhập khi gắn điện thoại lần đầu."))
        return cleaned

    def save(self, commit: bool = True) -> SmsGateway:
        gateway: SmsGateway = super().save(commit=False)
        for field in ("password", "signing_key"):
            if self.cleaned_data.get(field):
                gateway.set_secret(field, self.cleaned_data[field])
        if commit:
            gateway.save()
        return gateway


@admin.register(SmsGateway, site=site)
class SmsGatewayAdmin(AuditedAdmin):
    form = SmsGatewayForm
    list_display = ("channel", "base_url", "daily_cap")
    unit_path = "channel__unit"  # the channels offered: the admin's units' (AuditedAdmin), SMS only (limit_choices_to)
