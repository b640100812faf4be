"""The public pages: send something, get a receipt, follow it up anonymously."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from canhgiac.web.cases.actions import ActionError, Photo, hash_key, receive_message
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.core.images import ImageRejected, clean_image
from canhgiac.web.core.ratelimit import allow, client_ip, refund
from canhgiac.web.core.storage import StorageFull
from canhgiac.web.intake.forms import FollowupForm, FollowupMessageForm, IntakeForm
from canhgiac.web.intake.models import Channel

SESSION_CASES = "followup_cases"


def home(request: HttpRequest) -> HttpResponse:
    channels = list(Channel.objects.filter(kind=Channel.Kind.WEB, active=True).select_related("unit").order_by("unit__name"))
    if len(channels) == 1:
        return HttpResponseRedirect(reverse("intake:submit", args=[channels[0].slug]))
    return render(request, "intake/home.html", {"channels": channels})


def _too_many(request: HttpRequest, scope: str, limit: int, window: int) -> bool:
    return not allow(scope, client_ip(request), limit, window)


@never_cache
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("unit"), slug=slug, kind=Channel.Kind.WEB, active=True)
    form = IntakeForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if _too_many(request, "intake", settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW):
            return render(request, "intake/submit.html", {"channel": channel, "form": form, "limited": True}, status=429)
        if form.is_valid():
            photos = []
            try:
                for upload in form.cleaned_data["photos"]:
                    image = clean_image(upload.read(settings.CANHGIAC_MAX_PHOTO_BYTES + 1), settings.CANHGIAC_MAX_PHOTO_BYTES)
                    photos.append(Photo(image, form.cleaned_data["latitude"], form.cleaned_data["longitude"]))
            except ImageRejected as exc:
                form.add_error("photos", str(exc))
            if form.is_valid():
                try:
                    received = receive_message(
                        channel=channel,
                        text=form.cleaned_data["text"],
                        contact=form.cleaned_data["contact"],
                        photos=photos,
                    )
                except ActionError as exc:
                    form.add_error(None, str(exc))
                except StorageFull as exc:
                    form.add_error(None, str(exc))
                    status = 503
                else:
                    request.session.setdefault(SESSION_CASES, [])
                    request.session[SESSION_CASES] = [*request.session[SESSION_CASES], received.case.reference][-20:]
                    context = {"channel": channel, "received": received, "reply": received.reply}
                    return render(request, "intake/receipt.html", context)
    return render(request, "intake/submit.html", {"channel": channel, "form": form}, status=status)


@never_cache
def followup_login(request: HttpRequest) -> HttpResponse:
    form = FollowupForm(request.POST or None)
    if request.method == "POST":
        if _too_many(request, "followup", settings.CANHGIAC_FOLLOWUP_ATTEMPTS, 900):
            form = FollowupForm()
            return render(request, "intake/followup_login.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            reference = form.cleaned_data["reference"].strip().upper()
            case = Case.objects.filter(reference=reference).exclude(followup_key_hash="").first()
            given = hash_key(form.cleaned_data["key"].strip())
            # Compare in constant time, and the same way whether or not the case exists.
            expected = case.followup_key_hash if case else hash_key("no such case")
            if case is not None and hmac.compare_digest(given, expected):
                refund("followup", client_ip(request))  # only wrong keys use up the attempts
                request.session[SESSION_CASES] = [*request.session.get(SESSION_CASES, []), case.reference][-20:]
                return HttpResponseRedirect(reverse("intake:followup_case", args=[case.reference]))
            form.add_error(None, _("Mã tin hoặc mã bí mật không đúng."))
    return render(request, "intake/followup_login.html", {"form": form})


def followup_logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_CASES, None)
    return HttpResponseRedirect(reverse("intake:followup"))


@never_cache
def followup_case(request: HttpRequest, reference: str) -> HttpResponse:
    if reference not in request.session.get(SESSION_CASES, []):
        return HttpResponseRedirect(reverse("intake:followup"))
    case = Case.objects.select_related("channel", "unit").filter(reference=reference).first()
    if case is None:
        raise Http404("no such case")
    form = FollowupMessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not case.is_open:
            # As the API answers: a closed case takes no more messages (a new one opens a new case).
            messages.error(request, _("Tin này đã đóng."))
            status = 409
        elif _too_many(request, "intake", settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW):
            messages.error(request, _("Bạn gửi quá nhiều, hãy thử lại sau ít phút."))
        elif form.is_valid():
            try:
                receive_message(channel=case.channel, text=form.cleaned_data["text"], case=case)
            except ActionError as exc:
                form.add_error(None, str(exc))
            except StorageFull as exc:
                form.add_error(None, str(exc))
                status = 503
            else:
                messages.success(request, _("Đã gửi."))
                return HttpResponseRedirect(request.path)
    thread = case.messages.filter(direction__in=[Message.Direction.IN, Message.Direction.OUT, Message.Direction.AUTO]).select_related(
        "author"
    )
    return render(request, "intake/followup_case.html", {"case": case, "thread": thread, "form": form}, status=status)
