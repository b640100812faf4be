"""Officers link their own Zalo account with a one-time code sent to the Official Account,
and urgent tips of the units they see reach them there, through the fake Zalo server."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from canhgiac.web.accounts import actions
from canhgiac.web.accounts.chats import link_code
from canhgiac.web.accounts.models import OfficerChat, UrgentAlert, User
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases import alerts
from canhgiac.web.cases.actions import correct
from canhgiac.web.cases.models import Case, Reporter
from canhgiac.web.core.crypto import unseal
from canhgiac.web.intake.models import Channel
from canhgiac.web.tasks.models import Task
from tests.web.conftest import World
from tests.web.fake_zalo import FakeZalo
from tests.web.test_zalo import deliver, run_tasks

FIXTURES = Path(__file__).resolve().parents[2] / "canhgiac" / "web" / "channels" / "zalo" / "fixtures"
SITE = "https://canhgiac.example"
URGENT = "Có người đang cầm dao đánh nhau ngay trước cổng chợ, cứu với"
CALM = "Tối qua nhà tôi ở thôn Đông bị trộm mất xe máy Wave màu đỏ"
CONTACT = "Nguyễn Văn Bình 0912 345 678"
OFFICER_ZALO = "7001234567890123456"
SUPERVISOR_ZALO = "7009876543210987654"


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.SITE_URL = SITE


def text_event(text: str, *, sender: str = OFFICER_ZALO, msg_id: str = "lk-msg-1") -> bytes:
    """The recorded ``user_send_text`` event with another text, sender and message id."""
    data = json.loads((FIXTURES / "user_send_text.json").read_text(encoding="utf-8"))
    data["timestamp"] = str(int(timezone.now().timestamp() * 1000))
    data["sender"]["id"] = sender
    data["message"] = {"text": text, "msg_id": msg_id}
    return json.dumps(data, ensure_ascii=False).encode()


def zalo_b(world: World) -> Channel:
    """Commune B's own OA, through which its officer links."""
    channel = Channel.objects.create(unit=world.commune_b, kind=Channel.Kind.ZALO, slug="zalo-b", name="Zalo xã B", app_id="555")
    channel.set_secret("access_token", "access-token-1")
    channel.save()
    return channel


def link(user: User, chat_user: str, channel: Channel) -> OfficerChat:
    code, _ = actions.start_link(user)
    chat = actions.confirm_link(channel, chat_user, code)
    assert chat is not None
    return chat


def web_tip(text: str, **extra: str) -> Case:
    response = Client().post("/gui/xa-a/", {"text": text, **extra})
    assert response.status_code == 303, response.content[:300]
    return Case.objects.order_by("-id").first()  # type: ignore[return-value]


def sent_to(zalo: FakeZalo, chat_user: str) -> list[str]:
    return [s["body"]["message"]["text"] for s in zalo.sent if s["body"]["recipient"]["user_id"] == chat_user]


# ------------------------------------------------------------------------------ linking


@pytest.mark.parametrize(
    ("text", "code"), [("LK 123456", "123456"), ("lk123456", "123456"), ("LK: 123 456", "123456"), (" Lk-654321. ", "654321")]
)
def test_link_codes_as_people_type_them(text: str, code: str) -> None:
    assert link_code(text) == code


@pytest.mark.parametrize("text", ["123456", "LK 12345", "LK 1234567", "LK 123456 nhà tôi bị trộm", "Liên kết 123456"])
def test_other_messages_are_not_link_codes(text: str) -> None:
    assert link_code(text) is None


def test_the_right_code_links_the_officer_opens_no_case_and_is_answered(world: World, zalo: FakeZalo) -> None:
    code, expires = actions.start_link(world.officer_a)
    assert re.fullmatch(r"\d{6}", code) and expires - timezone.now() <= timedelta(minutes=15)
    pending = OfficerChat.objects.get(user=world.officer_a)
    assert code not in pending.code_hash and not pending.linked
    assert deliver(text_event(f"LK {code}")).status_code == 200
    run_tasks()
    chat = OfficerChat.objects.get(user=world.officer_a)
    assert chat.linked and chat.channel == world.zalo_a and chat.code_hash == ""
    assert unseal(chat.chat_user_sealed) == OFFICER_ZALO and OFFICER_ZALO not in chat.chat_user_sealed + chat.chat_user_hash
    assert Case.objects.count() == 0 and Reporter.objects.count() == 0  # not a tip, nor a citizen
    assert len(zalo.sent) == 1
    reply = zalo.sent[0]["body"]
    assert reply["recipient"]["user_id"] == OFFICER_ZALO and reply["message"]["quote_message_id"] == "lk-msg-1"
    assert reply["message"]["text"].startswith("Đã liên kết")
    assert AuditEvent.objects.filter(action="user.chat_linked", actor=world.officer_a).exists()
    # Spent: the same code from anyone else links nothing.
    deliver(text_event(f"LK {code}", sender="7111111111111111111", msg_id="lk-msg-2"))
    run_tasks()
    assert unseal(OfficerChat.objects.get(user=world.officer_a).chat_user_sealed) == OFFICER_ZALO
    assert "không đúng" in sent_to(zalo, "7111111111111111111")[0]


