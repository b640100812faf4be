"""The knowledge base and warnings in the console."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canhgiac.engine import fold_diacritics
from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit.log import record
from canhgiac.web.cases.actions import mark_learned
from canhgiac.web.cases.models import Case
from canhgiac.web.cases.views import officer, officer_required
from canhgiac.web.core.ratelimit import client_ip
from canhgiac.web.knowledge import redaction, search
from canhgiac.web.knowledge.models import Entry, Warning
from canhgiac.web.knowledge.transfer import export_entries, import_entries


class EntryForm(forms.ModelForm):  # type: ignore[type-arg]
    source_url = forms.URLField(label=Entry._meta.get_field("source_url").verbose_name, required=False, assume_scheme="https")

    class Meta:
        model = Entry
        fields = ("unit", "title", "questions", "answer", "source_name", "source_url", "valid_from", "valid_to", "active")
        widgets = {
            "questions": forms.Textarea(attrs={"rows": 4}),
            "answer": forms.Textarea(attrs={"rows": 6}),
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, units: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=units)  # type: ignore[attr-defined]


class WarningForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Warning
        fields = ("unit", "title", "example", "signs", "advice", "published")
        widgets = {
            "example": forms.Textarea(attrs={"rows": 6}),
            "signs": forms.Textarea(attrs={"rows": 3}),
            "advice": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, units: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=units)  # type: ignore[attr-defined]


@officer_required
def entry_list(request: HttpRequest) -> HttpResponse:
    user = officer(request)
    entries = Entry.objects.filter(unit_id__in=user.visible_unit_ids() + _ancestors(user)).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        folded = fold_diacritics(q.lower())
        entries = [e for e in entries if folded in fold_diacritics(f"{e.title} {e.questions} {e.answer}".lower())]  # type: ignore[assignment]
    return render(request, "knowledge/list.html", {"entries": entries, "q": q})


def _ancestors(user: User) -> list[int]:
    ids = []
    unit = user.unit
    while unit is not None and unit.parent_id is not None:
        ids.append(unit.parent_id)
        unit = unit.parent
    return ids


@officer_required
def entry_edit(request: HttpRequest, entry_id: int | None = None) -> HttpResponseBase:
    user = officer(request)
    units = user.visible_unit_ids()
    entry = get_object_or_404(Entry, pk=entry_id, unit_id__in=units) if entry_id else None
    if request.method == "POST" and not user.can_act:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    group = _source_group(request, user) if entry is None else None
    initial = {"unit": user.unit_id, "questions": _questions_of(group) if group is not None else ""}
    form = EntryForm(request.POST or None, instance=entry, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated = timezone.now()
        if entry is None:
            saved.created_by = user
        saved.save()
        record("knowledge.saved", actor=user, unit=saved.unit, obj=saved, ip=client_ip(request), title=saved.title)
        if group is not None:  # written from the unanswered list: those questions leave it
            mark_learned([c.pk for c in group.cases], saved, user, client_ip(request))
        messages.success(request, _("Đã lưu."))
        return HttpResponseRedirect(reverse("knowledge:list"))
    return render(request, "knowledge/edit.html", {"form": form, "entry": entry, "group": group})


@officer_required
def entry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("json", "csv"):
        return HttpResponse(status=404)
    user = officer(request)
    entries = Entry.objects.filter(unit_id__in=user.visible_unit_ids())
    response = HttpResponse(export_entries(entries, fmt), content_type="application/json" if fmt == "json" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="knowledge-base.{fmt}"'
    return response


@officer_required
@require_POST
def entry_import(request: HttpRequest) -> HttpResponseBase:
    user = officer(request)
    if user.role not in (User.Role.SUPERVISOR, User.Role.ADMIN, User.Role.OFFICER):
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    upload = request.FILES.get("file")
    unit = Unit.objects.filter(pk=request.POST.get("unit") or 0, pk__in=user.visible_unit_ids()).first() or user.unit
    if upload is None or unit is None:
        messages.error(request, _("Hãy chọn tệp CSV hoặc JSON."))
        return HttpResponseRedirect(reverse("knowledge:list"))
    fmt = "json" if (upload.name or "").lower().endswith(".json") else "csv"
    try:
        added, updated = import_entries(upload.read().decode("utf-8-sig"), fmt, unit, user)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        messages.error(request, _("Không nhập được: %(error)s") % {"error": exc})
    else:
        messages.success(request, _("Đã thêm %(added)d, cập nhật %(updated)d mục.") % {"added": added, "updated": updated})
    return HttpResponseRedirect(reverse("knowledge:list"))


@officer_required
def unanswered(request: HttpRequest) -> HttpResponse:
    """The questions the base did not answer, similar ones together, most asked first:
    what to add next."""
    user = officer(request)
    groups = search.unanswered_groups(user.visible_unit_ids())[:100]
    return render(request, "knowledge/unanswered.html", {"groups": groups})


def _source_group(request: HttpRequest, user: User) -> search.Group | None:
    """The unanswered questions an entry is being written from (``?from=`` a case of the
    group, on the unanswered list), if any."""
    case_id = request.POST.get("from") or request.GET.get("from") or ""
    case = Case.objects.filter(pk=int(case_id), unit_id__in=user.visible_unit_ids()).first() if case_id.isdigit() else None
    return search.unanswered_group(user.visible_unit_ids(), case) if case is not None else None


def _questions_of(group: search.Group) -> str:
    """The group's questions as an entry's ways of asking: without the citizens' numbers,
    links and names, for the officer to check."""
    lines = dict.fromkeys(redaction.redact(c.preview).strip() for c in group.cases)
    return "\n".join(line for line in lines if line)[:2000]


@officer_required
def warning_list(request: HttpRequest) -> HttpResponse:
    user = officer(request)
    warnings = Warning.objects.filter(Q(unit_id__in=user.visible_unit_ids()) | Q(unit_id__in=_ancestors(user))).select_related("unit")
    suggested = (
        Case.objects.filter(unit_id__in=user.visible_unit_ids(), warning__isnull=False, warning_confirmed=False)
        .select_related("warning")
        .order_by("-created")[:50]
    )
    return render(request, "knowledge/warnings.html", {"warnings": warnings, "suggested": suggested})


@officer_required
def warning_edit(request: HttpRequest, warning_id: int | None = None) -> HttpResponseBase:
    user = officer(request)
    units = user.visible_unit_ids()
    warning = get_object_or_404(Warning, pk=warning_id, unit_id__in=units) if warning_id else None
    if request.method == "POST" and not user.can_act:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    form = WarningForm(request.POST or None, instance=warning, units=units, initial={"unit": user.unit_id})
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated = timezone.now()
        if saved.published and saved.published_at is None:
            saved.published_at = timezone.now()
        if warning is None:
            saved.created_by = user
        saved.save()
        record("warning.saved", actor=user, unit=saved.unit, obj=saved, ip=client_ip(request), published=saved.published)
        messages.success(request, _("Đã lưu."))
        return HttpResponseRedirect(reverse("knowledge:warnings"))
    return render(request, "knowledge/warning_edit.html", {"form": form, "warning": warning})
