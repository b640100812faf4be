"""The officers' console: the triaged inbox, the case page, the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, name
from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit import sentences
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases import actions, queries
from canhgiac.web.cases.access import case_for, visible_cases
from canhgiac.web.cases.models import Attachment, Case, Message
from canhgiac.web.channels.base import Quote, adapter_for
from canhgiac.web.core import security
from canhgiac.web.core.i18n import language
from canhgiac.web.core.images import CleanImage, ImageRejected, clean_image
from canhgiac.web.core.ratelimit import client_ip
from canhgiac.web.knowledge.redaction import redact
from canhgiac.web.reports.period import BadPeriod

PAGE_SIZE = 50


def officer(request: HttpRequest) -> User:
    """The signed-in officer of a view behind officer_required."""
    user = request.user
    assert isinstance(user, User)
    return user


def officer_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        assert isinstance(user, User)
        if user.unit_id is None:
            return HttpResponseForbidden(_("Tài khoản chưa thuộc đơn vị nào."))
        return view(request, *args, **kwargs)

    return wrapper


@officer_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        listing = queries.case_list(user, queries.Filters.from_params(request.GET))
    except BadPeriod as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    counts = listing.counts()
    # The paginator's count is the lines' count, known already: not counted twice.
    paginator = Paginator(listing.lines.select_related("unit", "assigned_to"), PAGE_SIZE)
    paginator.count = counts.lines
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    duplicates = listing.duplicates_of(rows)
    now = timezone.now()
    for case in rows:
        case.duplicate_count = duplicates.get(case.pk, 0)
        case.overdue = case.is_overdue(now)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "counts": counts,
        "chosen": listing.filters.as_dict(),
        "query": query.urlencode(),
        "units": Unit.objects.filter(pk__in=user.visible_unit_ids()),
        "statuses": Case.Status.choices,
        "intents": [(k, name(INTENT_NAMES, k, language())) for k in INTENT_NAMES],
        "categories": [(k, name(CATEGORY_NAMES, k, language())) for k in CATEGORY_NAMES],
        "overdue_hours": settings.CANHGIAC_OVERDUE_HOURS,
    }
    return render(request, "cases/inbox.html", context)


def _assignable(case: Case) -> QuerySet[User]:
    units = [case.unit_id]
    parent = case.unit.parent_id
    while parent is not None:
        units.append(parent)
        parent = Unit.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    return User.objects.filter(is_active=True, unit_id__in=units).exclude(role=User.Role.VIEWER).order_by("username")


@officer_required
def case_detail(
    request: HttpRequest, reference: str, revealed: str | None = None, status: int = 200, draft: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    case = case_for(user, reference)
    actions.mark_read(case, user)
    group_head = case.duplicate_of or case
    similar = list(Case.objects.filter(Q(duplicate_of=group_head) | Q(pk=group_head.pk)).exclude(pk=case.pk).order_by("-created")[:20])
    context = {
        "case": case,
        "thread": case.messages.prefetch_related("attachments").select_related("author"),
        "notes": case.notes.select_related("author"),
        "labels": case.labels.select_related("author")[:20],
        "history": AuditEvent.objects.filter(object_type="case", object_id=str(case.pk))[:30],
        "assignable": _assignable(case) if user.can_act else [],
        "similar": similar,
        "revealed": revealed,
        "statuses": Case.Status.choices,
        "intents": [(k, name(INTENT_NAMES, k, language())) for k in INTENT_NAMES],
        "categories": [(k, name(CATEGORY_NAMES, k, language())) for k in CATEGORY_NAMES],
        "verdicts": [("scam", _("Lừa đảo")), ("suspicious", _("Đáng ngờ")), ("safe", _("Không thấy dấu hiệu"))],
        "overdue": case.is_overdue(),
        "learn": _learn_form(request, case, user),
        "sends_photos": actions.sends_images(case.channel),
        "charges": _quote(case, "") is not None,
        "draft": draft,
        "plain_ids": _sent_plain(case),
    }
    return render(request, "cases/case.html", context, status=status)


def _quote(case: Case, text: str) -> Quote | None:
    """What ``text`` costs on the case's channel, where it charges by the part (SMS)."""
    adapter = adapter_for(case.channel.kind)
    return adapter.quote(case.channel, text) if adapter is not None else None


