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

from canhgiac.web.cases.actions import ActionError, Photo, confirm_answer, display_key, hash_key, receive_message
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.core.images import ImageRejected, clean_image
from canhgiac.web.core.ratelimit import allow, client_ip, refund
from canhgiac.web.core.storage import StorageFull
from canhgiac.web.intake.forms import FollowupForm, FollowupMessageForm, IntakeForm
from canhgiac.web.intake.models import Channel

SESSION_CASES = "followup_cases"
# Follow-up keys waiting for their receipt, by reference: shown once, then removed.
SESSION_KEYS = "receipt_keys"


def home(request: HttpRequest) -> HttpResponse:
    channels = list(Channel.objects.filter(kind=Channel.Kind.WEB, active=True).select_related("unit").order_by("unit__name"))
    if len(channels) == 1:
        return HttpResponseRedirect(reverse("intake:submit", args=[channels[0].slug]))
    return render(request, "intake/home.html", {"channels": channels})


def _upload() -> dict[str, int]:
    """What the page's script checks before sending, so that a refusal is explained
    before the upload rather than by the server's 413 after it."""
    limit = settings.CANHGIAC_MAX_REQUEST_BYTES
    return {"max_photos": settings.CANHGIAC_MAX_PHOTOS, "max_bytes": limit - 200_000, "max_mb": limit // 1_000_000}


def _too_many(request: HttpRequest, scope: str, limit: int, window: int) -> bool:
    return not allow(scope, client_ip(request), limit, window)


def _photos(form: IntakeForm | FollowupMessageForm, latitude: float | None = None, longitude: float | None = None) -> list[Photo] | None:
    """The form's photos, cleaned, or None when one is refused: the refusal becomes the
    form's error, and the form is shown again with the text and contact kept."""
    photos = []
    try:
        for upload in form.cleaned_data["photos"]:
            image = clean_image(upload.read(settings.CANHGIAC_MAX_PHOTO_BYTES + 1), settings.CANHGIAC_MAX_PHOTO_BYTES)
            photos.append(Photo(image, latitude, longitude))
    except ImageRejected as exc:
        form.add_error("photos", str(exc))
        return None
    return photos


@never_cache
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("unit"), slug=slug, kind=Channel.Kind.WEB, active=True)
    form = IntakeForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if _too_many(request, "intake", settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW):
            return render(
                request, "intake/submit.html", {"channel": channel, "form": form, "limited": True, "upload": _upload()}, status=429
            )
        if form.is_valid():
            latitude, longitude = form.cleaned_data["latitude"], form.cleaned_data["longitude"]
            photos = _photos(form, latitude, longitude)
            if photos is not None:
                try:
                    received = receive_message(
                        channel=channel,
                        text=form.cleaned_data["text"],
                        contact=form.cleaned_data["contact"],
                        photos=photos,
                        location=(latitude, longitude) if latitude is not None and longitude is not None else None,
                    )
                except ActionError as exc:
                    form.add_error(None, str(exc))
                except StorageFull as exc:
                    form.add_error(None, str(exc))
                    status = 503
                else:
                    reference = received.case.reference
                    request.session[SESSION_CASES] = [*request.session.get(SESSION_CASES, []), reference][-20:]
                    # Post/Redirect/Get: reloading the receipt must not send the tip again. The
                    # key waits in the session for the receipt to show it once, never in a URL.
                    request.session[SESSION_KEYS] = {**request.session.get(SESSION_KEYS, {}), reference: received.followup_key}
                    return HttpResponseRedirect(reverse("intake:receipt", args=[reference]), status=303)
    return render(request, "intake/submit.html", {"channel": channel, "form": form, "upload": _upload()}, status=status)


@never_cache
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The receipt of a message this browser sent: the key once, then never again."""
    if reference not in request.session.get(SESSION_CASES, []):
        return HttpResponseRedirect(reverse("intake:followup"))
    case = get_object_or_404(Case.objects.select_related("channel"), reference=reference)
    keys = request.session.get(SESSION_KEYS, {})
    key = keys.pop(reference, None)
    if key is not None:
        request.session[SESSION_KEYS] = keys
    reply = case.messages.filter(direction=Message.Direction.AUTO).order_by("created", "id").first()
    context = {
        "case": case,
        "channel": case.channel,
        "reply": reply,
        "key": key,
        "key_display": display_key(key) if key else "",
        "offer": case.is_open and bool(case.kb_offer),
    }
    return render(request, "intake/receipt.html", context)


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
    if request.method == "POST" and "answer" in request.POST:
        return _confirm_answer(request, case)
    form = FollowupMessageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not case.is_open:
            # As the API answers: a closed case takes no more messages (a new one opens a new case).
            messages.error(request, _("Tin này đã đóng."))
            status = 409
        elif _too_many(request, "intake", settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW):
            messages.error(request, _("Bạn gửi quá nhiều, hãy thử lại sau ít phút."))
        elif form.is_valid() and (photos := _photos(form)) is not None:
            try:
                receive_message(channel=case.channel, text=form.cleaned_data["text"], case=case, photos=photos)
            except ActionError as exc:
                form.add_error(None, str(exc))
            except StorageFull as exc:
                form.add_error(None, str(exc))
                status = 503
            else:
                messages.success(request, _("Đã gửi."))
                return HttpResponseRedirect(request.path)
    shown = [Message.Direction.IN, Message.Direction.OUT, Message.Direction.AUTO]
    thread = case.messages.filter(direction__in=shown).select_related("author").prefetch_related("attachments")
    context = {"case": case, "thread": thread, "form": form, "upload": _upload()}
    return render(request, "intake/followup_case.html", context, status=status)


def _confirm_answer(request: HttpRequest, case: Case) -> HttpResponse:
    """The "Đúng" / "Chưa đúng" buttons under an automatic answer (receipt and follow-up)."""
    answer = request.POST.get("answer")
    if answer not in ("right", "wrong"):
        return HttpResponse(_("Câu trả lời không hợp lệ."), status=400, content_type="text/plain; charset=utf-8")
    if confirm_answer(case, answer == "right", by=f"channel:{case.channel.slug}") is None:
        messages.info(request, _("Tin này không còn chờ xác nhận câu trả lời tự động."))
    elif answer == "right":
        messages.success(request, _("Cảm ơn bạn đã xác nhận."))
    else:
        messages.success(request, _("Đã chuyển câu hỏi của bạn cho cán bộ."))
    return HttpResponseRedirect(reverse("intake:followup_case", args=[case.reference]))
