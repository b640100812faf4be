"""The monthly report as an editable Word file (python-docx): districts edit a report
before it is signed. The same words as the PDF (reports/monthly.py), laid out as the
decree asks: a borderless two-column table for the header and for the signature block,
Times New Roman 13 pt, A4 with the decree's margins."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from canhgiac.web.core.text import xml_safe
from canhgiac.web.reports.monthly import MonthlyReport, Table

FONT = "Times New Roman"
BODY_PT = 13
TEXT_WIDTH_CM = 16.5  # A4 less the 3 cm and 1.5 cm margins
FIRST_COLUMN_CM = {6: 6.0, 5: 6.5, 4: 9.5, 3: 6.0}


def _font(document: DocumentObject) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    # Word picks the font of Vietnamese letters from the East Asian and complex-script slots too.
    fonts = style.element.rPr.rFonts
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    style.paragraph_format.space_after = Pt(4)


def _line(
    container: _Cell | DocumentObject,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> Paragraph:
    """A paragraph of one run; in a table cell the first one reuses the cell's empty paragraph."""
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    run = paragraph.add_run(xml_safe(text))  # what XML cannot hold would fail the file
    run.bold, run.italic, run.underline = bold, italic, underline
    if size is not None:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def _no_borders(table: DocxTable) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _two_columns(document: DocumentObject, widths: tuple[float, float]) -> tuple[_Cell, _Cell]:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(widths[0]), Cm(widths[1])
    return left, right


def _figures(document: DocumentObject, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        _line(cell, text, bold=True, size=12, first=True)
    rows = [(row, False) for row in block.rows] + ([(block.total, True)] if block.total else [])
    for row, bold in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            align = WD_ALIGN_PARAGRAPH.RIGHT if i >= block.numbers_from else WD_ALIGN_PARAGRAPH.LEFT
            _line(cell, text, bold=bold, size=12, first=True, align=align)
    # As in the PDF (report.css): the first column wide enough for the names of the rows.
    first = FIRST_COLUMN_CM.get(len(block.header), 5.0)
    rest = (TEXT_WIDTH_CM - first) / (len(block.header) - 1)
    for index, column in enumerate(table.columns):
        for cell in column.cells:
            cell.width = Cm(first if index == 0 else rest)
    document.add_paragraph()


def _body(document: DocumentObject, text: str, *, bold: bool = False) -> None:
    paragraph = _line(document, text, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(4)


def render(report: MonthlyReport) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    _font(document)

    issuer, nation = _two_columns(document, (6.5, 10.0))
    first = True
    if report.superior:
        _line(issuer, report.superior, size=12.5, first=True)
        first = False
    _line(issuer, report.issuer, bold=True, underline=True, size=12.5, first=first)
    _line(issuer, report.number_line)
    _line(nation, report.nation, bold=True, size=12, first=True)
    _line(nation, report.motto, bold=True, underline=True)
    _line(nation, report.place_date, italic=True)

    _line(document, "")
    _line(document, report.title, bold=True, size=14)
    _line(document, report.subject, bold=True)
    _line(document, "")
    _line(document, report.recipient)
    _line(document, "")
    _body(document, report.intro)
    for part in report.sections:
        _body(document, part.title, bold=True)
        for block in part.blocks:
            if isinstance(block, Table):
                _figures(document, block)
            else:
                _body(document, block)
    _body(document, report.closing)

    copies, signer = _two_columns(document, (7.5, 9.0))
    _line(copies, report.copies_heading, bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for line in report.copies:
        _line(copies, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(signer, report.signer_title, bold=True, first=True)
    for _ in range(4):
        _line(signer, "")
    _line(signer, report.signer_name, bold=True)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
