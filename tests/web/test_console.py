"""The officers' console: who sees what, who may do what, and what each change leaves."""

from __future__ import annotations

from datetime import timedelta

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
    assert "case.opened" in page
    assert "case.opened" not in world.client(world.outsider).get("/console/audit/").content.decode()


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
    # session, user, the unit tree (2), count, page, duplicate counts, unit list, messages
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