def test_a_wrong_code_links_nothing_opens_no_case_and_says_so(world: World, zalo: FakeZalo) -> None:
    code, _ = actions.start_link(world.officer_a)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    deliver(text_event(f"LK {wrong}"))
    run_tasks()
    assert not OfficerChat.objects.get(user=world.officer_a).linked
    assert Case.objects.count() == 0
    assert "không đúng hoặc đã hết hạn" in sent_to(zalo, OFFICER_ZALO)[0]


def test_an_expired_code_links_nothing(world: World, zalo: FakeZalo) -> None:
    code, _ = actions.start_link(world.officer_a, now=timezone.now() - timedelta(minutes=16))
    deliver(text_event(f"LK {code}"))
    run_tasks()
    assert not OfficerChat.objects.get(user=world.officer_a).linked and Case.objects.count() == 0


def test_guessing_is_stopped_even_at_the_right_code(world: World, zalo: FakeZalo) -> None:
    code, _ = actions.start_link(world.officer_a)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for n in range(5):
        deliver(text_event(f"LK {wrong}", msg_id=f"guess-{n}"))
    deliver(text_event(f"LK {code}", msg_id="guess-right"))
    run_tasks()
    assert not OfficerChat.objects.get(user=world.officer_a).linked and Case.objects.count() == 0
    assert "quá nhiều lần" in sent_to(zalo, OFFICER_ZALO)[-1]


def test_an_officer_links_only_through_an_oa_of_their_units(world: World) -> None:
    with pytest.raises(actions.ActionError):
        actions.start_link(world.officer_b)  # commune B has no OA yet
    channel = zalo_b(world)
    code, _ = actions.start_link(world.officer_b)
    assert actions.confirm_link(world.zalo_a, OFFICER_ZALO, code) is None  # commune A's OA is not theirs
    assert actions.confirm_link(channel, OFFICER_ZALO, code) is not None


def test_one_zalo_account_is_one_officers(world: World) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    link(world.supervisor, OFFICER_ZALO, world.zalo_a)
    assert not OfficerChat.objects.get(user=world.officer_a).linked
    assert OfficerChat.objects.get(user=world.supervisor).linked


# ------------------------------------------------------------------------------ alerts


def test_an_urgent_web_tip_reaches_the_linked_officer_once_without_the_reporter(world: World, zalo: FakeZalo) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    case = web_tip(f"{URGENT}. Gọi tôi 0987 654 321\nDòng thứ hai không gửi", contact=CONTACT)
    assert case.urgent
    run_tasks()
    texts = sent_to(zalo, OFFICER_ZALO)
    assert len(zalo.sent) == 1 and len(texts) == 1
    alert = texts[0]
    assert case.reference in alert and "Bạo lực, đánh nhau" in alert
    assert f"{SITE}/console/case/{case.reference}/" in alert
    assert "cầm dao đánh nhau" in alert and "Dòng thứ hai" not in alert
    for secret in ("Bình", "0912", "345 678", "0987", "654 321"):
        assert secret not in alert
    assert UrgentAlert.objects.get(user=world.officer_a, case=case).state == UrgentAlert.State.SENT


def test_a_tip_that_is_not_urgent_reaches_nobody(world: World, zalo: FakeZalo) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    assert not web_tip(CALM).urgent
    run_tasks()
    assert zalo.sent == [] and not Task.objects.filter(kind=alerts.TASK).exists()


def test_only_those_who_see_the_case_receive_it(world: World, zalo: FakeZalo) -> None:
    link(world.officer_b, OFFICER_ZALO, zalo_b(world))  # commune B's officer, through B's OA
    link(world.supervisor, SUPERVISOR_ZALO, world.zalo_a)  # the district sees commune A
    web_tip(URGENT)
    run_tasks()
    assert sent_to(zalo, OFFICER_ZALO) == []
    assert len(sent_to(zalo, SUPERVISOR_ZALO)) == 1


def test_a_district_officer_who_sees_only_the_district_receives_no_commune_tip(world: World, zalo: FakeZalo) -> None:
    district_oa = Channel.objects.create(unit=world.district, kind=Channel.Kind.ZALO, slug="zalo-huyen", name="Zalo huyện")
    desk = User.objects.create_user("truc-huyen", unit=world.district, role=User.Role.OFFICER)
    link(desk, OFFICER_ZALO, district_oa)
    web_tip(URGENT)
    run_tasks()
    assert zalo.sent == []


