"""Statistics and exports: figures that match the database, exports that match the list."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from canhgiac.web.cases.actions import reply
from canhgiac.web.cases.models import Case
from canhgiac.web.core.spreadsheet import cell, uncell
from canhgiac.web.knowledge.models import Entry
from canhgiac.web.knowledge.transfer import export_entries, import_entries
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
    assert "Báo cáo tháng" in page and "67" in page and 'id="print" data-print' in page  # canhgiac.js prints on click


def test_reports_need_login(filled: World) -> None:
    for path in ("/console/reports/", "/console/reports/cases.csv", "/console/reports/dashboard.xlsx", "/console/reports/monthly/"):
        assert Client().get(path).status_code == 302


# ------------------------------------------------------------- exports that cannot run

# What a spreadsheet would run as a formula: the OWASP list, after spaces, full width.
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r@SUM(A1)",
    "\uff1d1+1",  # full-width ＝, which NFKC folds to =
    "  =1+1",
]
SCAM = "Vietcombank: tai khoan bi khoa, goi ngay 0912345678 cung cap ma OTP tai vcb-khoa.top de mo khoa ngay"


def runs(value: str) -> bool:
    return value.startswith(("\t", "\r")) or unicodedata.normalize("NFKC", value).lstrip().startswith(("=", "+", "-", "@"))


@pytest.fixture
def formulas(world: World) -> World:
    for text in FORMULAS:
        world.tip(text)
    world.tip(f"=1+1 {SCAM}")  # a scam: its phone number (+84...) is a top indicator
    return world


def quoted_previews() -> dict[str, str]:
    """Each case's text as the exports must show it. Every one of them would run."""
    previews = dict(Case.objects.values_list("reference", "preview"))
    assert len(previews) == len(FORMULAS) + 1 and all(runs(p) for p in previews.values())
    return {reference: "'" + preview[:200] for reference, preview in previews.items()}


def assert_inert(cells: list[Any]) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    assert texts and not [c for c in texts if runs(c)]


def test_csv_export_cells_never_start_a_formula(formulas: World) -> None:
    response = formulas.client(formulas.officer_a).get("/console/reports/cases.csv?status=all")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert_inert([c for row in rows for c in row])
    assert {row[0]: row[-1] for row in rows[1:]} == quoted_previews()  # quoted, otherwise unchanged


def test_xlsx_exports_hold_text_not_formulas(formulas: World) -> None:
    client = formulas.client(formulas.supervisor)
    for url in ("/console/reports/cases.xlsx?status=all", "/console/reports/dashboard.xlsx"):
        book = load_workbook(io.BytesIO(client.get(url).content))
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], url
        assert_inert([c.value for c in cells])
        if "dashboard" in url:
            top = [row for row in book["Chỉ dấu nhiều nhất"].iter_rows(min_row=2, values_only=True)]
            assert ("Số điện thoại", "'+84912345678", 1) in top  # a count stays a number, a kind is named
            assert dict(book["Tổng hợp"].iter_rows(min_row=2, values_only=True))["Tổng số tin"] == len(FORMULAS) + 1
        else:
            rows = list(book["Tin"].iter_rows(min_row=2, values_only=True))
            assert {r[0]: r[-1] for r in rows} == quoted_previews()
            assert all(isinstance(r[8], int) for r in rows if r[4] != "Tin báo, tố giác")  # the risk score is still a number


def test_knowledge_csv_export_is_inert_and_reads_back_the_same(world: World) -> None:
    values = {
        "title": '=HYPERLINK("http://evil.example","click")',
        "questions": "+1+1\n-2+3",
        "answer": "@SUM(A1)",
        "source_name": "'=1+1",  # already quoted by someone: it must come back as it was
        "source_url": "https://dichvucong.gov.vn/",
    }
    Entry.objects.create(unit=world.commune_a, **values)
    Entry.objects.create(unit=world.commune_a, title="'bình thường'", questions="-", answer="\uff0b84 912")
    response = world.client(world.officer_a).get("/console/knowledge/export.csv")
    assert response.status_code == 200
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert_inert([c for row in rows for c in row])

    import_entries(text, "csv", world.commune_b)
    fields = ["title", "questions", "answer", "source_name", "source_url", "valid_from", "valid_to"]
    exported = sorted(Entry.objects.filter(unit=world.commune_a).values_list(*fields))
    assert sorted(Entry.objects.filter(unit=world.commune_b).values_list(*fields)) == exported
    assert export_entries(Entry.objects.filter(unit=world.commune_b).order_by("title"), "csv") == export_entries(
        Entry.objects.filter(unit=world.commune_a).order_by("title"), "csv"
    )


@pytest.mark.parametrize("value", [*FORMULAS, "", "'", "''=1", "'=1", "'bình thường", "Trộm xe", "1+1", "a=b", "-"])
def test_one_quote_makes_a_cell_inert_and_comes_off_again(value: str) -> None:
    assert not runs(cell(value)) and uncell(cell(value)) == value
    assert cell(3) == 3 and cell(0.5) == 0.5 and cell(None) is None and cell(date(2026, 1, 1)) == date(2026, 1, 1)


# ------------------------------------------------------------------- dates out of range

BAD_DATES = ["to=9999-12-31", "from=0001-01-01", "from=2026-02-30", "to=abc", "from=9999-12-31&to=0001-01-01"]
BAD_MONTHS = ["month=9999-12", "month=0000-00", "month=abc", "month=2026-13", "month=0001-01", "month=2026-1"]
DATED = ["/console/", "/console/reports/", "/console/reports/dashboard.xlsx", "/console/reports/cases.csv", "/console/reports/cases.xlsx"]


