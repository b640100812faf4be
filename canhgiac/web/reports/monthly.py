"""The monthly report as a district receives it: the figures of a month laid out in the
administrative format of Decree 30/2020/NĐ-CP (quốc hiệu, tiêu ngữ, number and date line,
"Kính gửi", body, "Nơi nhận", signature block).

This module decides every word and number of the document; pdf.py and docx.py only lay
it out, so the two files say the same thing. The figures are stats.figures() for the
month, the month before and the same month a year before, exactly as the dashboard and
the exports compute them.

The document is always in Vietnamese, whatever language the officer's console is in: it
is an official report to a Vietnamese district. Its texts are therefore plain strings,
not messages for translation; the builder runs under Vietnamese for the names of codes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from canhgiac.web.accounts.models import Unit
from canhgiac.web.bulletins.models import Bulletin, Delivery
from canhgiac.web.bulletins.sending import progress
from canhgiac.web.core.text import PlainCharField
from canhgiac.web.meetings.stats import summary
from canhgiac.web.reports.stats import Figures, Period, figures

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOTS = "......"
INDICATOR_KINDS = {"phone": "Số điện thoại", "bank_account": "Tài khoản ngân hàng", "domain": "Tên miền"}
# The words a unit's name starts with, as the head of its police is titled.
LEVELS = ("Thị trấn", "Thị xã", "Thành phố", "Phường", "Xã", "Quận", "Huyện", "Tỉnh")
HEAD_BY_KIND: dict[str, str] = {
    Unit.Kind.COMMUNE: "TRƯỞNG CÔNG AN XÃ",
    Unit.Kind.DISTRICT: "TRƯỞNG CÔNG AN HUYỆN",
    Unit.Kind.PROVINCE: "GIÁM ĐỐC CÔNG AN TỈNH",
}


class Details(forms.Form):
    """What the officer adds before downloading: the number (given when the report is
    registered, so usually left blank to be written by hand), the signer, and a short
    assessment. Not stored: the document is made again from the figures each time."""

    number = PlainCharField(label=_("Số văn bản"), max_length=20, required=False)
    symbol = PlainCharField(label=_("Ký hiệu đơn vị (sau BC-)"), max_length=30, required=False)
    signed_on = forms.DateField(label=_("Ngày ký (để trống: ghi tay)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    signer_title = PlainCharField(label=_("Chức danh người ký"), max_length=100, required=False)
    signer_name = PlainCharField(label=_("Họ tên người ký"), max_length=100, required=False)
    assessment = PlainCharField(label=_("Nhận xét, đánh giá"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"].strip()
        if number and not re.fullmatch(r"[0-9A-Za-z./-]+", number):
            raise forms.ValidationError(_("Số văn bản chỉ gồm chữ số, chữ cái không dấu và các dấu . / -"))
        return number

    def clean_signed_on(self) -> date | None:
        day: date | None = self.cleaned_data["signed_on"]
        if day is not None and not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            raise forms.ValidationError(_("Ngày ký phải từ năm 2000 đến năm 2100."))
        return day


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    total: list[str] | None = None
    """A last row in bold (the sum), when the table has one."""
    numbers_from: int = 1
    """The columns from this one on hold figures (aligned right)."""


@dataclass(slots=True)
class Section:
    title: str
    blocks: list[str | Table] = field(default_factory=list)
    """Paragraphs and tables, in order."""


@dataclass(slots=True)
class MonthlyReport:
    unit: Unit
    superior: str
    """The superior body's name, in capitals, above the unit's ('' at the top of the tree)."""
    issuer: str
    number_line: str
    place_date: str
    subject: str
    recipient: str
    intro: str
    sections: list[Section]
    closing: str
    signer_title: str
    signer_name: str
    month: str
    """YYYY-MM, for the file name."""
    nation: str = NATION
    motto: str = MOTTO
    title: str = "BÁO CÁO"
    copies_heading: str = "Nơi nhận:"
    copies: tuple[str, ...] = ("- Như trên;", "- Lưu: VT.")

    @property
    def filename(self) -> str:
        return f"bao-cao-{self.month}-{ascii_slug(self.unit.name)}"


# ----------------------------------------------------------------------------- helpers


def ascii_slug(text: str) -> str:
    """'Xã An Phú' -> 'xa-an-phu': for file names any system can keep."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return slugify(plain.encode("ascii", "ignore").decode()) or "don-vi"


