"""Cells that a spreadsheet cannot run: every CSV and Excel export goes through here.

Exports carry text that citizens wrote. Excel, LibreOffice and Google Sheets read a cell
that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, so a tip reading
``=HYPERLINK("http://evil.example","click")`` would become a live link, or worse, on an
officer's PC. As OWASP recommends, such a cell gets a leading single quote, which every
spreadsheet reads as "this is text" (https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell

from canhgiac.web.core.text import xml_safe

__all__ = ["cell", "row", "uncell", "xlsx_row"]

TRIGGERS = ("=", "+", "-", "@")
# Tab and carriage return start a new cell or line in some importers, so that what follows
# them is read as the start of a cell: a value beginning with one is quoted whatever comes next.
SEPARATORS = ("\t", "\r")
QUOTE = "'"


def _runs(value: str) -> bool:
    """Would a spreadsheet read this text as a formula? Full-width ＝ and ＋ count, as
    NFKC folds them (some spreadsheets do too), and so does a trigger after spaces."""
    if value.startswith(SEPARATORS):
        return True
    folded = unicodedata.normalize("NFKC", value).lstrip()
    return folded.startswith(TRIGGERS)


def _needs_quote(value: str) -> bool:
    # A value that already starts with quotes before a formula gets one more, so that
    # uncell() (which takes one quote away) gives back exactly what was exported.
    return _runs(value.lstrip(QUOTE))


def cell(value: Any) -> Any:
    """The value as a cell that opens as text; numbers, dates and None are left alone."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def uncell(value: str) -> str:
    """The text an exported cell was made from: reading back our own export is lossless."""
    if value.startswith(QUOTE) and _needs_quote(value[1:]):
        return value[1:]
    return value


def row(values: Iterable[Any]) -> list[Any]:
    return [cell(value) for value in values]


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet: text is written as a string cell, never as a formula,
    whatever openpyxl would guess from its first character."""
    cells: list[Any] = []
    # A control character openpyxl refuses (IllegalCharacterError) would make the whole
    # export a 500 for as long as the text is there: it is dropped, as XML cannot hold it.
    for value in row(xml_safe(v) if isinstance(v, str) else v for v in values):
        if isinstance(value, str):
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"
            cells.append(text)
        else:
            cells.append(value)
    return cells
