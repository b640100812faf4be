"""Exports of cases and figures: CSV (streamed, no row limit) and Excel. Every cell goes
through core/spreadsheet.py, so text that citizens wrote never opens as a formula.

What a person opens must read like the console: names in the interface's language (never
``tip`` or ``public_order``), yes/no as "Có"/"Không", the score as on every page (points
out of 100), and in Excel real dates (local time: Excel has no time zones), columns wide
enough to read and a header that stays in view.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from canhgiac.engine.labels import score_points
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.core import spreadsheet
from canhgiac.web.meetings import exports as meetings
from canhgiac.web.reports.stats import Figures

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"


@dataclass(frozen=True, slots=True)
class Column:
    title: Promise
    width: int


COLUMNS = [
    Column(gettext_lazy("Mã tin"), 16),
    Column(gettext_lazy("Đơn vị"), 20),
    Column(gettext_lazy("Gửi lúc"), 17),
    Column(gettext_lazy("Trạng thái"), 20),
    Column(gettext_lazy("Ý định"), 22),
    Column(gettext_lazy("Loại tin"), 24),
    Column(gettext_lazy("Khẩn cấp"), 10),
    Column(gettext_lazy("Kết luận lừa đảo"), 28),
    Column(gettext_lazy("Điểm rủi ro (/100)"), 12),
    Column(gettext_lazy("Trùng với tin"), 16),
    Column(gettext_lazy("Giao cho"), 14),
    Column(gettext_lazy("Trả lời đầu tiên"), 17),
    Column(gettext_lazy("Giải quyết lúc"), 17),
    Column(gettext_lazy("Vị trí người báo chia sẻ"), 22),
    Column(gettext_lazy("Nội dung (trích)"), 60),
]


def header() -> list[str]:
    return [str(c.title) for c in COLUMNS]


def yes_no(value: bool) -> str:
    return _("Có") if value else _("Không")


def _local(value: datetime | None) -> datetime | None:
    """A moment as the officers' wall clock shows it, without a zone (Excel has none)."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _row(case: Case) -> list[Any]:
    # No reporter, no contact: exports carry what a report needs, never who sent it.
    # A tip is not a message to check: no verdict and no score, as in the console.
    checked = case.intent != "tip"
    return [
        case.reference,
        case.unit.name,
        _local(case.created),
        case.get_status_display(),
        case.intent_name,
        case.category_name,
        yes_no(case.urgent),
        case.verdict_name if checked else "",
        score_points(case.scam_score) if checked else None,
        case.duplicate_of.reference if case.duplicate_of else "",
        case.assigned_to.get_username() if case.assigned_to else "",
        _local(case.first_reply_at),
        _local(case.resolved_at),
        _location(case),
        case.preview[:200],
    ]


def _location(case: Case) -> str:
    """The first place the reporter shared, as "latitude, longitude" (a map finds it)."""
    latitude, longitude = getattr(case, "shared_latitude", None), getattr(case, "shared_longitude", None)
    return f"{latitude:.5f}, {longitude:.5f}" if latitude is not None and longitude is not None else ""


def _rows(cases: QuerySet[Case]) -> Iterator[list[Any]]:
    shared = Message.objects.filter(case=OuterRef("pk"), latitude__isnull=False, longitude__isnull=False).order_by("created", "id")
    located = cases.annotate(
        shared_latitude=Subquery(shared.values("latitude")[:1]), shared_longitude=Subquery(shared.values("longitude")[:1])
    )
    for case in located.select_related("unit", "assigned_to", "duplicate_of").iterator(chunk_size=2000):
        yield _row(case)


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_lines(cases: QuerySet[Case]) -> Iterator[str]:
    """The CSV, a line at a time (streamed, so 100,000 rows cost no memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # so that Excel opens the UTF-8 file with its diacritics
    writer.writerow(spreadsheet.row(header()))
    for row in _rows(cases):
        writer.writerow(spreadsheet.row(_csv_value(v) for v in row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    if buffer.getvalue():
        yield buffer.getvalue()


def _sheet(workbook: Workbook, title: str, columns: list[tuple[str, int]]) -> Any:
    """A write-only sheet with its header row frozen and its columns sized (both must be
    set before the first row is written)."""
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for number, (_title, width) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.append(spreadsheet.xlsx_row(sheet, [t for t, _w in columns]))
    return sheet


def _dated(sheet: Any, values: list[Any]) -> list[Any]:
    """A row whose dates are real date cells, shown as the officers write them."""
    cells = spreadsheet.xlsx_row(sheet, values)
    for i, value in enumerate(cells):
        if isinstance(value, (datetime, date)):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
            cells[i] = cell
    return cells


def xlsx(cases: QuerySet[Case], figures: Figures | None = None, unit_ids: list[int] | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    if figures is not None:
        summary = _sheet(workbook, _("Tổng hợp"), [(_("Chỉ tiêu"), 60), (_("Số liệu"), 14)])
        for label, value in figures.as_rows():
            summary.append(_dated(summary, [label, value]))
        top = _sheet(workbook, _("Chỉ dấu nhiều nhất"), [(_("Loại"), 22), (_("Giá trị"), 36), (_("Số tin"), 10)])
        kinds = {"phone": _("Số điện thoại"), "bank_account": _("Tài khoản ngân hàng"), "domain": _("Tên miền")}
        for kind, value, n in figures.top_indicators:
            top.append(spreadsheet.xlsx_row(top, [kinds.get(kind, kind), value, n]))
        if unit_ids is not None:  # the meetings held by the same units in the same period
            meetings.add_sheet(workbook, unit_ids, figures.period.start_at, figures.period.end_at)
    sheet = _sheet(workbook, _("Tin"), [(str(c.title), c.width) for c in COLUMNS])
    for row in _rows(cases):
        sheet.append(_dated(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
