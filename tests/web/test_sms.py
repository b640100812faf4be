"""The SMS channel (an Android phone running SMS Gateway for Android): signed webhooks
from recorded payloads, background work, and answers through a fake phone on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.bulletins import sending
from canhgiac.web.bulletins.models import Bulletin, Delivery
from canhgiac.web.cases.models import Case, Message, Reporter
from canhgiac.web.channels import dispatch
from canhgiac.web.channels.base import SendError, adapter_for
from canhgiac.web.channels.sms import actions, numbers, parts
from canhgiac.web.channels.sms.adapter import ADAPTER
from canhgiac.web.channels.sms.models import SmsGateway, SmsOutbound
from canhgiac.web.intake.models import Channel, InboundEvent
from canhgiac.web.tasks.models import Task
from canhgiac.web.tasks.queue import enqueue, run_pending
from tests.web.conftest import PASSWORD, World
from tests.web.fake_sms_gateway import FakeSmsGateway

FIXTURES = Path(__file__).resolve().parents[2] / "canhgiac" / "web" / "channels" / "sms" / "fixtures"
KEY = "khoa-ky-webhook-cua-xa-a"
URL = "/channels/sms/sms-a/webhook"
NUMBER = "+84912345678"
NUMBER_FORMS = ("+84912345678", "84912345678", "0912345678", "0912 345 678", "912345678", "091 234 5678")


@pytest.fixture
def phone(world: World) -> Iterator[FakeSmsGateway]:
    """Commune A's SMS channel, paired with a fake phone on loopback."""
    with FakeSmsGateway() as fake:
        channel = Channel.objects.create(unit=world.commune_a, kind=Channel.Kind.SMS, slug="sms-a", name="SMS xã A")
        gateway = SmsGateway(channel=channel, base_url=fake.url, username=fake.username)
        gateway.set_secret("password", fake.password)
        gateway.set_secret("signing_key", KEY)
        gateway.save()
        yield fake


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    event.update({k: v for k, v in changes.items() if k != "payload"})
    event["payload"].update(changes.get("payload", {}))
    return event


def deliver(event: dict[str, Any], **kwargs: Any) -> Any:
    return FakeSmsGateway.post(URL, json.dumps(event, ensure_ascii=False).encode(), KEY, **kwargs)


def text_message(text: str, event_id: str, sender: str = NUMBER) -> dict[str, Any]:
    return fixture("sms_received", id=event_id, payload={"message": text, "sender": sender, "phoneNumber": sender})


def run_tasks() -> None:
    """Run what is queued now, including retries whose backoff has not passed yet (but
    not what waits for another day)."""
    Task.objects.filter(status=Task.Status.QUEUED, run_after__lte=timezone.now() + timedelta(hours=2)).update(run_after=timezone.now())
    run_pending()


def gateway() -> SmsGateway:
    return SmsGateway.objects.select_related("channel").get(channel__slug="sms-a")


# ------------------------------------------------------------------------- the webhook


