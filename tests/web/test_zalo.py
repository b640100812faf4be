"""The Zalo channel: signed webhooks from recorded payloads, background work, and replies
through a fake Zalo server on loopback."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from canhgiac.web.cases.actions import reply
from canhgiac.web.cases.models import Case, Message, Reporter
from canhgiac.web.channels.zalo import client as zalo_client
from canhgiac.web.channels.zalo.client import split_text
from canhgiac.web.channels.zalo.signature import expected_signature
from canhgiac.web.intake.models import InboundEvent
from canhgiac.web.tasks.models import Task
from canhgiac.web.tasks.queue import run_pending
from tests.web.conftest import World
from tests.web.fake_zalo import FakeZalo

FIXTURES = Path(__file__).resolve().parents[2] / "canhgiac" / "web" / "channels" / "zalo" / "fixtures"
SECRET = "oa-secret-key-for-tests"
USER = "8412775920155813771"


def event(name: str, *, timestamp: int | None = None) -> bytes:
    text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    return text.replace("TIMESTAMP", str(timestamp if timestamp is not None else int(time.time() * 1000))).encode()


def deliver(body: bytes, *, signature: str | None = None, slug: str = "zalo-a") -> Any:
    data = json.loads(body)
    if signature is None:
        signature = expected_signature(data["app_id"], body, str(data["timestamp"]), SECRET)
    return Client().post(f"/channels/zalo/{slug}/webhook", data=body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=signature)


def run_tasks() -> None:
    """Run what is queued, including retries whose backoff has not passed yet."""
    Task.objects.filter(status=Task.Status.QUEUED).update(run_after=timezone.now())
    run_pending()


def test_signed_event_is_stored_acknowledged_then_answered(world: World, zalo: FakeZalo) -> None:
    response = deliver(event("user_send_text"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert InboundEvent.objects.count() == 1 and Case.objects.count() == 0  # work is deferred
    run_tasks()
    case = Case.objects.get()
    assert case.channel == world.zalo_a and case.intent == "scam_check" and case.verdict == "scam"
    assert case.reporter.channel_user_id() == USER and USER not in case.reporter.channel_user_sealed
    answer = case.messages.get(direction=Message.Direction.AUTO)
    assert answer.delivery == Message.Delivery.SENT
    assert len(zalo.sent) == 1
    sent = zalo.sent[0]
    assert sent["access_token"] == "access-token-1"
    assert sent["body"]["recipient"] == {"user_id": USER, "message_id": "a1b2c3d4e5f60718293a4b5c6d7e8f90"}
    assert "LỪA ĐẢO" in sent["body"]["message"]["text"]


@pytest.mark.parametrize("prefix", ["", "mac=", "MAC= "])
def test_signature_with_or_without_mac_prefix(world: World, zalo: FakeZalo, prefix: str) -> None:
    body = event("user_send_text")
    data = json.loads(body)
    signature = prefix + expected_signature(data["app_id"], body, data["timestamp"], SECRET)
    assert deliver(body, signature=signature).status_code == 200


@pytest.mark.parametrize("signature", ["", "0" * 64, "mac=" + "f" * 64, "not-hex"])
def test_bad_signatures_are_rejected_and_nothing_is_stored(world: World, zalo: FakeZalo, signature: str) -> None:
    response = deliver(event("user_send_text"), signature=signature)
    assert response.status_code == 401 and response.json() == {"error": "bad_signature"}
    assert InboundEvent.objects.count() == 0


def test_signature_over_a_tampered_body_fails(world: World, zalo: FakeZalo) -> None:
    body = event("user_send_text")
    data = json.loads(body)
    signature = expected_signature(data["app_id"], body, data["timestamp"], SECRET)
    tampered = body.replace("lừa đảo".encode(), b"that khong")
    assert deliver(tampered, signature=signature).status_code == 401


def test_stale_event_is_rejected(world: World, zalo: FakeZalo) -> None:
    old = event("user_send_text", timestamp=int((time.time() - 3600) * 1000))
    response = deliver(old)
    assert response.status_code == 401 and response.json() == {"error": "stale"}
    assert InboundEvent.objects.count() == 0


def test_malformed_bodies(world: World, zalo: FakeZalo) -> None:
    client = Client()
    assert client.post("/channels/zalo/zalo-a/webhook", data=b"{not json", content_type="application/json").status_code == 400
    assert client.post("/channels/zalo/zalo-a/webhook", data=b"[1]", content_type="application/json").status_code == 400
    assert client.post("/channels/zalo/nowhere/webhook", data=b"{}", content_type="application/json").status_code == 404
    assert client.get("/channels/zalo/zalo-a/webhook").status_code == 405
    assert InboundEvent.objects.count() == 0


def test_replayed_event_changes_nothing(world: World, zalo: FakeZalo) -> None:
    body = event("user_send_text")
    assert deliver(body).json() == {"status": "ok"}
    assert deliver(body).json() == {"status": "duplicate"}
    run_tasks()
    assert deliver(body).json() == {"status": "duplicate"}
    run_tasks()
    assert InboundEvent.objects.count() == 1 and Case.objects.count() == 1
    assert Message.objects.filter(direction=Message.Direction.IN).count() == 1
    assert len(zalo.sent) == 1


def test_follow_up_threads_into_the_open_case(world: World, zalo: FakeZalo) -> None:
    deliver(event("user_send_text"))
    run_tasks()
    deliver(event("user_send_text_followup"))
    run_tasks()
    case = Case.objects.get()
    assert case.messages.filter(direction=Message.Direction.IN).count() == 2
    assert "+84889123456" not in json.dumps(case.indicators)  # indicators are the first message's
    assert case.unread


def test_image_and_location_events(world: World, zalo: FakeZalo) -> None:
    deliver(event("user_send_image"))
    deliver(event("user_send_location"))
    run_tasks()
    case = Case.objects.get()  # same user: one case
    assert case.intent == "tip" and case.category == "gambling"
    bodies = list(case.messages.filter(direction="in").values_list("body", flat=True))
    assert any("21.0277, 105.8341" in b for b in bodies)
    assert case.messages.filter(attachments__remote_url="https://zalo-cdn.example/photo/123.jpg").exists()


def test_follow_subscribes_a_known_user(world: World, zalo: FakeZalo) -> None:
    deliver(event("user_send_text"))
    run_tasks()
    deliver(event("follow"))
    run_tasks()
    assert Reporter.objects.get().subscribed is True


def test_officer_reply_goes_out_through_zalo(world: World, zalo: FakeZalo) -> None:
    deliver(event("user_send_text"))
    run_tasks()
    case = Case.objects.get()
    message = reply(case, world.officer_a, "Đây là lừa đảo, chị đừng bấm link nhé.")
    assert message.delivery == Message.Delivery.PENDING
    run_tasks()
    message.refresh_from_db()
    assert message.delivery == Message.Delivery.SENT
    assert zalo.texts()[-1] == "Đây là lừa đảo, chị đừng bấm link nhé."


def test_long_reply_is_split_and_never_sent_twice(world: World, zalo: FakeZalo) -> None:
    deliver(event("user_send_text"))
    run_tasks()
    case = Case.objects.get()
    long_text = "\n".join(f"Dòng {i}: " + "cảnh giác với lừa đảo qua mạng " * 5 for i in range(30))
    assert len(long_text) > 4000
    zalo.sent.clear()
    message = reply(case, world.officer_a, long_text)
    zalo.fail_next = 0
    # The second part fails twice; the first must not be sent again on retry.
    original = zalo_client.ZaloClient.send_text
    calls = {"n": 0}

    def flaky(self: Any, user_id: str, text: str, reply_to: str = "", image_url: str = "") -> str:
        calls["n"] += 1
        if calls["n"] in (2, 3):
            raise zalo_client.ZaloError(-1, "network")
        return original(self, user_id, text, reply_to, image_url)

    zalo_client.ZaloClient.send_text = flaky  # type: ignore[method-assign]
    try:
        for _ in range(4):
            run_tasks()
    finally:
        zalo_client.ZaloClient.send_text = original  # type: ignore[method-assign]
    message.refresh_from_db()
    parts = split_text(long_text)
    assert message.delivery == Message.Delivery.SENT and len(parts) >= 3
    assert zalo.texts() == parts
    assert all(len(p) <= 2000 for p in parts)


def test_zalo_down_then_up_sends_once(world: World, zalo: FakeZalo) -> None:
    zalo.fail_next = 3
    deliver(event("user_send_text"))
    run_pending()  # processes the event; the reply fails and is rescheduled with backoff
    task = Task.objects.get(kind="zalo.send_message")
    assert task.status == Task.Status.QUEUED and task.run_after > timezone.now() and task.attempts == 1
    for _ in range(5):
        run_tasks()
    assert len(zalo.sent) == 1
    assert Message.objects.get(direction=Message.Direction.AUTO).delivery == Message.Delivery.SENT


def test_slow_zalo_times_out_and_retries(world: World, zalo: FakeZalo, monkeypatch: Any) -> None:
    monkeypatch.setattr(zalo_client, "TIMEOUT", 0.5)
    zalo.stall_next = 1
    zalo.stall_seconds = 1.5
    deliver(event("user_send_text"))
    run_pending()
    assert len(zalo.sent) == 0
    time.sleep(1.2)  # let the stalled request finish on the server side
    run_tasks()
    assert len(zalo.sent) == 1


def test_expired_token_is_refreshed(world: World, zalo: FakeZalo) -> None:
    zalo.valid_tokens = set()  # access-token-1 no longer accepted
    deliver(event("user_send_text"))
    run_tasks()
    assert len(zalo.refreshes) == 1
    refresh = zalo.refreshes[0]
    assert refresh == {
        "refresh_token": "refresh-token-1",
        "app_id": "4321098765",
        "grant_type": "refresh_token",
        "secret_key": "app-secret-for-tests",
    }
    assert zalo.sent[0]["access_token"] == "access-token-2"
    world.zalo_a.refresh_from_db()
    assert world.zalo_a.secret("refresh_token") == "refresh-token-2"


def test_a_worker_with_an_old_copy_of_the_channel_takes_the_new_token(world: World, zalo: FakeZalo) -> None:
    """Zalo's refresh token is good once: a worker that read the channel before another
    refreshed it takes the new tokens instead of spending the old refresh token again."""
    from canhgiac.web.channels.zalo.client import ZaloClient
    from canhgiac.web.intake.models import Channel

    old = ZaloClient(Channel.objects.get(pk=world.zalo_a.pk))
    ZaloClient(Channel.objects.get(pk=world.zalo_a.pk)).refresh()
    old.refresh()
    assert [r["refresh_token"] for r in zalo.refreshes] == ["refresh-token-1"]
    assert old.access_token() == "access-token-2" and old.channel.secret("refresh_token") == "refresh-token-2"


def test_per_user_rate_limit_keeps_the_event_but_opens_nothing(world: World, zalo: FakeZalo, settings: Any) -> None:
    settings.CANHGIAC_INTAKE_RATE = 1
    deliver(event("user_send_text"))
    deliver(event("user_send_text_followup"))
    run_tasks()
    assert InboundEvent.objects.count() == 2
    assert InboundEvent.objects.filter(error="rate_limited").count() == 1
    assert Message.objects.filter(direction="in").count() == 1


def test_split_text_respects_the_limit() -> None:
    assert split_text("ngắn") == ["ngắn"]
    parts = split_text("a" * 4500)
    assert [len(p) for p in parts] == [2000, 2000, 500]
    words = split_text(("xin chào " * 500).strip())
    assert all(len(p) <= 2000 for p in words) and " ".join(words) == ("xin chào " * 500).strip()


def test_a_victim_on_zalo_gets_victim_advice_and_an_urgent_fraud_case(world: World, zalo: FakeZalo) -> None:
    data = json.loads(event("user_send_text"))
    data["message"]["text"] = "em vừa ck 3tr cọc thuê nhà qua mạng 30 phút trước xong bị block zalo rồi, STK 1903456789012 Techcombank"
    deliver(json.dumps(data, ensure_ascii=False).encode())
    run_tasks()
    case = Case.objects.get()
    assert case.intent == "tip" and case.category == "fraud" and case.urgent
    sent = zalo.sent[0]["body"]["message"]["text"]
    assert "tổng đài" in sent and "1903456789012" in sent
    assert "LỪA ĐẢO" not in sent and "Không chuyển tiền" not in sent


# --------------------------------------------------- commands as people type them (issue 10)

_IDS = iter(range(10_000, 20_000))


def said(text: str) -> bytes:
    data = json.loads(event("user_send_text"))
    data["message"] = {"text": text, "msg_id": f"cmd-{next(_IDS)}"}
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dang ky nhan tin canh bao", True),
        ("Đăng ký nhận tin cảnh báo!", True),
        ("cho toi nhan canh bao", True),
        ("Cho tôi nhận cảnh báo ạ", True),
        ("nhận bản tin", True),
        ("DK", True),
        ("huy nhan tin", False),
        ("HUY", False),
        ("Dừng nhận", False),
        ("không nhận nữa", False),
        ("Đúng", None),  # "dung" is a confirmed answer, never "dừng"
        ("nhận", None),
        ("đăng ký xe máy cần giấy tờ gì", None),
        ("Cho em hỏi thủ tục đăng ký tạm trú", None),
        ("Có người lạ đăng ký tạm trú giả ở nhà số 5", None),
    ],
)
def test_commands_are_understood_as_typed(text: str, expected: bool | None) -> None:
    from canhgiac.web.channels.zalo.tasks import command

    assert command(text) is expected


def test_typed_commands_subscribe_and_stop_without_a_case(world: World, zalo: FakeZalo) -> None:
    deliver(said("cho tôi nhận cảnh báo"))
    run_tasks()
    assert Reporter.objects.get().subscribed is True and Case.objects.count() == 0
    assert "đã đăng ký nhận bản tin" in zalo.texts()[-1]
    deliver(said("huỷ nhận tin"))
    run_tasks()
    assert Reporter.objects.get().subscribed is False and Case.objects.count() == 0
    deliver(said("Cho em hỏi đăng ký xe máy cần giấy tờ gì?"))  # a question, not a command
    run_tasks()
    assert Case.objects.count() == 1 and Reporter.objects.get().subscribed is False


def test_every_follow_up_text_gets_the_same_acknowledgement(world: World, zalo: FakeZalo) -> None:
    deliver(said("Có người lạ cạy khóa xe máy ở chợ Đồng, đi xe Wave màu đỏ"))
    run_tasks()
    case = Case.objects.get()
    for text in ("Họ có 2 người, đội mũ đen", "Em hỏi chút là có cần ra công an xã không?", "cảm ơn"):
        deliver(said(text))
    run_tasks()
    answers = list(case.messages.filter(direction=Message.Direction.AUTO).order_by("id").values_list("body", flat=True))
    assert len(answers) == 4
    assert set(answers[1:]) == {f"Đã nhận thêm thông tin cho tin {case.reference}."}