def _level(name: str) -> str | None:
    return next((level for level in LEVELS if name.startswith(level + " ") and name[len(level) :].strip()), None)


def abbreviation(unit: Unit) -> str:
    """The unit's symbol after 'BC-': the initials of its name without accents ('Xã An
    Phú' -> 'XAP'); the officer may write the unit's registered symbol instead."""
    words = ascii_slug(unit.name).split("-")
    return "".join(w[0] for w in words if w).upper()[:10] or "CA"


def place(unit: Unit) -> str:
    """The place in the date line: the name of the locality without its level ('Xã An Phú'
    -> 'An Phú'), as the decree writes it."""
    level = _level(unit.name)
    return unit.name[len(level) :].strip() if level else unit.name


def head_title(unit: Unit) -> str:
    """'TRƯỞNG CÔNG AN XÃ' for a commune, '... PHƯỜNG' for a ward: the usual signer."""
    level = _level(unit.name)
    if level in ("Tỉnh", "Thành phố") and unit.kind == Unit.Kind.PROVINCE:
        return "GIÁM ĐỐC CÔNG AN " + level.upper()
    if level is not None and level != "Tỉnh":
        return "TRƯỞNG CÔNG AN " + level.upper()
    return HEAD_BY_KIND.get(unit.kind, "THỦ TRƯỞNG ĐƠN VỊ")


