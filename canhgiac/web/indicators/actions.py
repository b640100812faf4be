"""Every change to the indicator registry from a case or an officer: reports recorded from
messages judged a scam, and an indicator's status set by those allowed to set it.

The registry is shared by every unit, so what it holds must not carry one unit's work to
another: a report is a row with its unit and case, and other units see counts and dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from canhgiac.engine import Analysis
from canhgiac.engine.indicators import Phone
from canhgiac.web.accounts.models import User
from canhgiac.web.audit.log import record
from canhgiac.web.cases.models import Case
from canhgiac.web.core.db import writing
from canhgiac.web.indicators.models import Indicator, IndicatorReport

# ---------------------------------------------------------------------------- own contact

# Patterns on the engine's plain form (lowercase, no diacritics, teencode as typed), so
# "Số của tôi là" and "so cua toi la" are one pattern. First-person words only: "anh" and
# "chị" are as often "you" as "I", and a number wrongly kept out costs less than a
# citizen's own number shown to every unit as a scam indicator.
_ME = r"(?:toi|tui|em|e|minh|mk|chau|con|to|tao)"
_PHONE_WORD = r"(?:so dien thoai|so dt|so may|sdt|dien thoai|dt|so|zalo|zl)"
_VERB = r"(?:lien he|lien lac|lh|ll|goi dien|goi|call|nhan tin|nt|inbox|ib|alo|bao)"
# What may stand between "me" and the number: "là", "qua số", "zalo", punctuation.
_TAIL = rf"(?:[\s:=\-.,/()]|\bla\b|\bqua\b|\btheo\b|\bo\b|\btai\b|\bbang\b|\bvao\b|\b{_PHONE_WORD}\b)*$"
# "số của tôi là", "sdt em", "zalo cua minh:", "số điện thoại liên hệ của tôi".
_MY_NUMBER = re.compile(rf"(?<![a-z0-9]){_PHONE_WORD}(?:\s+(?:lien he|lien lac|ca nhan|rieng))?\s+(?:cua\s+)?{_ME}\b{_TAIL}")
# "liên hệ lại cho tôi qua số", "gọi cho mình", "lh lai cho e qua sdt:".
_CALL_ME = re.compile(rf"(?<![a-z0-9]){_VERB}(?:\s+lai)?(?:\s+(?:cho|voi|toi|den))?\s+{_ME}\b{_TAIL}")
# ... unless someone else did it: "có người gọi cho tôi", "nó vừa gọi cho em" tell of the
# scammer, and the number that follows is theirs.
_SOMEONE_ELSE = re.compile(
    r"(?<![a-z0-9])(?:nguoi|no|ho|han|ai|doi tuong|ke|thang|chung no|ben do|tong dai|nhan vien|da|vua|moi|dang|lien tuc|nhieu lan|tung)\s*$"
)
_WINDOW = 60


def said_as_own_contact(before: str, *, forwarded: bool = False) -> bool:
    """Whether the words just before a number (in plain form) give it as the writer's own
    contact, as in "số của tôi là" or "liên hệ lại cho tôi qua số".

    In a forwarded message ``forwarded``, "liên hệ em qua zalo …" is the scammer speaking,
    and that number is the very indicator to record: only an explicit "số của tôi" counts."""
    window = before[-_WINDOW:]
    if _MY_NUMBER.search(window):
        return True
    if forwarded:
        return False
    call = _CALL_ME.search(window)
    return call is not None and not _SOMEONE_ELSE.search(window[: call.start()])


def own_contact_numbers(plain: str, phones: Iterable[Phone], *, forwarded: bool = False) -> set[str]:
    """The phone numbers (E.164) a message gives as its writer's own contact: not
    indicators of anything, and never to be shared with other units as one. A number
    given so once is left out even if it also appears elsewhere in the message."""
    own: set[str] = set()
    for phone in phones:
        if phone.raw and any(
            said_as_own_contact(plain[: m.start()], forwarded=forwarded) for m in re.finditer(re.escape(phone.raw), plain)
        ):
            own.add(phone.e164)
    return own


# ---------------------------------------------------------------------------- reports


def record_reports(analysis: Analysis, case: Case, now: datetime) -> int:
    """Indicators in a message judged a scam are recorded as reported: one report per
    case, with the case's unit, and a count. The writer's own number is not one.
    Returns how many new reports were recorded."""
    found = analysis.indicators
    own = own_contact_numbers(analysis.text.plain, found.phones, forwarded=analysis.intent == "scam_check")
    items = [(Indicator.Kind.PHONE, p.e164, "") for p in found.phones if p.kind == "mobile" and p.e164 not in own]
    items += [(Indicator.Kind.BANK_ACCOUNT, a.number, a.bank or "") for a in found.bank_accounts]
    # An official domain (a bank's, a carrier's, gov.vn) in a message is reported as a link
    # but never proposed for blocking: scams quote them to look real.
    links = [link for link in found.links if not link.official]
    items += [(Indicator.Kind.DOMAIN, link.host, "") for link in links if link.domain and not link.shortener]
    items += [(Indicator.Kind.PAGE, link.page, "") for link in links if link.domain is None]
    recorded = 0
    seen: set[tuple[str, str]] = set()
    for kind, value, bank in items:
        if (kind, value) in seen:
            continue
        seen.add((kind, value))
        indicator, _created = Indicator.objects.get_or_create(
            kind=kind, value=value, defaults={"bank": bank, "first_seen": now, "last_seen": now}
        )
        if IndicatorReport.objects.filter(indicator=indicator, case=case).exists():
            continue  # a follow-up in the same case repeating the number
        IndicatorReport.objects.create(indicator=indicator, unit_id=case.unit_id, case=case, created=now)
        # F(): two units reporting the same number at once both count.
        Indicator.objects.filter(pk=indicator.pk).update(report_count=F("report_count") + 1, last_seen=now)
        recorded += 1
    return recorded


# ---------------------------------------------------------------------------- status


def settable_by(user: User) -> QuerySet[Indicator]:
    """The indicators whose status this user may set: the one rule, for the console and
    for the administration pages.

    A status is seen by every unit (a confirmed number makes every later message with it
    a scam), so it is set by a supervisor or an administrator of a unit that reported the
    indicator, or of a unit above one. An indicator no unit reported (an imported list)
    is for those at the top of a tree (a unit with no parent). Officers and viewers set
    none: an officer of one commune does not decide for all of them."""
    if not user.is_active or user.role not in (User.Role.SUPERVISOR, User.Role.ADMIN) or user.unit is None:
        return Indicator.objects.none()
    reports = IndicatorReport.objects.filter(indicator=OuterRef("pk"))
    allowed = Q(Exists(reports.filter(unit_id__in=user.visible_unit_ids())))
    if user.unit.parent_id is None:
        allowed |= ~Q(Exists(reports))
    return Indicator.objects.filter(allowed)


def can_set_status(user: User, indicator: Indicator) -> bool:
    return settable_by(user).filter(pk=indicator.pk).exists()


def set_status(indicator: Indicator, user: User, status: str, note: str = "", ip: str | None = None) -> None:
    if status not in Indicator.Status.values:
        raise ValueError("bad status")
    if not can_set_status(user, indicator):
        raise PermissionError("not allowed")
    with writing():
        old = indicator.status
        indicator.status = status
        if note:
            indicator.note = note[:2000]
        indicator.save(update_fields=["status", "note"])
        record("indicator.status", actor=user, unit=user.unit, obj=indicator, ip=ip, old=old, new=status, value=indicator.value)
