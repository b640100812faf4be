"""The meetings sheet of the statistics Excel export: the figures of stats.py, written
through core/spreadsheet.py like every other export (topic and unit names are typed by
officers, so they are cells, never formulas)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from canhgiac.web.core import spreadsheet
from canhgiac.web.meetings import stats

COLUMNS = (
    (gettext_lazy("Đơn vị, chủ đề"), 40),
    (gettext_lazy("Số buổi"), 10),
    (gettext_lazy("Số mời"), 10),
    (gettext_lazy("Số có mặt"), 12),
    (gettext_lazy("Tỉ lệ có mặt (%)"), 16),
)


def _rate(summary: stats.MeetingSummary) -> float | str:
    rate = summary.attendance_rate
    return round(rate * 100, 1) if rate is not None else ""


def rows(unit_ids: list[int], start: datetime, end: datetime) -> list[list[Any]]:
    """The sheet's rows under its header: the total, each unit, each topic."""
    total = stats.summary(unit_ids, start, end)
    out: list[list[Any]] = [[_("Tổng cộng"), total.sessions, total.invited, total.present, _rate(total)]]
    for name, figures in stats.by_unit(unit_ids, start, end):
        out.append([_("Đơn vị: %(name)s") % {"name": name}, figures.sessions, figures.invited, figures.present, _rate(figures)])
    for topic, sessions, present in total.by_topic:
        out.append([_("Chủ đề: %(name)s") % {"name": topic}, sessions, "", present, ""])
    return out


def add_sheet(workbook: Any, unit_ids: list[int], start: datetime, end: datetime) -> None:
    sheet = workbook.create_sheet(_("Tuyên truyền"))
    sheet.freeze_panes = "A2"
    for number, (_title, width) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.append(spreadsheet.xlsx_row(sheet, [str(title) for title, _w in COLUMNS]))
    for values in rows(unit_ids, start, end):
        sheet.append(spreadsheet.xlsx_row(sheet, values))
