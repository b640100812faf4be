"""Bulletins: subscribing by Zalo message, fan-out through the fake Zalo server, Zalo's
limits, reach, permissions and the public page."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.bulletins import sending
from canhgiac.web.bulletins.models import Bulletin, Delivery
from canhgiac.web.cases.models import Case, Reporter
from canhgiac.web.tasks.models import Task
from canhgiac.web.tasks.queue import run_pending
from tests.web.conftest import World
from tests.web.fake_zalo import FakeZalo
from tests.web.test_zalo import USER, deliver, event, run_tasks

MESSAGE_IDS = itertools.count(1)


def message(text: str, sender: str = USER) -> bytes:
    data = json.loads(event("user_send_text"))
    data["message"] = {"text": text, "msg_id": f"msg-{next(MESSAGE_IDS)}"}
    data["sender"] = {"id": sender}
    return json.dumps(data, ensure_ascii=False).encode()


def subscribe(*senders: str) -> None:
    for sender in senders:
        assert deliver(message("DANG KY", sender)).status_code == 200
    run_tasks()


def bulletin(world: World, title: str = "Cảnh báo: giả danh công an gọi điện") -> Bulletin:
    return Bulletin.objects.create(
        unit=world.commune_a, title=title, body="Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.", created_by=world.officer_a
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ĐĂNG KÝ", True),
        ("dang ky", True),
        ("Đăng ký bản tin!", True),
        ("DK", True),
        ("HỦY", False),
        ("huy dang ky", False),
        ("ngừng", False),
        ("đăng ký xe máy cần giấy tờ gì", None),  # a question about a procedure, not a command
        ("hủy hợp đồng bảo hiểm thế nào", None),
        ("", None),
    ],
)
def test_subscription_commands(text: str, expected: bool | None) -> None:
    assert sending.subscription_command(text) is expected


def test_subscribe_and_unsubscribe_by_message_open_no_case(world: World, zalo: FakeZalo) -> None:
    subscribe(USER)
    reporter = Reporter.objects.get()
    assert reporter.subscribed is True and Case.objects.count() == 0
    assert "đã đăng ký nhận bản tin" in zalo.texts()[-1]
    assert zalo.sent[-1]["body"]["recipient"]["user_id"] == USER
    deliver(message("Hủy"))
    run_tasks()
    reporter.refresh_from_db()
    assert reporter.subscribed is False and Case.objects.count() == 0
    assert "ngừng nhận bản tin" in zalo.texts()[-1]


def test_follow_subscribes_and_unfollow_stops(world: World, zalo: FakeZalo) -> None:
    deliver(event("follow"))
    run_tasks()
    assert Reporter.objects.get().subscribed is True and zalo.sent == []  # a follow needs no answer
    deliver(event("unfollow"))
    run_tasks()
    assert Reporter.objects.get().subscribed is False


def test_fanout_reaches_each_subscriber_once(world: World, zalo: FakeZalo) -> None:
    subscribe("1001", "1002", "1003")
    deliver(message("Huy", "1003"))
    deliver(message("Có người lạ hỏi mua đất", "1004"))  # wrote in, never subscribed
    run_tasks()
    sent_before = len(zalo.sent)
    item = bulletin(world)
    sending.send(item, world.officer_a)
    run_tasks()  # the fan-out, which paces the deliveries
    run_tasks()
    run_tasks()  # a third run changes nothing
    news = zalo.sent[sent_before:]
    assert sorted(s["body"]["recipient"]["user_id"] for s in news) == ["1001", "1002"]
    assert all(s["body"]["message"]["text"].startswith("Cảnh báo: giả danh công an") for s in news)
    assert "Nhắn HUY" in news[0]["body"]["message"]["text"]
    item.refresh_from_db()
    assert item.status == Bulletin.Status.SENT and item.sent_at is not None
    assert sending.reach([item])[item.pk] == {"pending": 0, "sent": 2, "failed": 0, "skipped": 0}
    assert AuditEvent.objects.filter(action="bulletin.sent", actor=world.officer_a).count() == 1
    with pytest.raises(ValueError):
        sending.send(item, world.officer_a)


def test_subscribers_of_other_units_are_not_reached(world: World, zalo: FakeZalo) -> None:
    subscribe("1001")
    item = Bulletin.objects.create(unit=world.commune_b, title="Tin xã B", body="Nội dung")
    sending.send(item, world.officer_b)
    run_tasks()
    assert sending.reach([item])[item.pk]["sent"] == 0
    district = Bulletin.objects.create(unit=world.district, title="Tin huyện", body="Nội dung")
    sending.send(district, world.supervisor)
    run_tasks()
    assert sending.reach([district])[district.pk]["sent"] == 1  # the district speaks to its communes


def test_one_a_day_and_four_a_month(world: World, zalo: FakeZalo) -> None:
    subscribe("1001")
    first, second = bulletin(world, "Tin thứ nhất"), bulletin(world, "Tin thứ hai")
    sending.send(first, world.officer_a)
    run_tasks()
    sending.send(second, world.officer_a)
    run_tasks()
    assert Delivery.objects.get(bulletin=second).status == Delivery.Status.SKIPPED
    assert Delivery.objects.get(bulletin=second).reason == "limit: one a day"
    # Three more, on three later days: the fourth within thirty days is the last one allowed.
    Delivery.objects.filter(status=Delivery.Status.SENT).update(sent_at=timezone.now() - timedelta(days=20))
    for n, days_ago in enumerate([15, 10, 2]):
        item = bulletin(world, f"Tin {n}")
        sending.send(item, world.officer_a)
        run_tasks()
        Delivery.objects.filter(bulletin=item).update(sent_at=timezone.now() - timedelta(days=days_ago))
        assert Delivery.objects.get(bulletin=item).status == Delivery.Status.SENT
    fifth = bulletin(world, "Tin thứ năm")
    sending.send(fifth, world.officer_a)
    run_tasks()
    assert Delivery.objects.get(bulletin=fifth).reason == "limit: four a month"


def test_unsubscribing_after_fanout_stops_the_delivery(world: World, zalo: FakeZalo) -> None:
    subscribe("1001")
    item = bulletin(world)
    sending.send(item, world.officer_a)
    sending.fanout({"bulletin_id": item.pk})  # recipients chosen; deliveries still queued
    Reporter.objects.update(subscribed=False)
    run_tasks()
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED and Delivery.objects.get().reason == "unsubscribed"


def test_zalo_down_then_up_delivers_once(world: World, zalo: FakeZalo) -> None:
    subscribe("1001")
    sent_before = len(zalo.sent)
    zalo.fail_next = 2
    item = bulletin(world)
    sending.send(item, world.officer_a)
    run_tasks()
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    run_tasks()
    run_tasks()
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert len(zalo.sent) == sent_before + 1


def test_zalo_down_for_good_marks_the_delivery_failed(world: World, zalo: FakeZalo) -> None:
    subscribe("1001")
    item = bulletin(world)
    sending.send(item, world.officer_a)
    zalo.fail_next = 100
    for _ in range(12):
        run_tasks()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "500" in delivery.reason
    assert Task.objects.get(kind="bulletin.deliver").status == Task.Status.FAILED


def test_scheduled_bulletin_waits(world: World, zalo: FakeZalo) -> None:
    subscribe("1001")
    item = bulletin(world)
    client = world.client(world.officer_a)
    when = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/console/bulletins/{item.pk}/send/", {"when": when, "confirm": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.status == Bulletin.Status.SCHEDULED
    run_pending()  # not yet due
    assert Delivery.objects.count() == 0
    run_tasks()  # time passes
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert client.post(f"/console/bulletins/{item.pk}/send/", {"when": "ngày mai"}).status_code == 302
    assert "Thời gian không hợp lệ" in client.get(f"/console/bulletins/{item.pk}/").content.decode()


def test_console_write_send_and_see_reach(world: World, zalo: FakeZalo) -> None:
    subscribe("1001", "1002")
    client = world.client(world.officer_a)
    response = client.post(
        "/console/bulletins/new/", {"unit": world.commune_a.pk, "title": "Lừa đảo đầu tư tiền ảo", "body": "Đừng chuyển tiền."}
    )
    item = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/bulletins/{item.pk}/"
    assert item.created_by == world.officer_a and item.status == Bulletin.Status.DRAFT
    client.post(f"/console/bulletins/{item.pk}/send/", {"confirm": "1"})
    run_tasks()  # the fan-out, which paces the deliveries
    run_tasks()
    page = client.get(f"/console/bulletins/{item.pk}/").content.decode()
    assert '<dd id="reach-sent">2</dd>' in page
    assert "Lừa đảo đầu tư tiền ảo" in client.get("/console/bulletins/").content.decode()
    # Sent: no longer editable.
    client.post(f"/console/bulletins/{item.pk}/", {"unit": world.commune_a.pk, "title": "Sửa", "body": "Sửa"})
    item.refresh_from_db()
    assert item.title == "Lừa đảo đầu tư tiền ảo"


def test_too_long_for_one_message_is_refused_in_vietnamese(world: World) -> None:
    client = world.client(world.officer_a)
    page = client.post("/console/bulletins/new/", {"unit": world.commune_a.pk, "title": "Dài", "body": "x" * 2100}).content.decode()
    assert "dài quá một tin nhắn Zalo" in page and Bulletin.objects.count() == 0


def test_permissions(world: World, zalo: FakeZalo) -> None:
    item = bulletin(world)
    viewer = world.client(world.viewer_a)
    assert viewer.get("/console/bulletins/").status_code == 200
    assert viewer.post(f"/console/bulletins/{item.pk}/send/").status_code == 403
    assert viewer.post("/console/bulletins/new/", {"unit": world.commune_a.pk, "title": "T", "body": "B"}).status_code == 403
    assert world.client(world.officer_b).get(f"/console/bulletins/{item.pk}/").status_code == 404
    assert world.client(world.officer_b).post(f"/console/bulletins/{item.pk}/send/").status_code == 404
    # An officer may only write for the units they see.
    world.client(world.officer_b).post("/console/bulletins/new/", {"unit": world.commune_a.pk, "title": "T", "body": "B"})
    assert Bulletin.objects.count() == 1
    assert world.client().get("/console/bulletins/").status_code == 302
    item.refresh_from_db()
    assert item.status == Bulletin.Status.DRAFT


def test_public_page_lists_sent_bulletins_only(world: World, zalo: FakeZalo) -> None:
    sent = bulletin(world, "Đã phát hành")
    bulletin(world, "Còn nháp")
    sending.send(sent, world.officer_a)
    run_tasks()
    page = world.client().get("/ban-tin/xa-a/").content.decode()
    assert "Đã phát hành" in page and "Còn nháp" not in page and "DANG KY" in page
    assert world.client().get("/ban-tin/khong-co/").status_code == 404
    assert 'href="/ban-tin/xa-a/"' in world.client().get("/gui/xa-a/").content.decode()


def test_dashboard_counts_subscribers_and_reach(world: World, zalo: FakeZalo) -> None:
    from datetime import date

    from canhgiac.web.reports.stats import Period, figures

    subscribe("1001", "1002", "1003")
    deliver(message("huỷ", "1003"))
    run_tasks()
    item = bulletin(world)
    sending.send(item, world.officer_a)
    run_tasks()
    run_tasks()
    today = timezone.localdate()
    result = figures([world.commune_a.pk], Period(date(today.year, today.month, 1), today))
    assert (result.subscribers, result.bulletins_sent, result.bulletin_deliveries) == (2, 1, 2)
    assert figures([world.commune_b.pk], Period(date(today.year, today.month, 1), today)).bulletins_sent == 0


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_image_goes_with_the_bulletin_and_is_public_only_once_sent(world: World, zalo: FakeZalo, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SITE_URL = "https://canhgiac.example.vn/"
    subscribe("1001")
    client = world.client(world.officer_a)
    fields = {"unit": world.commune_a.pk, "title": "Ảnh tin nhắn giả", "body": "Tin nhắn như ảnh là lừa đảo."}
    refused = client.post("/console/bulletins/new/", {**fields, "photo": SimpleUploadedFile("a.png", b"not an image")})
    assert "Tệp không phải là ảnh hợp lệ" in refused.content.decode() and Bulletin.objects.count() == 0
    client.post("/console/bulletins/new/", {**fields, "photo": SimpleUploadedFile("a.png", _png(), "image/png")})
    item = Bulletin.objects.get()
    assert item.image.name.endswith(".jpg")
    draft_image = client.get(f"/console/bulletins/{item.pk}/image.jpg")
    assert draft_image.status_code == 200 and draft_image.getvalue()[:2] == b"\xff\xd8"  # re-encoded JPEG
    assert world.client(world.officer_b).get(f"/console/bulletins/{item.pk}/image.jpg").status_code == 404
    assert world.client().get(f"/ban-tin/anh/{item.pk}.jpg").status_code == 404  # a draft is not public
    sending.send(item, world.officer_a)
    run_tasks()
    run_tasks()
    # Uploaded to Zalo first, then sent naming the upload, with the text as its caption:
    # one message, whose id the delivery events name.
    assert len(zalo.uploads) == 1 and item.image.open("rb").read() in zalo.uploads[0]["body"]
    sent = zalo.sent[-1]["body"]["message"]
    element = sent["attachment"]["payload"]["elements"][0]
    assert element == {"media_type": "image", "attachment_id": "att-1"}
    assert sent["text"].startswith("Ảnh tin nhắn giả")
    assert Delivery.objects.get().provider_id == f"oa-msg-{len(zalo.sent)}"
    assert world.client().get(f"/ban-tin/anh/{item.pk}.jpg").status_code == 200
    assert f'src="/ban-tin/anh/{item.pk}.jpg"' in world.client().get("/ban-tin/xa-a/").content.decode()


def test_each_bulletin_carries_the_recipients_own_page(world: World, zalo: FakeZalo, settings: Any) -> None:
    import re

    settings.SITE_URL = "https://canhgiac.example.vn"
    subscribe("1001", "1002")
    item = bulletin(world)
    sending.send(item, world.officer_a)
    run_tasks()
    run_tasks()
    links = {
        s["body"]["recipient"]["user_id"]: re.search(
            r"https://canhgiac\.example\.vn(/ban-tin/dang-ky/[^/]+/)", s["body"]["message"]["text"]
        )
        for s in zalo.sent[-2:]
    }
    assert links["1001"] and links["1002"] and links["1001"].group(1) != links["1002"].group(1)
    own = links["1001"].group(1)
    anyone = world.client()
    assert "Bạn đang nhận bản tin" in anyone.get(own).content.decode()
    anyone.post(own, {"subscribed": "0"})
    first, second = Reporter.objects.order_by("pk")
    assert (first.subscribed, second.subscribed) == (False, True)  # only the link's owner, at once
    assert "Bạn không nhận bản tin" in anyone.get(own).content.decode()
    anyone.post(own, {"subscribed": "1"})
    assert Reporter.objects.get(pk=first.pk).subscribed is True
    tampered = own.replace(own[-6:-1], "AAAAA")
    assert anyone.get(tampered).status_code == 404
    assert anyone.get("/ban-tin/dang-ky/1/").status_code == 404  # a bare row number is not a token


def test_subscription_page_needs_csrf(world: World, zalo: FakeZalo) -> None:
    from django.test import Client

    subscribe("1001")
    reporter = Reporter.objects.get()
    page = f"/ban-tin/dang-ky/{sending.manage_token(reporter)}/"
    assert Client(enforce_csrf_checks=True).post(page, {"subscribed": "0"}).status_code == 403
    assert Reporter.objects.get().subscribed is True


def test_atom_feed_for_people_without_zalo(world: World, zalo: FakeZalo) -> None:
    import xml.etree.ElementTree as ET

    sending.send(bulletin(world, "Tin đã phát"), world.officer_a)
    bulletin(world, "Tin nháp")
    run_tasks()
    response = world.client().get("/ban-tin/xa-a/feed.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    titles = [e.text for e in ET.fromstring(response.content).iter("{http://www.w3.org/2005/Atom}title")]
    assert "Tin đã phát" in titles and "Tin nháp" not in titles


def test_atom_feed_sends_bodies_as_text_never_html(world: World, zalo: FakeZalo) -> None:
    import xml.etree.ElementTree as ET

    body = '<script>alert("x")</script> <b>Cảnh báo</b> & "chuyển tiền"'
    sent = Bulletin.objects.create(unit=world.commune_a, title="<i>Tin</i>", body=body, created_by=world.officer_a)
    sending.send(sent, world.officer_a)
    run_tasks()
    response = world.client().get("/ban-tin/xa-a/feed.xml")
    assert b"<script" not in response.content and b"&lt;script&gt;" in response.content
    summary = ET.fromstring(response.content).find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary is not None and summary.get("type") == "text" and summary.text == body


def test_saving_a_draft_is_audited(world: World) -> None:
    world.client(world.officer_a).post("/console/bulletins/new/", {"unit": world.commune_a.pk, "title": "Tin nháp", "body": "Nội dung"})
    event = AuditEvent.objects.get(action="bulletin.saved")
    assert event.actor == world.officer_a and event.details["title"] == "Tin nháp"


# ------------------------------------------------------- what the officer sees of a send


def test_sending_shows_the_recipient_count_and_waits_for_confirmation(world: World, zalo: FakeZalo) -> None:
    subscribe("1001", "1002", "1003")
    deliver(message("Huy", "1003"))
    run_tasks()
    item = bulletin(world)
    client = world.client(world.officer_a)
    page = client.post(f"/console/bulletins/{item.pk}/send/")
    assert page.status_code == 200
    assert 'id="recipients" data-count="2"' in page.content.decode() and "<strong>2</strong>" in page.content.decode()
    item.refresh_from_db()
    assert item.status == Bulletin.Status.DRAFT and not Task.objects.filter(kind="bulletin.fanout").exists()
    assert not AuditEvent.objects.filter(action="bulletin.sent").exists()
    assert client.post(f"/console/bulletins/{item.pk}/send/", {"confirm": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.status == Bulletin.Status.SENDING and AuditEvent.objects.filter(action="bulletin.sent").count() == 1


def test_confirmation_warns_of_those_zalo_limits_will_skip_and_of_nobody(world: World, zalo: FakeZalo) -> None:
    subscribe("1001", "1002")
    first = bulletin(world, "Tin thứ nhất")
    sending.send(first, world.officer_a)
    run_tasks()
    run_tasks()
    client = world.client(world.officer_a)
    page = client.post(f"/console/bulletins/{bulletin(world, 'Tin thứ hai').pk}/send/").content.decode()
    assert 'data-count="2"' in page and 'id="over-limit"' in page and "một mỗi ngày" in page
    far = Bulletin.objects.create(unit=world.commune_b, title="Xã B", body="Nội dung")
    page = world.client(world.officer_b).post(f"/console/bulletins/{far.pk}/send/").content.decode()
    assert 'data-count="0"' in page and 'id="nobody"' in page


def test_a_bulletin_to_nobody_never_reads_as_sent(world: World, zalo: FakeZalo) -> None:
    item = bulletin(world)
    sending.send(item, world.officer_a)
    run_tasks()
    item.refresh_from_db()
    assert item.status == Bulletin.Status.SENT  # published on the public page...
    client = world.client(world.officer_a)
    for page in (client.get("/console/bulletins/").content.decode(), client.get(f"/console/bulletins/{item.pk}/").content.decode()):
        assert "Không đến được ai" in page and "Đã gửi<" not in page  # ...but it reached no one, and says so


def test_delivery_status_counts_delivered_waiting_and_failed_with_the_reason(world: World, zalo: FakeZalo) -> None:
    subscribe("1001", "1002", "1003")
    item = bulletin(world)
    sending.send(item, world.officer_a)
    sending.fanout({"bulletin_id": item.pk})  # recipients chosen, nothing delivered yet
    state = sending.progress([item])[item.pk]
    assert (state.state, state.total, state.pending) == ("sending", 3, 3)
    assert state.summary() == "Đang gửi: 0/3 người đã nhận, 3 đang chờ, 0 lỗi, 0 bỏ qua."
    deliveries = list(Delivery.objects.filter(bulletin=item).order_by("pk"))
    Delivery.objects.filter(pk=deliveries[0].pk).update(status=Delivery.Status.SENT, sent_at=timezone.now())
    Delivery.objects.filter(pk=deliveries[1].pk).update(status=Delivery.Status.FAILED, reason="Zalo error -32: Quota exceeded")
    Delivery.objects.filter(pk=deliveries[2].pk).update(status=Delivery.Status.SKIPPED, reason="limit: one a day")
    page = world.client(world.officer_a).get(f"/console/bulletins/{item.pk}/").content.decode()
    assert "Đã đến 1/3 người; 1 lỗi, 1 bỏ qua." in page
    assert "Zalo error -32: Quota exceeded: 1" in page and "giới hạn của Zalo: một bản tin mỗi ngày: 1" in page
    assert "limit: one a day" not in page  # the code is named, not shown
    listing = world.client(world.officer_a).get("/console/bulletins/").content.decode()
    assert "Đã đến 1/3 người" in listing and "1/3" in listing


def test_a_failing_zalo_channel_shows_on_every_console_page_until_it_sends_again(world: World, zalo: FakeZalo) -> None:
    subscribe("1001")
    world.zalo_a.refresh_from_db()
    assert world.zalo_a.last_send_ok_at is not None and world.zalo_a.last_send_error_at is None
    officer = world.client(world.officer_a)
    assert 'id="channel-health-' not in officer.get("/console/").content.decode()
    zalo.expired_next = 100  # the token is refused, and so is every refresh's new one
    zalo.valid_tokens.clear()
    item = bulletin(world)
    sending.send(item, world.officer_a)
    run_tasks()
    run_tasks()
    world.zalo_a.refresh_from_db()
    assert world.zalo_a.last_send_error_code == -216 and world.zalo_a.last_send_error_at is not None
    for path in ("/console/", "/console/reports/", "/console/bulletins/", f"/console/bulletins/{item.pk}/", "/console/knowledge/"):
        page = officer.get(path).content.decode()
        assert f'id="channel-health-{world.zalo_a.pk}"' in page, path
        assert "Zalo xã A" in page and "Zalo error -216" in page and "refresh token" in page, path
    supervisor = world.client(world.supervisor).get("/console/").content.decode()
    assert 'id="channel-health-' in supervisor  # the district sees its communes' channels
    assert 'id="channel-health-' not in world.client(world.officer_b).get("/console/").content.decode()
    zalo.expired_next = 0
    zalo.valid_tokens.add("access-token-1")
    world.zalo_a.set_secret("access_token", "access-token-1")
    world.zalo_a.token_expires_at = None
    world.zalo_a.save(update_fields=["access_token_sealed", "token_expires_at"])
    subscribe("1002")  # the confirmation goes out: the channel works again
    assert 'id="channel-health-' not in officer.get("/console/").content.decode()


def test_an_error_about_one_recipient_is_not_the_channels(world: World) -> None:
    from canhgiac.web.intake import health

    health.send_failed(world.zalo_a, -213, "Zalo error -213: User has not followed OA")
    world.zalo_a.refresh_from_db()
    assert world.zalo_a.last_send_error_at is None and health.failing([world.commune_a.pk]) == []
    health.send_failed(world.zalo_a, -1, "Zalo error -1: network: timed out")
    (failing,) = health.failing([world.commune_a.pk])
    assert failing.channel == world.zalo_a and "mạng" in failing.advice and failing.last_ok is None
