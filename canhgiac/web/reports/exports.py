"""Exports of cases and figures: CSV (streamed, no row limit) and Excel. Every cell goes
through core/spreadsheet.py, so text that citizens wrote never opens as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from canhgiac.web.cases.models import Case
from canhgiac.web.core import spreadsheet
from canhgiac.web.reports.stats import Figures

HEADER = [
    "Mã tin",
    "Đơn vị",
    "Gửi lúc",
    "Trạng thái",
    "Ý định",
    "Loại tin",
    "Khẩn cấp",
    "Kết luận lừa đảo",
    "Điểm rủi ro",
    "Giao cho",
    "Trả lời đầu tiên",
    "Giải quyết",
    "Nội dung (trích)",
]


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _row(case: Case) -> list[Any]:
    # No reporter, no contact: exports carry what a report needs, never who sent it.
    return [
        case.reference,
        case.unit.name,
        _local(case.created),
        case.get_status_display(),
        case.intent,
        case.category,
        "có" if case.urgent else "",
        case.verdict,
        round(case.scam_score, 3),
        case.assigned_to.get_username() if case.assigned_to else "",
        _local(case.first_reply_at),
        _local(case.resolved_at),
        case.preview[:200],
    ]


def _rows(cases: QuerySet[Case]) -> Iterator[list[Any]]:
    for case in cases.select_related("unit", "assigned_to").iterator(chunk_size=2000):
        yield _row(case)


def csv_lines(cases: QuerySet[Case]) -> Iterator[str]:
    """The CSV, a line at a time (streamed, so 100,000 rows cost no memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # so that Excel opens the UTF-8 file with its diacritics
    writer.writerow(spreadsheet.row(HEADER))
    for row in _rows(cases):
        writer.writerow(spreadsheet.row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    if buffer.getvalue():
        yield buffer.getvalue()


def xlsx(cases: QuerySet[Case], figures: Figures | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    if figures is not None:
        summary = workbook.create_sheet("Tổng hợp")
        summary.append(spreadsheet.xlsx_row(summary, ["Chỉ tiêu", "Số liệu"]))
        for label, value in figures.as_rows():
            summary.append(spreadsheet.xlsx_row(summary, [label, value]))
        top = workbook.create_sheet("Chỉ dấu nhiều nhất")
        top.append(spreadsheet.xlsx_row(top, ["Loại", "Giá trị", "Số tin"]))
        for kind, value, n in figures.top_indicators:
            top.append(spreadsheet.xlsx_row(top, [kind, value, n]))
    sheet = workbook.create_sheet("Tin")
    sheet.append(spreadsheet.xlsx_row(sheet, HEADER))
    for row in _rows(cases):
        sheet.append(spreadsheet.xlsx_row(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
