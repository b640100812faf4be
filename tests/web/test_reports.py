"""Statistics and exports: figures that match the database, exports that match the list."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from canhgiac.web.cases.actions import reply
from canhgiac.web.cases.models import Case
from canhgiac.web.reports.stats import Period, figures
from tests.web.conftest import World


@pytest.fixture
def filled(world: World) -> World:
    for i in range(30):
        world.tip(f"Nhà số {i} ngõ {i * 3} bị trộm xe máy đêm qua, biển số {i * 991}")
    for i in range(25):
        world.tip(f"Có nhóm thanh niên tụ tập hút ma túy ở hẻm {i * 7} sau {i} giờ đêm")
    for i in range(12):
        world.tip(f"Vietcombank: tai khoan bi khoa, cung cap ma OTP tai vcb-khoa{i}.top de mo khoa ngay", channel=world.web_b)
    first = Case.objects.filter(unit=world.commune_a).order_by("id").first()
    assert first is not None
    Case.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(hours=10))
    first.refresh_from_db()
    reply(first, world.officer_a, "Đã nhận, đang xác minh.")
    return world


def test_figures_match_the_database(filled: World) -> None:
    period = Period.parse(None, None)
    data = figures([filled.commune_a.pk, filled.commune_b.pk], period)
    assert data.total == Case.objects.count() == 67
    intents = {k: n for k, _, n in data.by_intent}
    assert intents["tip"] == Case.objects.filter(intent="tip").count()
    categories = {k: n for k, _, n in data.by_category}
    assert categories["theft"] == Case.objects.filter(category="theft").count() >= 25
    assert categories["drugs"] == Case.objects.filter(category="drugs").count() >= 20
    assert data.replied == 1 and data.first_reply_median_h is not None and 9.9 <= data.first_reply_median_h <= 10.1
    assert dict(((k, v), n) for k, v, n in data.top_indicators)  # scam domains counted
    only_a = figures([filled.commune_a.pk], period)
    assert only_a.total == Case.objects.filter(unit=filled.commune_a).count()


def test_dashboard_renders_charts_without_internet(filled: World) -> None:
    page = filled.client(filled.supervisor).get("/console/reports/").content.decode()
    assert "<svg" in page and "Trộm cắp" in page
    assert "http://" not in page.split("<body")[1].replace("http://www.w3.org/2000/svg", "")  # no CDN


def test_unit_filter_cannot_reach_another_unit(filled: World) -> None:
    response = filled.client(filled.officer_b).get(f"/console/reports/?unit={filled.commune_a.pk}")
    totals = response.content.decode().split('id="total">')[1].split("<")[0]
    assert int(totals) == Case.objects.filter(unit=filled.commune_b).count()


def test_csv_export_contains_exactly_the_filtered_list(filled: World) -> None:
    client = filled.client(filled.supervisor)
    for query, expected in [
        ("", Case.objects.filter(status__in=Case.OPEN_STATUSES)),
        ("?category=theft", Case.objects.filter(category="theft", status__in=Case.OPEN_STATUSES)),
        ("?q=ma+tuy&status=all", Case.objects.filter(search_text__contains="ma tuy")),
    ]:
        response = client.get(f"/console/reports/cases.csv{query}")
        body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][0] == "Mã tin"
        assert {r[0] for r in rows[1:]} == set(expected.values_list("reference", flat=True))
        assert len(rows) - 1 == expected.count()


def test_xlsx_export_matches_and_carries_no_reporter(filled: World) -> None:
    response = filled.client(filled.officer_a).get("/console/reports/cases.xlsx?status=all")
    sheet = load_workbook(io.BytesIO(response.content))["Tin"]
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == set(Case.objects.filter(unit=filled.commune_a).values_list("reference", flat=True))
    assert len(references) > 50  # more than a page: nothing capped
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert not any("liên hệ" in str(h).lower() or "contact" in str(h).lower() for h in header)


def test_dashboard_excel_has_the_figures(filled: World) -> None:
    response = filled.client(filled.supervisor).get("/console/reports/dashboard.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    rows = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert rows["Tổng số tin"] == 67
    assert rows["Tin báo: Trộm cắp, cướp giật"] == Case.objects.filter(category="theft").count()


def test_monthly_report(filled: World) -> None:
    page = filled.client(filled.supervisor).get("/console/reports/monthly/").content.decode()
    assert "Báo cáo tháng" in page and "67" in page and "window.print()" in page


def test_reports_need_login(filled: World) -> None:
    for path in ("/console/reports/", "/console/reports/cases.csv", "/console/reports/dashboard.xlsx", "/console/reports/monthly/"):
        assert Client().get(path).status_code == 302
