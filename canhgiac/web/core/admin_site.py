"""Administration pages (Django's admin), for users with the admin role only.

Units, users and roles, channels and their secrets, the indicator registry; the audit
log is read-only. Secrets are written, never shown back. An admin manages its own unit
and the units under it, nothing beside or above: a commune's admin its commune, a
district's the district and its communes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.password_validation import validate_password
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from canhgiac.web.accounts.models import ApiToken, Unit, User
from canhgiac.web.audit.log import record
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.indicators.actions import settable_by
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

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One door, with one throttle and one audit trail: the console's login page.
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            target = reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


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


def _admin(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _subtree(request: HttpRequest) -> list[int]:
    """The units this admin manages: its own and every unit under it (cached per request)."""
    user = request.user
    return user.visible_unit_ids() if isinstance(user, User) and user.can_administer else []


def _is_root_admin(request: HttpRequest) -> bool:
    """An admin at the top of a tree (no unit above): also keeps what belongs to no unit."""
    user = request.user
    return isinstance(user, User) and user.can_administer and user.unit is not None and user.unit.parent_id is None


class AuditedAdmin(AdminRoleMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """A model managed within the admin's subtree: lists hold only its objects, another
    unit's object is a 404 (its ID reveals nothing), and a choice of unit, user or
    channel offers only those of the subtree."""

    unit_path = "unit"  # from the model to its unit

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(**{f"{self.unit_path}__in": _subtree(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django would redirect with "does not exist"; another unit's object is simply not there.
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        subtree = _subtree(request)
        if db_field.related_model is Unit:
            kwargs["queryset"] = Unit.objects.filter(pk__in=subtree)
        elif db_field.related_model is User:
            kwargs["queryset"] = User.objects.filter(unit_id__in=subtree)
        elif db_field.related_model is Channel:
            kwargs["queryset"] = Channel.objects.filter(unit_id__in=subtree)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "admin.changed" if change else "admin.added"
        record(action, actor=request.user, unit=_admin(request).unit, obj=obj, fields=sorted(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        record("admin.deleted", actor=request.user, unit=_admin(request).unit, obj=obj, label=str(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # "Delete selected" in a list: audited like one deletion, row by row.
        for obj in queryset:
            record("admin.deleted", actor=request.user, unit=_admin(request).unit, obj=obj, label=str(obj))
        super().delete_queryset(request, queryset)


@admin.register(Unit, site=site)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "kind", "parent", "retention_days")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    unit_path = "pk"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The admin's own unit stays where it is: moving it would take the subtree
        # (and the admin) under another unit, or out from under its own parent.
        if obj is not None and obj.pk == _admin(request).unit_id:
            return ("parent",)
        return ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            field.required = True  # a new unit goes under one of the admin's units, never beside them
        return field

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.pk != _admin(request).unit_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset.exclude(pk=_admin(request).unit_id))


def _vietnamese(error: forms.ValidationError) -> forms.ValidationError:
    # Django's Vietnamese catalogue still has the old wording of the too-short message
    # (%(min_length)d, now %d), so that one would be shown in English.
    if error.code == "password_too_short" and error.params:
        message = _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.")
        return forms.ValidationError(message, code=error.code, params=error.params)
    return error


class UserForm(forms.ModelForm):  # type: ignore[type-arg]
    new_password = forms.CharField(
        label=_("Mật khẩu mới"), required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi.")
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "unit", "role", "is_active")

    request: HttpRequest | None = None  # set by UserAdmin.get_form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].required = True  # a user of no unit would be out of every admin's reach

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data.get("new_password") or ""
        if not password and self.instance.pk is None:
            raise forms.ValidationError(_("Người dùng mới cần một mật khẩu."))
        if password:
            # The same rules as `canhgiac createuser` (AUTH_PASSWORD_VALIDATORS).
            probe = User(
                username=self.cleaned_data.get("username") or self.instance.username,
                first_name=self.cleaned_data.get("first_name") or "",
                last_name=self.cleaned_data.get("last_name") or "",
            )
            try:
                validate_password(password, probe)
            except forms.ValidationError as exc:
                raise forms.ValidationError([_vietnamese(error) for error in exc.error_list]) from exc
        return password

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        me = self.request.user if self.request is not None else None
        myself = self.instance.pk is not None and me is not None and self.instance.pk == me.pk
        if myself and {"unit", "role", "is_active"} & set(self.changed_data):
            raise forms.ValidationError(_("Bạn không thể tự đổi đơn vị, vai trò hay trạng thái của chính mình; hãy nhờ quản trị cấp trên."))
        return cleaned

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
    list_display = ("username", "unit", "role", "is_active", "last_login")
    list_filter = ("role", ("unit", admin.RelatedOnlyFieldListFilter), "is_active")
    search_fields = ("username",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.pk != request.user.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset.exclude(pk=request.user.pk))


class ChannelForm(forms.ModelForm):  # type: ignore[type-arg]
    oa_secret = forms.CharField(
        label=_("Khóa bí mật của OA (OA secret key)"), required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi.")
    )
    app_secret = forms.CharField(
        label=_("Khóa bí mật của ứng dụng (App secret)"), required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi.")
    )
    access_token = forms.CharField(
        label=_("Mã truy cập (access token)"), required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi.")
    )
    refresh_token = forms.CharField(
        label=_("Mã làm mới (refresh token)"), required=False, widget=forms.PasswordInput, help_text=_("Để trống nếu không đổi.")
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
    """The indicators this admin may set a status for, by the registry's one rule
    (indicators.actions.settable_by): those its units reported."""

    list_display = ("value", "kind", "status", "report_count", "last_seen")
    list_filter = ("kind", "status")
    search_fields = ("value",)
    readonly_fields = ("report_count", "first_seen", "last_seen")

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(pk__in=settable_by(_admin(request)).values("pk"))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # An indicator added here has no report, so it belongs to the top of the tree.
        return super().has_add_permission(request, *args) and _is_root_admin(request)


@admin.register(ApiToken, site=site)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("user", "name", "prefix", "created", "last_used")
    fields = ("user", "name", "prefix", "created", "last_used")
    readonly_fields = fields
    unit_path = "user__unit"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # made with `canhgiac token`, shown once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(AuditedAdmin):
    list_display = ("created", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_id")

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Events of the subtree's units, and those with no unit done by its users; events
        # of nobody and no unit (failed logins, commands) only at the top of a tree.
        subtree = _subtree(request)
        mine = Q(unit_id__in=subtree) | Q(unit__isnull=True, actor__unit_id__in=subtree)
        if _is_root_admin(request):
            mine |= Q(unit__isnull=True, actor__isnull=True)
        return queryset.filter(mine)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
