from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.bulletins import sending
from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.cases.views import officer_required
from canhgiac.web.core.ratelimit import client_ip


class BulletinForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Bulletin
        fields = ("unit", "title", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: object, units: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=units)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        draft = Bulletin(title=data.get("title") or "", body=data.get("body") or "")
        if len(draft.text()) > sending.MAX_TEXT:
            excess = len(draft.text()) - sending.MAX_TEXT
            raise forms.ValidationError(_("Bản tin dài quá một tin nhắn Zalo; hãy bớt %(n)d ký tự.") % {"n": excess})
        return data


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@officer_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    bulletins = list(Bulletin.objects.filter(unit_id__in=user.visible_unit_ids()).select_related("unit")[:100])
    counts = sending.reach(bulletins)
    rows = [(b, counts[b.pk]) for b in bulletins]
    return render(request, "bulletins/list.html", {"rows": rows})


@officer_required
def bulletin_edit(request: HttpRequest, bulletin_id: int | None = None) -> HttpResponseBase:
    user = _user(request)
    units = user.visible_unit_ids()
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id, unit_id__in=units) if bulletin_id else None
    if request.method == "POST" and not user.can_act:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    editable = bulletin is None or bulletin.status == Bulletin.Status.DRAFT
    form = BulletinForm(request.POST or None, instance=bulletin, units=units, initial={"unit": user.unit_id})
    if request.method == "POST" and editable and form.is_valid():
        saved = form.save(commit=False)
        if bulletin is None:
            saved.created_by = user
        saved.save()
        messages.success(request, _("Đã lưu bản nháp."))
        return HttpResponseRedirect(reverse("bulletins:edit", args=[saved.pk]))
    reach = sending.reach([bulletin])[bulletin.pk] if bulletin else None
    return render(request, "bulletins/edit.html", {"form": form, "bulletin": bulletin, "editable": editable, "reach": reach})


@officer_required
@require_POST
def bulletin_send(request: HttpRequest, bulletin_id: int) -> HttpResponseBase:
    user = _user(request)
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id, unit_id__in=user.visible_unit_ids())
    when = None
    if request.POST.get("when"):
        try:
            when = timezone.make_aware(datetime.fromisoformat(request.POST["when"]))
        except ValueError:
            messages.error(request, _("Thời gian không hợp lệ."))
            return HttpResponseRedirect(reverse("bulletins:edit", args=[bulletin.pk]))
    try:
        sending.send(bulletin, user, when, client_ip(request))
    except PermissionError:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    except ValueError:
        messages.error(request, _("Bản tin này đã được gửi."))
    else:
        messages.success(request, _("Đã hẹn giờ gửi.") if when else _("Đang gửi đến người theo dõi."))
    return HttpResponseRedirect(reverse("bulletins:edit", args=[bulletin.pk]))


def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Bulletins a unit has sent, for anyone: the web page's way to follow them."""
    unit = get_object_or_404(Unit, slug=slug)
    bulletins = Bulletin.objects.filter(
        unit_id__in=[unit.pk, *([unit.parent_id] if unit.parent_id else [])], status=Bulletin.Status.SENT
    ).order_by("-sent_at")[:50]
    return render(request, "bulletins/public.html", {"unit": unit, "bulletins": bulletins})
