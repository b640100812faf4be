"""Crime-prevention meetings: sessions through actions and views, who sees and changes
them, the QR check-in (once per phone, only in its window, nothing about the attendee
kept), and the figures the list, the dashboard and the Excel export quote."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.meetings import actions, stats
from canhgiac.web.meetings.models import DEFAULT_TOPICS, Attendance, Session, Topic
from canhgiac.web.reports.period import Period
from tests.web.conftest import World

PHONE_IP = "203.0.113.77"
PHONE_AGENT = "Mozilla/5.0 (Linux; Android 13; SM-A145F) NguoiDuHop/1.0"


def topic(unit: Unit, name: str = "Lừa đảo qua mạng") -> Topic:
    actions.topics_for(unit)
    return Topic.objects.get(unit=unit, name=name)


def make_session(
    world: World, user: User | None = None, unit: Unit | None = None, starts_in: timedelta = timedelta(minutes=-10), **kwargs: Any
) -> Session:
    unit = unit or world.commune_a
    user = user or (world.officer_a if unit == world.commune_a else world.supervisor)
    fields = actions.SessionFields(
        unit=unit,
        topic=kwargs.pop("topic", None) or topic(unit),
        title=kwargs.pop("title", "Cảnh giác lừa đảo qua mạng"),
        place=kwargs.pop("place", "Nhà văn hóa thôn 3"),
        starts_at=timezone.now() + starts_in,
        **kwargs,
    )
    return actions.save_session(user, fields)


def phone(ip: str = PHONE_IP) -> Client:
    """A resident's phone: its own cookies, CSRF enforced as in a real browser."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=ip, HTTP_USER_AGENT=PHONE_AGENT)


def tap(client: Client, session: Session) -> Any:
    url = f"/co-mat/{session.checkin_token}/"
    page = client.get(url)
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": token})


def checked_in(session: Session) -> int:
    return Session.objects.get(pk=session.pk).checked_in


# Sessions: actions and views -------------------------------------------------------


def test_default_topics_on_first_use_and_each_unit_edits_its_own(world: World) -> None:
    assert not Topic.objects.exists()
    names = {t.name for t in actions.topics_for(world.commune_a)}
    assert names == set(DEFAULT_TOPICS)
    client = world.client(world.officer_a)
    response = client.post("/console/meetings/topics/", {"unit": world.commune_a.pk, "name": "An toàn mạng cho học sinh"})
    assert response.status_code == 302
    assert Topic.objects.filter(unit=world.commune_a, name="An toàn mạng cho học sinh").exists()
    assert not Topic.objects.filter(unit=world.commune_b, name="An toàn mạng cho học sinh").exists()
    duplicate = client.post("/console/meetings/topics/", {"unit": world.commune_a.pk, "name": "ma túy"})
    assert duplicate.status_code == 400 and "Đơn vị đã có chủ đề này." in duplicate.content.decode()
    # Commune A's officer cannot add to commune B's list: the unit is taken from what they see.
    assert client.post("/console/meetings/topics/", {"unit": world.commune_b.pk, "name": "Chủ đề lạ"}).status_code == 404
    assert not Topic.objects.filter(name="Chủ đề lạ").exists()
    assert AuditEvent.objects.filter(action="meeting.topic_saved", actor=world.officer_a).count() == 1


def test_create_and_edit_through_the_console(world: World) -> None:
    client = world.client(world.officer_a)
    form = client.get("/console/meetings/new/")
    assert form.status_code == 200 and "Lừa đảo qua mạng" in form.content.decode()
    starts = timezone.localtime() + timedelta(days=3)
    data = {
        "unit": world.commune_a.pk,
        "topic": topic(world.commune_a, "Ma túy").pk,
        "title": "Phòng chống ma túy học đường",
        "place": "Trường THCS xã A",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "target_group": "Học sinh lớp 8, 9",
        "leaders": [world.officer_a.pk],
    }
    response = client.post("/console/meetings/new/", data)
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.unit, session.title, session.status) == (world.commune_a, "Phòng chống ma túy học đường", "planned")
    assert list(session.leaders.all()) == [world.officer_a]
    assert len(session.checkin_token) >= 32
    edited = client.post(f"/console/meetings/{session.pk}/edit/", {**data, "place": "Hội trường UBND xã A"})
    assert edited.status_code == 302
    session.refresh_from_db()
    assert session.place == "Hội trường UBND xã A"
    assert list(AuditEvent.objects.filter(object_type="session").order_by("pk").values_list("action", flat=True)) == [
        "meeting.created",
        "meeting.changed",
    ]
    # The upcoming list shows it, by day.
    listing = client.get("/console/meetings/").content.decode()
    assert "Phòng chống ma túy học đường" in listing.split('id="upcoming"')[1].split("Đã qua")[0]


