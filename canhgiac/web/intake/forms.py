from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > settings.CANHGIAC_MAX_PHOTOS:
            raise forms.ValidationError(_("Tối đa %(n)d ảnh.") % {"n": settings.CANHGIAC_MAX_PHOTOS})
        return [super(PhotosField, self).clean(f, initial) for f in files]


class IntakeForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": _("Viết tin báo, câu hỏi, hoặc dán tin nhắn lạ cần kiểm tra...")}),
        max_length=settings.CANHGIAC_MAX_MESSAGE_CHARS,
        required=False,
        error_messages={"max_length": _("Nội dung quá dài (tối đa %(limit_value)d ký tự).")},
    )
    photos = PhotosField(label=_("Ảnh (không bắt buộc)"), required=False)
    share_location = forms.BooleanField(label=_("Gửi kèm vị trí hiện tại của tôi"), required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    contact = forms.CharField(
        label=_("Liên hệ (không bắt buộc)"),
        required=False,
        max_length=200,
        help_text=_("Chỉ điền nếu bạn muốn cán bộ liên hệ lại. Thông tin được mã hóa và giữ kín."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("photos"):
            raise forms.ValidationError(_("Hãy viết nội dung hoặc gửi ảnh."))
        if not data.get("share_location"):
            data["latitude"] = data["longitude"] = None
        return data


class FollowupForm(forms.Form):
    reference = forms.CharField(label=_("Mã tin"), max_length=16)
    # Typed from a screenshot or a note: shown as typed (a hidden field hides the typo),
    # and in capitals, as the receipt writes it; lowercase, spaces and dashes are accepted.
    key = forms.CharField(
        label=_("Mã bí mật"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class FollowupMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Viết thêm"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=settings.CANHGIAC_MAX_MESSAGE_CHARS,
        required=False,
        error_messages={"max_length": _("Nội dung quá dài (tối đa %(limit_value)d ký tự).")},
    )
    photos = PhotosField(label=_("Ảnh (không bắt buộc)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("photos"):
            raise forms.ValidationError(_("Hãy viết nội dung hoặc gửi ảnh."))
        return data