def test_a_tip_by_sms_opens_a_case_and_its_reference_goes_back_by_sms(world: World, phone: FakeSmsGateway) -> None:
    response = deliver(fixture("sms_received"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert InboundEvent.objects.get().external_id == "Ey6ECgOkVVFjz3CL48B8C" and Case.objects.count() == 0  # work is deferred
    run_tasks()
    case = Case.objects.get()
    assert case.channel.slug == "sms-a" and case.intent == "tip" and case.category == "drugs"
    assert case.reporter.channel_user_id() == NUMBER and NUMBER not in case.reporter.channel_user_sealed
    assert len(phone.sent) == 1
    sent = phone.sent[0]
    assert sent["phoneNumbers"] == [NUMBER] and sent["withDeliveryReport"] is True
    assert case.reference in sent["textMessage"]["text"]
    answer = case.messages.get(direction=Message.Direction.AUTO)
    assert answer.delivery == Message.Delivery.SENT
    # Through the one send path of every channel, with the key of the answer's first part.
    assert Task.objects.get(kind="channel.send").payload["message_id"] == answer.pk
    assert sent["id"] == f"{gateway().id_prefix}-{answer.pk}.0" and answer.provider_id == sent["id"]
    assert not Task.objects.filter(kind__startswith="sms.").exists()
    outbound = SmsOutbound.objects.get()
    assert outbound.state == SmsOutbound.State.SENT and outbound.provider_id == sent["id"]
    assert outbound.parts == parts.parts(sent["textMessage"]["text"]) == 2 and outbound.encoding == "ucs2"


@pytest.mark.parametrize(
    "signature",
    ["", "0" * 64, "not-hex", "SIGNED_WITH_ANOTHER_KEY", "SIGNED_WITHOUT_TIMESTAMP", "SIGNED_TIMESTAMP_FIRST"],
)
def test_bad_signatures_are_refused_and_nothing_is_stored(world: World, phone: FakeSmsGateway, signature: str) -> None:
    import hashlib
    import hmac

    body = json.dumps(fixture("sms_received")).encode()
    stamp = str(int(time.time()))
    forged = {
        "SIGNED_WITH_ANOTHER_KEY": hmac.new(b"another-key", body + stamp.encode(), hashlib.sha256).hexdigest(),
        "SIGNED_WITHOUT_TIMESTAMP": hmac.new(KEY.encode(), body, hashlib.sha256).hexdigest(),
        "SIGNED_TIMESTAMP_FIRST": hmac.new(KEY.encode(), stamp.encode() + body, hashlib.sha256).hexdigest(),
    }
    response = FakeSmsGateway.post(URL, body, KEY, timestamp=int(stamp), signature=forged.get(signature, signature))
    assert response.status_code == 401 and response.json() == {"error": "bad_signature"}
    assert InboundEvent.objects.count() == 0


def test_a_tampered_body_or_timestamp_fails_the_signature(world: World, phone: FakeSmsGateway) -> None:
    from canhgiac.web.channels.sms.signature import expected_signature

    body = json.dumps(fixture("sms_received")).encode()
    stamp = int(time.time())
    signature = expected_signature(KEY, body, str(stamp))
    assert FakeSmsGateway.post(URL, body.replace(b"ma tuy", b"ma tui"), KEY, timestamp=stamp, signature=signature).status_code == 401
    assert FakeSmsGateway.post(URL, body, KEY, timestamp=stamp + 1, signature=signature).status_code == 401
    assert FakeSmsGateway.post(URL, body, KEY, timestamp=stamp, signature=signature.upper()).status_code == 200


@pytest.mark.parametrize("age", [-400, 301, 3600])
def test_stale_events_are_refused(world: World, phone: FakeSmsGateway, age: int) -> None:
    response = deliver(fixture("sms_received"), timestamp=int(time.time()) - age)
    assert response.status_code == 401 and response.json() == {"error": "stale"}
    assert InboundEvent.objects.count() == 0


def test_the_age_limit_is_a_setting(world: World, phone: FakeSmsGateway, settings: Any) -> None:
    settings.SMS_SIGNATURE_MAX_AGE = 3600
    assert deliver(fixture("sms_received"), timestamp=int(time.time()) - 1800).status_code == 200


def test_malformed_requests_get_a_clear_answer(world: World, phone: FakeSmsGateway) -> None:
    def signed(body: bytes, **kwargs: Any) -> Any:
        return FakeSmsGateway.post(URL, body, KEY, **kwargs)

    assert signed(b"{not json").status_code == 400
    assert signed("\xff".encode("latin-1")).status_code == 400
    assert signed(b"[1]").json() == {"error": "bad_event"}
    assert signed(json.dumps({**fixture("sms_received"), "id": 7}).encode()).json() == {"error": "bad_event"}
    # Numbers JSON does not have: Python reads them, PostgreSQL's JSON type would not store them.
    for number in ("Infinity", "NaN", "-1e999"):
        odd_number = json.dumps(fixture("sms_received"))[:-1] + f', "extra": {number}}}'
        assert signed(odd_number.encode()).json() == {"error": "bad_json"}, number
    stamp = "soon"
    from canhgiac.web.channels.sms.signature import expected_signature

    body = json.dumps(fixture("sms_received")).encode()
    from django.test import Client

    odd = Client().post(
        URL, body, content_type="application/json", HTTP_X_SIGNATURE=expected_signature(KEY, body, stamp), HTTP_X_TIMESTAMP=stamp
    )
    assert odd.status_code == 400 and odd.json() == {"error": "bad_timestamp"}
    assert FakeSmsGateway.post("/channels/sms/nowhere/webhook", body, KEY).status_code == 404
    assert FakeSmsGateway.post("/channels/zalo-a/webhook", body, KEY).status_code == 404
    assert Client().get(URL).status_code == 405
    assert InboundEvent.objects.count() == 0


def test_a_channel_without_a_signing_key_accepts_nothing(world: World, phone: FakeSmsGateway) -> None:
    SmsGateway.objects.update(signing_key_sealed="")
    assert FakeSmsGateway.post(URL, json.dumps(fixture("sms_received")).encode(), "").status_code == 401
    assert InboundEvent.objects.count() == 0


def test_pings_and_other_events_are_acknowledged_and_not_kept(world: World, phone: FakeSmsGateway) -> None:
    assert deliver(fixture("system_ping")).json() == {"status": "ignored"}
    assert deliver(fixture("sms_received", event="mms:received")).json() == {"status": "ignored"}
    assert InboundEvent.objects.count() == 0


def test_a_replayed_event_changes_nothing(world: World, phone: FakeSmsGateway) -> None:
    event = fixture("sms_received")
    assert deliver(event).json() == {"status": "ok"}
    assert deliver(event).json() == {"status": "duplicate"}
    run_tasks()
    assert deliver(event, timestamp=int(time.time()) - 5).json() == {"status": "duplicate"}
    run_tasks()
    assert InboundEvent.objects.count() == 1 and Case.objects.count() == 1
    assert Message.objects.filter(direction=Message.Direction.IN).count() == 1
    assert len(phone.sent) == 1 and len(phone.requests) == 1


def test_same_text_with_another_event_id_is_another_message(world: World, phone: FakeSmsGateway) -> None:
    """The payload's messageId is derived from the text: two SMS that say the same thing
    carry the same one, and both are kept (one case, two messages)."""
    deliver(fixture("sms_received"))
    deliver(fixture("sms_received", id="another-event-id-0001"))
    run_tasks()
    assert Message.objects.filter(direction=Message.Direction.IN).count() == 2 and Case.objects.count() == 1


# ------------------------------------------------------------------ the sender's number


@pytest.mark.parametrize("form", NUMBER_FORMS)
def test_every_way_of_writing_a_number_is_the_same_number(form: str) -> None:
    assert numbers.normalise(form) == NUMBER


def test_short_codes_and_foreign_numbers_stay_as_they_are() -> None:
    assert numbers.normalise("9029") == "9029"
    assert numbers.normalise("+1 415 555 0100") == "+14155550100"
    assert numbers.normalise("") == numbers.normalise("không số") == ""


def test_a_follow_up_from_the_same_number_threads_into_the_open_case(world: World, phone: FakeSmsGateway) -> None:
    deliver(fixture("sms_received"))
    run_tasks()
    deliver(fixture("sms_received_followup"))  # the same number, as "0912345678", in the old field
    run_tasks()
    case = Case.objects.get()
    assert case.messages.filter(direction=Message.Direction.IN).count() == 2 and case.unread
    assert Reporter.objects.filter(channel__slug="sms-a").count() == 1
    assert len(phone.sent) == 2 and phone.sent[1]["phoneNumbers"] == [NUMBER]
    assert f"Đã nhận thêm thông tin cho tin {case.reference}" in phone.sent[1]["textMessage"]["text"]


def test_another_number_opens_another_case(world: World, phone: FakeSmsGateway) -> None:
    deliver(fixture("sms_received"))
    deliver(text_message("Them: ho di xe may mau do, thuong den luc 10 gio dem.", "other-number-0001", sender="+84987654321"))
    run_tasks()
    assert Case.objects.count() == 2


def test_the_number_never_appears_in_the_console(world: World, phone: FakeSmsGateway) -> None:
    deliver(fixture("sms_received"))
    run_tasks()
    case = Case.objects.get()
    officer = world.client(world.officer_a)
    pages = [
        officer.get(f"/console/case/{case.reference}/"),
        officer.get("/console/"),
        world.client(world.supervisor).get(f"/console/case/{case.reference}/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert case.reference in html
        assert not any(digits in html for digits in ("912345678", "912 345 678", "0912345678"))


# ------------------------------------------------------------------- bulletin commands


@pytest.mark.parametrize("command", ["DK", "dk", "ĐK", "Đăng ký", "DANG KY"])
def test_dk_subscribes_and_is_answered_by_sms(world: World, phone: FakeSmsGateway, command: str) -> None:
    deliver(text_message(command, "command-dk-000000001"))
    run_tasks()
    reporter = Reporter.objects.get(channel__slug="sms-a")
    assert reporter.subscribed and reporter.channel_user_id() == NUMBER
    assert Case.objects.count() == 0
    assert len(phone.sent) == 1 and "HUY" in phone.sent[0]["textMessage"]["text"].upper()
    assert SmsOutbound.objects.get().reporter == reporter


@pytest.mark.parametrize("command", ["HUY", "huy", "Hủy", "huỷ", "HỦY"])
def test_huy_stops_bulletins(world: World, phone: FakeSmsGateway, command: str) -> None:
    deliver(text_message("DK", "command-dk-000000001"))
    run_tasks()
    deliver(text_message(command, "command-huy-00000001", sender="0912345678"))
    run_tasks()
    reporter = Reporter.objects.get(channel__slug="sms-a")
    assert not reporter.subscribed and Case.objects.count() == 0
    assert len(phone.sent) == 2 and "DANG KY" in phone.sent[1]["textMessage"]["text"].upper()


# ------------------------------------------------------------------- delivery reports


def _sent_tip(phone: FakeSmsGateway) -> Message:
    deliver(fixture("sms_received"))
    run_tasks()
    return Message.objects.get(direction=Message.Direction.AUTO)


def test_delivered_is_applied_to_what_was_sent(world: World, phone: FakeSmsGateway) -> None:
    answer = _sent_tip(phone)
    event = fixture("sms_delivered", payload={"messageId": phone.sent[0]["id"]})
    assert deliver(event).json() == {"status": "ok"}
    run_tasks()
    assert SmsOutbound.objects.get().state == SmsOutbound.State.DELIVERED
    answer.refresh_from_db()
    assert answer.delivery == Message.Delivery.SENT and answer.delivered_at is not None
    # A late "sent" report does not take a delivery back.
    deliver(phone.report(0, "sms:sent"))
    run_tasks()
    assert SmsOutbound.objects.get().state == SmsOutbound.State.DELIVERED


def test_failed_is_applied_and_shown_on_the_case(world: World, phone: FakeSmsGateway) -> None:
    answer = _sent_tip(phone)
    deliver(fixture("sms_failed", payload={"messageId": phone.sent[0]["id"]}))
    run_tasks()
    outbound = SmsOutbound.objects.get()
    assert outbound.state == SmsOutbound.State.FAILED and outbound.error == "RESULT_ERROR_GENERIC_FAILURE"
    answer.refresh_from_db()
    assert answer.delivery == Message.Delivery.FAILED and "RESULT_ERROR_GENERIC_FAILURE" in answer.delivery_error
    page = world.client(world.officer_a).get(f"/console/case/{answer.case.reference}/").content.decode()
    assert "Điện thoại báo không gửi được tin tới người dân" in page


def test_a_report_about_another_channels_message_changes_nothing(world: World, phone: FakeSmsGateway) -> None:
    _sent_tip(phone)
    deliver(fixture("sms_failed", payload={"messageId": "not-one-of-ours"}))
    run_tasks()
    assert SmsOutbound.objects.get().state == SmsOutbound.State.SENT


# ---------------------------------------------------------------------------- cost


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("a" * 160, "gsm7", 1),
        ("a" * 161, "gsm7", 2),
        ("a" * 306, "gsm7", 2),
        ("a" * 307, "gsm7", 3),
        ("[" * 80, "gsm7", 1),  # the extension table takes two septets
        ("[" * 81, "gsm7", 2),
        ("a" * 152 + "[" + "a" * 153, "gsm7", 3),  # an escape is never cut between parts
        ("Cảnh giác " * 7, "ucs2", 1),  # 70 characters with accents
        ("Cảnh giác " * 7 + "!", "ucs2", 2),
        ("ạ" * 134, "ucs2", 2),
        ("ạ" * 135, "ucs2", 3),
        ("Canh giac " * 16, "gsm7", 1),  # the same words without accents: 160 in one part
        ("😀" * 35, "ucs2", 1),
        ("", "gsm7", 1),
    ],
)
def test_parts_are_counted_as_phones_split(text: str, encoding: str, count: int) -> None:
    counted = parts.count(text)
    assert (counted.encoding, counted.parts) == (encoding, count)


def test_decomposed_accents_are_counted_as_written() -> None:
    import unicodedata

    assert parts.count(unicodedata.normalize("NFD", "Cảnh giác " * 7)).parts == 1


def test_the_plain_form_drops_diacritics_and_costs_less() -> None:
    text = "Đường dây nóng “Cảnh giác” — hãy gọi 113 khi có người bị đe dọa…"
    plain = parts.plain(text)
    assert plain == 'Duong day nong "Canh giac" - hay goi 113 khi co nguoi bi de doa...'
    assert parts.count(text).encoding == "ucs2" and parts.count(plain).encoding == "gsm7"
    assert adapter_for("sms").cost(text * 3) == 3 and adapter_for("sms").cost(plain * 3) == 2  # type: ignore[union-attr]


def test_a_long_answer_with_accents_goes_without_them(world: World, phone: FakeSmsGateway) -> None:
    long = "Bạn cần mang căn cước công dân và sổ hộ khẩu tới Công an xã trong giờ hành chính. " * 2
    sent = ADAPTER.send_text(gateway().channel, NUMBER, long, key="t1")
    assert phone.texts() == [parts.plain(long)] and sent.parts == parts.parts(parts.plain(long)) == 2
    assert SmsOutbound.objects.get().encoding == "gsm7"


def test_the_unit_can_keep_accents_and_an_officer_can_choose(world: World, phone: FakeSmsGateway) -> None:
    SmsGateway.objects.update(plain_over_parts=0)
    long = "Bạn cần mang căn cước công dân và sổ hộ khẩu tới Công an xã trong giờ hành chính. " * 2
    adapter = ADAPTER
    adapter.send_text(gateway().channel, NUMBER, long, key="t1")
    adapter.send_text(gateway().channel, NUMBER, "Chào bạn", key="t2", plain=True)
    assert phone.texts() == [long, "Chao ban"]
    assert list(SmsOutbound.objects.order_by("pk").values_list("parts", flat=True)) == [parts.parts(long), 1]


# ------------------------------------------------------------------------- daily cap


def answer(world: World, body: str) -> Message:
    """An officer's answer on an SMS case, waiting to be sent (none is sent yet)."""
    case = world.tip(channel=gateway().channel, channel_user_id=NUMBER).case
    return Message.objects.create(case=case, direction=Message.Direction.OUT, body=body, delivery=Message.Delivery.PENDING)


def queue_answer(message: Message) -> Task:
    """The answer's send queued as the generic actions queue it."""
    task = enqueue("channel.send", {"message_id": message.pk}, dedupe_key=f"channel.send:{message.pk}")
    assert task is not None
    return task


def test_over_the_daily_cap_answers_wait_for_the_next_day(world: World, phone: FakeSmsGateway) -> None:
    SmsGateway.objects.update(daily_cap=2)
    channel = gateway().channel
    ADAPTER.send_text(channel, NUMBER, "Tin thu nhat", key="a")
    ADAPTER.send_text(channel, "0987654321", "Tin thu hai", key="b")
    with pytest.raises(actions.OverCap) as over:
        ADAPTER.send_text(channel, NUMBER, "Tin thu ba", key="c")
    assert over.value.resume_at == actions.next_day() > timezone.now() and not over.value.permanent
    waiting = answer(world, "Cán bộ sẽ đến xác minh.")
    task = queue_answer(waiting)
    for _attempt in range(task.max_attempts + 2):  # however often it is tried today, it waits for tomorrow
        Task.objects.filter(pk=task.pk).update(run_after=timezone.now())
        assert run_pending() >= 1
        task.refresh_from_db()
        assert task.status == Task.Status.QUEUED and task.run_after >= actions.next_day()
    waiting.refresh_from_db()
    assert waiting.delivery == Message.Delivery.PENDING and "hết hạn mức 2 SMS hôm nay" in waiting.delivery_error
    assert run_pending() == 0  # nothing else runs before then
    banner = world.client(world.officer_a).get("/console/").content.decode()
    assert "hết hạn mức 2 SMS hôm nay" in banner and "Quản trị viên có thể nâng hạn mức" in banner
    assert len(phone.sent) == 2 and actions.used_today(world.commune_a.pk) == 2
    # The next day: yesterday's sends no longer count, and the task's time has come.
    SmsOutbound.objects.update(created=timezone.now() - timedelta(days=1))
    Task.objects.filter(pk=task.pk).update(run_after=timezone.now())
    assert run_pending() >= 1
    waiting.refresh_from_db()
    assert waiting.delivery == Message.Delivery.SENT and "Cán bộ sẽ đến xác minh." in phone.texts()
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE
    assert "hết hạn mức" not in world.client(world.officer_a).get("/console/").content.decode()


def test_a_text_longer_than_the_whole_cap_fails_with_a_reason(world: World, phone: FakeSmsGateway) -> None:
    SmsGateway.objects.update(daily_cap=1, plain_over_parts=0)
    waiting = answer(world, "Cán bộ đã nhận tin và sẽ đến xác minh trong buổi chiều nay, xin cảm ơn.")  # two parts
    dispatch.send_message({"message_id": waiting.pk})
    waiting.refresh_from_db()
    assert waiting.delivery == Message.Delivery.FAILED and "hơn cả hạn mức 1 SMS" in waiting.delivery_error
    assert phone.sent == []


def test_the_cap_is_the_units_across_its_channels(world: World, phone: FakeSmsGateway) -> None:
    SmsGateway.objects.update(daily_cap=2)
    second = Channel.objects.create(unit=world.commune_a, kind=Channel.Kind.SMS, slug="sms-a2", name="SMS 2")
    other = SmsGateway(channel=second, base_url=phone.url, username=phone.username, daily_cap=2)
    other.set_secret("password", phone.password)
    other.save()
    ADAPTER.send_text(gateway().channel, NUMBER, "Tin thu nhat", key="a")
    ADAPTER.send_text(second, NUMBER, "Tin thu hai", key="b")
    with pytest.raises(actions.OverCap):
        ADAPTER.send_text(second, NUMBER, "Tin thu ba", key="c")


# ---------------------------------------------------------------------- offline phone


def test_an_offline_phone_keeps_answers_waiting_and_the_console_says_so(world: World, phone: FakeSmsGateway) -> None:
    channel = gateway().channel
    phone.go_offline()
    with pytest.raises(SendError) as caught:
        ADAPTER.send_text(channel, NUMBER, "Tin thu nhat", key="a")
    assert not caught.value.permanent and caught.value.waits and caught.value.code == actions.PHONE_OFFLINE
    banner = world.client(world.officer_a).get("/console/").content.decode()
    assert "SMS xã A" in banner and "Không kết nối được điện thoại gửi SMS" in banner
    # The advice is the SMS channel's own, not Zalo's.
    assert "bắt cùng mạng Wi-Fi với máy chủ" in banner and "Hãy báo quản trị viên kèm mã lỗi" not in banner
    waiting = answer(world, "Cán bộ sẽ đến xác minh.")
    task = queue_answer(waiting)
    delays = []
    for _attempt in range(task.max_attempts + 5):  # it waits, however long, and never gives up
        Task.objects.filter(pk=task.pk).update(run_after=timezone.now())
        before = timezone.now()
        assert run_pending() >= 1
        task.refresh_from_db()
        assert task.status == Task.Status.QUEUED
        delays.append(round((task.run_after - before).total_seconds()))
    assert delays == sorted(delays) and delays[-1] > delays[0]  # with backoff
    waiting.refresh_from_db()
    assert waiting.delivery == Message.Delivery.PENDING and "Không kết nối được điện thoại" in waiting.delivery_error
    phone.come_back()
    Task.objects.filter(pk=task.pk).update(run_after=timezone.now())
    assert run_pending() >= 1
    ADAPTER.send_text(channel, NUMBER, "Tin thu nhat", key="a")
    waiting.refresh_from_db()
    assert waiting.delivery == Message.Delivery.SENT and waiting.delivery_error == ""
    assert phone.texts() == ["Cán bộ sẽ đến xác minh.", "Tin thu nhat"] and phone.sent[0]["phoneNumbers"] == [NUMBER]
    assert phone.sent[0]["id"] == f"{gateway().id_prefix}-{waiting.pk}.0"  # the generic send's key for part 0
    assert "SMS xã A" not in world.client(world.officer_a).get("/console/").content.decode()
    # One claim per send however often it was tried: the answer, "Tin thu nhat", and the
    # tip's acknowledgement (still waiting for its next try).
    assert SmsOutbound.objects.count() == 3


def test_an_answer_lost_after_the_phone_took_the_message_is_not_sent_twice(world: World, phone: FakeSmsGateway) -> None:
    phone.drop_after_taking_next = 1
    deliver(fixture("sms_received"))
    run_tasks()
    run_tasks()
    assert len(phone.requests) == 2 and len(phone.sent) == 1  # the retry named the same message: 409
    assert Message.objects.get(direction=Message.Direction.AUTO).delivery == Message.Delivery.SENT
    assert SmsOutbound.objects.get().state == SmsOutbound.State.SENT


def test_without_a_key_the_same_answer_to_the_same_message_is_one_sms(world: World, phone: FakeSmsGateway) -> None:
    channel = gateway().channel
    phone.drop_after_taking_next = 1
    with pytest.raises(SendError):
        ADAPTER.send_text(channel, NUMBER, "Đã nhận tin của bạn.", reply_to="event-1")
    ADAPTER.send_text(channel, "0912345678", "Đã nhận tin của bạn.", reply_to="event-1")
    assert len(phone.requests) == 2 and len(phone.sent) == 1
    ADAPTER.send_text(channel, NUMBER, "Đã nhận tin của bạn.", reply_to="event-2")  # an answer to another message
    ADAPTER.send_text(channel, NUMBER, "Cán bộ sẽ gọi lại.", reply_to="event-1")  # another answer
    assert len(phone.sent) == 3
    assert not any(NUMBER[1:] in s["id"] or "nhận" in s["id"] for s in phone.sent)


def test_a_phone_error_is_retried(world: World, phone: FakeSmsGateway) -> None:
    phone.fail_next = 2
    deliver(fixture("sms_received"))
    run_tasks()
    run_tasks()
    run_tasks()
    assert len(phone.sent) == 1 and Message.objects.get(direction=Message.Direction.AUTO).delivery == Message.Delivery.SENT


def test_wrong_credentials_say_what_to_do(world: World, phone: FakeSmsGateway) -> None:
    phone.password = "doi-mat-khau-tren-dien-thoai"
    deliver(fixture("sms_received"))
    run_tasks()
    assert Message.objects.get(direction=Message.Direction.AUTO).delivery == Message.Delivery.PENDING
    banner = world.client(world.officer_a).get("/console/").content.decode()
    assert "từ chối tên đăng nhập hoặc mật khẩu" in banner and "như ứng dụng SMS Gateway hiển thị (mục Local Server)" in banner


def test_a_number_the_phone_refuses_fails_at_once(world: World, phone: FakeSmsGateway) -> None:
    deliver(text_message("Co nguoi danh bac o quan nuoc dau ngo.", "short-code-00000001", sender="9029"))
    run_tasks()
    answer = Message.objects.get(direction=Message.Direction.AUTO)
    assert answer.delivery == Message.Delivery.FAILED and "từ chối gửi tới số này" in answer.delivery_error
    assert "9029" not in answer.delivery_error
    assert not Task.objects.filter(status=Task.Status.QUEUED).exists()  # not retried
    assert actions.used_today(world.commune_a.pk) == 0  # refused: nothing was spent
    assert "channel-health" not in world.client(world.officer_a).get("/console/").content.decode()


# ---------------------------------------------------------------------------- admin


def test_an_admin_pairs_a_phone_and_its_secrets_are_sealed(world: World, phone: FakeSmsGateway) -> None:
    channel = Channel.objects.create(unit=world.commune_b, kind=Channel.Kind.SMS, slug="sms-b", name="SMS xã B")
    client = world.client(world.admin)
    page = client.get("/admin/sms/smsgateway/add/").content.decode()
    assert "SMS xã B" in page and "Zalo xã A" not in page  # only SMS channels are offered
    data = {
        "channel": channel.pk,
        "base_url": "http://192.168.1.20:8080",
        "username": "sms",
        "password": "mat-khau-moi-cua-dien-thoai",
        "signing_key": "khoa-ky-cua-xa-b",
        "daily_cap": "50",
        "plain_over_parts": "2",
    }
    response = client.post("/admin/sms/smsgateway/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = SmsGateway.objects.get(channel=channel)
    assert saved.secret("password") == "mat-khau-moi-cua-dien-thoai" and saved.secret("signing_key") == "khoa-ky-cua-xa-b"
    assert "mat-khau-moi" not in saved.password_sealed
    change = client.get(f"/admin/sms/smsgateway/{saved.pk}/change/").content.decode()
    assert "mat-khau-moi" not in change and "khoa-ky-cua-xa-b" not in change


def test_a_phone_needs_its_secrets_the_first_time(world: World, phone: FakeSmsGateway) -> None:
    channel = Channel.objects.create(unit=world.commune_b, kind=Channel.Kind.SMS, slug="sms-b", name="SMS xã B")
    data = {"channel": channel.pk, "base_url": "http://192.168.1.20:8080", "username": "sms", "daily_cap": "50", "plain_over_parts": "2"}
    response = world.client(world.admin).post("/admin/sms/smsgateway/add/", data)
    assert response.status_code == 200 and not SmsGateway.objects.filter(channel=channel).exists()


def test_another_units_admin_cannot_see_the_phone(world: World, phone: FakeSmsGateway) -> None:
    elsewhere_admin = User.objects.create_user("quantri-xa", password=PASSWORD, unit=world.elsewhere, role=User.Role.ADMIN)
    client = world.client(elsewhere_admin)
    assert client.get(f"/admin/sms/smsgateway/{gateway().pk}/change/").status_code == 404
    assert "SMS xã A" not in client.get("/admin/sms/smsgateway/").content.decode()
    assert world.client(world.officer_a).get("/admin/sms/smsgateway/").status_code == 302
    assert Unit.objects.filter(pk=world.elsewhere.pk).exists()


# ------------------------------------------------------------------------ retention


def test_retention_deletes_what_was_sent_with_the_case(world: World, phone: FakeSmsGateway) -> None:
    from canhgiac.web.cases.actions import change_status
    from canhgiac.web.cases.retention import purge

    sent = answer(world, "Cán bộ sẽ đến xác minh.")
    dispatch.send_message({"message_id": sent.pk})
    case = sent.case
    change_status(case, world.officer_a, Case.Status.CLOSED)
    when = timezone.now() - timedelta(days=world.commune_a.retention_days + 30)
    Case.objects.filter(pk=case.pk).update(last_activity=when, created=when)
    Reporter.objects.filter(pk=case.reporter_id).update(last_message_at=when)
    assert SmsOutbound.objects.get().reporter == case.reporter  # found by the number: it goes with them
    assert purge().cases == 1
    assert not SmsOutbound.objects.exists() and not Reporter.objects.filter(channel__slug="sms-a").exists()


# ------------------------------------------------------------------- bulletins by SMS

BULLETIN_BODY = (
    "Công an không bao giờ gọi điện yêu cầu chuyển tiền hay đọc mã OTP. "
    "Nếu có người xưng là công an gọi điện đòi tiền, hãy cúp máy và báo Công an xã."
)


def sms_subscribers(*senders: str) -> list[Reporter]:
    for number, sender in enumerate(senders):
        deliver(text_message("DK", f"subscribe-{number:012d}", sender=sender))
    run_tasks()
    return list(Reporter.objects.filter(channel__slug="sms-a", subscribed=True).order_by("pk"))


def sms_bulletin(world: World, title: str = "Cảnh báo: giả danh công an gọi điện") -> Bulletin:
    return Bulletin.objects.create(unit=world.commune_a, title=title, body=BULLETIN_BODY, created_by=world.officer_a)


def test_a_bulletin_reaches_sms_subscribers_and_its_cost_is_shown_first(world: World, phone: FakeSmsGateway) -> None:
    readers = sms_subscribers(NUMBER, "0987654321")
    item = sms_bulletin(world)
    text = sending.fitted_text(item, sending.manage_url(readers[-1]), ADAPTER.max_text)
    accented, plain = parts.parts(text), parts.parts(parts.plain(text))
    assert accented > plain > 1 and accented > gateway().plain_over_parts  # long: the unit's rule sends it without accents
    used = actions.used_today(world.commune_a.pk)
    client = world.client(world.officer_a)
    page = client.post(f"/console/bulletins/{item.pk}/send/").content.decode()
    assert f'id="sms-cost-{gateway().channel.pk}" data-recipients="2" data-parts="{2 * plain}"' in page
    assert f"Có dấu: {accented} phần tin mỗi người, tổng <strong>{2 * accented}</strong> SMS." in page
    assert f"Không dấu: {plain} phần tin mỗi người, tổng <strong>{2 * plain}</strong> SMS." in page
    assert f"tin dài được gửi không dấu: bản tin này tốn <strong>{2 * plain}</strong> SMS" in page
    assert f"Hạn mức của đơn vị: 200 SMS mỗi ngày; hôm nay đã dùng {used}, còn {200 - used}." in page
    assert "vượt hạn mức" not in page and len(phone.sent) == 2  # nothing sent before the confirmation
    assert client.post(f"/console/bulletins/{item.pk}/send/", {"confirm": "1"}).status_code == 302
    run_tasks()
    run_tasks()  # the fan-out paces its deliveries
    deliveries = list(Delivery.objects.filter(bulletin=item).order_by("reporter_id"))
    assert [d.status for d in deliveries] == [Delivery.Status.SENT] * 2
    copies = phone.sent[2:]
    assert sorted(c["phoneNumbers"][0] for c in copies) == sorted([NUMBER, "+84987654321"])
    assert all(c["textMessage"]["text"] == parts.plain(c["textMessage"]["text"]) and "HUY" in c["textMessage"]["text"] for c in copies)
    # Each copy is sent under the delivery's key, and counted in parts against the cap.
    prefix = gateway().id_prefix
    assert {c["id"] for c in copies} == {f"{prefix}-b{d.pk}" for d in deliveries} == {d.provider_id for d in deliveries}
    for copy in copies:
        assert SmsOutbound.objects.get(provider_id=copy["id"]).parts == parts.parts(copy["textMessage"]["text"]) == plain
    assert actions.used_today(world.commune_a.pk) == used + 2 * plain
    # The phone's delivery report reaches the bulletin's page through the same path as Zalo's.
    deliver(fixture("sms_delivered", id="delivered-bulletin-1", payload={"messageId": deliveries[0].provider_id}))
    run_tasks()
    assert Delivery.objects.get(pk=deliveries[0].pk).delivered_at is not None
    assert SmsOutbound.objects.get(provider_id=deliveries[0].provider_id).state == SmsOutbound.State.DELIVERED
    # Zalo's once-a-day limit is Zalo's: a second bulletin the same day goes by SMS.
    second = sms_bulletin(world, "Cảnh báo thứ hai")
    sending.send(second, world.officer_a)
    run_tasks()
    run_tasks()
    assert set(Delivery.objects.filter(bulletin=second).values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_bulletin_over_the_daily_cap_waits_and_the_page_says_so(world: World, phone: FakeSmsGateway) -> None:
    readers = sms_subscribers(NUMBER, "0987654321")
    item = sms_bulletin(world)
    each = parts.parts(parts.plain(sending.fitted_text(item, sending.manage_url(readers[-1]), ADAPTER.max_text)))
    used = actions.used_today(world.commune_a.pk)
    SmsGateway.objects.update(daily_cap=used + each)  # room for one copy today
    page = world.client(world.officer_a).post(f"/console/bulletins/{item.pk}/send/").content.decode()
    day = timezone.localtime(actions.next_day()).strftime("%d/%m/%Y")
    assert f"1 người vượt hạn mức hôm nay: tin của họ chờ và tự gửi sau 0 giờ ngày {day}." in page
    sending.send(item, world.officer_a)
    run_pending()
    for _attempt in range(8):  # tried again and again today, the second copy waits, never fails
        Task.objects.filter(kind="bulletin.deliver", status=Task.Status.QUEUED).update(run_after=timezone.now())
        run_pending()
    statuses = sorted(Delivery.objects.filter(bulletin=item).values_list("status", flat=True))
    assert statuses == [Delivery.Status.PENDING, Delivery.Status.SENT]
    waiting = Delivery.objects.get(bulletin=item, status=Delivery.Status.PENDING)
    assert "hết hạn mức" in waiting.reason
    task = Task.objects.get(dedupe_key=f"bulletin.deliver:{waiting.pk}")
    assert task.status == Task.Status.QUEUED and task.run_after >= actions.next_day()
    # The next day it goes.
    SmsOutbound.objects.update(created=timezone.now() - timedelta(days=1))
    Task.objects.filter(pk=task.pk).update(run_after=timezone.now())
    run_pending()
    assert Delivery.objects.get(pk=waiting.pk).status == Delivery.Status.SENT


# ------------------------------------------------------------- the officer's reply

REPLY = "Cán bộ xã đã nhận tin, sẽ đến xác minh chiều nay. Bạn giữ bí mật giúp chúng tôi nhé, cảm ơn bạn rất nhiều."


def test_the_reply_form_counts_parts_and_an_officer_can_send_without_diacritics(world: World, phone: FakeSmsGateway) -> None:
    SmsGateway.objects.update(plain_over_parts=0)  # the unit's rule sends as written: only the officer's choice counts
    deliver(fixture("sms_received"))
    run_tasks()
    case = Case.objects.get()
    client = world.client(world.officer_a)
    url = f"/console/case/{case.reference}/"
    page = client.get(url).content.decode()
    assert 'id="reply-plain"' in page and "Gửi không dấu (rẻ hơn)" in page
    # "Đếm số phần tin": the server counts the text as typed, and sends nothing.
    # The form posts its hidden "reply" and the button's "reply_preview": the button's, last, counts.
    preview = client.post(f"{url}action/", {"action": ["reply", "reply_preview"], "body": REPLY, "plain": "1"})
    html = preview.content.decode()
    accented, plain = parts.parts(REPLY), parts.parts(parts.plain(REPLY))
    assert preview.status_code == 200 and (accented, plain) == (2, 1)
    assert f"Tin này tốn {accented} phần tin SMS có dấu, {plain} phần tin nếu gửi không dấu." in html
    assert f"<q>{parts.plain(REPLY)}</q>" in html and f">{REPLY}</textarea>" in html
    assert not case.messages.filter(direction=Message.Direction.OUT).exists() and len(phone.sent) == 1
    # Sent without diacritics: the citizen gets the plain form, the case keeps the officer's words.
    assert client.post(f"{url}action/", {"action": "reply", "body": REPLY, "plain": "1"}).status_code == 302
    run_tasks()
    cheap = case.messages.get(direction=Message.Direction.OUT)
    assert cheap.body == REPLY and cheap.delivery == Message.Delivery.SENT
    assert phone.texts()[-1] == parts.plain(REPLY) and SmsOutbound.objects.get(provider_id=cheap.provider_id).parts == plain
    # Without the box ticked, it goes as written.
    assert client.post(f"{url}action/", {"action": "reply", "body": "Cảm ơn bạn."}).status_code == 302
    run_tasks()
    assert phone.texts()[-1] == "Cảm ơn bạn."
    thread = client.get(url).content.decode()
    assert thread.count("đã gửi không dấu") == 1 and thread.index("đã gửi không dấu") < thread.index("Cảm ơn bạn.</div>")


def test_channels_that_send_for_free_offer_no_sms_options(world: World, phone: FakeSmsGateway) -> None:
    case = world.tip(channel=world.zalo_a, channel_user_id="zalo-user-1").case
    page = world.client(world.officer_a).get(f"/console/case/{case.reference}/").content.decode()
    assert 'id="reply-form"' in page and 'id="reply-plain"' not in page and "phần tin" not in page


def test_a_bulletin_too_long_for_one_sms_send_keeps_the_way_to_stop(world: World) -> None:
    item = Bulletin(title="Cảnh báo", body="Nội dung rất dài. " * 60)
    url = "https://canhgiac.example/b/abc/"
    text = sending.fitted_text(item, url, ADAPTER.max_text)
    assert len(item.text(url)) > ADAPTER.max_text >= len(text)
    assert text.startswith("Cảnh báo\n\nNội dung rất dài.") and text.endswith(f"(Nhắn HUY hoặc mở {url} để ngừng nhận bản tin.)")
    assert "…" in text and sending.fitted_text(item, url, 5000) == item.text(url)  # one that fits is untouched


# ------------------------------------------------------------ defects fixed (f2 review)


def test_the_citizens_number_is_sealed_in_stored_events(world: World, phone: FakeSmsGateway) -> None:
    deliver(text_message("Co nguoi la ban ma tuy o thon 3, xin bao tin", "evt-first"))
    run_tasks()
    case = Case.objects.get()
    deliver(text_message("Toi gui them: ho di xe may do", "evt-second", sender="0912 345 678"))
    sent = phone.sent[0]["id"]
    deliver(fixture("sms_delivered", id="evt-report", payload={"messageId": sent}))
    run_tasks()
    # Processing still finds the number: the follow-up threads into the same case, the report applies.
    assert Case.objects.count() == 1 and case.messages.filter(direction=Message.Direction.IN).count() == 2
    assert SmsOutbound.objects.get(provider_id=sent).state == SmsOutbound.State.DELIVERED
    stored = [json.dumps(row.payload, ensure_ascii=False) for row in InboundEvent.objects.all()]
    assert len(stored) == 3
    for text in stored:
        digits = "".join(ch for ch in text if ch.isdigit())
        assert "912345678" not in digits and "912345678" not in text.replace(" ", "")
    assert all('"number_sealed"' in text for text in stored)


def test_a_unit_pairs_one_phone_and_its_cap_is_held_under_a_lock_on_the_unit(world: World, phone: FakeSmsGateway) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    second = Channel.objects.create(unit=world.commune_a, kind=Channel.Kind.SMS, slug="sms-a2", name="SMS 2")
    data = {
        "channel": second.pk,
        "base_url": "http://192.168.1.21:8080",
        "username": "sms",
        "password": "mat-khau",
        "signing_key": "khoa",
        "daily_cap": "500",
        "plain_over_parts": "2",
    }
    response = world.client(world.admin).post("/admin/sms/smsgateway/add/", data)
    assert response.status_code == 200 and "Đơn vị này đã có một điện thoại gửi SMS" in response.content.decode()
    assert not SmsGateway.objects.filter(channel=second).exists()
    # The claim locks the unit's row (whose sends the cap counts), not one phone's.
    with CaptureQueriesContext(connection) as queries:
        ADAPTER.send_text(gateway().channel, NUMBER, "Tin thu nhat", key="a")
    unit_table = world.commune_a._meta.db_table
    locks = [q["sql"] for q in queries.captured_queries if f'FROM "{unit_table}"' in q["sql"]]
    assert locks, "the unit row is read in the claim"
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in sql for sql in locks)
    assert not any("FOR UPDATE" in q["sql"] and "sms_smsgateway" in q["sql"] for q in queries.captured_queries)


def test_a_photo_cannot_go_with_an_sms_answer(world: World, phone: FakeSmsGateway) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from canhgiac.web.cases import actions as case_actions
    from canhgiac.web.core.images import clean_image
    from tests.web.test_zalo import _jpeg_with_gps

    deliver(fixture("sms_received"))
    run_tasks()
    case = Case.objects.get()
    client = world.client(world.officer_a)
    page = client.get(f"/console/case/{case.reference}/").content.decode()
    assert 'id="reply-form"' in page and 'name="photo"' not in page  # no photo offered
    photo = SimpleUploadedFile("anh.jpg", _jpeg_with_gps(), "image/jpeg")
    response = client.post(f"/console/case/{case.reference}/action/", {"action": "reply", "body": "Cảm ơn bạn.", "photo": photo})
    assert response.status_code == 400 and "Kênh này chỉ gửi được chữ (như SMS)" in response.content.decode()
    with pytest.raises(case_actions.ActionError):
        case_actions.reply(case, world.officer_a, "Cảm ơn bạn.", image=clean_image(_jpeg_with_gps(), 10_000_000))
    assert not case.messages.filter(direction=Message.Direction.OUT).exists() and len(phone.sent) == 1
    # Zalo sends photos: its form still offers one.
    zalo_case = world.tip(channel=world.zalo_a, channel_user_id="zalo-user-1").case
    assert 'name="photo"' in client.get(f"/console/case/{zalo_case.reference}/").content.decode()


def test_a_report_on_any_part_of_a_long_answer_finds_it(world: World, phone: FakeSmsGateway) -> None:
    deliver(fixture("sms_received"))
    run_tasks()
    case = Case.objects.get()
    long_reply = " ".join(["Cán bộ xã đã nhận tin và sẽ đến xác minh ngay trong chiều nay."] * 30)
    assert len(dispatch.split_text(long_reply, ADAPTER.max_text)) == 3
    client = world.client(world.officer_a)
    assert client.post(f"/console/case/{case.reference}/action/", {"action": "reply", "body": long_reply}).status_code == 302
    run_tasks()
    answer = case.messages.get(direction=Message.Direction.OUT)
    ids = [str(i) for i in answer.provider_ids]
    assert len(ids) == 3 and answer.delivery == Message.Delivery.SENT and answer.provider_id == ids[0]
    # A later part delivered says nothing yet; the first part delivered marks the answer delivered.
    deliver(fixture("sms_delivered", id="rep-2", payload={"messageId": ids[1]}))
    run_tasks()
    answer.refresh_from_db()
    assert answer.delivered_at is None
    deliver(fixture("sms_delivered", id="rep-1", payload={"messageId": ids[0]}))
    run_tasks()
    answer.refresh_from_db()
    assert answer.delivered_at is not None and answer.delivery == Message.Delivery.SENT
    # The third part failing fails the whole answer, with the phone's reason.
    deliver(fixture("sms_failed", id="rep-3", payload={"messageId": ids[2]}))
    run_tasks()
    answer.refresh_from_db()
    assert SmsOutbound.objects.get(provider_id=ids[2]).state == SmsOutbound.State.FAILED
    assert answer.delivery == Message.Delivery.FAILED and "RESULT_ERROR_GENERIC_FAILURE" in answer.delivery_error
