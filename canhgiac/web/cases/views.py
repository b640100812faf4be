"""The officers' console: the triaged inbox, the case page, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, name
from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit import sentences
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases import actions, queries
from canhgiac.web.cases.access import case_for
from canhgiac.web.cases.models import Attachment, Case, Message
from canhgiac.web.core.i18n import language
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
def case_detail(request: HttpRequest, reference: str, revealed: str | None = None, status: int = 200) -> HttpResponse:
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
    }
    return render(request, "cases/case.html", context, status=status)


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
            actions.reply(case, user, request.POST.get("body", ""), ip)
            messages.success(request, _("Đã gửi trả lời cho người báo."))
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
        return case_detail(request, reference, status=400)
    return HttpResponseRedirect(reverse("cases:case", args=[case.reference]))


@officer_required
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    user = request.user
    assert isinstance(user, User)
    item = Attachment.objects.select_related("message__case").filter(pk=attachment_id).first()
    if item is None or item.message.case.unit_id not in user.visible_unit_ids() or not item.file:
        raise Http404("no such photo")
    response = FileResponse(item.file.open("rb"), content_type="image/jpeg")
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
