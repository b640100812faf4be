"""Statistics, the monthly report, and exports, for a unit (and those under it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.cases import queries
from canhgiac.web.cases.models import Case
from canhgiac.web.cases.views import officer_required
from canhgiac.web.meetings import stats as meeting_stats
from canhgiac.web.reports import charts, docx, exports, pdf
from canhgiac.web.reports import monthly as monthly_report
from canhgiac.web.reports.stats import BadPeriod, Figures, Period, figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _chosen_unit(request: HttpRequest, user: User) -> Unit | None:
    chosen = request.GET.get("unit", "")
    if chosen.isdigit() and int(chosen) in user.visible_unit_ids():
        return Unit.objects.get(pk=int(chosen))
    return None


def _figures(request: HttpRequest, period: Period) -> tuple[Figures, Unit | None]:
    """The figures of the chosen unit (and those under it), or of every visible unit:
    chosen as the inbox chooses (cases/queries.py)."""
    user = _user(request)
    return figures(queries.chosen_units(user, request.GET.get("unit", "")), period), _chosen_unit(request, user)


@officer_required
@period_checked
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    data, unit = _figures(request, Period.parse(request.GET.get("from"), request.GET.get("to")))
    same = {"status": "all", "from": data.period.start.isoformat(), "to": data.period.end.isoformat(), "group": "0"}
    if unit is not None:
        same["unit"] = str(unit.pk)
    context = {
        "f": data,
        "unit": unit,
        "units": Unit.objects.filter(pk__in=user.visible_unit_ids()),
        "intent_chart": mark_safe(charts.bars([(label, n) for _, label, n in data.by_intent])),
        "category_chart": mark_safe(charts.bars([(label, n) for _, label, n in data.by_category if n])),
        "verdict_chart": mark_safe(charts.bars([(label, n) for _, label, n in data.by_verdict], label_width=240)),
        "time_chart": mark_safe(charts.stacked_columns(data.tips_over_time, [(k, label) for k, label, n in data.by_category if n])),
        "query": request.GET.urlencode(),
        "inbox_query": urlencode(same),
        **meeting_stats.dashboard(queries.chosen_units(user, request.GET.get("unit", "")), data.period.start_at, data.period.end_at),
    }
    return render(request, "reports/dashboard.html", context)


def _period_cases(request: HttpRequest, period: Period) -> QuerySet[Case]:
    """Every case of the period, as the figures count them, oldest first."""
    user = _user(request)
    listing = queries.case_list(user, queries.Filters.period(period, unit=request.GET.get("unit", "")))
    return listing.cases.order_by("created", "id")


@officer_required
@period_checked
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    data, _ = _figures(request, Period.parse(request.GET.get("from"), request.GET.get("to")))
    units = queries.chosen_units(_user(request), request.GET.get("unit", ""))
    response = HttpResponse(exports.xlsx(_period_cases(request, data.period), data, unit_ids=units), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="canh-giac-{data.period.start}-{data.period.end}.xlsx"'
    return response


@officer_required
@period_checked
def monthly(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    period = Period.month(request.GET.get("month"))
    data, unit = _figures(request, period)
    chosen = unit or user.unit
    assert chosen is not None
    context = {
        "f": data,
        "unit": chosen,
        "month": period.start.strftime("%m/%Y"),
        "month_value": period.start.strftime("%Y-%m"),
        "details": monthly_report.Details(
            initial={"symbol": monthly_report.abbreviation(chosen), "signer_title": monthly_report.head_title(chosen)}
        ),
        "download_query": urlencode({"month": period.start.strftime("%Y-%m"), **({"unit": str(unit.pk)} if unit else {})}),
    }
    return render(request, "reports/monthly.html", context)


def _monthly_report(request: HttpRequest) -> monthly_report.MonthlyReport | HttpResponse:
    """The report the monthly page's download buttons ask for: the unit and month from
    the query, the officer's details from the form (or none, for a plain GET). A unit the
    officer may not see is a 404, not quietly another unit's report."""
    user = _user(request)
    chosen = request.GET.get("unit", "")
    if chosen and not (chosen.isdigit() and int(chosen) in user.visible_unit_ids()):
        raise Http404
    period = Period.month(request.GET.get("month"))
    form = monthly_report.Details(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not form.is_valid():
        errors = [f"{form.fields[name].label}: {' '.join(str(m) for m in messages)}" for name, messages in form.errors.items()]
        return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")
    unit = _chosen_unit(request, user) or user.unit
    assert unit is not None
    details = form.cleaned_data if form.is_bound else None
    return monthly_report.build(unit, queries.chosen_units(user, chosen), period, details)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@officer_required
@require_http_methods(["GET", "POST"])
@period_checked
def monthly_pdf(request: HttpRequest) -> HttpResponse:
    report = _monthly_report(request)
    if isinstance(report, HttpResponse):
        return report
    try:
        content = pdf.render(report)
    except pdf.PdfUnavailable:
        context = {"packages": pdf.DEBIAN_PACKAGES, "back": f"{reverse('reports:monthly')}?{request.GET.urlencode()}"}
        return render(request, "reports/pdf_unavailable.html", context, status=503)
    return _attachment(content, "application/pdf", f"{report.filename}.pdf")


@officer_required
@require_http_methods(["GET", "POST"])
@period_checked
def monthly_docx(request: HttpRequest) -> HttpResponse:
    report = _monthly_report(request)
    if isinstance(report, HttpResponse):
        return report
    return _attachment(docx.render(report), DOCX, f"{report.filename}.docx")


def _export_list(request: HttpRequest) -> QuerySet[Case]:
    """The inbox's filtered list, every case of it: a group of near-duplicates that the
    inbox shows as one line is one row per case here, as the inbox's count line says."""
    return queries.case_list(_user(request), queries.Filters.from_params(request.GET).everything()).cases


@officer_required
@period_checked
def cases_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.csv_lines(_export_list(request)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="canh-giac-tin.csv"'
    return response


@officer_required
@period_checked
def cases_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(exports.xlsx(_export_list(request)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="canh-giac-tin.xlsx"'
    return response
