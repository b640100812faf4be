"""Administration pages (Django's admin), for users with the admin role only.

Units, users and roles, channels and their secrets, the indicator registry; the audit
log is read-only. Secrets are written, never shown back.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.forms import UserCreationForm
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from canhgiac.web.accounts.models import ApiToken, Unit, User
from canhgiac.web.audit.log import record
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.indicators.models import Indicator
from canhgiac.web.intake.models import Channel


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == User.Role.ADMIN)


class CanhGiacAdminSite(admin.AdminSite):
    site_header = "Cảnh Giác"
    site_title = "Cảnh Giác"
    index_title = _("Quản trị")

    def has_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)


site = CanhGiacAdminSite(name="canhgiac_admin")


class AdminRoleMixin:
    """The admin role may do everything here (Django's per-model permissions are not used)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)


class AuditedAdmin(AdminRoleMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record("admin.changed" if change else "admin.added", actor=request.user, obj=obj, fields=sorted(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        record("admin.deleted", actor=request.user, obj=obj, label=str(obj))
        super().delete_model(request, obj)


@admin.register(Unit, site=site)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "parent", "retention_days")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class UserForm(forms.ModelForm):  # type: ignore[type-arg]
    new_password = forms.CharField(
        label=_("Mật khẩu mới"), required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi.")
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "unit", "role", "is_active")

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            user.set_password(self.cleaned_data["new_password"])
        if commit:
            user.save()
        return user


@admin.register(User, site=site)
class UserAdmin(AuditedAdmin):
    form = UserForm
    add_form = UserCreationForm
    list_display = ("username", "unit", "role", "is_active", "last_login")
    list_filter = ("role", "unit", "is_active")
    search_fields = ("username",)


class ChannelForm(forms.ModelForm):  # type: ignore[type-arg]
    oa_secret = forms.CharField(label="OA secret key", required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi."))
    app_secret = forms.CharField(label="App secret", required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi."))
    access_token = forms.CharField(label="Access token", required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi."))
    refresh_token = forms.CharField(
        label="Refresh token", required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi.")
    )

    class Meta:
        model = Channel
        fields = ("unit", "kind", "slug", "name", "active", "app_id", "oa_id")

    def save(self, commit: bool = True) -> Channel:
        channel: Channel = super().save(commit=False)
        for field in ("oa_secret", "app_secret", "access_token", "refresh_token"):
            if self.cleaned_data.get(field):
                channel.set_secret(field, self.cleaned_data[field])
        if commit:
            channel.save()
        return channel


@admin.register(Channel, site=site)
class ChannelAdmin(AuditedAdmin):
    form = ChannelForm
    list_display = ("name", "kind", "unit", "slug", "active")
    list_filter = ("kind", "active")


@admin.register(Indicator, site=site)
class IndicatorAdmin(AuditedAdmin):
    list_display = ("value", "kind", "status", "report_count", "last_seen")
    list_filter = ("kind", "status")
    search_fields = ("value",)


@admin.register(ApiToken, site=site)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("user", "name", "prefix", "created", "last_used")
    fields = ("user", "name", "prefix", "created", "last_used")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # made with `canhgiac token`, shown once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(AdminRoleMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_id")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
