"""The audit log as people read it: one sentence per event, in the page's language.

The log stores codes and IDs (``case.assigned``, ``{"old": None, "new": 4}``, case 9),
which stay exact for machines; an officer reads "Cán bộ canbo-a đã giao tin CG-ABCD-2345
cho canbo-b". The names an event points at (case references, users, bulletins) are looked
up once per page, whatever its length. An action this module does not know yet still
reads as a sentence, with its details as "name: value", never as a Python dict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES, name
from canhgiac.web.audit.models import CITIZEN_LABEL_PREFIX, AuditEvent
from canhgiac.web.core.i18n import language

# What each action is called in the audit page's filter (a choice, not a code to type).
ACTION_NAMES: dict[str, Any] = {
    "case.opened": gettext_lazy("Tin mới từ người dân"),
    "case.message_received": gettext_lazy("Người dân gửi thêm"),
    "case.replied": gettext_lazy("Trả lời người báo"),
    "case.status": gettext_lazy("Đổi trạng thái tin"),
    "case.assigned": gettext_lazy("Giao tin"),
    "case.note": gettext_lazy("Ghi chú nội bộ"),
    "case.corrected": gettext_lazy("Sửa phân loại"),
    "reporter.revealed": gettext_lazy("Xem liên hệ người báo"),
    "knowledge.learned": gettext_lazy("Trả lời và thêm vào hỏi đáp"),
    "knowledge.saved": gettext_lazy("Lưu mục hỏi đáp"),
    "knowledge.imported": gettext_lazy("Nhập cơ sở hỏi đáp"),
    "warning.saved": gettext_lazy("Lưu cảnh báo lừa đảo"),
    "bulletin.saved": gettext_lazy("Lưu bản nháp bản tin"),
    "bulletin.sent": gettext_lazy("Gửi bản tin"),
    "bulletin.scheduled": gettext_lazy("Hẹn giờ gửi bản tin"),
    "meeting.created": gettext_lazy("Thêm buổi tuyên truyền"),
    "meeting.changed": gettext_lazy("Sửa buổi tuyên truyền"),
    "meeting.cancelled": gettext_lazy("Hủy buổi tuyên truyền"),
    "meeting.attendance": gettext_lazy("Nhập số người dự tuyên truyền"),
    "meeting.checkin_link": gettext_lazy("Tạo mã QR điểm danh mới"),
    "meeting.topic_saved": gettext_lazy("Lưu chủ đề tuyên truyền"),
    "indicator.status": gettext_lazy("Đổi trạng thái chỉ dấu"),
    "indicators.imported": gettext_lazy("Nhập danh sách chỉ dấu"),
    "user.login": gettext_lazy("Đăng nhập"),
    "user.login_failed": gettext_lazy("Đăng nhập sai"),
    "user.created": gettext_lazy("Tạo người dùng"),
    "token.issued": gettext_lazy("Cấp token API"),
    "token.revoked": gettext_lazy("Thu hồi token API"),
    "user.role_changed": gettext_lazy("Đổi vai trò người dùng"),
    "user.deactivated": gettext_lazy("Khóa tài khoản"),
    "user.reactivated": gettext_lazy("Mở lại tài khoản"),
    "user.password_link": gettext_lazy("Tạo liên kết đặt mật khẩu"),
    "user.password_set": gettext_lazy("Đặt mật khẩu qua liên kết"),
    "user.chat_link_started": gettext_lazy("Tạo mã liên kết Zalo"),
    "user.chat_linked": gettext_lazy("Liên kết Zalo"),
    "user.chat_unlinked": gettext_lazy("Bỏ liên kết Zalo"),
    "user.chat_alerts": gettext_lazy("Bật, tắt tin khẩn cấp qua Zalo"),
    "admin.added": gettext_lazy("Quản trị: thêm"),
    "admin.changed": gettext_lazy("Quản trị: sửa"),
    "admin.deleted": gettext_lazy("Quản trị: xóa"),
    "retention.purged": gettext_lazy("Xóa dữ liệu quá hạn lưu trữ"),
}


def action_name(action: str) -> str:
    return str(ACTION_NAMES.get(action, action))


@dataclass(frozen=True, slots=True)
class Names:
    """What the events of one page point at, looked up in one query per kind."""

    cases: dict[str, str]
    users: dict[str, str]
    bulletins: dict[str, str]

    @classmethod
    def of(cls, events: list[AuditEvent]) -> Names:
        from canhgiac.web.accounts.models import User
        from canhgiac.web.bulletins.models import Bulletin
        from canhgiac.web.cases.models import Case

        def ids(kind: str) -> set[str]:
            return {e.object_id for e in events if e.object_type == kind and e.object_id.isdigit()}

        user_ids = ids("user") | {str(e.details.get("new")) for e in events if e.action == "case.assigned" and e.details.get("new")}
        user_ids |= {str(e.details.get("old")) for e in events if e.action == "case.assigned" and e.details.get("old")}
        return cls(
            cases={str(pk): ref for pk, ref in Case.objects.filter(pk__in=ids("case")).values_list("pk", "reference")},
            users={str(pk): u for pk, u in User.objects.filter(pk__in={i for i in user_ids if i.isdigit()}).values_list("pk", "username")},
            bulletins={str(pk): t for pk, t in Bulletin.objects.filter(pk__in=ids("bulletin")).values_list("pk", "title")},
        )


def actor(event: AuditEvent) -> str:
    """Who did it, as a person reads it: "Cán bộ canbo-a", "Người dân (kênh xa-a)"."""
    label = event.actor_label
    user = event.actor
    if user is not None:
        roles = {"admin": _("Quản trị viên"), "supervisor": _("Chỉ huy"), "officer": _("Cán bộ"), "viewer": _("Người xem")}
        return f"{roles.get(getattr(user, 'role', ''), _('Cán bộ'))} {label}"
    if event.by_citizen:
        return _("Người dân (kênh %(channel)s)") % {"channel": label[len(CITIZEN_LABEL_PREFIX) :]}
    machines = {
        "system": _("Hệ thống"),
        "command": _("Dòng lệnh"),
        "cli": _("Dòng lệnh"),
        "retention": _("Xóa tự động theo thời hạn lưu trữ"),
    }
    if event.actor_id is None and label in machines:
        return machines[label]
    return label


def _case(event: AuditEvent, names: Names) -> SafeString:
    reference = names.cases.get(event.object_id)
    if reference is None:
        return format_html("{}", _("tin đã xóa (số %(id)s)") % {"id": event.object_id})
    return format_html('<a href="{}">{}</a>', reverse("cases:case", args=[reference]), reference)


def _status(code: Any) -> str:
    from canhgiac.web.cases.models import Case

    return str(dict(Case.Status.choices).get(code, code or "—"))


def _value(field: str, code: Any) -> str:
    """An engine code or a yes/no, as the console names it."""
    lang = language()
    tables = {"intent": INTENT_NAMES, "category": CATEGORY_NAMES, "verdict": VERDICT_NAMES}
    if field == "urgent":
        return _("Có") if str(code).lower() in ("true", "1") else _("Không")
    if field in tables:
        return name(tables[field], str(code), lang) if code else "—"
    return str(code)


def _field(code: Any) -> str:
    from canhgiac.web.cases.models import Label

    return str(dict(Label.Field.choices).get(code, code)).lower()


def _details(details: dict[str, Any]) -> str:
    """Details of an action not described below: "name: value", never a Python dict."""

    def shown(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return _("có") if value else _("không")
        if isinstance(value, (list, tuple)):
            return ", ".join(shown(v) for v in value)
        return str(value)

    return "; ".join(f"{key}: {shown(value)}" for key, value in details.items())


def _safe(values: dict[str, Any]) -> dict[str, Any]:
    return {key: conditional_escape(value) for key, value in values.items()}


def sentence(event: AuditEvent, names: Names) -> SafeString:
    """One event as a sentence (HTML: the case reference links to the case)."""
    d = event.details or {}
    who = conditional_escape(event.actor_label if event.action == "user.login_failed" else actor(event))
    case = _case(event, names) if event.object_type == "case" else ""
    user_name = names.users.get(event.object_id, event.object_id) if event.object_type == "user" else ""
    bulletin = names.bulletins.get(event.object_id, d.get("title", event.object_id)) if event.object_type == "bulletin" else ""
    action = event.action
    values: dict[str, Any]
    if action == "case.opened":
        text, values = _("%(actor)s gửi tin %(case)s (phân loại tự động: %(intent)s)."), {"intent": _value("intent", d.get("intent"))}
    elif action == "case.message_received":
        text, values = _("%(actor)s gửi thêm tin nhắn cho tin %(case)s."), {}
    elif action == "case.replied":
        text, values = _("%(actor)s đã trả lời người báo tin %(case)s."), {}
    elif action == "case.status":
        text, values = (
            _("%(actor)s đã đổi trạng thái tin %(case)s từ «%(old)s» sang «%(new)s»."),
            {"old": _status(d.get("old")), "new": _status(d.get("new"))},
        )
    elif action == "case.assigned" and d.get("new"):
        assignee = names.users.get(str(d["new"]), _("người dùng đã xóa"))
        text, values = _("%(actor)s đã giao tin %(case)s cho %(assignee)s."), {"assignee": assignee}
    elif action == "case.assigned":
        text, values = _("%(actor)s đã bỏ giao tin %(case)s."), {}
    elif action == "case.note":
        text, values = _("%(actor)s đã ghi chú nội bộ vào tin %(case)s."), {}
    elif action == "case.corrected":
        field = str(d.get("field", ""))
        text, values = (
            _("%(actor)s đã sửa %(field)s của tin %(case)s từ «%(old)s» thành «%(new)s»."),
            {"field": _field(field), "old": _value(field, d.get("old")), "new": _value(field, d.get("new"))},
        )
    elif action == "reporter.revealed":
        text, values = _("%(actor)s đã xem liên hệ của người báo tin %(case)s, lý do: «%(reason)s»."), {"reason": d.get("reason", "")}
    elif action == "knowledge.learned":
        text, values = _("%(actor)s đã trả lời tin %(case)s và thêm câu trả lời vào cơ sở hỏi đáp."), {}
    elif action == "knowledge.saved":
        text, values = _("%(actor)s đã lưu mục hỏi đáp «%(title)s»."), {"title": d.get("title", "")}
    elif action == "knowledge.imported":
        text, values = (
            _("%(actor)s đã nhập cơ sở hỏi đáp: thêm %(added)s mục, cập nhật %(updated)s mục."),
            {"added": d.get("added", 0), "updated": d.get("updated", 0)},
        )
    elif action == "warning.saved":
        text = (
            _("%(actor)s đã lưu một cảnh báo lừa đảo (đã công bố).")
            if d.get("published")
            else _("%(actor)s đã lưu một cảnh báo lừa đảo (chưa công bố).")
        )
        values = {}
    elif action == "bulletin.saved":
        text, values = _("%(actor)s đã lưu bản nháp bản tin «%(title)s»."), {"title": d.get("title") or bulletin}
    elif action == "bulletin.sent":
        text, values = _("%(actor)s đã gửi bản tin «%(title)s»."), {"title": bulletin}
    elif action == "bulletin.scheduled":
        text, values = _("%(actor)s đã hẹn giờ gửi bản tin «%(title)s»."), {"title": bulletin}
    elif action in ("meeting.created", "meeting.changed", "meeting.cancelled", "meeting.checkin_link"):
        text = {
            "meeting.created": _("%(actor)s đã thêm buổi tuyên truyền «%(title)s»."),
            "meeting.changed": _("%(actor)s đã sửa buổi tuyên truyền «%(title)s»."),
            "meeting.cancelled": _("%(actor)s đã hủy buổi tuyên truyền «%(title)s»."),
            "meeting.checkin_link": _("%(actor)s đã tạo mã QR điểm danh mới cho buổi tuyên truyền số %(title)s."),
        }[action]
        values = {"title": d.get("title") or event.object_id}
    elif action == "meeting.attendance":
        text = _("%(actor)s đã nhập số người dự buổi tuyên truyền số %(id)s: mời %(invited)s, có mặt %(present)s.")
        values = {"id": event.object_id, "invited": d.get("invited", 0), "present": d.get("present", 0)}
    elif action == "meeting.topic_saved":
        text, values = _("%(actor)s đã lưu chủ đề tuyên truyền «%(name)s»."), {"name": d.get("name", "")}
    elif action == "indicator.status":
        from canhgiac.web.indicators.models import Indicator

        statuses: dict[str, Any] = dict(Indicator.Status.choices)
        old, new = str(d.get("old", "")), str(d.get("new", ""))
        text, values = (
            _("%(actor)s đã đổi trạng thái chỉ dấu %(value)s từ «%(old)s» sang «%(new)s»."),
            {"value": d.get("value", ""), "old": statuses.get(old, old), "new": statuses.get(new, new)},
        )
    elif action == "indicators.imported":
        text, values = (
            _("%(actor)s đã nhập danh sách chỉ dấu «%(source)s»: %(rows)s dòng, thêm %(added)s chỉ dấu mới."),
            {"source": d.get("source", ""), "rows": d.get("rows", 0), "added": d.get("added", 0)},
        )
    elif action == "user.login":
        text, values = _("%(actor)s đã đăng nhập."), {}
    elif action == "user.login_failed":
        text, values = _("Đăng nhập sai mật khẩu với tên «%(actor)s»."), {}
    elif action == "user.created":
        from canhgiac.web.accounts.models import User

        role_code = str(d.get("role", ""))
        role = str(dict(User.Role.choices).get(role_code, role_code))
        text, values = _("%(actor)s đã tạo người dùng %(user)s (vai trò: %(role)s)."), {"user": user_name, "role": role}
    elif action == "token.issued":
        text, values = _("%(actor)s đã cấp token API %(token)s… cho %(user)s."), {"token": d.get("token", ""), "user": user_name}
    elif action == "token.revoked":
        text, values = _("%(actor)s đã thu hồi token API %(token)s… của %(user)s."), {"token": d.get("token", ""), "user": user_name}
    elif action == "user.role_changed":
        from canhgiac.web.accounts.models import User

        roles: dict[str, Any] = dict(User.Role.choices)
        old, new = str(d.get("old", "")), str(d.get("new", ""))
        text, values = (
            _("%(actor)s đã đổi vai trò của %(user)s từ «%(old)s» sang «%(new)s»."),
            {"user": user_name, "old": roles.get(old, old), "new": roles.get(new, new)},
        )
    elif action == "user.deactivated":
        text, values = _("%(actor)s đã khóa tài khoản %(user)s."), {"user": user_name}
    elif action == "user.reactivated":
        text, values = _("%(actor)s đã mở lại tài khoản %(user)s."), {"user": user_name}
    elif action == "user.password_link":
        text, values = _("%(actor)s đã tạo liên kết đặt mật khẩu cho %(user)s."), {"user": user_name}
    elif action == "user.password_set":
        text, values = _("%(actor)s đã đặt mật khẩu mới qua liên kết dùng một lần."), {}
    elif action == "user.chat_link_started":
        text, values = _("%(actor)s đã tạo mã liên kết Zalo (dùng một lần, 15 phút)."), {}
    elif action == "user.chat_linked":
        text, values = _("%(actor)s đã liên kết tài khoản Zalo của mình qua kênh %(channel)s."), {"channel": d.get("channel", "")}
    elif action == "user.chat_unlinked" and d.get("replaced"):
        text, values = (
            _("Tài khoản Zalo của %(user)s đã được liên kết với một tài khoản cán bộ khác, nên bị bỏ liên kết."),
            {"user": user_name},
        )
    elif action == "user.chat_unlinked":
        text, values = _("%(actor)s đã bỏ liên kết Zalo."), {}
    elif action == "user.chat_alerts":
        text = _("%(actor)s đã bật nhận tin khẩn cấp qua Zalo.") if d.get("on") else _("%(actor)s đã tắt nhận tin khẩn cấp qua Zalo.")
        values = {}
    elif action in ("admin.added", "admin.changed", "admin.deleted"):
        target = names.users.get(event.object_id) or d.get("label") or f"{event.object_type} {event.object_id}"
        fields = ", ".join(str(f) for f in d.get("fields", []))
        if action == "admin.added":
            text = _("%(actor)s đã thêm %(object)s trong trang quản trị.")
        elif action == "admin.changed":
            text = _("%(actor)s đã sửa %(object)s trong trang quản trị (%(fields)s).")
        else:
            text = _("%(actor)s đã xóa %(object)s trong trang quản trị.")
        values = {"object": target, "fields": fields}
    elif action == "retention.purged":
        parts = []
        # Vietnamese has one form for any number; English needs two (ngettext).
        if d.get("cases"):
            n = int(d["cases"])
            parts.append(
                ngettext("%(n)s tin đã đóng quá %(days)s ngày", "%(n)s tin đã đóng quá %(days)s ngày", n)
                % {"n": n, "days": d.get("days", "")}
            )
        if d.get("contacts_cleared"):
            n = int(d["contacts_cleared"])
            parts.append(ngettext("liên hệ của %(n)s người báo", "liên hệ của %(n)s người báo", n) % {"n": n})
        if d.get("reporters"):
            n = int(d["reporters"])
            parts.append(ngettext("%(n)s người báo không còn tin nào", "%(n)s người báo không còn tin nào", n) % {"n": n})
        if d.get("webhook_events"):
            n = int(d["webhook_events"])
            parts.append(ngettext("%(n)s sự kiện thô từ kênh", "%(n)s sự kiện thô từ kênh", n) % {"n": n})
        if d.get("tasks"):
            n = int(d["tasks"])
            parts.append(ngettext("%(n)s việc nền đã xong", "%(n)s việc nền đã xong", n) % {"n": n})
        text, values = _("%(actor)s đã xóa hẳn: %(what)s."), {"what": ", ".join(parts) or "—"}
    else:
        text = _("%(actor)s: %(action)s %(details)s") if d else _("%(actor)s: %(action)s")
        values = {"action": action_name(action), "details": _details(d)}
    return mark_safe(text % {"actor": who, "case": case, **_safe(values)})


def sentences(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, SafeString]]:
    """Each event with its sentence, for one page of the log."""
    rows = list(events)
    names = Names.of(rows)
    return [(event, sentence(event, names)) for event in rows]
