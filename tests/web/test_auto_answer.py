"""Automatic answers never close a case on their own: the case waits, open and visible,
for the citizen's "Đúng" / "Chưa đúng" (web buttons, Zalo words), an officer's word, or
a quiet period; "Chưa đúng" hands it to an officer and to the unanswered questions."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.actions import ActionError, change_status, close_quiet_answers, confirm_answer, receive_message, reply
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.channels.zalo.signature import expected_signature
from canhgiac.web.knowledge.transfer import import_entries, starter_text
from canhgiac.web.reports.stats import Period, figures
from canhgiac.web.tasks.models import Task
from canhgiac.web.tasks.queue import HOURLY, run_pending, schedule_hourly
from tests.web.conftest import World
from tests.web.fake_zalo import FakeZalo

QUESTION = "Con tôi 14 tuổi đi làm thẻ căn cước cần mang theo giấy tờ gì?"
ENTRY = "Cấp thẻ căn cước lần đầu"
DOG = "nuoi cho co can dang ky voi cong an xa khong"
FIXTURES = Path(__file__).resolve().parents[2] / "canhgiac" / "web" / "channels" / "zalo" / "fixtures"
USER = "8412775920155813771"


@pytest.fixture
def base(world: World) -> World:
    import_entries(starter_text(), "json", world.district)
    return world


def audit(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).order_by("id"))


def submit(client: Client, text: str) -> tuple[Case, str]:
    page = client.post("/gui/xa-a/", {"text": text}, follow=True).content.decode()
    found = re.search(r'id="reference">([^<]+)<', page)
    assert found, page[:500]
    return Case.objects.get(reference=found.group(1)), page


# ------------------------------------------------------------------- the case


def test_dog_question_is_not_answered_with_the_motorbike_entry(base: World) -> None:
    case = base.tip(DOG).case
    assert case.kb_entry is None and case.status == Case.Status.NEW and case.is_open
    # Not offered either: a motorbike is no help to someone asking about a dog.
    assert case.kb_offer == []
    answer = case.messages.get(direction=Message.Direction.AUTO).body
    assert not answer.startswith("Được") and "xe" not in answer
    officer = base.client(base.officer_a)
    assert case.reference in officer.get("/console/").content.decode()
    assert case.reference in officer.get("/console/knowledge/unanswered/").content.decode()


# ------------------------------------------------------------- the state of its own


def test_automatic_answer_leaves_the_case_open_in_the_inbox(base: World, settings: Any) -> None:
    case = base.tip(QUESTION).case
    assert case.status == Case.Status.AUTO_ANSWERED and case.kb_entry is not None and case.kb_entry.title == ENTRY
    assert case.resolved_at is None and case.is_open
    page = base.client(base.officer_a).get("/console/").content.decode()  # the default filter: open cases
    assert case.reference in page and "Trả lời tự động, chờ xác nhận" in page
    only = base.client(base.officer_a).get("/console/?status=auto_answered").content.decode()
    assert case.reference in only
    # It has its answer: waiting for the citizen is not overdue for an officer.
    Case.objects.filter(pk=case.pk).update(created=timezone.now() - timedelta(hours=settings.CANHGIAC_OVERDUE_HOURS + 1))
    case.refresh_from_db()
    assert not case.is_overdue()
    # And it is not on the unanswered list.
    assert case.reference not in base.client(base.officer_a).get("/console/knowledge/unanswered/").content.decode()


def test_an_officer_cannot_put_a_case_in_that_state_by_hand(base: World) -> None:
    case = base.tip("Có người lạ hay đứng trước cổng trường tiểu học lúc tan học").case
    with pytest.raises(ActionError):
        change_status(case, base.officer_a, Case.Status.AUTO_ANSWERED)
    response = base.client(base.officer_a).post(f"/console/case/{case.reference}/action/", {"action": "status", "status": "auto_answered"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Case.Status.NEW


def test_picking_an_offered_answer_also_awaits_confirmation(base: World) -> None:
    case = base.tip("Cho hỏi thủ tục giấy tờ cho con thế nào?").case
    offered = list(case.kb_offer)
    assert offered and case.status == Case.Status.NEW
    receive_message(channel=base.web_a, text="1", case=case)
    case.refresh_from_db()
    assert case.kb_entry_id == offered[0] and case.status == Case.Status.AUTO_ANSWERED


def test_another_message_after_an_automatic_answer_goes_to_an_officer(base: World) -> None:
    case = base.tip(QUESTION).case
    receive_message(channel=base.web_a, text="Thế còn con tôi đang ở nước ngoài thì sao ạ?", case=case)
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.unread


def test_an_officer_reply_takes_the_case_over(base: World) -> None:
    case = base.tip(QUESTION).case
    reply(case, base.officer_a, "Bạn mang giấy khai sinh của cháu đến công an xã nhé.")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    assert confirm_answer(case, True, by="channel:xa-a") is None  # no longer awaiting


# ------------------------------------------------------------------ the citizen, web


def test_citizen_confirms_on_the_receipt_page(base: World) -> None:
    citizen = Client()
    case, receipt = submit(citizen, QUESTION)
    assert case.status == Case.Status.AUTO_ANSWERED
    assert 'id="confirm-answer"' in receipt and 'name="csrfmiddlewaretoken"' in receipt
    assert f'action="/theo-doi/{case.reference}/"' in receipt and 'value="right"' in receipt and 'value="wrong"' in receipt
    response = citizen.post(f"/theo-doi/{case.reference}/", {"answer": "right"})
    assert response.status_code == 302 and response["Location"] == f"/theo-doi/{case.reference}/"
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED and case.resolved_at is not None and case.kb_entry is not None
    events = audit(case)
    assert events[-1].action == "case.answer_confirmed" and events[-1].actor_label == "channel:xa-a"
    assert events[-1].details["entry"] == case.kb_entry_id
    thread = list(case.messages.values_list("direction", "body"))
    assert thread[-2] == ("in", "Đúng") and thread[-1][0] == "auto" and thread[-1][1].startswith("Cảm ơn bạn đã xác nhận")
    page = citizen.get(f"/theo-doi/{case.reference}/").content.decode()
    assert "Đã giải quyết" in page and 'id="confirm-answer"' not in page


def test_citizen_says_not_right_on_the_followup_page(base: World) -> None:
    citizen = Client()
    case, _ = submit(citizen, QUESTION)
    entry = case.kb_entry
    page = citizen.get(f"/theo-doi/{case.reference}/").content.decode()
    assert 'id="confirm-answer"' in page and "Trả lời tự động, chờ xác nhận" in page
    Case.objects.filter(pk=case.pk).update(unread=False)  # an officer had looked at it
    assert citizen.post(f"/theo-doi/{case.reference}/", {"answer": "wrong"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.unread and case.is_open
    assert case.kb_entry is None and case.kb_rejected == entry
    assert audit(case)[-1].action == "case.answer_rejected"
    officer = base.client(base.officer_a)
    unanswered = officer.get("/console/knowledge/unanswered/").content.decode()
    assert case.reference in unanswered and f"chưa đúng: {ENTRY}" in unanswered
    assert case.reference in officer.get("/console/").content.decode()
    case_page = officer.get(f"/console/case/{case.reference}/").content.decode()
    assert 'id="answer-kb"' in case_page  # the officer can now answer and teach the base
    # The button pressed again: nothing changes, nothing is written twice.
    before = case.messages.count()
    again = citizen.post(f"/theo-doi/{case.reference}/", {"answer": "right"}, follow=True)
    assert again.status_code == 200 and "không còn chờ xác nhận" in again.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.messages.count() == before


def test_confirmation_buttons_need_the_case_in_the_session_and_a_known_answer(base: World) -> None:
    citizen = Client()
    case, _ = submit(citizen, QUESTION)
    stranger = Client()
    response = stranger.post(f"/theo-doi/{case.reference}/", {"answer": "right"})
    assert response.status_code == 302 and response["Location"] == "/theo-doi/"
    bad = citizen.post(f"/theo-doi/{case.reference}/", {"answer": "maybe"})
    assert bad.status_code == 400
    case.refresh_from_db()
    assert case.status == Case.Status.AUTO_ANSWERED


def test_unanswered_question_shows_no_buttons(base: World) -> None:
    citizen = Client()
    case, receipt = submit(citizen, DOG)
    assert case.status == Case.Status.NEW and 'id="confirm-answer"' not in receipt


# ------------------------------------------------------------------ the citizen, Zalo


def zalo_text(text: str, msg_id: str) -> bytes:
    data = json.loads((FIXTURES / "user_send_text.json").read_text(encoding="utf-8"))
    data["timestamp"] = str(int(time.time() * 1000))
    data["message"] = {"text": text, "msg_id": msg_id}
    return json.dumps(data, ensure_ascii=False).encode()


def zalo_says(text: str, msg_id: str) -> None:
    body = zalo_text(text, msg_id)
    data = json.loads(body)
    signature = expected_signature(data["app_id"], body, data["timestamp"], "oa-secret-key-for-tests")
    response = Client().post("/channels/zalo/zalo-a/webhook", data=body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=signature)
    assert response.status_code == 200
    Task.objects.filter(status=Task.Status.QUEUED).update(run_after=timezone.now())
    run_pending()


@pytest.mark.parametrize(
    ("word", "right"),
    [
        ("đúng", True),
        ("dung", True),
        ("Đúng rồi", True),
        ("cảm ơn đúng rồi", True),
        ("chưa đúng", False),
        ("chua dung", False),
        ("sai", False),
        ("Không đúng ạ", False),
    ],
)
def test_citizen_answers_on_zalo_with_words(base: World, zalo: FakeZalo, word: str, right: bool) -> None:
    zalo_says(QUESTION, "m1")
    case = Case.objects.get()
    assert case.status == Case.Status.AUTO_ANSWERED and len(zalo.sent) == 1
    assert "Chưa đúng" in zalo.sent[0]["body"]["message"]["text"]  # the prompt went out with the answer
    zalo_says(word, "m2")
    case = Case.objects.get()  # no new case, and the word was not analysed as a message
    assert case.status == (Case.Status.RESOLVED if right else Case.Status.NEW)
    assert (case.kb_entry is not None) is right and (case.kb_rejected is None) is right
    assert audit(case)[-1].action == ("case.answer_confirmed" if right else "case.answer_rejected")
    assert audit(case)[-1].actor_label == "channel:zalo-a"
    assert case.messages.filter(direction=Message.Direction.IN).last().body == word  # type: ignore[union-attr]
    acknowledgement = zalo.sent[-1]["body"]
    assert len(zalo.sent) == 2 and acknowledgement["recipient"] == {"user_id": USER, "message_id": "m2"}
    assert acknowledgement["message"]["text"].startswith("Cảm ơn bạn")


def test_a_new_question_on_zalo_is_not_taken_for_a_confirmation(base: World, zalo: FakeZalo) -> None:
    zalo_says(QUESTION, "m1")
    zalo_says("Cho em hỏi nuôi chó có phải đăng ký không ạ", "m2")
    case = Case.objects.get()
    assert case.status == Case.Status.NEW and case.unread
    assert not AuditEvent.objects.filter(action__in=("case.answer_confirmed", "case.answer_rejected")).exists()


def test_the_words_without_an_automatic_answer_waiting_are_a_message(base: World, zalo: FakeZalo) -> None:
    zalo_says("đúng", "m1")
    case = Case.objects.get()
    assert case.status == Case.Status.NEW and case.messages.filter(direction=Message.Direction.IN).count() == 1


# ---------------------------------------------------------------------- the officer


def test_officer_confirms_from_the_case_page(base: World) -> None:
    case = base.tip(QUESTION).case
    officer = base.client(base.officer_a)
    page = officer.get(f"/console/case/{case.reference}/").content.decode()
    assert 'id="review-answer"' in page
    response = officer.post(f"/console/case/{case.reference}/action/", {"action": "answer_right"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED and case.resolved_at is not None
    event = audit(case)[-1]
    assert event.action == "case.answer_confirmed" and event.actor == base.officer_a
    # Twice: a clear refusal, not a second change.
    assert officer.post(f"/console/case/{case.reference}/action/", {"action": "answer_right"}).status_code == 400


def test_officer_says_the_answer_was_wrong(base: World) -> None:
    case = base.tip(QUESTION).case
    entry = case.kb_entry
    response = base.client(base.officer_a).post(f"/console/case/{case.reference}/action/", {"action": "answer_wrong"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.kb_entry is None and case.kb_rejected == entry
    assert audit(case)[-1].action == "case.answer_rejected"


def test_viewers_and_other_units_cannot_review(base: World) -> None:
    case = base.tip(QUESTION).case
    assert base.client(base.viewer_a).post(f"/console/case/{case.reference}/action/", {"action": "answer_right"}).status_code == 403
    assert base.client(base.officer_b).post(f"/console/case/{case.reference}/action/", {"action": "answer_right"}).status_code == 404
    assert 'id="review-answer"' not in base.client(base.viewer_a).get(f"/console/case/{case.reference}/").content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.AUTO_ANSWERED


# ------------------------------------------------------------------ the quiet period


def test_quiet_period_resolves_unquestioned_answers(base: World, settings: Any) -> None:
    settings.CANHGIAC_AUTO_ANSWER_QUIET_HOURS = 72
    old, recent = base.tip(QUESTION).case, base.tip("con toi 14 tuoi di lam the can cuoc can mang theo giay to gi").case
    other = base.tip(DOG).case
    now = timezone.now()
    Case.objects.filter(pk__in=[old.pk, other.pk]).update(last_activity=now - timedelta(hours=73))
    Case.objects.filter(pk=recent.pk).update(last_activity=now - timedelta(hours=71))
    assert close_quiet_answers(now) == 1
    for case in (old, recent, other):
        case.refresh_from_db()
    assert old.status == Case.Status.RESOLVED and old.resolved_at == now
    assert recent.status == Case.Status.AUTO_ANSWERED and other.status == Case.Status.NEW
    event = audit(old)[-1]
    assert event.action == "case.answer_quiet" and event.actor_label == "auto_answer" and event.details["hours"] == 72
    assert close_quiet_answers(now) == 0  # nothing twice


def test_the_worker_runs_the_quiet_period_every_hour(base: World, settings: Any) -> None:
    settings.CANHGIAC_AUTO_ANSWER_QUIET_HOURS = 1
    case = base.tip(QUESTION).case
    Case.objects.filter(pk=case.pk).update(last_activity=timezone.now() - timedelta(minutes=61))
    schedule_hourly()
    schedule_hourly()  # every worker, every ten minutes: once an hour all the same
    assert Task.objects.filter(kind__in=HOURLY).count() == 1
    run_pending()
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert Task.objects.get(kind="cases.quiet_answers").status == Task.Status.DONE


# ------------------------------------------------------------------ statistics


def test_statistics_count_automatic_answers_but_not_rejected_ones(base: World) -> None:
    waiting = base.tip(QUESTION).case
    confirmed = base.tip("con toi 14 tuoi di lam the can cuoc can mang theo giay to gi").case
    rejected = base.tip("Đăng ký kết hôn cần mang những giấy tờ gì?").case
    base.tip(DOG)
    assert all(c.status == Case.Status.AUTO_ANSWERED for c in (waiting, confirmed, rejected))
    confirm_answer(confirmed, True, by="channel:xa-a")
    confirm_answer(rejected, False, by="channel:xa-a")
    today = timezone.localdate()
    result = figures([base.commune_a.pk], Period(today, today))
    assert result.auto_answered == 2
