"""Forms of the officers' pages: what a supervisor types, checked at the boundary."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from canhgiac.web.accounts.models import Unit, User


class CreateForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        validators=[RegexValidator(r"^[\w.@+-]+\Z", _("Tên đăng nhập chỉ gồm chữ, số và các dấu . @ + - _ (không có dấu cách)."))],
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), empty_label=None)
    role = forms.ChoiceField(label=_("Vai trò"))

    def __init__(self, *args: Any, units: list[int], roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = Unit.objects.filter(pk__in=units)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = roles
        role_field.initial = User.Role.OFFICER


def _vietnamese(error: forms.ValidationError) -> forms.ValidationError:
    # Django's Vietnamese catalogue still has the old wording of the too-short message
    # (%(min_length)d, now %d), so that one would be shown in English (as in the admin's form).
    if error.code == "password_too_short" and error.params:
        message = _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.")
        return forms.ValidationError(message, code=error.code, params=error.params)
    return error


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("Mật khẩu mới"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1") or ""
        second: str = self.cleaned_data.get("password2") or ""
        if first != second:
            raise forms.ValidationError(_("Hai lần nhập mật khẩu không giống nhau."))
        try:
            validate_password(second, self.user)
        except forms.ValidationError as exc:
            raise forms.ValidationError([_vietnamese(error) for error in exc.error_list]) from exc
        return second
