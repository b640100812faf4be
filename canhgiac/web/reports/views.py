"""Statistics, the monthly report, and exports, for a unit (and those under it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.safestring import mark_safe

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.cases.models import Case
from canhgiac.web.cases.views import filtered_cases, officer_required
from canhgiac.web.reports import charts, exports
from canhgiac.web.reports.stats import BadPeriod, Figures, Period, figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_checked(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A date or month the page cannot use is a 400 that says which and why: never a 500
    (a date past 9999 overflows), and never figures for another period than asked."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except BadPeriod as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")

    return wrapper


def _scope(request: HttpRequest) -> tuple[User, list[int], Unit | None]:
    user = request.user
    assert isinstance(user, User)
    visible = user.visible_unit_ids()
    chosen = request.GET.get("unit", "")
    if chosen.isdigit() and int(chosen) in visible:
        unit = Unit.objects.get(pk=int(chosen))
        return user, unit.subtree_ids(), unit
    return user, visible, None


def _figures(request: HttpRequest) -> tuple[Figures, list[int], Unit | None]:
    _, units, unit = _scope(request)
    period = Period.parse(request.GET.get("from"), request.GET.get("to"))
    return figures(units, period), units, unit


@officer_required
@period_checked
def dashboard(request: HttpRequest) -> HttpResponse:
    user, _, _ = _scope(request)
    data, _, unit = _figures(request)
    context = {
        "f": data,
        "unit": unit,
        "units": Unit.objects.filter(pk__in=user.visible_unit_ids()),
        "intent_chart": mark_safe(charts.bars([(label, n) for _, label, n in data.by_intent])),
        "category_chart": mark_safe(charts.bars([(label, n) for _, label, n in data.by_category if n])),
        "verdict_chart": mark_safe(charts.bars([(label, n) for _, label, n in data.by_verdict], label_width=240)),
        "time_chart": mark_safe(charts.stacked_columns(data.tips_over_time, [(k, label) for k, label, n in data.by_category if n])),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/dashboard.html", context)


@officer_required
@period_checked
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    data, units, _ = _figures(request)
    cases = Case.objects.filter(unit_id__in=units, created__gte=data.period.start_at, created__lt=data.period.end_at).order_by(
        "created", "id"
    )
    response = HttpResponse(exports.xlsx(cases, data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="canh-giac-{data.period.start}-{data.period.end}.xlsx"'
    return response


@officer_required
@period_checked
def monthly(request: HttpRequest) -> HttpResponse:
    user, units, unit = _scope(request)
    period = Period.month(request.GET.get("month"))
    data = figures(units, period)
    return render(request, "reports/monthly.html", {"f": data, "unit": unit or user.unit, "month": period.start.strftime("%m/%Y")})


def _export_filter(request: HttpRequest) -> Any:
    """The inbox's filters, with near-duplicates included: grouping is how the list is
    shown, not which cases it holds, and a report counts every case."""
    params = request.GET.copy()
    params["group"] = "0"
    return params


@officer_required
@period_checked
def cases_csv(request: HttpRequest) -> StreamingHttpResponse:
    user = request.user
    assert isinstance(user, User)
    cases, _ = filtered_cases(user, _export_filter(request))
    response = StreamingHttpResponse(exports.csv_lines(cases), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="canh-giac-tin.csv"'
    return response


@officer_required
@period_checked
def cases_xlsx(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    cases, _ = filtered_cases(user, _export_filter(request))
    response = HttpResponse(exports.xlsx(cases), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="canh-giac-tin.xlsx"'
    return response