@pytest.mark.parametrize("query", BAD_DATES)
@pytest.mark.parametrize("path", DATED)
def test_dates_out_of_range_are_a_clear_400(world: World, path: str, query: str) -> None:
    response = world.client(world.supervisor).get(f"{path}?{query}")
    assert response.status_code == 400
    assert "Ngày không hợp lệ" in response.content.decode() and "2000-01-01" in response.content.decode()


@pytest.mark.parametrize("query", BAD_MONTHS)
def test_months_out_of_range_are_a_clear_400(world: World, query: str) -> None:
    response = world.client(world.supervisor).get(f"/console/reports/monthly/?{query}")
    assert response.status_code == 400 and "Tháng không hợp lệ" in response.content.decode()


def test_the_bad_date_message_is_translated(world: World) -> None:
    client = world.client(world.officer_a)
    client.post("/language", {"language": "en"})
    assert "Invalid month: 9999-12" in client.get("/console/reports/monthly/?month=9999-12").content.decode()


def test_dates_at_the_edges_of_the_range_work(filled: World) -> None:
    client = filled.client(filled.supervisor)
    for path in DATED:
        assert client.get(f"{path}?from=2000-01-01&to=2100-12-31&status=all").status_code == 200, path
    for month in ("2000-01", "2100-12"):
        assert client.get(f"/console/reports/monthly/?month={month}").status_code == 200
    page = client.get("/console/reports/?from=2000-01-01&to=2100-12-31").content.decode()
    assert int(page.split('id="total">')[1].split("<")[0]) == Case.objects.count()


def test_inbox_and_exports_filter_by_day(filled: World) -> None:
    old = Case.objects.filter(unit=filled.commune_a).order_by("id")[:3]
    Case.objects.filter(pk__in=[c.pk for c in old]).update(created=timezone.make_aware(datetime(2025, 3, 1, 23, 30)))
    client = filled.client(filled.supervisor)
    response = client.get("/console/reports/cases.csv?status=all&from=2025-03-01&to=2025-03-01")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert {r[0] for r in list(csv.reader(io.StringIO(body)))[1:]} == {c.reference for c in old}
    inbox = client.get("/console/?status=all&from=2025-03-02").content.decode()
    assert not any(c.reference in inbox for c in old) and 'name="from" value="2025-03-02"' in inbox


# --------------------------------------------------------------- exports people can read


def test_excel_export_reads_like_the_console(world: World) -> None:
    tip = world.tip("Nhà số 5 ngõ 12 bị trộm xe máy đêm qua, kẻ trộm đi xe Wave đỏ").case
    scam = world.tip("Vietcombank: tai khoan bi khoa, cung cap ma OTP tai vcb-khoa.top de mo khoa ngay").case
    Case.objects.filter(pk=tip.pk).update(urgent=True)
    tip.refresh_from_db()
    client = world.client(world.officer_a)
    book = load_workbook(io.BytesIO(client.get("/console/reports/cases.xlsx?status=all").content))
    sheet = book["Tin"]
    assert sheet.freeze_panes == "A2"  # the header stays in view
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    widths = {h: sheet.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(header)}
    assert widths["Mã tin"] >= 14 and widths["Nội dung (trích)"] >= 50 and widths["Gửi lúc"] >= 16
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    as_tip, as_scam = rows[tip.reference], rows[scam.reference]
    assert (as_tip["Ý định"], as_tip["Loại tin"], as_tip["Khẩn cấp"]) == ("Tin báo, tố giác", "Trộm cắp, cướp giật", "Có")
    assert as_tip["Kết luận lừa đảo"] is None and as_tip["Điểm rủi ro (/100)"] is None  # a tip has no scam score
    assert as_scam["Ý định"] == "Nhờ kiểm tra lừa đảo" and as_scam["Khẩn cấp"] == "Không" and as_scam["Kết luận lừa đảo"] == "LỪA ĐẢO"
    assert as_scam["Điểm rủi ro (/100)"] == round(scam.scam_score * 100)
    local = timezone.localtime(tip.created).replace(tzinfo=None)  # Excel has no time zones: the officers' wall clock
    assert isinstance(as_tip["Gửi lúc"], datetime) and abs(as_tip["Gửi lúc"] - local) < timedelta(seconds=1)
    created = next(c for c in next(sheet.iter_rows(min_row=2, max_row=2)) if c.column_letter == "C")
    assert created.is_date and created.number_format == "dd/mm/yyyy hh:mm"

    client.post("/language", {"language": "en"})
    english = load_workbook(io.BytesIO(client.get("/console/reports/cases.xlsx?status=all").content))["Case"]
    header = [c.value for c in next(english.iter_rows(max_row=1))]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in english.iter_rows(min_row=2, values_only=True)}
    assert (rows[tip.reference]["Intent"], rows[tip.reference]["Category"], rows[tip.reference]["Urgent"]) == ("Tip", "Theft", "Yes")
    assert rows[scam.reference]["Urgent"] == "No" and rows[scam.reference]["Status"] == "New"


def test_csv_export_names_codes_and_says_yes_or_no(world: World) -> None:
    tip = world.tip("Nhà số 5 ngõ 12 bị trộm xe máy đêm qua, kẻ trộm đi xe Wave đỏ").case
    response = world.client(world.officer_a).get("/console/reports/cases.csv?status=all")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    (row,) = rows
    assert row["Mã tin"] == tip.reference and row["Ý định"] == "Tin báo, tố giác" and row["Loại tin"] == "Trộm cắp, cướp giật"
    assert row["Khẩn cấp"] == "Không" and row["Trạng thái"] == "Mới" and "tip" not in row.values() and "theft" not in row.values()
    assert row["Gửi lúc"] == timezone.localtime(tip.created).strftime("%Y-%m-%d %H:%M")