def test_bad_input_is_a_400_with_a_reason(world: World) -> None:
    client = world.client(world.officer_a)
    base = {"unit": world.commune_a.pk, "topic": topic(world.commune_a).pk, "title": "Buổi", "place": "Chợ"}
    no_date = client.post("/console/meetings/new/", base)
    assert no_date.status_code == 400
    backwards = client.post("/console/meetings/new/", {**base, "starts_at": "2026-05-02T09:00", "ends_at": "2026-05-02T08:00"})
    assert backwards.status_code == 400 and "Giờ kết thúc phải sau giờ bắt đầu." in backwards.content.decode()
    other_topic = client.post("/console/meetings/new/", {**base, "topic": topic(world.commune_b).pk, "starts_at": "2026-05-02T09:00"})
    assert other_topic.status_code == 400
    far = client.post("/console/meetings/new/", {**base, "starts_at": "9999-12-31T23:00"})
    assert far.status_code == 400 and "từ năm 2000 đến năm 2100" in far.content.decode()
    huge = SimpleUploadedFile("lon.pdf", b"%PDF-" + b"0" * actions.MAX_MATERIAL_BYTES, content_type="application/pdf")
    too_big = client.post("/console/meetings/new/", {**base, "starts_at": "2026-05-02T09:00", "material": huge})
    assert too_big.status_code == 400 and "Tài liệu quá lớn (tối đa 10 MB)" in too_big.content.decode()
    assert client.get("/console/meetings/?from=2026-13-40").status_code == 400
    assert not Session.objects.exists()


def test_actions_refuse_what_the_form_cannot_offer(world: World) -> None:
    with pytest.raises(actions.ActionError, match="Chủ đề không thuộc đơn vị này"):
        make_session(world, topic=topic(world.commune_b))
    with pytest.raises(actions.ActionError, match="Cán bộ phụ trách"):
        make_session(world, leaders=[world.officer_b])
    with pytest.raises(PermissionError):
        make_session(world, user=world.viewer_a)
    with pytest.raises(PermissionError):
        make_session(world, user=world.officer_b)
    # The district's supervisor plans for a commune under it, with the district's officers leading.
    session = make_session(world, user=world.supervisor, unit=world.commune_b, topic=topic(world.commune_b))
    assert session.unit == world.commune_b


def test_material_is_checked_and_served_only_to_those_who_see_the_session(world: World) -> None:
    session = make_session(world)
    pdf = SimpleUploadedFile("tai lieu.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf")
    fields = actions.SessionFields(
        unit=session.unit, topic=session.topic, title=session.title, place=session.place, starts_at=session.starts_at
    )
    actions.save_session(world.officer_a, fields, session=session, material=pdf)
    session.refresh_from_db()
    assert session.material.name.startswith(f"meetings/{world.commune_a.pk}/") and session.material_name == "tai lieu.pdf"
    url = f"/console/meetings/{session.pk}/material/"
    download = world.client(world.viewer_a).get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    assert world.client(world.officer_b).get(url).status_code == 404
    assert world.client(world.outsider).get(url).status_code == 404
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(actions.ActionError, match="PDF"):
        actions.save_session(world.officer_a, fields, session=session, material=fake)


# Who sees and changes what ---------------------------------------------------------


