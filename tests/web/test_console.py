"""The officers' console: who sees what, who may do what, and what each change leaves."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.models import Case, Label, Message
from tests.web.conftest import PASSWORD, World


@pytest.fixture
def cases(world: World) -> dict[str, Case]:
    a = world.tip("Nhà số 5 ngõ 12 thôn Đông có người bán ma túy đá, đêm nào cũng có người lạ ra vào.", contact="0912345678 chị Hoa").case
    b = world.tip("Có nhóm người đá gà ăn tiền ở bãi đất sau đình xã B mỗi chủ nhật.", channel=world.web_b).case
    return {"a": a, "b": b}


def test_console_needs_login(world: World, cases: dict[str, Case]) -> None:
    for path in ("/console/", f"/console/case/{cases['a'].reference}/", "/console/audit/", "/console/indicators/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("officer_a", True, False),
        ("officer_b", False, True),
        ("viewer_a", True, False),
        ("supervisor", True, True),
        ("admin", True, True),
        ("outsider", False, False),
    ],
)
def test_who_sees_which_case(world: World, cases: dict[str, Case], persona: str, sees_a: bool, sees_b: bool) -> None:
    client = world.client(getattr(world, persona))
    inbox = client.get("/console/").content.decode()
    assert (cases["a"].reference in inbox) == sees_a
    assert (cases["b"].reference in inbox) == sees_b
    assert client.get(f"/console/case/{cases['a'].reference}/").status_code == (200 if sees_a else 404)
    assert client.get(f"/console/case/{cases['b'].reference}/").status_code == (200 if sees_b else 404)


ACTIONS = {
    "reply": {"body": "Chúng tôi đã nhận và sẽ xác minh."},
    "status": {"status": "in_progress"},
    "note": {"body": "Đã báo tổ tuần tra."},
    "correct": {"field": "urgent", "value": "true"},
    "assign": {"assignee": ""},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize(
    ("persona", "expected"), [("officer_a", 302), ("supervisor", 302), ("viewer_a", 403), ("officer_b", 404), ("outsider", 404)]
)
def test_who_may_act_on_a_case(world: World, cases: dict[str, Case], action: str, persona: str, expected: int) -> None:
    before = AuditEvent.objects.count()
    response = world.client(getattr(world, persona)).post(
        f"/console/case/{cases['a'].reference}/action/", {"action": action, **ACTIONS[action]}
    )
    assert response.status_code == expected
    assert (AuditEvent.objects.count() > before) == (expected == 302)


def test_reply_goes_to_the_reporter_and_is_audited(world: World, cases: dict[str, Case]) -> None:
    case = cases["a"]
    world.client(world.officer_a).post(
        f"/console/case/{case.reference}/action/", {"action": "reply", "body": "Cảm ơn, tổ tuần tra sẽ tới."}
    )
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.first_reply_at is not None
    out = case.messages.get(direction=Message.Direction.OUT)
    assert out.author == world.officer_a and out.delivery == Message.Delivery.NONE  # web: read on the follow-up page
    event = AuditEvent.objects.get(action="case.replied")
    assert event.actor == world.officer_a and event.ip == "127.0.0.1"


def test_status_assignment_and_note(world: World, cases: dict[str, Case]) -> None:
    case = cases["a"]
    client = world.client(world.supervisor)
    client.post(f"/console/case/{case.reference}/action/", {"action": "assign", "assignee": world.officer_a.pk})
    client.post(f"/console/case/{case.reference}/action/", {"action": "status", "status": "resolved"})
    client.post(f"/console/case/{case.reference}/action/", {"action": "note", "body": "Đã bắt quả tang."})
    case.refresh_from_db()
    assert case.assigned_to == world.officer_a and case.status == "resolved" and case.resolved_at is not None
    assert case.notes.get().body == "Đã bắt quả tang."
    # Someone of another unit cannot be given the case.
    response = client.post(f"/console/case/{case.reference}/action/", {"action": "assign", "assignee": world.officer_b.pk})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assigned_to == world.officer_a


def test_note_is_never_shown_to_the_reporter(world: World) -> None:
    received = world.tip("Có người đốt rác thải nhựa ở bãi sông")
    world.client(world.officer_a).post(
        f"/console/case/{received.case.reference}/action/", {"action": "note", "body": "Nghi là xưởng của ông K"}
    )
    citizen = Client()
    citizen.post("/theo-doi/", {"reference": received.case.reference, "key": received.followup_key})
    page = citizen.get(f"/theo-doi/{received.case.reference}/").content.decode()
    assert "ông K" not in page


def test_correction_is_kept_as_a_training_label(world: World, cases: dict[str, Case]) -> None:
    case = cases["a"]
    world.client(world.officer_a).post(
        f"/console/case/{case.reference}/action/", {"action": "correct", "field": "verdict", "value": "scam"}
    )
    label = Label.objects.get()
    assert (label.field, label.engine_value, label.officer_value) == ("verdict", "safe", "scam")
    assert "ma túy" in label.text
    case.refresh_from_db()
    assert case.verdict == "scam"
    assert (
        world.client(world.officer_a)
        .post(f"/console/case/{case.reference}/action/", {"action": "correct", "field": "verdict", "value": "maybe"})
        .status_code
        == 400
    )


def test_reveal_contact_needs_role_and_reason_and_is_audited(world: World, cases: dict[str, Case]) -> None:
    path = f"/console/case/{cases['a'].reference}/action/"
    assert world.client(world.officer_a).post(path, {"action": "reveal", "reason": "cần gọi lại xác minh địa chỉ"}).status_code == 403
    page = world.client(world.officer_a).get(f"/console/case/{cases['a'].reference}/").content.decode()
    assert "0912345678" not in page
    short = world.client(world.supervisor).post(path, {"action": "reveal", "reason": "xem"})
    assert short.status_code == 400 and "0912345678" not in short.content.decode()
    response = world.client(world.supervisor).post(path, {"action": "reveal", "reason": "cần gọi lại xác minh địa chỉ"})
    assert response.status_code == 200 and "0912345678 chị Hoa" in response.content.decode()
    event = AuditEvent.objects.get(action="reporter.revealed")
    assert event.actor == world.supervisor and event.details["reason"] == "cần gọi lại xác minh địa chỉ"
    assert world.client(world.outsider).post(path, {"action": "reveal", "reason": "cần gọi lại xác minh"}).status_code == 404


def test_audit_log_cannot_be_changed(world: World, cases: dict[str, Case]) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_audit_page_for_supervisors_only(world: World, cases: dict[str, Case]) -> None:
    assert world.client(world.officer_a).get("/console/audit/").status_code == 403
    page = world.client(world.supervisor).get("/console/audit/").content.decode()
    assert cases["a"].reference in page and "Tin mới từ người dân" in page
    assert cases["a"].reference not in world.client(world.outsider).get("/console/audit/").content.decode()


def test_csrf_is_enforced_on_console_posts(world: World, cases: dict[str, Case]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer_a)
    response = client.post(f"/console/case/{cases['a'].reference}/action/", {"action": "note", "body": "x"})
    assert response.status_code == 403
    assert not cases["a"].notes.exists()


def test_login_and_throttling(world: World) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "canbo-a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/console/"
    attacker = Client()
    for _ in range(5):
        assert attacker.post("/accounts/login/", {"username": "canbo-b", "password": "sai"}).status_code == 401
    assert attacker.post("/accounts/login/", {"username": "canbo-b", "password": PASSWORD}).status_code == 429
    assert AuditEvent.objects.filter(action="user.login_failed").count() == 5
    assert (
        Client().post("/accounts/login/", {"username": "canbo-a", "password": PASSWORD, "next": "https://evil.example/"})["Location"]
        == "/console/"
    )


def test_inbox_filters_search_and_sort(world: World, cases: dict[str, Case]) -> None:
    scam = world.tip("Vietcombank: tài khoản bị khóa, cung cấp mã OTP tại vcb-mokhoa.top để mở khóa").case
    client = world.client(world.supervisor)
    folded = client.get("/console/?q=ma+tuy").content.decode()
    assert cases["a"].reference in folded and cases["b"].reference not in folded
    accented = client.get("/console/?q=đá+gà").content.decode()
    assert cases["b"].reference in accented and cases["a"].reference not in accented
    only_scams = client.get("/console/?verdict=scam").content.decode()
    assert scam.reference in only_scams and cases["a"].reference not in only_scams
    by_unit = client.get(f"/console/?unit={world.commune_b.pk}").content.decode()
    assert cases["b"].reference in by_unit and cases["a"].reference not in by_unit
    risky_first = client.get("/console/?sort=risk").content.decode()
    assert risky_first.index(scam.reference) < risky_first.index(cases["a"].reference)
    assert cases["a"].reference in client.get(f"/console/?q={cases['a'].reference}").content.decode()
    # Another unit's number in the filter is ignored, not obeyed.
    assert cases["a"].reference not in world.client(world.officer_b).get(f"/console/?unit={world.commune_a.pk}").content.decode()


def test_near_duplicates_are_grouped(world: World) -> None:
    first = world.tip("Nhà số 5 ngõ 12 bán ma túy, người ra vào cả đêm").case
    second = world.tip("Nhà số 5 ngõ 12 bán ma túy!! người ra vào cả đêm").case
    other = world.tip("Cho em hỏi thủ tục đăng ký tạm trú").case
    assert second.duplicate_of == first and other.duplicate_of is None
    inbox = world.client(world.officer_a).get("/console/").content.decode()
    assert first.reference in inbox and second.reference not in inbox and "+1 tin giống" in inbox
    assert second.reference in world.client(world.officer_a).get("/console/?group=0").content.decode()
    assert second.reference in world.client(world.officer_a).get(f"/console/case/{first.reference}/").content.decode()


def test_unread_and_overdue(world: World, cases: dict[str, Case]) -> None:
    case = cases["a"]
    Case.objects.filter(pk=case.pk).update(created=timezone.now() - timedelta(hours=72))
    inbox = world.client(world.officer_a).get("/console/").content.decode()
    assert "Chưa đọc" in inbox and "Quá hạn" in inbox
    world.client(world.officer_a).get(f"/console/case/{case.reference}/")
    case.refresh_from_db()
    assert not case.unread


def test_a_viewer_opening_a_case_leaves_it_unread(world: World, cases: dict[str, Case]) -> None:
    path = f"/console/case/{cases['a'].reference}/"
    assert world.client(world.viewer_a).get(path).status_code == 200
    assert Case.objects.get(pk=cases["a"].pk).unread  # still there for the officers who answer
    world.client(world.officer_a).get(path)
    assert not Case.objects.get(pk=cases["a"].pk).unread


def test_a_message_arriving_while_the_page_loads_stays_unread(world: World, cases: dict[str, Case]) -> None:
    from canhgiac.web.cases.actions import mark_read, receive_message

    page = Case.objects.get(pk=cases["a"].pk)  # what the officer's page read
    receive_message(channel=world.web_a, text="Tối nay họ lại ra vào nhiều lắm.", case=cases["a"])
    mark_read(page, world.officer_a)
    assert Case.objects.get(pk=cases["a"].pk).unread


def test_correction_writes_only_what_it_changes(world: World, cases: dict[str, Case]) -> None:
    from canhgiac.web.cases.actions import assign, correct

    page = Case.objects.get(pk=cases["a"].pk)  # read before another officer assigns it
    assign(Case.objects.get(pk=cases["a"].pk), world.supervisor, world.officer_a)
    correct(page, world.officer_a, "urgent", "true")
    case = Case.objects.get(pk=cases["a"].pk)
    assert case.urgent and case.assigned_to == world.officer_a
    assert page.assigned_to_id == world.officer_a.pk  # the officer's object shows the row as it is


def _queries(client: Client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_inbox_query_count_is_bounded(world: World) -> None:
    """The inbox costs the same few queries whatever the number of cases on the page."""
    client = world.client(world.supervisor)
    for i in range(3):
        world.tip(f"Tin báo thứ {i}: xe máy bị trộm ở chợ, biển số {i * 7919}")
    few = _queries(client, "/console/?group=0")
    for i in range(3, 60):
        world.tip(f"Tin báo thứ {i}: xe máy bị trộm ở chợ, biển số {i * 7919}")
    many = _queries(client, "/console/?group=0")
    # session, user, the unit tree (2), count, page, unit list, failing channels, the
    # user's unit; with near-duplicates grouped, the duplicate counts too
    assert few == many <= 9
    assert client.get("/console/?group=0").content.decode().count("/console/case/CG-") == 50


def test_viewer_sees_no_action_forms(world: World, cases: dict[str, Case]) -> None:
    page = world.client(world.viewer_a).get(f"/console/case/{cases['a'].reference}/").content.decode()
    assert 'value="reply"' not in page and 'value="status"' not in page


def test_photo_is_served_only_to_those_who_may_see_the_case(world: World) -> None:
    import io

    from PIL import Image

    from canhgiac.web.cases.actions import Photo
    from canhgiac.web.core.images import clean_image

    raw = io.BytesIO()
    Image.new("RGB", (10, 10)).save(raw, format="PNG")
    received = world.tip("Ảnh xe chở hàng lậu", photos=[Photo(clean_image(raw.getvalue(), 10**6))])
    attachment = received.message.attachments.get()
    assert world.client(world.officer_a).get(f"/console/attachment/{attachment.pk}/").status_code == 200
    assert world.client(world.officer_b).get(f"/console/attachment/{attachment.pk}/").status_code == 404
    assert Client().get(f"/console/attachment/{attachment.pk}/").status_code == 302


# ------------------------------------------------------------------ the audit as sentences


def test_audit_page_reads_as_sentences_with_the_case_reference(world: World, cases: dict[str, Case]) -> None:
    case = cases["a"]
    officer = world.client(world.officer_a)
    path = f"/console/case/{case.reference}/action/"
    officer.post(path, {"action": "assign", "assignee": world.officer_a.pk})
    officer.post(path, {"action": "status", "status": "in_progress"})
    officer.post(path, {"action": "correct", "field": "category", "value": "theft"})
    officer.post(path, {"action": "correct", "field": "urgent", "value": "true"})
    supervisor = world.client(world.supervisor)
    page = supervisor.get("/console/audit/").content.decode()
    link = f'<a href="/console/case/{case.reference}/">{case.reference}</a>'
    assert f"Cán bộ canbo-a đã giao tin {link} cho canbo-a." in page
    assert f"Cán bộ canbo-a đã đổi trạng thái tin {link} từ «Mới» sang «Đang xử lý»." in page
    assert f"Cán bộ canbo-a đã sửa loại tin của tin {link} từ «Ma túy» thành «Trộm cắp, cướp giật»." in page
    assert f"Cán bộ canbo-a đã sửa khẩn cấp của tin {link} từ «Không» thành «Có»." in page
    assert f"Người dân (kênh xa-a) gửi tin {link} (phân loại tự động: Tin báo, tố giác)." in page
    text = re.sub(r"<[^>]+>", " ", page.split('<table class="list" id="audit">')[1])
    assert "{" not in text and "case.assigned" not in text and "case " not in text  # no codes, no dicts
    # The filter is a choice of named actions, and it filters.
    assert '<select id="action" name="action">' in page and '<option value="case.assigned" >Giao tin</option>' in page
    only = supervisor.get("/console/audit/?action=case.assigned").content.decode()
    assert "đã giao tin" in only and "đã đổi trạng thái" not in only
    supervisor.post("/language", {"language": "en"})
    english = supervisor.get("/console/audit/").content.decode()
    assert f"Officer canbo-a assigned message {link} to canbo-a." in english
    assert f"Officer canbo-a corrected the category of message {link} from “Drugs” to “Theft”." in english


def test_an_unknown_action_still_reads_without_python_dicts(world: World) -> None:
    from django.utils import translation

    from canhgiac.web.audit.log import record
    from canhgiac.web.audit.sentences import Names, sentence

    event = record("case.something_new", actor=world.officer_a, unit=world.commune_a, old=None, new=4, items=["a", "b"], ok=True)
    with translation.override("vi"):
        text = sentence(event, Names.of([event]))
    assert text == "Cán bộ canbo-a: case.something_new old: —; new: 4; items: a, b; ok: có"


# ------------------------------------------- one read path: the same figures everywhere


def _at(day: datetime) -> datetime:
    return timezone.make_aware(day)


@pytest.fixture
def october(world: World) -> dict[str, Any]:
    """A known month: near-duplicate groups (one whose first case is in September),
    resolved by an officer, closed, answered automatically, another unit's, and cases
    outside the month or out of sight."""
    from canhgiac.web.cases.actions import change_status
    from canhgiac.web.knowledge.models import Entry

    def tip(text: str, **kwargs: Any) -> Case:
        return world.tip(text, **kwargs).case

    x = [tip("Nhà số 5 ngõ 12 thôn Đông có người bán ma túy, đêm nào cũng có người lạ ra vào.") for _ in range(3)]
    y = [tip("Bãi đất sau chợ có nhóm người đá gà ăn tiền mỗi sáng chủ nhật, rất đông người.") for _ in range(2)]
    z = [tip("Xe tải chở gỗ lậu chạy qua cầu Đồng Tâm lúc nửa đêm, không có biển số.") for _ in range(2)]
    assert x[1].duplicate_of == x[0] and x[2].duplicate_of == x[0] and y[1].duplicate_of == y[0] and z[1].duplicate_of == z[0]
    s1 = tip("Cho em hỏi thủ tục đăng ký tạm trú cho sinh viên thuê trọ cần giấy tờ gì ạ?")
    s2 = tip("Đèn đường ở ngã tư thôn Bắc hỏng cả tuần nay, tối rất nguy hiểm cho xe máy.")
    s3 = tip("Làm căn cước công dân cho con 14 tuổi thì cần mang theo những gì?")
    s4 = tip("Có người lạ đi xe máy không biển số hỏi thăm nhà các cụ già sống một mình.", channel=world.web_b)
    hidden = Case.objects.create(
        unit=world.elsewhere, channel=world.web_a, reporter=s1.reporter, intent="tip", preview="xa", reference="CG-XAXA-XAXA"
    )
    november = tip("Trộm chó bằng xe máy lúc rạng sáng ở xóm Trại, dân đã thấy hai lần.")
    change_status(s1, world.officer_a, "resolved")
    change_status(s2, world.officer_a, "closed")
    entry = Entry.objects.create(unit=world.commune_a, title="Căn cước", questions="làm căn cước", answer="Mang giấy khai sinh.")
    Case.objects.filter(pk=s3.pk).update(status=Case.Status.RESOLVED, resolved_at=timezone.now(), kb_entry=entry)
    inside = [*x, y[1], *z, s1, s2, s3, s4, hidden]
    Case.objects.filter(pk__in=[c.pk for c in inside]).update(created=_at(datetime(2026, 10, 10, 9, 0)))
    Case.objects.filter(pk=y[0].pk).update(created=_at(datetime(2026, 9, 30, 23, 0)))
    Case.objects.filter(pk=november.pk).update(created=_at(datetime(2026, 11, 2, 8, 0)))
    # Seen by the supervisor in October: x (3), y[1] (its first is in September), z (2),
    # s1..s4: 10 cases on 7 lines, 3 merged; resolved: s1 and s3; closed: s2.
    expected = {"total": 10, "lines": 7, "merged": 3, "resolved": 2, "closed": 1}
    return {"expected": expected, "references": {c.reference for c in inside if c.pk != hidden.pk}}


OCTOBER = "from=2026-10-01&to=2026-10-31"


def _counts(page: str) -> tuple[int, int]:
    found = re.search(r'id="counts" data-total="(\d+)" data-merged="(\d+)"', page)
    assert found is not None
    return int(found.group(1)), int(found.group(2))


def test_inbox_dashboard_report_exports_and_api_agree(world: World, october: dict[str, Any]) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    from tests.web.test_api import auth

    want = october["expected"]
    client = world.client(world.supervisor)
    sentence = f"{want['total']} tin, trong đó {want['merged']} tin trùng được gộp"

    inbox = client.get(f"/console/?status=all&{OCTOBER}").content.decode()
    assert _counts(inbox) == (want["total"], want["merged"]) and sentence in inbox
    assert len(set(re.findall(r"/console/case/(CG-[\w-]+)/", inbox))) == want["lines"]
    assert _counts(client.get(f"/console/?status=all&group=0&{OCTOBER}").content.decode()) == (want["total"], 0)
    assert _counts(client.get(f"/console/?status=resolved&{OCTOBER}").content.decode())[0] == want["resolved"]

    dashboard = client.get(f"/console/reports/?{OCTOBER}").content.decode()
    assert _counts(dashboard) == (want["total"], want["merged"]) and sentence in dashboard
    assert f'<dd id="total">{want["total"]}</dd>' in dashboard
    assert f'<dd id="status-resolved">{want["resolved"]}</dd>' in dashboard and f'<dd id="status-closed">{want["closed"]}</dd>' in dashboard

    monthly = client.get("/console/reports/monthly/?month=2026-10").content.decode()
    assert _counts(monthly) == (want["total"], want["merged"]) and sentence in monthly
    assert f"<td>Trạng thái: Đã giải quyết</td><td>{want['resolved']}</td>" in monthly

    def check_rows(rows: list[list[Any]]) -> None:
        references = {r[0] for r in rows}
        assert references == october["references"]
        assert sum(1 for r in rows if r[3] == "Đã giải quyết") == want["resolved"]
        assert sum(1 for r in rows if r[9] in references) == want["merged"]  # "Trùng với tin": merged in the inbox

    response = client.get(f"/console/reports/cases.csv?status=all&{OCTOBER}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    check_rows(list(csv.reader(io.StringIO(body)))[1:])
    book = load_workbook(io.BytesIO(client.get(f"/console/reports/cases.xlsx?status=all&{OCTOBER}").content))
    check_rows([list(r) for r in book["Tin"].iter_rows(min_row=2, values_only=True)])
    summary = load_workbook(io.BytesIO(client.get(f"/console/reports/dashboard.xlsx?{OCTOBER}").content))
    rows = dict(summary["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    assert (rows["Tổng số tin"], rows["Trong đó tin trùng được gộp"], rows["Trạng thái: Đã giải quyết"]) == (
        want["total"],
        want["merged"],
        want["resolved"],
    )
    check_rows([list(r) for r in summary["Tin"].iter_rows(min_row=2, values_only=True)])

    api = client.get(f"/api/v1/cases?status=all&{OCTOBER}", **auth(world.supervisor)).json()
    assert api["count"] == {"total": want["total"], "lines": want["lines"], "merged": want["merged"]}
    assert len(api["cases"]) == want["lines"]
    assert len(client.get(f"/api/v1/cases?status=resolved&{OCTOBER}", **auth(world.supervisor)).json()["cases"]) == want["resolved"]


# ------------------------------------------------------ triage shown and corrected plainly


def test_each_correction_offers_only_the_values_of_its_field(world: World, cases: dict[str, Case]) -> None:
    from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES

    page = world.client(world.officer_a).get(f"/console/case/{cases['a'].reference}/").content.decode()
    offered = {}
    for field in ("intent", "category", "verdict", "urgent"):
        form = page.split(f'id="correct-{field}"')[1].split("</form>")[0]
        assert f'name="field" value="{field}"' in form
        offered[field] = set(re.findall(r'<option value="([^"]+)"', form))
    assert offered == {
        "intent": set(INTENT_NAMES),
        "category": set(CATEGORY_NAMES),
        "verdict": set(VERDICT_NAMES),
        "urgent": {"true", "false"},
    }
    assert '<option value="drugs" selected>' in page.split('id="correct-category"')[1]  # the current value is chosen


def test_the_score_reads_the_same_everywhere_and_a_tip_has_none(world: World, cases: dict[str, Case]) -> None:
    scam = world.tip("Vietcombank: tai khoan bi khoa, cung cap ma OTP tai vcb-khoa.top de mo khoa ngay").case
    points = f"{round(scam.scam_score * 100)}/100"
    client = world.client(world.officer_a)
    inbox = client.get("/console/").content.decode()
    rows = {ref: row for row in inbox.split("<tr") for ref in (scam.reference, cases["a"].reference) if f"{ref}/" in row}
    scam_row, tip_row = rows[scam.reference], rows[cases["a"].reference]
    assert points in scam_row and "/100" not in tip_row and "0,0" not in tip_row
    assert f"({points})" in client.get(f"/console/case/{scam.reference}/").content.decode()
    tip_page = client.get(f"/console/case/{cases['a'].reference}/").content.decode()
    assert 'id="verdict"' not in tip_page and "/100" not in tip_page
    from canhgiac.cli import format_analysis
    from canhgiac.web.core.engine import engine

    assert f"(điểm rủi ro {points})" in format_analysis(engine().analyze(scam.messages.get(direction="in").body))  # `canhgiac check`


def test_a_tip_about_a_fraud_gets_a_receipt_not_a_scam_score(world: World) -> None:
    import dataclasses

    from canhgiac.web.cases.replies import auto_reply
    from canhgiac.web.core.engine import engine

    text = "Báo tin: có nhóm người ở thôn Đông gọi điện giả danh ngân hàng lừa người già đọc mã OTP để chuyển tiền"
    # A tip the engine also finds scam-like (as its scam model may, for the words it quotes).
    analysis = dataclasses.replace(engine().analyze(text), intent="tip", is_scam=True, verdict="scam", victim=False)
    reply = auto_reply(analysis, "CG-TEST-0001", new_case=True)
    assert "CG-TEST-0001" in reply and "/100" not in reply and "OTP" not in reply
    # A fraud tip may come from someone who paid and did not say so plainly: what to do if
    # so, as a condition; never "do not transfer". Other tips get no such line.
    assert "Nếu bạn hoặc người nhà đã chuyển tiền" in reply and "phong tỏa" in reply and "Không chuyển tiền" not in reply
    theft = dataclasses.replace(analysis, category="theft", is_scam=False, verdict="safe")
    assert "phong tỏa" not in auto_reply(theft, "CG-TEST-0002", new_case=True)
    check = world.tip("Vietcombank: tai khoan bi khoa, cung cap ma OTP tai vcb-khoa.top de mo khoa ngay")
    assert check.reply is not None and f"mức rủi ro {round(check.analysis.scam_score * 100)}/100" in check.reply.body
