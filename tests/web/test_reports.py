"""Statistics and exports: figures that match the database, exports that match the list."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.cases.actions import reply
from canhgiac.web.cases.models import Case
from canhgiac.web.core.spreadsheet import cell, uncell
from canhgiac.web.knowledge.models import Entry
from canhgiac.web.knowledge.transfer import export_entries, import_entries
from canhgiac.web.reports.stats import Figures, Period, figures
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
    # The current month in the unit's time zone: in the first hours of a month, the case
    # the fixture dated ten hours back belongs to the month before.
    month = Period.month(None)
    received = Case.objects.filter(created__gte=month.start_at, created__lt=month.end_at).count()
    assert received >= 66
    assert "Báo cáo tháng" in page and f"đã tiếp nhận {received} tin" in page
    assert 'id="print" data-print' in page  # canhgiac.js prints on click


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


# ------------------------------------------------- the monthly report a district receives

MONTH = "2026-10"
ON = {"now": datetime(2026, 10, 15, 9), "last": datetime(2026, 9, 12, 9), "year": datetime(2025, 10, 20, 9)}


def _dated(received: Any, when: datetime) -> Case:
    case: Case = received.case
    Case.objects.filter(pk=case.pk).update(created=timezone.make_aware(when))
    return case


@pytest.fixture
def month(world: World, zalo: Any) -> World:
    """Commune A in October 2026, September 2026 and October 2025: tips of two categories,
    scam checks, one officer's reply, a crime-prevention meeting and a bulletin with its
    deliveries, all made through the actions a person's work goes through."""
    from canhgiac.web.bulletins import sending
    from canhgiac.web.meetings import actions as meetings
    from tests.web.test_bulletins import bulletin, subscribe
    from tests.web.test_zalo import run_tasks

    for i in range(3):
        _dated(world.tip(f"Nhà số {i} ngõ 4 bị trộm xe máy đêm qua"), ON["now"])
    for i in range(2):
        _dated(world.tip(f"Có nhóm thanh niên hút ma túy ở hẻm {i} sau 11 giờ đêm"), ON["now"])
    _dated(world.tip("Nhà số 9 ngõ 2 bị trộm xe máy đêm qua"), ON["last"])
    for i in range(4):
        _dated(world.tip(f"Có nhóm thanh niên hút ma túy ở hẻm {i} sau 11 giờ đêm"), ON["year"])
    for i in range(2):
        _dated(world.tip(f"Vietcombank: tai khoan bi khoa, cung cap ma OTP tai vcb-khoa{i}.top de mo khoa ngay"), ON["now"])
    replied = _dated(world.tip("Nhà số 77 ngõ 8 bị trộm xe máy đêm qua"), ON["now"])
    with freeze(timezone.make_aware(ON["now"] + timedelta(hours=5))):
        reply(replied, world.officer_a, "Đã nhận, đang xác minh.")
    _dated(world.tip("Nhà số 5 bị trộm xe máy", channel=world.web_b), ON["now"])  # commune B: not in A's report

    topic = meetings.topics_for(world.commune_a)[0]
    fields = meetings.SessionFields(
        unit=world.commune_a, topic=topic, title="Phòng chống lừa đảo qua mạng", place="Nhà văn hóa thôn 3",
        starts_at=timezone.make_aware(ON["now"] + timedelta(days=2)),
    )  # fmt: skip
    session = meetings.save_session(world.officer_a, fields)
    meetings.record_attendance(world.officer_a, session, {"households": (60, 48), "students": (40, 37)}, "Đã tổ chức.")

    subscribe("2001", "2002")
    item = bulletin(world, "Cảnh báo giả danh công an")
    sending.send(item, world.officer_a)
    run_tasks()
    run_tasks()
    Bulletin.objects.filter(pk=item.pk).update(sent_at=timezone.make_aware(ON["now"] + timedelta(days=3)))
    return world


def freeze(when: datetime) -> Any:
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=when)


def pdf_text(content: bytes, tmp_path: Path, *layout: str) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", *layout, "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout


def one_line(text: str) -> str:
    return " ".join(text.split())


def october(world: World) -> tuple[Figures, Figures, Figures]:
    units = [world.commune_a.pk]
    return (
        figures(units, Period.month("2026-10")),
        figures(units, Period.month("2026-09")),
        figures(units, Period.month("2025-10")),
    )


def category_row(data: tuple[Figures, Figures, Figures], code: str) -> str:
    """The category's line in the report's first table, as stats.figures() counts it."""
    now, last, year = ({k: n for k, _label, n in f.by_category}[code] for f in data)
    label = next(label for k, label, _n in data[0].by_category if k == code)

    def signed(diff: int) -> str:
        return f"+{diff}" if diff > 0 else str(diff)

    return f"{label} {now} {last} {year} {signed(now - last)} {signed(now - year)}"


HEADINGS = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "BÁO CÁO",
    "Kính gửi: Huyện Thử",
    "Nơi nhận:",
    "TRƯỞNG CÔNG AN XÃ",
]


