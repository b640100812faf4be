from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canhgiac.engine import fold_diacritics
from canhgiac.web.accounts.models import User
from canhgiac.web.cases.views import officer_required
from canhgiac.web.core.ratelimit import client_ip
from canhgiac.web.indicators.actions import set_status, settable_by
from canhgiac.web.indicators.models import Indicator, IndicatorReport
from canhgiac.web.indicators.registry import import_csv


@dataclass(slots=True)
class Reports:
    """What one user may know of an indicator's reports: the cases of the units they see,
    and of the other units only how many and when."""

    own: list[str] = field(default_factory=list)
    own_without_case: int = 0
    others: int = 0
    others_last: datetime | None = None


def reports_for(user: User, indicator_ids: list[int]) -> dict[int, Reports]:
    found: dict[int, Reports] = {pk: Reports() for pk in indicator_ids}
    visible = user.visible_unit_ids()
    reports = IndicatorReport.objects.filter(indicator_id__in=indicator_ids)
    for indicator_id, reference in reports.filter(unit_id__in=visible).order_by("-created").values_list("indicator_id", "case__reference"):
        if reference:
            found[indicator_id].own.append(reference)
        else:  # the case is gone (retention)
            found[indicator_id].own_without_case += 1
    others = reports.exclude(unit_id__in=visible).values("indicator_id").annotate(n=Count("id"), last=Max("created"))
    for row in others.order_by():
        found[row["indicator_id"]].others, found[row["indicator_id"]].others_last = row["n"], row["last"]
    return found


@officer_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    items = Indicator.objects.all()
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    q = fold_diacritics(request.GET.get("q", "").strip().lower())
    if kind in Indicator.Kind.values:
        items = items.filter(kind=kind)
    if status in Indicator.Status.values:
        items = items.filter(status=status)
    if q:
        items = items.filter(value__contains=q)
    order = "-report_count" if request.GET.get("sort") == "count" else "-last_seen"
    page = Paginator(items.order_by(order, "-id"), 50).get_page(request.GET.get("page"))
    ids = [i.pk for i in page]
    reports = reports_for(user, ids)
    settable = set(settable_by(user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = [(i, reports[i.pk], i.pk in settable) for i in page]
    return render(
        request,
        "indicators/list.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "status": status,
            "q": q,
            "kinds": Indicator.Kind.choices,
            "statuses": Indicator.Status.choices,
        },
    )


@officer_required
@require_POST
def indicator_status(request: HttpRequest, indicator_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    indicator = get_object_or_404(Indicator, pk=indicator_id)
    try:
        set_status(indicator, user, request.POST.get("status", ""), request.POST.get("note", ""), client_ip(request))
    except PermissionError:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    except ValueError:
        messages.error(request, _("Trạng thái không hợp lệ."))
    return HttpResponseRedirect(request.POST.get("next") or reverse("indicators:list"))


@officer_required
@require_POST
def indicator_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.role not in (User.Role.SUPERVISOR, User.Role.ADMIN):
        return HttpResponseForbidden(_("Chỉ chỉ huy và quản trị được nhập danh sách."))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp CSV."))
        return HttpResponseRedirect(reverse("indicators:list"))
    try:
        assert upload.file is not None
        text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
        result = import_csv(text, source=upload.name or "upload", user=user)
    except (ValueError, UnicodeDecodeError) as exc:
        messages.error(request, _("Không nhập được: %(error)s") % {"error": exc})
    else:
        messages.success(
            request,
            _("Đã đọc %(rows)d dòng: thêm %(added)d, đã có %(already)d, bỏ qua %(skipped)d.")
            % {"rows": result.rows, "added": result.added, "already": result.already, "skipped": result.skipped},
        )
    return HttpResponseRedirect(reverse("indicators:list"))