def test_permissions_as_for_cases(world: World) -> None:
    in_a = make_session(world, title="Buổi của xã A")
    in_b = make_session(world, user=world.officer_b, unit=world.commune_b, topic=topic(world.commune_b), title="Buổi của xã B")

    def listing(user: User) -> str:
        return world.client(user).get("/console/meetings/?from=2000-01-01").content.decode()

    assert "Buổi của xã A" in listing(world.officer_a) and "Buổi của xã B" not in listing(world.officer_a)
    assert "Buổi của xã B" in listing(world.officer_b) and "Buổi của xã A" not in listing(world.officer_b)
    assert "Buổi của xã A" in listing(world.supervisor) and "Buổi của xã B" in listing(world.supervisor)
    assert "Buổi của xã A" not in listing(world.outsider) and "Buổi của xã B" not in listing(world.outsider)
    for user, session, status in [
        (world.officer_a, in_a, 200),
        (world.officer_a, in_b, 404),
        (world.supervisor, in_b, 200),
        (world.viewer_a, in_a, 200),
        (world.outsider, in_a, 404),
    ]:
        for page in ("", "qr/", "qr.svg"):
            assert world.client(user).get(f"/console/meetings/{session.pk}/{page}").status_code == status, (user, page)
    assert Client().get(f"/console/meetings/{in_a.pk}/").status_code == 302  # to the login page
    viewer = world.client(world.viewer_a)
    assert viewer.get("/console/meetings/new/").status_code == 403
    assert viewer.get(f"/console/meetings/{in_a.pk}/edit/").status_code == 403
    assert viewer.post(f"/console/meetings/{in_a.pk}/", {"present_households": "5"}).status_code == 403
    assert viewer.post(f"/console/meetings/{in_a.pk}/cancel/").status_code == 403
    assert world.client(world.officer_b).post(f"/console/meetings/{in_a.pk}/cancel/").status_code == 404
    assert world.client(world.outsider).post(f"/console/meetings/{in_a.pk}/qr/new/").status_code == 404
    assert not Attendance.objects.exists() and Session.objects.get(pk=in_a.pk).status == "planned"