def test_monthly_pdf_is_the_administrative_document_with_the_dashboards_figures(month: World, tmp_path: Path) -> None:
    response = month.client(month.officer_a).get(f"/console/reports/monthly.pdf?month={MONTH}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-2026-10-xa-a.pdf"'
    text = one_line(pdf_text(response.content, tmp_path, "-layout"))
    for heading in [*HEADINGS, "HUYỆN THỬ", "XÃ A", "Số: ....../BC-XA", "A, ngày ...... tháng ...... năm 20....", "tháng 10/2026"]:
        assert heading in text, heading
    data = october(month)
    now, last, year = data
    assert (now.total, last.total, year.total) == (8, 1, 4)  # commune B's tip and other months stay out
    assert category_row(data, "theft") in text and category_row(data, "drugs") in text
    assert f"tiếp nhận {now.total} tin (tháng trước {last.total}, cùng kỳ năm trước {year.total})" in text
    assert now.replied == 1 and now.first_reply_median_h == 5.0
    assert "Tin được cán bộ trả lời 1 0 0" in text and "trung vị (giờ) 5,0 — —" in text  # as the dashboard computes it
    assert "Tổ chức 1 buổi" in text and "có 85 lượt người tham dự trên 100 người được mời (tỷ lệ 85,0%)" in text
    assert now.bulletins_sent == 1 and now.bulletin_deliveries == 2
    assert "Gửi 1 bản tin" in text and f"với {now.bulletin_deliveries} lượt gửi thành công" in text
    assert "Cảnh báo giả danh công an" in text


def test_monthly_pdf_first_page_is_drawn(month: World, tmp_path: Path) -> None:
    from PIL import Image

    content = month.client(month.officer_a).get(f"/console/reports/monthly.pdf?month={MONTH}").content
    (tmp_path / "report.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(tmp_path / "report.pdf"), str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    assert image.size[0] < image.size[1]  # A4, upright
    dark = sum(image.histogram()[:128])
    assert 0.005 * image.size[0] * image.size[1] < dark < 0.3 * image.size[0] * image.size[1]  # text, not blank, not black


def docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    from docx import Document

    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    rows: list[list[str]] = []
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text for cell in row.cells]
            rows.append(cells)
            lines += cells
    return "\n".join(lines), rows


def test_monthly_docx_says_the_same(month: World) -> None:
    from docx import Document

    response = month.client(month.officer_a).get(f"/console/reports/monthly.docx?month={MONTH}")
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-2026-10-xa-a.docx"'
    text, rows = docx_text(response.content)
    for heading in [*HEADINGS, "HUYỆN THỬ", "XÃ A", "Số: ....../BC-XA", "tháng 10/2026"]:
        assert heading in text, heading
    data = october(month)
    assert category_row(data, "theft") in [" ".join(row) for row in rows]
    assert ["Tin được cán bộ trả lời", "1", "0", "0"] in rows
    assert ["Cảnh báo giả danh công an", "18/10", "2", "0", "0"] in rows
    header = rows[0]
    assert "XÃ A" in header[0] and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1]  # the two-column header
    document = Document(io.BytesIO(response.content))
    assert document.styles["Normal"].font.name == "Times New Roman" and document.styles["Normal"].font.size.pt == 13


def test_monthly_report_carries_what_the_officer_adds(month: World, tmp_path: Path) -> None:
    client = month.client(month.officer_a)
    form = {
        "number": "12",
        "symbol": "CAX",
        "signed_on": "2026-11-03",
        "signer_name": "Nguyễn Văn Bình",
        "assessment": "Tin báo về trộm cắp tăng; cần tăng cường tuần tra ban đêm.",
    }
    text = one_line(pdf_text(client.post(f"/console/reports/monthly.pdf?month={MONTH}", form).content, tmp_path))
    for expected in ("Số: 12/BC-CAX", "A, ngày 03 tháng 11 năm 2026", "Nguyễn Văn Bình", "tăng cường tuần tra ban đêm"):
        assert expected in text, expected
    docx, _rows = docx_text(client.post(f"/console/reports/monthly.docx?month={MONTH}", form).content)
    assert "Số: 12/BC-CAX" in docx and "tăng cường tuần tra ban đêm" in docx
    for bad in ({"signed_on": "2026-13-01"}, {"number": "12<script>"}, {"assessment": "x" * 4001}):
        response = client.post(f"/console/reports/monthly.docx?month={MONTH}", bad)
        assert response.status_code == 400 and response["Content-Type"].startswith("text/plain"), bad
    assert client.get("/console/reports/monthly.pdf?month=2026-13").status_code == 400