@pytest.mark.parametrize("how", ["alerts_off", "deactivated", "unlinked"])
def test_alerts_off_deactivated_or_unlinked_receive_nothing(world: World, zalo: FakeZalo, how: str) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    if how == "alerts_off":
        actions.set_alerts(world.officer_a, False)
    elif how == "deactivated":
        actions.set_active(world.supervisor, world.officer_a, False)
    else:
        actions.unlink(world.officer_a)
    web_tip(URGENT)
    run_tasks()
    assert zalo.sent == []


def test_deactivated_after_the_alert_was_queued_receives_nothing(world: World, zalo: FakeZalo) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    web_tip(URGENT)
    assert Task.objects.filter(kind=alerts.TASK).count() == 1
    actions.set_active(world.supervisor, world.officer_a, False)
    run_tasks()
    assert zalo.sent == []


def test_the_task_run_twice_sends_one_message(world: World, zalo: FakeZalo) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    web_tip(URGENT)
    task = Task.objects.get(kind=alerts.TASK)
    run_tasks()
    # As if a second worker took it again (its lock expired while the first was sending).
    Task.objects.filter(pk=task.pk).update(status=Task.Status.QUEUED)
    run_tasks()
    alerts.send(task.payload)
    assert len(zalo.sent) == 1


def test_a_failed_send_is_retried_and_sent_once(world: World, zalo: FakeZalo) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    web_tip(URGENT)
    zalo.fail_next = 1
    run_tasks()  # fails: the claim is given back
    assert zalo.sent == [] and not UrgentAlert.objects.exists()
    run_tasks()  # the retry
    run_tasks()
    assert len(zalo.sent) == 1
    assert UrgentAlert.objects.get().state == UrgentAlert.State.SENT


def test_an_officer_marking_a_tip_urgent_alerts_the_others(world: World, zalo: FakeZalo) -> None:
    link(world.officer_a, OFFICER_ZALO, world.zalo_a)
    link(world.supervisor, SUPERVISOR_ZALO, world.zalo_a)
    case = web_tip(CALM)
    correct(case, world.officer_a, "urgent", "true")
    run_tasks()
    assert sent_to(zalo, OFFICER_ZALO) == []  # who marked it knows
    assert len(sent_to(zalo, SUPERVISOR_ZALO)) == 1


# ------------------------------------------------------------------------- the page


def test_my_page_needs_a_login(world: World) -> None:
    assert Client().get("/console/me/")["Location"].startswith("/accounts/login/")
    assert Client().post("/console/me/zalo/", {"action": "link"})["Location"].startswith("/accounts/login/")
    assert not OfficerChat.objects.exists()


def test_my_page_links_shows_the_code_once_and_toggles_alerts(world: World) -> None:
    client = world.client(world.officer_a)
    page = client.get("/console/").content.decode()
    assert 'id="nav-me"' in page and 'href="/console/me/"' in page
    assert 'id="not-linked"' in client.get("/console/me/").content.decode()
    response = client.post("/console/me/zalo/", {"action": "link"})
    html = response.content.decode()
    code = re.search(r'id="code">LK (\d{6})<', html)
    assert response.status_code == 200 and code and "no-store" in response["Cache-Control"]
    assert "Official Account của đơn vị trên Zalo" in html and "Zalo xã A" in html
    assert code.group(1) not in client.get("/console/me/").content.decode()  # shown once
    actions.confirm_link(world.zalo_a, OFFICER_ZALO, code.group(1))
    assert 'id="linked"' in client.get("/console/me/").content.decode()
    assert client.post("/console/me/zalo/", {"action": "alerts_off"}).status_code == 302
    assert not OfficerChat.objects.get(user=world.officer_a).urgent_alerts
    assert client.post("/console/me/zalo/", {"action": "unlink"}).status_code == 302
    assert not OfficerChat.objects.get(user=world.officer_a).linked
    assert client.post("/console/me/zalo/", {"action": "nonsense"}).status_code == 400
    assert set(AuditEvent.objects.filter(action__startswith="user.chat").values_list("action", flat=True)) == {
        "user.chat_link_started",
        "user.chat_linked",
        "user.chat_alerts",
        "user.chat_unlinked",
    }


def test_without_an_oa_the_page_says_so_and_gives_no_code(world: World) -> None:
    client = world.client(world.officer_b)
    assert 'id="no-channel"' in client.get("/console/me/").content.decode()
    assert client.post("/console/me/zalo/", {"action": "link"}).status_code == 400
    assert not OfficerChat.objects.filter(code_hash__gt="").exists()