def test_attendance_and_report_are_recorded_and_audited(world: World) -> None:
    session = make_session(world)
    client = world.client(world.officer_a)
    response = client.post(
        f"/console/meetings/{session.pk}/",
        {
            "invited_households": "40",
            "present_households": "31",
            "invited_students": "0",
            "present_students": "12",
            "report": "Người dân hỏi nhiều về cuộc gọi giả danh công an.",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "held" and "giả danh công an" in session.report
    assert {(a.group, a.invited, a.present) for a in session.attendance.all()} == {("households", 40, 31), ("students", 0, 12)}
    bad = client.post(f"/console/meetings/{session.pk}/", {"invited_households": "-3"})
    assert bad.status_code == 400
    future = make_session(world, starts_in=timedelta(days=2))
    early = client.post(f"/console/meetings/{future.pk}/", {"present_households": "3"})
    assert early.status_code == 400 and "chưa đến giờ bắt đầu" in early.content.decode()
    assert AuditEvent.objects.filter(action="meeting.attendance", object_id=str(session.pk)).count() == 1
    client.post(f"/console/meetings/{session.pk}/cancel/")
    assert Session.objects.get(pk=session.pk).status == "cancelled"
    assert AuditEvent.objects.filter(action="meeting.cancelled").count() == 1


# The QR check-in --------------------------------------------------------------------


def test_check_in_counts_once_per_phone_and_once_for_each_phone(world: World) -> None:
    session = make_session(world)
    first = phone()
    page = first.get(f"/co-mat/{session.checkin_token}/").content.decode()
    assert "không thu thập gì về bạn" in page.lower() and "cookie" in page and 'id="present"' in page
    assert tap(first, session).status_code == 200
    assert checked_in(session) == 1
    again = tap(first, session)
    assert checked_in(session) == 1
    assert "đã điểm danh cho buổi này rồi" in again.content.decode()
    assert tap(phone(), session).status_code == 200
    assert checked_in(session) == 2
    # The cookie holds the session's token, signed, and nothing else.
    cookie = first.cookies["cg_meeting"]
    assert cookie.value.split(":")[0] == session.checkin_token
    assert cookie["path"] == f"/co-mat/{session.checkin_token}/" and cookie["httponly"]
    # A forged cookie (the token without a valid signature) does not stop a phone counting.
    forged = phone()
    forged.cookies["cg_meeting"] = session.checkin_token
    forged.cookies["cg_meeting"]["path"] = f"/co-mat/{session.checkin_token}/"
    tap(forged, session)
    assert checked_in(session) == 3


def test_check_in_without_csrf_is_refused(world: World) -> None:
    session = make_session(world)
    response = phone().post(f"/co-mat/{session.checkin_token}/")
    assert response.status_code == 403
    assert checked_in(session) == 0


def test_check_in_outside_its_window_is_refused_in_vietnamese(world: World) -> None:
    early = make_session(world, starts_in=timedelta(hours=1, minutes=20))
    late = make_session(world, starts_in=-timedelta(hours=3, minutes=5))
    just_open = make_session(world, starts_in=timedelta(minutes=55))
    response = tap(phone(), early)
    assert response.status_code == 400 and "Chưa mở điểm danh" in response.content.decode()
    response = tap(phone(), late)
    assert response.status_code == 400 and "Đã hết giờ điểm danh" in response.content.decode()
    assert checked_in(early) == 0 and checked_in(late) == 0
    assert tap(phone(), just_open).status_code == 200 and checked_in(just_open) == 1
    cancelled = make_session(world)
    actions.cancel_session(world.officer_a, cancelled)
    assert tap(phone(), cancelled).status_code == 400 and checked_in(cancelled) == 0
    assert phone().get("/co-mat/khong-co-ma-nay/").status_code == 404


def test_check_in_is_rate_limited_per_address(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from canhgiac.web.meetings import views

    monkeypatch.setattr(views, "CHECKIN_LIMIT", 2)
    session = make_session(world)
    assert [tap(phone(), session).status_code for _ in range(3)] == [200, 200, 429]
    assert tap(phone("198.51.100.9"), session).status_code == 200
    assert checked_in(session) == 3


def _every_stored_value() -> str:
    """Every value in every table of the database, as text."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(values)


def test_nothing_about_the_attendee_is_stored(world: World) -> None:
    session = make_session(world)
    audit_rows = AuditEvent.objects.count()
    tables_before = {m._meta.db_table: m.objects.count() for m in (Session, Attendance)}
    assert tap(phone(), session).status_code == 200
    assert checked_in(session) == 1
    stored = _every_stored_value()
    assert PHONE_IP not in stored and "NguoiDuHop" not in stored and "SM-A145F" not in stored
    # No row per person anywhere in the meetings tables, and no audit row with an address.
    assert {m._meta.db_table: m.objects.count() for m in (Session, Attendance)} == tables_before
    assert AuditEvent.objects.count() == audit_rows


# The QR code -------------------------------------------------------------------------


def test_qr_page_shows_the_check_in_address_and_a_valid_svg(world: World, settings: Any) -> None:
    settings.SITE_URL = "https://canhgiac.xa-a.vn"
    session = make_session(world)
    client = world.client(world.viewer_a)
    page = client.get(f"/console/meetings/{session.pk}/qr/").content.decode()
    url = f"https://canhgiac.xa-a.vn/co-mat/{session.checkin_token}/"
    assert url in page and f'src="/console/meetings/{session.pk}/qr.svg"' in page
    svg = client.get(f"/console/meetings/{session.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None  # the modules, drawn
    png = client.get(f"/console/meetings/{session.pk}/qr.png?download=1")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and "attachment" in png["Content-Disposition"]
    assert client.get(f"/console/meetings/{session.pk}/qr.gif").status_code == 404
    # A new link retires the old one.
    old = session.checkin_token
    world.client(world.officer_a).post(f"/console/meetings/{session.pk}/qr/new/")
    assert phone().get(f"/co-mat/{old}/").status_code == 404


# Figures agree across screens ------------------------------------------------------


def _filled(world: World) -> list[Session]:
    drugs = topic(world.commune_a, "Ma túy")
    one = make_session(world, starts_in=-timedelta(days=2))
    actions.record_attendance(world.officer_a, one, {"households": (40, 30), "elderly": (10, 6)}, "")
    two = make_session(world, starts_in=-timedelta(minutes=30), topic=drugs)
    actions.record_attendance(world.officer_a, two, {"students": (100, 90)}, "")
    tap(phone(), two)
    tap(phone("198.51.100.10"), two)
    in_b = make_session(world, user=world.officer_b, unit=world.commune_b, topic=topic(world.commune_b), starts_in=-timedelta(days=1))
    actions.record_attendance(world.officer_b, in_b, {"traders": (20, 15)}, "")
    cancelled = make_session(world, starts_in=-timedelta(days=1))
    actions.record_attendance(world.officer_a, cancelled, {"households": (50, 1)}, "", held=False)
    actions.cancel_session(world.officer_a, cancelled)
    make_session(world, starts_in=timedelta(days=1))  # not held yet: not counted
    return [one, two, in_b]


def test_summary_counts_held_sessions_only(world: World) -> None:
    _filled(world)
    period = Period.parse(None, None)
    summary = stats.summary([world.commune_a.pk, world.commune_b.pk], period.start_at, period.end_at)
    assert (summary.sessions, summary.invited, summary.present) == (3, 170, 143)
    assert summary.attendance_rate == pytest.approx(143 / 170)
    assert summary.by_topic == [("Lừa đảo qua mạng", 2, 51), ("Ma túy", 1, 92)]
    only_a = stats.summary([world.commune_a.pk], period.start_at, period.end_at)
    assert (only_a.sessions, only_a.invited, only_a.present) == (2, 150, 128)
    # End exclusive, start inclusive, as Period.start_at/end_at.
    yesterday = timezone.now() - timedelta(days=1)
    assert stats.summary([world.commune_a.pk], yesterday, timezone.now()).sessions == 1
    assert stats.summary([], period.start_at, period.end_at) == stats.MeetingSummary(0, 0, 0, [])
    assert stats.MeetingSummary(0, 0, 0, []).attendance_rate is None


def _number(page: str, element: str) -> str:
    found = re.search(rf'id="{element}">([^<]*)<', page)
    assert found, element
    return found.group(1)


def test_figures_agree_on_the_list_the_dashboard_and_the_excel_export(world: World) -> None:
    _filled(world)
    client = world.client(world.supervisor)
    period = Period.parse(None, None)
    summary = stats.summary(world.supervisor.visible_unit_ids(), period.start_at, period.end_at)
    listing = client.get(f"/console/meetings/?from={period.start}&to={period.end}").content.decode()
    dashboard = client.get(f"/console/reports/?from={period.start}&to={period.end}").content.decode()
    assert [_number(listing, f"sum-{k}") for k in ("sessions", "invited", "present", "rate")] == ["3", "170", "143", "84%"]
    assert [_number(dashboard, f"meetings-{k}") for k in ("sessions", "invited", "present", "rate")] == ["3", "170", "143", "84%"]
    assert summary.sessions == 3 and summary.present == 143
    book = load_workbook(io.BytesIO(client.get(f"/console/reports/dashboard.xlsx?from={period.start}&to={period.end}").content))
    rows = {r[0]: r[1:] for r in book["Tuyên truyền"].iter_rows(min_row=2, values_only=True)}
    assert rows["Tổng cộng"] == (3, 170, 143, 84.1)
    assert rows["Đơn vị: Xã A"][:3] == (2, 150, 128) and rows["Đơn vị: Xã B"][:3] == (1, 20, 15)
    assert rows["Chủ đề: Ma túy"][0] == 1
    # Commune A's officer, on the same screens, sees commune A's figures only.
    officer = world.client(world.officer_a)
    assert _number(officer.get("/console/reports/").content.decode(), "meetings-present") == "128"
    assert _number(officer.get("/console/meetings/").content.decode(), "sum-present") == "128"


def test_excel_sheet_holds_topic_names_as_text(world: World) -> None:
    formula = actions.save_topic(world.officer_a, world.commune_a, '=HYPERLINK("http://evil.example","x")')
    make_session(world, topic=formula)
    book = load_workbook(io.BytesIO(world.client(world.officer_a).get("/console/reports/dashboard.xlsx").content))
    names = [r[0] for r in book["Tuyên truyền"].iter_rows(min_row=2, values_only=True)]
    assert 'Chủ đề: =HYPERLINK("http://evil.example","x")' in names
    assert all(cell.data_type == "s" for row in book["Tuyên truyền"].iter_rows(min_row=2, max_col=1) for cell in row)


def test_sessions_of_a_period_start_inclusive(world: World) -> None:
    session = make_session(world, starts_in=-timedelta(days=1))
    start = session.starts_at
    assert stats.summary([world.commune_a.pk], start, start + timedelta(seconds=1)).sessions == 1
    assert stats.summary([world.commune_a.pk], start - timedelta(seconds=1), start).sessions == 0
    assert isinstance(start, datetime)


def test_audit_log_reads_meeting_changes_as_sentences(world: World) -> None:
    session = make_session(world, title="Phòng cháy chợ xã")
    actions.record_attendance(world.officer_a, session, {"traders": (30, 25)}, "")
    actions.cancel_session(world.officer_a, session)
    page = world.client(world.supervisor).get("/console/audit/").content.decode()
    assert "đã thêm buổi tuyên truyền «Phòng cháy chợ xã»" in page
    assert f"đã nhập số người dự buổi tuyên truyền số {session.pk}: mời 30, có mặt 25" in page
    assert "đã hủy buổi tuyên truyền «Phòng cháy chợ xã»" in page


def test_check_in_page_in_english(world: World, settings: Any) -> None:
    session = make_session(world)
    client = phone()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/co-mat/{session.checkin_token}/").content.decode()
    assert "We collect nothing about you" in page and ">Present<" in page


# Control characters ------------------------------------------------------------------


def test_control_characters_are_dropped_where_meetings_are_typed(world: World) -> None:
    drugs = topic(world.commune_a, "Ma túy")
    assert actions.save_topic(world.officer_a, world.commune_a, "Chủ\x01đề\x1b mới").name == "Chủđề mới"
    with pytest.raises(actions.ActionError):
        actions.save_topic(world.officer_a, world.commune_a, "\x01\x02")
    client = world.client(world.officer_a)
    data = {
        "unit": world.commune_a.pk,
        "topic": drugs.pk,
        "title": "Phòng chống\x0b ma túy\x00",
        "place": "Trường\x07 THCS",
        "starts_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "target_group": "Học sinh\x1f lớp 8",
    }
    assert client.post("/console/meetings/new/", data).status_code == 302
    session = Session.objects.get()
    assert (session.title, session.place, session.target_group) == ("Phòng chống ma túy", "Trường THCS", "Học sinh lớp 8")
    assert client.post("/console/meetings/new/", {**data, "title": "\x01\x02"}).status_code == 400  # nothing left: required


def test_a_control_character_stored_before_never_breaks_the_exports(world: World) -> None:
    """A topic name kept before control characters were dropped, with a held session:
    the Word report and the Excel export still open, without the character."""
    broken = Topic.objects.create(unit=world.commune_a, name="Chủ\x01đề\x0c")
    session = make_session(world, topic=broken, title="Buổi\x02 họp")
    actions.record_attendance(world.officer_a, session, {"households": (10, 8)}, "")
    client = world.client(world.officer_a)
    book = client.get("/console/reports/dashboard.xlsx")
    assert book.status_code == 200
    names = [r[0] for r in load_workbook(io.BytesIO(book.content))["Tuyên truyền"].iter_rows(min_row=2, values_only=True)]
    assert "Chủ đề: Chủđề" in names
    month = timezone.localtime(session.starts_at).strftime("%Y-%m")
    report = client.get(f"/console/reports/monthly.docx?month={month}")
    assert report.status_code == 200
    from tests.web.test_reports import docx_text

    _text, rows = docx_text(report.content)
    assert ["Chủđề", "1", "8"] in rows
