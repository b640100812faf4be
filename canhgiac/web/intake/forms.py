from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > settings.CANHGIAC_MAX_PHOTOS:
            raise forms.ValidationError(f"Tối đa {settings.CANHGIAC_MAX_PHOTOS} ảnh.")
        return [super(PhotosField, self).clean(f, initial) for f in files]


class IntakeForm(forms.Form):
    text = forms.CharField(
        label="Nội dung",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "Viết tin báo, câu hỏi, hoặc dán tin nhắn lạ cần kiểm tra..."}),
        max_length=settings.CANHGIAC_MAX_MESSAGE_CHARS,
        required=False,
        error_messages={"max_length": "Nội dung quá dài (tối đa %(limit_value)d ký tự)."},
    )
    photos = PhotosField(label="Ảnh (không bắt buộc)", required=False)
    share_location = forms.BooleanField(label="Gửi kèm vị trí hiện tại của tôi", required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    contact = forms.CharField(
        label="Liên hệ (không bắt buộc)",
        required=False,
        max_length=200,
        help_text="Chỉ điền nếu bạn muốn cán bộ liên hệ lại. Thông tin được mã hóa và giữ kín.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("photos"):
            raise forms.ValidationError("Hãy viết nội dung hoặc gửi ảnh.")
        if not data.get("share_location"):
            data["latitude"] = data["longitude"] = None
        return data


class FollowupForm(forms.Form):
    reference = forms.CharField(label="Mã tin", max_length=16)
    key = forms.CharField(label="Mã bí mật", max_length=64, widget=forms.PasswordInput(render_value=False))


class FollowupMessageForm(forms.Form):
    text = forms.CharField(label="Viết thêm", widget=forms.Textarea(attrs={"rows": 4}), max_length=settings.CANHGIAC_MAX_MESSAGE_CHARS)
