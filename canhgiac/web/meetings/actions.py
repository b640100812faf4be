"""Every change to meetings goes through these functions, each in one transaction with
one audit row. A QR check-in is the exception to the audit row: the audit log stores an
address, and nothing about an attendee is to be kept (PRODUCT.md), so a check-in only
adds one to the session's counter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit.log import record
from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.core import storage
from canhgiac.web.core.db import writing
from canhgiac.web.core.text import plain
from canhgiac.web.knowledge.models import Warning
from canhgiac.web.meetings.models import DEFAULT_TOPICS, Attendance, Session, Topic, new_checkin_token
from canhgiac.web.reports.period import FIRST_DAY, LAST_DAY

# The check-in page opens an hour before the start (people arrive early and the QR is on
# the wall) and closes three hours after it (a meeting with questions runs long). Fixed,
# not settings: no deployment has asked for others, and a wider window only makes a
# photographed QR code count more people who were not there.
CHECKIN_OPENS_BEFORE = timedelta(hours=1)
CHECKIN_CLOSES_AFTER = timedelta(hours=3)

# Materials: what an officer hands out at a meeting. Bounded so an upload cannot fill
# the disk; checked by their first bytes, not by the name the browser sends.
MAX_MATERIAL_BYTES = 10_000_000
MATERIAL_TYPES: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    "docx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pptx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "doc": (b"\xd0\xcf\x11\xe0", "application/msword"),
    "ppt": (b"\xd0\xcf\x11\xe0", "application/vnd.ms-powerpoint"),
}
MAX_COUNT = 100_000


class ActionError(ValueError):
    """A refusal with a message for the person who asked (in Vietnamese)."""


class CheckInClosed(ActionError):
    pass


@dataclass
class SessionFields:
    unit: Unit
    topic: Topic
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime | None = None
    target_group: str = ""
    leaders: Sequence[User] = field(default_factory=list)
    warnings: Sequence[Warning] = field(default_factory=list)
    bulletins: Sequence[Bulletin] = field(default_factory=list)


def _require_act(user: User, unit_id: int) -> None:
    if not user.can_act or unit_id not in user.visible_unit_ids():
        raise PermissionError(_("Bạn không có quyền làm việc này."))


def ancestors_and_self(unit: Unit) -> list[int]:
    """The unit and those above it: a commune's meeting may hand out its district's
    warnings and bulletins as well as its own."""
    ids: list[int] = []
    current: Unit | None = unit
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.parent
    return ids


def material_type(name: str, head: bytes) -> str:
    """The content type of an uploaded material; ActionError when it is not one we take."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    known = MATERIAL_TYPES.get(suffix)
    if known is None or not head.startswith(known[0]):
        raise ActionError(_("Tài liệu phải là tệp PDF, ảnh (JPG, PNG) hoặc Word, PowerPoint."))
    return known[1]


def topics_for(unit: Unit) -> list[Topic]:
    """The unit's topics, the default list put in on first use (a unit made after the
    migrations gets them too)."""
    topics = list(Topic.objects.filter(unit=unit))
    if not topics:
        with writing():
            for name in DEFAULT_TOPICS:
                Topic.objects.get_or_create(unit=unit, name=name)
        topics = list(Topic.objects.filter(unit=unit))
    return topics


def save_topic(user: User, unit: Unit, name: str, topic: Topic | None = None, active: bool = True, ip: str | None = None) -> Topic:
    _require_act(user, unit.pk)
    name = " ".join(plain(name).split())[:120]
    if not name:
        raise ActionError(_("Tên chủ đề trống."))
    if topic is not None and topic.unit_id != unit.pk:
        raise PermissionError(_("Bạn không có quyền làm việc này."))
    clash = Topic.objects.filter(unit=unit, name__iexact=name)
    if topic is not None:
        clash = clash.exclude(pk=topic.pk)
    if clash.exists():
        raise ActionError(_("Đơn vị đã có chủ đề này."))
    with writing():
        if topic is None:
            topic = Topic.objects.create(unit=unit, name=name, active=active)
        else:
            topic.name, topic.active = name, active
            topic.save(update_fields=["name", "active"])
        record("meeting.topic_saved", actor=user, unit=unit, obj=topic, ip=ip, name=name, active=active)
    return topic


