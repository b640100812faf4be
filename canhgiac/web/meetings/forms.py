"""Forms for the meetings console: they read and check input, and hand it to actions.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.core.text import PlainCharField
from canhgiac.web.knowledge.models import Warning
from canhgiac.web.meetings.actions import MAX_COUNT, SessionFields, ancestors_and_self
from canhgiac.web.meetings.models import Attendance, Topic

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class SessionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    topic = forms.ModelChoiceField(label=_("Chủ đề"), queryset=Topic.objects.none())
    title = PlainCharField(label=_("Tên buổi"), max_length=200)
    place = PlainCharField(label=_("Địa điểm"), max_length=200, help_text=_("Ví dụ: nhà văn hóa thôn 3, trường THCS, chợ xã."))
    starts_at = forms.DateTimeField(label=_("Bắt đầu"), input_formats=DATETIME_FORMATS, widget=DateTimeInput())
    ends_at = forms.DateTimeField(
        label=_("Kết thúc (không bắt buộc)"), required=False, input_formats=DATETIME_FORMATS, widget=DateTimeInput()
    )
    target_group = PlainCharField(
        label=_("Đối tượng"), max_length=200, required=False, help_text=_("Ví dụ: hộ gia đình thôn 3, học sinh lớp 8.")
    )
    leaders = forms.ModelMultipleChoiceField(
        label=_("Cán bộ phụ trách"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    warnings = forms.ModelMultipleChoiceField(
        label=_("Cảnh báo dùng làm tài liệu"), queryset=Warning.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    bulletins = forms.ModelMultipleChoiceField(
        label=_("Bản tin dùng làm tài liệu"), queryset=Bulletin.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    material = forms.FileField(label=_("Tài liệu (PDF, ảnh, Word; tối đa 10 MB)"), required=False)

    def __init__(self, *args: Any, units: list[int], unit: Unit, **kwargs: Any) -> None:
        """``unit``: the unit the choices are for (the session's, or the one picked)."""
        super().__init__(*args, **kwargs)
        sources = ancestors_and_self(unit)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=units)  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.filter(unit=unit).filter(  # type: ignore[attr-defined]
            Q(active=True) | Q(pk=self.initial.get("topic") or 0)
        )
        leaders = User.objects.filter(unit_id__in=unit.subtree_ids(), is_active=True).exclude(role=User.Role.VIEWER)
        self.fields["leaders"].queryset = leaders.order_by("username")  # type: ignore[attr-defined]
        self.fields["warnings"].queryset = Warning.objects.filter(unit_id__in=sources)  # type: ignore[attr-defined]
        self.fields["bulletins"].queryset = Bulletin.objects.filter(unit_id__in=sources)  # type: ignore[attr-defined]

    def fields_for_action(self) -> SessionFields:
        data = self.cleaned_data
        return SessionFields(
            unit=data["unit"],
            topic=data["topic"],
            title=data["title"],
            place=data["place"],
            starts_at=data["starts_at"],
            ends_at=data.get("ends_at"),
            target_group=data.get("target_group") or "",
            leaders=list(data.get("leaders") or []),
            warnings=list(data.get("warnings") or []),
            bulletins=list(data.get("bulletins") or []),
        )


class AttendanceForm(forms.Form):
    """Invited and present for each group, and the report afterwards."""

    report = PlainCharField(label=_("Báo cáo sau buổi"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Attendance.Group.choices:
            for kind, kind_label in (("invited", _("mời")), ("present", _("có mặt"))):
                self.fields[f"{kind}_{value}"] = forms.IntegerField(
                    label=f"{label}: {kind_label}",
                    min_value=0,
                    max_value=MAX_COUNT,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(label), self[f"invited_{value}"], self[f"present_{value}"]) for value, label in Attendance.Group.choices]

    def counts(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {value: (data.get(f"invited_{value}") or 0, data.get(f"present_{value}") or 0) for value in Attendance.Group.values}


class TopicForm(forms.Form):
    name = forms.CharField(label=_("Tên chủ đề"), max_length=120)