def number(value: int | float | None) -> str:
    """Vietnamese figures: 2.135 and 1,5; a dash when there is nothing to measure."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def change(now: int, before: int) -> str:
    """Signed difference: '+3', '-2', '0'."""
    diff = now - before
    return f"+{number(diff)}" if diff > 0 else (f"-{number(-diff)}" if diff < 0 else "0")


def percent(rate: float | None) -> str:
    return "—" if rate is None else number(round(rate * 100, 1)) + "%"


def month_before(period: Period) -> Period:
    end = period.start - timedelta(days=1)
    return Period(end.replace(day=1), end)


def year_before(period: Period) -> Period:
    return _month_of(period.start.replace(year=period.start.year - 1))


def _month_of(first: date) -> Period:
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(first, next_month - timedelta(days=1))


def _mm(period: Period) -> str:
    return period.start.strftime("%m/%Y")


def _counts(rows: list[tuple[str, str, int]]) -> dict[str, int]:
    return {code: n for code, _label, n in rows}


def _labels(*row_lists: list[tuple[str, str, int]]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for rows in row_lists:
        for code, label, _n in rows:
            labels.setdefault(code, label)
    return labels


# ---------------------------------------------------------------------------- sections


@dataclass(frozen=True, slots=True)
class Months:
    now: Figures
    last: Figures
    year: Figures

    def header(self, first: str) -> list[str]:
        return [first, f"Tháng {_mm(self.now.period)}", f"Tháng {_mm(self.last.period)}", f"Tháng {_mm(self.year.period)}"]

    def compared(self, first: str) -> list[str]:
        return [*self.header(first), "So với tháng trước", "So với cùng kỳ"]


def _three(label: str, now: int, last: int, year: int) -> list[str]:
    return [label, number(now), number(last), number(year), change(now, last), change(now, year)]


def _by_code(months: Months, attribute: str, first: str, total: str, keep_zero: bool) -> Table:
    """A table of counts by code (category, verdict) over the three months."""
    lists = [getattr(f, attribute) for f in (months.now, months.last, months.year)]
    # The engine names verdicts in capitals (as a citizen's answer shows them); a report's
    # table reads them as words.
    labels = {code: label if label != label.upper() else label.capitalize() for code, label in _labels(*lists).items()}
    now, last, year = (_counts(rows) for rows in lists)
    rows = [
        _three(labels[code], now.get(code, 0), last.get(code, 0), year.get(code, 0))
        for code in labels
        if keep_zero or now.get(code, 0) or last.get(code, 0) or year.get(code, 0)
    ]
    sums = [sum(c.values()) for c in (now, last, year)]
    return Table(months.compared(first), rows, _three(total, *sums))


def _received(months: Months, scope: str) -> Section:
    now, last, year = months.now, months.last, months.year
    intents = _counts(now.by_intent)
    names = {code: label for code, label, _n in now.by_intent}
    parts = "; ".join(f"{names[code].lower()}: {number(intents[code])}" for code in names)
    sentence = (
        f"Trong tháng, {scope} tiếp nhận {number(now.total)} tin (tháng trước {number(last.total)}, "
        f"cùng kỳ năm trước {number(year.total)}), trong đó {number(now.counts.merged)} tin trùng được gộp "
        f"và {number(now.urgent)} tin khẩn cấp. Theo loại yêu cầu: {parts}."
    )
    table = _by_code(months, "by_category", "Loại tin báo", "Tổng số tin báo, tố giác", keep_zero=False)
    return Section("1. Tiếp nhận tin báo, tố giác theo loại", [sentence, table])


def _scam_checks(months: Months) -> Section:
    checks = _counts(months.now.by_intent).get("scam_check", 0)
    blocks: list[str | Table] = [
        f"Người dân gửi {number(checks)} yêu cầu kiểm tra tin nhắn, số điện thoại, tài khoản, đường dẫn nghi lừa đảo; "
        "hệ thống trả lời ngay kèm lý do, trường hợp chưa chắc chắn được chuyển cán bộ xem xét. Kết luận:",
        _by_code(months, "by_verdict", "Kết luận", "Tổng số yêu cầu kiểm tra", keep_zero=True),
    ]
    if months.now.top_indicators:
        blocks.append("Số điện thoại, tài khoản, tên miền lừa đảo được báo nhiều nhất trong tháng:")
        rows = [[INDICATOR_KINDS.get(kind, kind), value, number(n)] for kind, value, n in months.now.top_indicators[:5]]
        blocks.append(Table(["Loại", "Chỉ dấu", "Số lần báo"], rows, numbers_from=2))
    return Section("2. Kiểm tra tin nghi lừa đảo", blocks)


def _response_times(months: Months) -> Section:
    def row(label: str, attribute: str) -> list[str]:
        return [label, *(number(getattr(f, attribute)) for f in (months.now, months.last, months.year))]

    table = Table(
        months.header("Chỉ tiêu"),
        [
            row("Tin được cán bộ trả lời", "replied"),
            row("Thời gian đến trả lời đầu tiên, trung vị (giờ)", "first_reply_median_h"),
            row("Thời gian đến trả lời đầu tiên, 90% (giờ)", "first_reply_p90_h"),
            row("Tin cán bộ đã giải quyết", "resolved_by_officers"),
            row("Thời gian giải quyết, trung vị (giờ)", "resolution_median_h"),
            row("Thời gian giải quyết, 90% (giờ)", "resolution_p90_h"),
            row("Trả lời tự động từ cơ sở hỏi đáp", "auto_answered"),
        ],
    )
    note = (
        "Trung vị: một nửa số tin được xử lý nhanh hơn mức này; 90%: chín phần mười số tin được xử lý nhanh hơn mức này. "
        "Tin được trả lời tự động không tính vào thời gian giải quyết của cán bộ."
    )
    return Section("3. Thời gian phản hồi, giải quyết", [table, note])


def _meetings(unit_ids: list[int], months: Months) -> Section:
    now, last, year = (summary(unit_ids, f.period.start_at, f.period.end_at) for f in (months.now, months.last, months.year))
    blocks: list[str | Table] = [
        f"Tổ chức {number(now.sessions)} buổi tuyên truyền phòng ngừa tội phạm cho người dân "
        f"(tháng trước {number(last.sessions)}, cùng kỳ năm trước {number(year.sessions)}), "
        f"có {number(now.present)} lượt người tham dự trên {number(now.invited)} người được mời "
        f"(tỷ lệ {percent(now.attendance_rate)})."
    ]
    if now.by_topic:
        rows = [[topic, number(sessions), number(present)] for topic, sessions, present in now.by_topic]
        blocks.append(Table(["Chủ đề", "Số buổi", "Người tham dự"], rows, ["Cộng", number(now.sessions), number(now.present)]))
    return Section("4. Tuyên truyền phòng ngừa tội phạm", blocks)


def _bulletins(unit_ids: list[int], months: Months) -> Section:
    now = months.now
    # The same bulletins as stats.figures() counts: sent by these units within the month.
    sent = list(
        Bulletin.objects.filter(unit_id__in=unit_ids, sent_at__gte=now.period.start_at, sent_at__lt=now.period.end_at).order_by(
            "sent_at", "pk"
        )
    )
    blocks: list[str | Table] = [
        f"Gửi {number(now.bulletins_sent)} bản tin cảnh báo, tuyên truyền tới người theo dõi kênh "
        f"(tháng trước {number(months.last.bulletins_sent)}), với {number(now.bulletin_deliveries)} lượt gửi thành công; "
        f"hiện có {number(now.subscribers)} người theo dõi."
    ]
    if sent:
        reached = progress(sent)
        rows = []
        for bulletin in sent:
            counts = reached[bulletin.pk].counts
            missed = counts[Delivery.Status.FAILED] + counts[Delivery.Status.SKIPPED]
            day = timezone.localtime(bulletin.sent_at).strftime("%d/%m") if bulletin.sent_at else ""
            rows.append(
                [bulletin.title, day, number(counts[Delivery.Status.SENT]), number(missed), number(counts[Delivery.Status.PENDING])]
            )
        blocks.append(Table(["Bản tin", "Ngày gửi", "Đã nhận", "Không gửi được", "Đang chờ"], rows, numbers_from=2))
    return Section("5. Bản tin cảnh báo và lượt tiếp cận", blocks)


def _assessment(text: str) -> Section:
    paragraphs: list[str | Table] = [p.strip() for p in text.strip().splitlines() if p.strip()]
    return Section("6. Nhận xét, đánh giá", paragraphs or [DOTS * 12, DOTS * 12])


def _date_line(unit: Unit, day: date | None) -> str:
    if day is None:
        return f"{place(unit)}, ngày {DOTS} tháng {DOTS} năm 20{DOTS[:4]}"
    return f"{place(unit)}, ngày {day:%d} tháng {day:%m} năm {day.year}"


# ------------------------------------------------------------------------------ the report


def build(unit: Unit, unit_ids: list[int], period: Period, details: dict[str, Any] | None = None) -> MonthlyReport:
    """The report of these units (the unit and those under it that the officer sees) for
    the calendar month of period."""
    given = details or {}
    with translation.override("vi"):
        months = Months(figures(unit_ids, period), figures(unit_ids, month_before(period)), figures(unit_ids, year_before(period)))
        sections = [
            # A district's figures are those of its communes too: the sentence says so.
            _received(months, unit.name if len(unit_ids) == 1 else f"{unit.name} và các đơn vị trực thuộc"),
            _scam_checks(months),
            _response_times(months),
            _meetings(unit_ids, months),
            _bulletins(unit_ids, months),
            _assessment(given.get("assessment") or ""),
        ]
    parent = unit.parent
    subject = f"Kết quả tiếp nhận, xử lý tin báo và công tác phòng ngừa tháng {_mm(period)}"
    return MonthlyReport(
        unit=unit,
        superior=parent.name.upper() if parent else "",
        issuer=unit.name.upper(),
        number_line=f"Số: {given.get('number') or DOTS}/BC-{given.get('symbol') or abbreviation(unit)}",
        place_date=_date_line(unit, given.get("signed_on")),
        subject=subject,
        recipient=f"Kính gửi: {parent.name if parent else DOTS * 4}",
        intro=f"Thực hiện chế độ báo cáo định kỳ, {unit.name} báo cáo kết quả tiếp nhận, xử lý tin báo và công tác phòng ngừa tháng {_mm(period)} như sau:",
        sections=sections,
        closing=f"Trên đây là báo cáo kết quả công tác tháng {_mm(period)} của {unit.name}./.",
        signer_title=(given.get("signer_title") or head_title(unit)).upper(),
        signer_name=given.get("signer_name") or "",
        month=period.start.strftime("%Y-%m"),
    )