def test_monthly_downloads_only_for_units_one_may_see(month: World) -> None:
    a = month.commune_a.pk
    for persona in ("officer_b", "outsider"):
        client = month.client(getattr(month, persona))
        for kind in ("pdf", "docx"):
            assert client.get(f"/console/reports/monthly.{kind}?month={MONTH}&unit={a}").status_code == 404, persona
            assert client.get(f"/console/reports/monthly.{kind}?month={MONTH}&unit=abc").status_code == 404, persona
    own, _rows = docx_text(month.client(month.officer_b).get(f"/console/reports/monthly.docx?month={MONTH}").content)
    assert "XÃ B" in own and "XÃ A" not in own
    supervisor, _rows = docx_text(month.client(month.supervisor).get(f"/console/reports/monthly.docx?month={MONTH}&unit={a}").content)
    assert "XÃ A" in supervisor and "Tin được cán bộ trả lời 1" in " ".join(supervisor.split())
    assert month.client(month.viewer_a).get(f"/console/reports/monthly.docx?month={MONTH}").status_code == 200
    for kind in ("pdf", "docx"):
        response = Client().get(f"/console/reports/monthly.{kind}")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_english_console_still_sends_a_vietnamese_report(month: World, tmp_path: Path) -> None:
    client = month.client(month.officer_a)
    client.post("/language", {"language": "en"})
    page = client.get(f"/console/reports/monthly/?month={MONTH}").content.decode()
    assert "Download PDF" in page and "Download Word (.docx)" in page and "Tải PDF" not in page
    form = re.sub(r"<[^>]+>", " ", page.split('id="download"')[1].split("</form>")[0])  # what a person reads of the form
    assert "Assessment" in form and not re.search("[àáãăâđèéêìíòóõôơùúưýạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", form.lower())
    # A report to a Vietnamese district is in Vietnamese, whatever language the officer
    # reads the console in: the names of categories too.
    text = one_line(pdf_text(client.get(f"/console/reports/monthly.pdf?month={MONTH}").content, tmp_path, "-layout"))
    assert "Kính gửi: Huyện Thử" in text and "Trộm cắp, cướp giật" in text and "Theft" not in text
    docx, _rows = docx_text(client.get(f"/console/reports/monthly.docx?month={MONTH}").content)
    assert "Độc lập - Tự do - Hạnh phúc" in docx and "Ma túy" in docx and "Drugs" not in docx


def test_without_pango_the_pdf_download_says_what_to_install(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when pango is missing: the import fails
    response = world.client(world.officer_a).get("/console/reports/monthly.pdf")
    page = response.content.decode()
    assert response.status_code == 503 and "libpango-1.0-0" in page and "fonts-noto-core" in page and "PDF" in page
    assert world.client(world.officer_a).get("/console/reports/monthly.docx").status_code == 200  # Word still works


@pytest.mark.parametrize(
    ("name", "kind", "symbol", "where", "head", "slug"),
    [
        ("Xã An Phú", "commune", "XAP", "An Phú", "TRƯỞNG CÔNG AN XÃ", "xa-an-phu"),
        ("Phường Hàng Bồ", "commune", "PHB", "Hàng Bồ", "TRƯỞNG CÔNG AN PHƯỜNG", "phuong-hang-bo"),
        ("Thị trấn Đông Anh", "commune", "TTDA", "Đông Anh", "TRƯỞNG CÔNG AN THỊ TRẤN", "thi-tran-dong-anh"),
        ("Huyện Thử", "district", "HT", "Thử", "TRƯỞNG CÔNG AN HUYỆN", "huyen-thu"),
        ("Tỉnh Bắc Ninh", "province", "TBN", "Bắc Ninh", "GIÁM ĐỐC CÔNG AN TỈNH", "tinh-bac-ninh"),
        ("Đồn Biên phòng", "commune", "DBP", "Đồn Biên phòng", "TRƯỞNG CÔNG AN XÃ", "don-bien-phong"),  # no level in its name
    ],
)
def test_the_letterhead_reads_the_units_name(name: str, kind: str, symbol: str, where: str, head: str, slug: str) -> None:
    from canhgiac.web.accounts.models import Unit
    from canhgiac.web.reports import monthly

    unit = Unit(name=name, kind=kind)
    assert (monthly.abbreviation(unit), monthly.place(unit), monthly.head_title(unit), monthly.ascii_slug(name)) == (
        symbol,
        where,
        head,
        slug,
    )


def test_control_characters_typed_into_the_report_are_dropped(month: World) -> None:
    client = month.client(month.officer_a)
    form = {
        "number": "12",
        "symbol": "CA\x01X",
        "signer_title": "Trưởng\x02 Công an",
        "signer_name": "Nguyễn\x1b Văn Bình",
        "assessment": "Tin báo\x0c tăng;\ncần tuần tra\tban đêm.",
    }
    response = client.post(f"/console/reports/monthly.docx?month={MONTH}", form)
    assert response.status_code == 200
    text, _rows = docx_text(response.content)
    for expected in ("Số: 12/BC-CAX", "TRƯỞNG CÔNG AN", "Nguyễn Văn Bình", "Tin báo tăng;"):
        assert expected in text, expected


def test_the_xlsx_writer_drops_what_xml_cannot_hold() -> None:
    from openpyxl import Workbook

    from canhgiac.web.core.spreadsheet import xlsx_row

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append(xlsx_row(sheet, ["a\x01b\x1f", "=1+1\x08", "dòng\nhai\tcột", 3]))
    out = io.BytesIO()
    book.save(out)
    values = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert values == ("ab", "'=1+1", "dòng\nhai\tcột", 3)
