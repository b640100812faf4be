from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from canhgiac.web.accounts.models import Unit
from canhgiac.web.audit.log import record
from canhgiac.web.bulletins import sending
from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.cases.views import officer, officer_required
from canhgiac.web.core.images import CleanImage, ImageRejected, clean_image
from canhgiac.web.core.ratelimit import client_ip


class BulletinForm(forms.ModelForm):  # type: ignore[type-arg]
    photo = forms.FileField(label=_lazy("Ảnh (không bắt buộc)"), required=False)

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
        longest = len(draft.text("x" * sending.LONGEST_MANAGE_URL))
        if longest > sending.MAX_TEXT:
            excess = longest - sending.MAX_TEXT
            raise forms.ValidationError(_("Bản tin dài quá một tin nhắn Zalo; hãy bớt %(n)d ký tự.") % {"n": excess})
        return data

    def clean_photo(self) -> CleanImage | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return clean_image(upload.read(settings.CANHGIAC_MAX_PHOTO_BYTES + 1), settings.CANHGIAC_MAX_PHOTO_BYTES)
        except ImageRejected as exc:
            raise forms.ValidationError(str(exc)) from exc


@officer_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = officer(request)
    bulletins = list(Bulletin.objects.filter(unit_id__in=user.visible_unit_ids()).select_related("unit")[:100])
    delivery = sending.progress(bulletins)
    return render(request, "bulletins/list.html", {"rows": [delivery[b.pk] for b in bulletins]})


@officer_required
def bulletin_edit(request: HttpRequest, bulletin_id: int | None = None) -> HttpResponseBase:
    user = officer(request)
    units = user.visible_unit_ids()
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id, unit_id__in=units) if bulletin_id else None
    if request.method == "POST" and not user.can_act:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    editable = bulletin is None or bulletin.status == Bulletin.Status.DRAFT
    form = BulletinForm(request.POST or None, request.FILES or None, instance=bulletin, units=units, initial={"unit": user.unit_id})
    if request.method == "POST" and editable and form.is_valid():
        saved = form.save(commit=False)
        if bulletin is None:
            saved.created_by = user
        photo = form.cleaned_data.get("photo")
        if photo is not None:
            saved.image.save(f"{secrets.token_hex(8)}.jpg", ContentFile(photo.data), save=False)
        elif request.POST.get("remove_photo"):
            saved.image = ""
        saved.save()
        record("bulletin.saved", actor=user, unit=saved.unit, obj=saved, ip=client_ip(request), title=saved.title)
        messages.success(request, _("Đã lưu bản nháp."))
        return HttpResponseRedirect(reverse("bulletins:edit", args=[saved.pk]))
    delivery = sending.progress([bulletin])[bulletin.pk] if bulletin else None
    context = {"form": form, "bulletin": bulletin, "editable": editable, "delivery": delivery}
    return render(request, "bulletins/edit.html", context)


@officer_required
@require_POST
def bulletin_send(request: HttpRequest, bulletin_id: int) -> HttpResponseBase:
    """Send, in two steps: the first shows how many people it will reach and asks to
    confirm; only the confirmation (confirm=1) sends."""
    user = officer(request)
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id, unit_id__in=user.visible_unit_ids())
    if not user.can_act:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    when = None
    if request.POST.get("when"):
        try:
            when = timezone.make_aware(datetime.fromisoformat(request.POST["when"]))
        except ValueError:
            messages.error(request, _("Thời gian không hợp lệ."))
            return HttpResponseRedirect(reverse("bulletins:edit", args=[bulletin.pk]))
    if bulletin.status not in (Bulletin.Status.DRAFT, Bulletin.Status.SCHEDULED):
        messages.error(request, _("Bản tin này đã được gửi."))
        return HttpResponseRedirect(reverse("bulletins:edit", args=[bulletin.pk]))
    if request.POST.get("confirm") != "1":
        context = {"bulletin": bulletin, "preview": sending.preview(bulletin), "when": when, "when_value": request.POST.get("when", "")}
        return render(request, "bulletins/confirm.html", context)
    try:
        sending.send(bulletin, user, when, client_ip(request))
    except PermissionError:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    except ValueError:
        messages.error(request, _("Bản tin này đã được gửi."))
    else:
        messages.success(request, _("Đã hẹn giờ gửi.") if when else _("Đang gửi đến người theo dõi."))
    return HttpResponseRedirect(reverse("bulletins:edit", args=[bulletin.pk]))


@officer_required
def bulletin_image(request: HttpRequest, bulletin_id: int) -> FileResponse:
    """The image of a draft, for the officers who may see it."""
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id, unit_id__in=officer(request).visible_unit_ids())
    if not bulletin.image:
        raise Http404
    return FileResponse(bulletin.image.open("rb"), content_type="image/jpeg")


def subscription(request: HttpRequest, token: str) -> HttpResponse:
    """A subscriber's own page, from the link in every bulletin: stop or start at once."""
    reporter = sending.reporter_from_token(token)
    if reporter is None:
        raise Http404
    changed = False
    if request.method == "POST" and request.POST.get("subscribed") in ("0", "1"):
        sending.set_subscription(reporter, request.POST["subscribed"] == "1")
        changed = True
    return render(request, "bulletins/subscription.html", {"reporter": reporter, "changed": changed, "unit": reporter.channel.unit})


def public_image(request: HttpRequest, bulletin_id: int) -> FileResponse:
    """A sent bulletin's image: Zalo fetches it from here, and the public page shows it."""
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id, status=Bulletin.Status.SENT)
    if not bulletin.image:
        raise Http404
    return FileResponse(bulletin.image.open("rb"), content_type="image/jpeg")


def _published(unit: Unit) -> list[Bulletin]:
    """What a unit's people receive: its own bulletins and its district's."""
    units = [unit.pk, *([unit.parent_id] if unit.parent_id else [])]
    return list(Bulletin.objects.filter(unit_id__in=units, status=Bulletin.Status.SENT).order_by("-sent_at")[:50])


def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Bulletins a unit has sent, for anyone: the web page's way to follow them."""
    unit = get_object_or_404(Unit, slug=slug)
    return render(request, "bulletins/public.html", {"unit": unit, "bulletins": _published(unit)})


class TextAtomFeed(Atom1Feed):
    """Atom with each bulletin's body as type="text": it is what an officer typed, and a
    feed reader must show it as typed, never render it as HTML (Django's Atom1Feed marks
    the summary type="html", which would make a "<script>" in a body markup)."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def public_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The same as an Atom feed, for people who follow without Zalo (a feed reader, or
    the commune's own website)."""
    unit = get_object_or_404(Unit, slug=slug)
    page = request.build_absolute_uri(reverse("bulletins_public", args=[slug]))
    feed = TextAtomFeed(title=f"{_('Bản tin cảnh báo')} — {unit.name}", link=page, description="", language=request.LANGUAGE_CODE)
    for bulletin in _published(unit):
        feed.add_item(
            title=bulletin.title,
            link=f"{page}#b{bulletin.pk}",
            description=bulletin.body,
            pubdate=bulletin.sent_at,
            unique_id=f"{page}#b{bulletin.pk}",
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")
