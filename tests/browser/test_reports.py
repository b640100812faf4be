"""An officer opens the statistics, changes the period, downloads the Excel file; the test
opens the file and checks its figures against the database. Screenshots saved."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from canhgiac.web.cases.models import Case
from tests.browser.test_citizen_and_officer import browser, shot  # noqa: F401  (the browser fixture)
from tests.web.conftest import PASSWORD, World


def test_dashboard_period_and_excel(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    for i in range(6):
        live_world.tip(f"Nhà số {i} bị trộm xe máy đêm qua ở thôn Đông, biển số {i * 977}")
    for i in range(4):
        live_world.tip(f"Có người đánh bạc ăn tiền ở nhà văn hóa thôn số {i * 13}")
    old = live_world.tip("Có người bán ma túy ở bến xe từ tháng trước").case
    Case.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=60))

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/console/reports/")
    page.fill("#username", "chihuy")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#total")).to_have_text("10")  # the last 30 days: not the old case
    shot(page, "7-officer-statistics")

    start = (timezone.localdate() - timedelta(days=90)).isoformat()
    page.fill("#from", start)
    page.click("#period button[type=submit]")
    expect(page.locator("#total")).to_have_text("11")
    expect(page.locator("svg.chart").first).to_be_visible()
    shot(page, "8-officer-statistics-90-days")

    with page.expect_download() as download:
        page.click("#download-xlsx")
    path = download.value.path()
    book = load_workbook(io.BytesIO(path.read_bytes()))
    figures = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert figures["Từ ngày"].date().isoformat() == start  # a real date cell
    assert figures["Tổng số tin"] == Case.objects.filter(created__date__gte=start).count() == 11
    assert figures["Tin báo: Trộm cắp, cướp giật"] == Case.objects.filter(category="theft").count()
    assert figures["Tin báo: Cờ bạc"] == Case.objects.filter(category="gambling").count()
    references = {row[0] for row in book["Tin"].iter_rows(min_row=2, values_only=True)}
    assert references == set(Case.objects.values_list("reference", flat=True))