def _check(user: User, fields: SessionFields) -> None:
    _require_act(user, fields.unit.pk)
    if fields.topic.unit_id != fields.unit.pk:
        raise ActionError(_("Chủ đề không thuộc đơn vị này."))
    if not fields.title.strip() or not fields.place.strip():
        raise ActionError(_("Cần ghi tên buổi và địa điểm."))
    # Dates far out overflow the check-in window's arithmetic (year 9999 plus three hours),
    # and no meeting is planned outside the range the filters accept.
    for moment in (fields.starts_at, fields.ends_at):
        if moment is not None and not FIRST_DAY <= timezone.localdate(moment) <= LAST_DAY:
            raise ActionError(
                _("Ngày giờ phải trong khoảng từ năm %(first)s đến năm %(last)s.") % {"first": FIRST_DAY.year, "last": LAST_DAY.year}
            )
    if fields.ends_at is not None and fields.ends_at <= fields.starts_at:
        raise ActionError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    subtree = set(fields.unit.subtree_ids())
    if any(leader.unit_id not in subtree or not leader.can_act for leader in fields.leaders):
        raise ActionError(_("Cán bộ phụ trách phải là cán bộ của đơn vị."))
    sources = set(ancestors_and_self(fields.unit))
    if any(item.unit_id not in sources for item in fields.warnings) or any(item.unit_id not in sources for item in fields.bulletins):
        raise ActionError(_("Tài liệu phải là cảnh báo hoặc bản tin của đơn vị."))