def _sent_plain(case: Case) -> set[int]:
    """The answers an officer sent without diacritics (their audit record says so)."""
    rows = AuditEvent.objects.filter(action="case.replied", object_type="case", object_id=str(case.pk), details__plain=True)
    return {int(pk) for pk in rows.values_list("details__message", flat=True) if isinstance(pk, int)}


def _reply_draft(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The reply as typed, with its cost in parts with and without diacritics, for the
    officer to see before sending (the same count the send uses)."""
    body = request.POST.get("body", "")[:10_000]
    draft: dict[str, Any] = {"body": body, "plain": request.POST.get("plain") == "1"}
    quote = _quote(case, body.strip())
    if quote is not None:
        draft.update(parts=quote.parts, plain_parts=quote.plain_parts, plain_text=quote.plain_text)
    return draft


def _learn_form(request: HttpRequest, case: Case, user: User) -> dict[str, str] | None:
    """The answer-and-learn form: the question as the base would keep it, to be checked by
    the officer (the citizen's words without numbers, links or names), or what the
    officer sent when it was refused."""
    if not user.can_act or case.intent != "question" or case.kb_entry_id is not None:
        return None
    if request.method == "POST" and request.POST.get("action") == "answer_kb":
        return {key: request.POST.get(key, "") for key in ("title", "question", "body", "source")}
    first = case.messages.filter(direction=Message.Direction.IN).order_by("created", "id").first()
    return {"title": "", "question": redact(first.body if first else case.preview), "body": "", "source": ""}


@officer_required
@require_POST
def case_action(request: HttpRequest, reference: str) -> HttpResponseBase:
    user = request.user
    assert isinstance(user, User)
    case = case_for(user, reference)
    action = request.POST.get("action", "")
    ip = client_ip(request)
    try:
        if action == "reply":
            plain = request.POST.get("plain") == "1"
            actions.reply(case, user, request.POST.get("body", ""), ip, image=_reply_photo(request), plain=plain)
            messages.success(request, _("Đã gửi trả lời cho người báo."))
        elif action == "reply_preview":
            if not user.can_act:
                raise PermissionError
            return case_detail(request, reference, draft=_reply_draft(request, case))
        elif action == "status":
            actions.change_status(case, user, request.POST.get("status", ""), ip)
            messages.success(request, _("Đã đổi trạng thái."))
        elif action == "assign":
            assignee_id = request.POST.get("assignee", "")
            assignee = _assignable(case).filter(pk=assignee_id).first() if assignee_id else None
            if assignee_id and assignee is None:
                raise actions.ActionError(_("Không thể giao cho người này."))
            actions.assign(case, user, assignee, ip)
            messages.success(request, _("Đã giao việc."))
        elif action == "note":
            actions.add_note(case, user, request.POST.get("body", ""), ip)
            messages.success(request, _("Đã ghi chú."))
        elif action == "correct":
            actions.correct(case, user, request.POST.get("field", ""), request.POST.get("value", ""), ip)
            messages.success(request, _("Đã sửa; điều chỉnh này sẽ được dùng để huấn luyện lại."))
        elif action == "answer_kb":
            actions.answer_and_learn(
                case,
                user,
                title=request.POST.get("title", ""),
                question=request.POST.get("question", ""),
                answer=request.POST.get("body", ""),
                source=request.POST.get("source", ""),
                ip=ip,
            )
            messages.success(request, _("Đã trả lời và thêm vào cơ sở hỏi đáp."))
        elif action in ("answer_right", "answer_wrong"):
            actions.review_answer(case, user, action == "answer_right", ip)
            messages.success(request, _("Đã ghi nhận ý kiến về câu trả lời tự động."))
        elif action == "reveal":
            contact = actions.reveal_contact(case, user, request.POST.get("reason", ""), ip)
            return case_detail(request, reference, revealed=contact)
        else:
            raise actions.ActionError(_("Thao tác không hợp lệ."))
    except PermissionError:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        draft = _reply_draft(request, case) if action == "reply" else None  # what the officer typed is kept
        return case_detail(request, reference, status=400, draft=draft)
    return HttpResponseRedirect(reverse("cases:case", args=[case.reference]))


def _reply_photo(request: HttpRequest) -> CleanImage | None:
    """The photo an officer attaches to a reply, checked and re-encoded like a citizen's."""
    upload = request.FILES.get("photo")
    if upload is None:
        return None
    try:
        return clean_image(upload.read(settings.CANHGIAC_MAX_PHOTO_BYTES + 1), settings.CANHGIAC_MAX_PHOTO_BYTES)
    except ImageRejected as exc:
        raise actions.ActionError(str(exc)) from exc


@officer_required
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    user = request.user
    assert isinstance(user, User)
    item = Attachment.objects.select_related("message__case").filter(pk=attachment_id).first()
    if item is None or item.message.case.unit_id not in user.visible_unit_ids() or not item.file:
        raise Http404("no such photo")
    # A recording, video or file from a chat channel is downloaded as bytes, never shown:
    # served with its declared type, an SVG or a script would run on the console's origin.
    if item.is_image:
        response = FileResponse(item.file.open("rb"), content_type="image/jpeg")
    else:
        filename = re.sub(r"[^A-Za-z0-9._-]", "", item.file.name.rsplit("/", 1)[-1])[:100] or f"tep-{item.pk}"
        response = FileResponse(item.file.open("rb"), content_type="application/octet-stream", as_attachment=True, filename=filename)
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@officer_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.role not in (User.Role.SUPERVISOR, User.Role.ADMIN):
        return HttpResponseForbidden(_("Chỉ chỉ huy và quản trị xem được nhật ký."))
    events = AuditEvent.objects.filter(Q(unit_id__in=user.visible_unit_ids()) | Q(actor=user)).select_related("actor")
    # The filter offers the actions there are, by name (a choice, not a code to type).
    present = sorted(set(events.order_by().values_list("action", flat=True).distinct()))
    actions_offered = sorted(((code, sentences.action_name(code)) for code in present), key=lambda item: item[1])
    chosen = request.GET.get("action", "")
    if chosen:
        events = events.filter(action=chosen)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    context = {"page": page, "rows": sentences.sentences(page.object_list), "action": chosen, "actions": actions_offered}
    return render(request, "cases/audit.html", context)


LIVE_URGENT_LIMIT = 20
# More new tips than this in one poll is shown as this many: the count stays cheap.
LIVE_NEW_LIMIT = 999


@officer_required
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """What the console's pages poll (static/live.js): the unread count for the header,
    the newest case for the inbox's "new tips" notice, and the urgent unread tips since the
    cursor for a banner, a sound and a notification. Four small queries on the case
    table, all within the user's units; never a reporter's contact."""
    user = officer(request)
    since = _live_cursor(request.GET.get("since", ""))
    if since is None:
        return JsonResponse({"error": _("Tham số since phải là số tin hoặc thời điểm ISO 8601.")}, status=400)
    after = Q(pk__gt=since) if isinstance(since, int) else Q(created__gt=since)
    scope = visible_cases(user)
    # Each figure is its own bounded query on an index (cases 0009_live_index): this is
    # polled every few seconds by every open console page, and a unit's cases only grow.
    unread = Q(unread=True, status__in=Case.OPEN_STATUSES)
    newest = scope.order_by("-pk").values_list("pk", "created").first()
    urgent = scope.filter(unread, after, urgent=True).order_by("-pk").values("pk", "reference", "category", "preview", "created")
    lang = language()
    body = {
        "unread": scope.filter(unread).order_by().count(),
        "new": scope.filter(after).order_by().values("pk")[:LIVE_NEW_LIMIT].count(),
        "newest": {"id": newest[0], "time": newest[1].isoformat()} if newest else {"id": 0, "time": None},
        "urgent": [
            {
                "id": row["pk"],
                "reference": row["reference"],
                "category": name(CATEGORY_NAMES, row["category"], lang) if row["category"] else "",
                "preview": _first_line(row["preview"]),
                "created": row["created"].isoformat(),
                "url": reverse("cases:case", args=[row["reference"]]),
            }
            for row in urgent[:LIVE_URGENT_LIMIT]
        ],
    }
    response = JsonResponse(body)
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    return response


def _live_cursor(raw: str) -> int | datetime | None:
    """``since``: a case ID (what the page saw last) or an ISO time; absent is 0, everything."""
    raw = raw.strip()
    if not raw:
        return 0
    if raw.isdigit():
        return int(raw) if len(raw) < 19 else None
    try:
        moment = parse_datetime(raw)
        if moment is None:
            return None
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        # Near year 1 or 9999 an offset carries the time out of range: the database
        # compares in UTC, so the conversion is made here, where it can fail as a 400.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _first_line(text: str) -> str:
    line = (text or "").strip().split("\n", 1)[0].strip()
    return line if len(line) <= 140 else line[:139] + "…"


# More points than this make the map slow on an old office PC; the page says when the
# list was cut, and a filter narrows it.
MAP_POINTS_LIMIT = 3000


@officer_required
@require_GET
def case_map(request: HttpRequest) -> HttpResponse:
    """The cases of the user's units that carry a place the reporter chose to share, on a
    map, filtered by the inbox's own query string; the points come from ``map_points``.
    Its policy also allows images from the tile server, and no other page's does."""
    user = officer(request)
    try:
        filters = queries.Filters.from_params(request.GET)
    except BadPeriod as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "chosen": filters.as_dict(),
        "query": query.urlencode(),
        "units": Unit.objects.filter(pk__in=user.visible_unit_ids()),
        "statuses": Case.Status.choices,
        "categories": [(k, name(CATEGORY_NAMES, k, language())) for k in CATEGORY_NAMES],
        "tiles": settings.CANHGIAC_MAP_TILES,
        "attribution": settings.CANHGIAC_MAP_ATTRIBUTION,
    }
    response = render(request, "cases/map.html", context)
    response["Content-Security-Policy"] = security.policy((security.tile_origin(settings.CANHGIAC_MAP_TILES),))
    return response


@officer_required
@require_GET
def map_points(request: HttpRequest) -> HttpResponse:
    """The map's points: for each case the user may see that matches the filters and
    carries a place, that place (the latest one the reporter shared) and what the popup
    shows. Every case is a point, near-duplicates included ("total" is the inbox's count
    for the same query string). Nothing about the reporter; two queries however many."""
    user = officer(request)
    try:
        listing = queries.case_list(user, queries.Filters.from_params(request.GET))
    except BadPeriod as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    shared = Message.objects.filter(
        case=OuterRef("pk"), direction=Message.Direction.IN, latitude__isnull=False, longitude__isnull=False
    ).order_by("-created", "-id")
    located = listing.cases.annotate(
        place_latitude=Subquery(shared.values("latitude")[:1]), place_longitude=Subquery(shared.values("longitude")[:1])
    ).filter(place_latitude__isnull=False, place_longitude__isnull=False)
    fields = ("reference", "category", "status", "urgent", "created", "place_latitude", "place_longitude")
    rows = list(located.values(*fields)[: MAP_POINTS_LIMIT + 1])
    lang, statuses = language(), dict(Case.Status.choices)
    points = [
        {
            "reference": row["reference"],
            "category": row["category"],
            "category_name": name(CATEGORY_NAMES, row["category"], lang) if row["category"] else "",
            "status": row["status"],
            "status_name": str(statuses.get(row["status"], row["status"])),
            "urgent": row["urgent"],
            "created": row["created"].isoformat(),
            "created_text": date_format(timezone.localtime(row["created"]), "H:i d/m/Y"),
            "latitude": round(row["place_latitude"], 6),
            "longitude": round(row["place_longitude"], 6),
            "url": reverse("cases:case", args=[row["reference"]]),
        }
        for row in rows[:MAP_POINTS_LIMIT]
    ]
    body = {"total": listing.cases.count(), "truncated": len(rows) > MAP_POINTS_LIMIT, "points": points}
    response = JsonResponse(body)
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    return response
