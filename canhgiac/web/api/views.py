"""The JSON API (documented in openapi.py, served at /api/v1/openapi.json).

Public endpoints (intake, check, follow-up) are rate-limited per address; officer
endpoints need a token (`Authorization: Bearer cg_...`, made with `canhgiac token`).
Every change goes through the same actions as the console and the channels.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from canhgiac.web.accounts.models import ApiToken, User, hash_token
from canhgiac.web.api.openapi import document
from canhgiac.web.cases import actions, queries
from canhgiac.web.cases.access import case_for
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.cases.views import PAGE_SIZE
from canhgiac.web.core.engine import engine
from canhgiac.web.core.ratelimit import allow, client_ip, refund
from canhgiac.web.core.storage import StorageFull
from canhgiac.web.core.text import clean_json
from canhgiac.web.intake.models import Channel

View = Callable[..., HttpResponse]


MAX_PAGE = 100_000


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise ValueError("Gửi JSON với Content-Type: application/json.")
    try:
        # ValueError: also numbers longer than Python converts; the middleware has bounded
        # the size and the nesting already (core/middleware.py).
        data = json.loads(request.body.decode("utf-8"))
    except (ValueError, RecursionError):
        raise ValueError("Nội dung không phải JSON hợp lệ (UTF-8).") from None
    if not isinstance(data, dict):
        raise ValueError("Nội dung phải là một đối tượng JSON.")
    cleaned: dict[str, Any] = clean_json(data)
    return cleaned


def _text(data: dict[str, Any], field: str, *, required: bool = True, max_length: int = 5000) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"'{field}' phải là chuỗi.")
    if required and not value.strip():
        raise ValueError(f"Thiếu '{field}'.")
    if len(value) > max_length:
        raise ValueError(f"'{field}' quá dài (tối đa {max_length} ký tự).")
    return value


def json_view(methods: tuple[str, ...]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return error(405, "method_not_allowed", f"Chỉ nhận {', '.join(methods)}.")
            try:
                return view(request, *args, **kwargs)
            except ValueError as exc:
                return error(400, "invalid", str(exc))
            except actions.ActionError as exc:
                return error(400, "invalid", str(exc))
            except StorageFull as exc:
                return error(503, "storage_full", str(exc))
            except PermissionError:
                return error(403, "forbidden", "Không có quyền.")
            except Http404:
                return error(404, "not_found", "Không tìm thấy.")

        return wrapper

    return decorate


def public(scope: str, limit_setting: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allow(scope, client_ip(request), getattr(settings, limit_setting), settings.CANHGIAC_INTAKE_WINDOW):
                return error(429, "rate_limited", "Gửi quá nhiều trong thời gian ngắn; hãy thử lại sau.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def token_user(request: HttpRequest) -> User | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else request.META.get("HTTP_X_API_KEY", "")
    if not raw:
        return None
    token = ApiToken.objects.select_related("user", "user__unit").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used is None or (timezone.now() - token.last_used).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user


def officer(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = token_user(request)
        if user is None or user.unit_id is None:
            return error(401, "unauthorized", "Cần token hợp lệ: Authorization: Bearer <token>.")
        request.user = user
        return view(request, user, *args, **kwargs)

    return wrapper


def _message(m: Message) -> dict[str, Any]:
    return {"direction": m.direction, "body": m.body, "created": m.created.isoformat(), "delivery": m.delivery}


def _case(case: Case, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": case.reference,
        "unit": case.unit.name,
        "status": case.status,
        "intent": case.intent,
        "category": case.category or None,
        "urgent": case.urgent,
        "scam_score": round(case.scam_score, 4),
        "verdict": case.verdict,
        "assigned_to": case.assigned_to.get_username() if case.assigned_to else None,
        "created": case.created.isoformat(),
        "last_activity": case.last_activity.isoformat(),
        "unread": case.unread,
        "preview": case.preview,
    }
    if full:
        data["reasons"] = case.reasons
        data["indicators"] = case.indicators
        data["messages"] = [_message(m) for m in case.messages.all()]
    return data


# ---------------------------------------------------------------------------- public


def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(document(request.build_absolute_uri("/api/v1")), json_dumps_params={"ensure_ascii": False})


@json_view(("POST",))
@public("intake", "CANHGIAC_INTAKE_RATE")
def intake(request: HttpRequest) -> HttpResponse:
    data = _body(request)
    slug = _text(data, "channel", max_length=50)
    channel = Channel.objects.select_related("unit").filter(slug=slug, kind__in=[Channel.Kind.API, Channel.Kind.WEB], active=True).first()
    if channel is None:
        return error(404, "not_found", "Không có kênh này.")
    received = actions.receive_message(
        channel=channel,
        text=_text(data, "text", max_length=settings.CANHGIAC_MAX_MESSAGE_CHARS),
        contact=_text(data, "contact", required=False, max_length=200),
    )
    body = {
        "reference": received.case.reference,
        "followup_key": received.followup_key,
        "analysis": received.analysis.to_dict(),
        "reply": received.reply.body if received.reply else None,
    }
    return JsonResponse(body, status=201, json_dumps_params={"ensure_ascii": False})


@json_view(("POST",))
@public("check", "CANHGIAC_INTAKE_RATE")
def check(request: HttpRequest) -> HttpResponse:
    """Check a message without keeping anything: the verdict, reasons and advice."""
    data = _body(request)
    analysis = engine().analyze(_text(data, "text", max_length=settings.CANHGIAC_MAX_MESSAGE_CHARS))
    return JsonResponse(analysis.to_dict(), json_dumps_params={"ensure_ascii": False})


def _followup_case(request: HttpRequest, data: dict[str, Any] | None = None) -> Case:
    # Counted before the body is read: a malformed guess is a guess. The right key gives
    # its hit back, so exactly CANHGIAC_FOLLOWUP_ATTEMPTS wrong ones are allowed.
    ip = client_ip(request)
    if not allow("followup", ip, settings.CANHGIAC_FOLLOWUP_ATTEMPTS, 900):
        raise PermissionError("rate")
    data = _body(request) if data is None else data
    reference = _text(data, "reference", max_length=16).strip().upper()
    key = _text(data, "key", max_length=64).strip()
    case = Case.objects.filter(reference=reference).exclude(followup_key_hash="").select_related("channel", "unit").first()
    expected = case.followup_key_hash if case else actions.hash_key("no such case")
    if case is None or not hmac.compare_digest(actions.hash_key(key), expected):
        raise Http404("no such case")
    refund("followup", ip)
    return case


@json_view(("POST",))
def followup(request: HttpRequest) -> HttpResponse:
    try:
        case = _followup_case(request)
    except PermissionError:
        return error(429, "rate_limited", "Nhập sai quá nhiều lần; hãy thử lại sau 15 phút.")
    thread = case.messages.exclude(direction="note")
    return JsonResponse(
        {"reference": case.reference, "status": case.status, "messages": [_message(m) for m in thread]},
        json_dumps_params={"ensure_ascii": False},
    )


@json_view(("POST",))
@public("intake", "CANHGIAC_INTAKE_RATE")
def followup_message(request: HttpRequest) -> HttpResponse:
    data = _body(request)
    try:
        case = _followup_case(request, data)
    except PermissionError:
        return error(429, "rate_limited", "Nhập sai quá nhiều lần; hãy thử lại sau 15 phút.")
    if not case.is_open:
        return error(409, "closed", "Tin này đã đóng.")
    received = actions.receive_message(channel=case.channel, text=_text(data, "text"), case=case)
    return JsonResponse(
        {"reference": case.reference, "reply": received.reply.body if received.reply else None},
        status=201,
        json_dumps_params={"ensure_ascii": False},
    )


# ---------------------------------------------------------------------------- officers


@json_view(("GET",))
@officer
def case_list(request: HttpRequest, user: User) -> HttpResponse:
    listing = queries.case_list(user, queries.Filters.from_params(request.GET))
    try:
        page = max(1, int(request.GET.get("page", "1")))
        if page > MAX_PAGE:  # an offset past what SQLite can count is a 500 otherwise
            raise ValueError
    except ValueError:
        raise ValueError(f"'page' phải là số từ 1 đến {MAX_PAGE}.") from None
    rows = list(listing.lines.select_related("unit", "assigned_to")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    counts = listing.counts()
    body = {
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "filters": listing.filters.as_dict(),
        # As in the inbox: every matching case counted, near-duplicates listed under the
        # first of their group unless group=0 (cases/queries.py).
        "count": {"total": counts.total, "lines": counts.lines, "merged": counts.merged},
        "cases": [_case(c) for c in rows[:PAGE_SIZE]],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@json_view(("GET",))
@officer
def case_get(request: HttpRequest, user: User, reference: str) -> HttpResponse:
    case = case_for(user, reference)
    return JsonResponse(_case(case, full=True), json_dumps_params={"ensure_ascii": False})


@json_view(("POST",))
@officer
def case_reply(request: HttpRequest, user: User, reference: str) -> HttpResponse:
    case = case_for(user, reference)
    message = actions.reply(case, user, _text(_body(request), "text", max_length=10_000), client_ip(request))
    return JsonResponse(_message(message), status=201, json_dumps_params={"ensure_ascii": False})


@json_view(("POST",))
@officer
def case_status(request: HttpRequest, user: User, reference: str) -> HttpResponse:
    case = case_for(user, reference)
    actions.change_status(case, user, _text(_body(request), "status", max_length=30), client_ip(request))
    return JsonResponse(_case(case), json_dumps_params={"ensure_ascii": False})


@json_view(("POST",))
@officer
def case_assign(request: HttpRequest, user: User, reference: str) -> HttpResponse:
    case = case_for(user, reference)
    username = _text(_body(request), "username", required=False, max_length=150)
    assignee = User.objects.filter(username=username).first() if username else None
    if username and assignee is None:
        raise actions.ActionError("Không có người dùng này.")
    actions.assign(case, user, assignee, client_ip(request))
    return JsonResponse(_case(case), json_dumps_params={"ensure_ascii": False})