def save_session(
    user: User,
    fields: SessionFields,
    session: Session | None = None,
    material: UploadedFile | None = None,
    remove_material: bool = False,
    ip: str | None = None,
) -> Session:
    """Create a session (``session`` None) or change one; the unit of an existing session
    stays (moving it would hand it to another unit's officers)."""
    if session is not None:
        _require_act(user, session.unit_id)
        if session.unit_id != fields.unit.pk:
            raise ActionError(_("Không thể chuyển buổi tuyên truyền sang đơn vị khác."))
        if session.status == Session.Status.CANCELLED:
            raise ActionError(_("Buổi này đã hủy."))
    _check(user, fields)
    content = b""
    if material is not None:
        if material.size is not None and material.size > MAX_MATERIAL_BYTES:
            raise ActionError(_("Tài liệu quá lớn (tối đa %(mb)d MB).") % {"mb": MAX_MATERIAL_BYTES // 1_000_000})
        content = material.read(MAX_MATERIAL_BYTES + 1)
        if len(content) > MAX_MATERIAL_BYTES:
            raise ActionError(_("Tài liệu quá lớn (tối đa %(mb)d MB).") % {"mb": MAX_MATERIAL_BYTES // 1_000_000})
        material_type(material.name or "", content[:16])
    creating = session is None
    target = session or Session(unit=fields.unit, created_by=user)
    target.topic = fields.topic
    target.title = plain(fields.title).strip()[:200]
    target.place = plain(fields.place).strip()[:200]
    target.starts_at = fields.starts_at
    target.ends_at = fields.ends_at
    target.target_group = plain(fields.target_group).strip()[:200]
    target.updated = timezone.now()
    old_file = target.material.name if target.material else ""
    storage.check_room()
    with storage.guard(), writing():
        if material is not None:
            target.material.save(material.name or "tai-lieu", ContentFile(content), save=False)
            target.material_name = (material.name or "")[-200:]
        elif remove_material:
            target.material = ""
            target.material_name = ""
        target.save()
        target.leaders.set(fields.leaders)
        target.warnings.set(fields.warnings)
        target.bulletins.set(fields.bulletins)
        record(
            "meeting.created" if creating else "meeting.changed",
            actor=user,
            unit=target.unit,
            obj=target,
            ip=ip,
            title=target.title,
            starts_at=target.starts_at.isoformat(),
        )
    if old_file and (material is not None or remove_material):
        target.material.storage.delete(old_file)
    return target


def cancel_session(user: User, session: Session, ip: str | None = None) -> None:
    _require_act(user, session.unit_id)
    if session.status == Session.Status.CANCELLED:
        return
    with writing():
        Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED, updated=timezone.now())
        record("meeting.cancelled", actor=user, unit=session.unit, obj=session, ip=ip, title=session.title)
    session.status = Session.Status.CANCELLED


def record_attendance(
    user: User,
    session: Session,
    counts: Mapping[str, tuple[int, int]],
    report: str,
    held: bool = True,
    ip: str | None = None,
) -> None:
    """The officer's counts per group (invited, present) and the report afterwards. A group
    left out keeps its counts; a group given as (0, 0) is removed."""
    _require_act(user, session.unit_id)
    if session.status == Session.Status.CANCELLED:
        raise ActionError(_("Buổi này đã hủy."))
    groups = set(Attendance.Group.values)
    for group, (invited, present) in counts.items():
        if group not in groups:
            raise ActionError(_("Nhóm người dự không hợp lệ."))
        if not (0 <= invited <= MAX_COUNT and 0 <= present <= MAX_COUNT):
            raise ActionError(_("Số người phải từ 0 đến %(max)d.") % {"max": MAX_COUNT})
    if held and session.starts_at > timezone.now():
        raise ActionError(_("Buổi này chưa đến giờ bắt đầu."))
    with writing():
        for group, (invited, present) in counts.items():
            if invited == 0 and present == 0:
                Attendance.objects.filter(session=session, group=group).delete()
            else:
                Attendance.objects.update_or_create(session=session, group=group, defaults={"invited": invited, "present": present})
        status = Session.Status.HELD if held else session.status
        Session.objects.filter(pk=session.pk).update(report=report.strip()[:20_000], status=status, updated=timezone.now())
        record(
            "meeting.attendance",
            actor=user,
            unit=session.unit,
            obj=session,
            ip=ip,
            invited=sum(i for i, _p in counts.values()),
            present=sum(p for _i, p in counts.values()),
        )
    session.refresh_from_db()


def new_checkin_link(user: User, session: Session, ip: str | None = None) -> None:
    """A new token: the old QR code (photographed and passed around) stops working."""
    _require_act(user, session.unit_id)
    with writing():
        Session.objects.filter(pk=session.pk).update(checkin_token=new_checkin_token())
        record("meeting.checkin_link", actor=user, unit=session.unit, obj=session, ip=ip)
    session.refresh_from_db()


def checkin_window(session: Session) -> tuple[datetime, datetime]:
    return session.starts_at - CHECKIN_OPENS_BEFORE, session.starts_at + CHECKIN_CLOSES_AFTER


def check_in(session: Session, now: datetime | None = None) -> None:
    """One more person present. Nothing about them is stored: no row, no address, no
    audit; the caller's cookie is what stops one phone counting twice."""
    now = now or timezone.now()
    opens, closes = checkin_window(session)
    if session.status == Session.Status.CANCELLED:
        raise CheckInClosed(_("Buổi tuyên truyền này đã bị hủy."))
    if now < opens:
        raise CheckInClosed(
            _("Chưa mở điểm danh. Bạn có thể điểm danh từ %(time)s.") % {"time": timezone.localtime(opens).strftime("%H:%M %d/%m/%Y")}
        )
    if now > closes:
        raise CheckInClosed(_("Đã hết giờ điểm danh cho buổi này."))
    with writing():
        Session.objects.filter(pk=session.pk).update(checked_in=F("checked_in") + 1)
