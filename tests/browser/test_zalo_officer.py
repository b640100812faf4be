"""The officer's side of the Zalo channel (issue 13), in a real browser on a phone: a
citizen's photo and place sent through Zalo are shown on the case after Zalo's link has
expired (the photo from our own copy), and Zalo's delivery and seen events put ✓ then ✓✓
on the officer's reply."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from canhgiac.web.cases.models import Attachment, Case, Message
from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.browser.test_csp import IMAGE_WIDTH_WHEN_LOADED, no_violations, watched
from tests.web.conftest import PASSWORD, World
from tests.web.fake_zalo import FakeZalo
from tests.web.test_zalo import SENDER, deliver, event, run_tasks

REPLY = "Cảm ơn bạn đã gửi ảnh và vị trí. Tổ công an xã sẽ đến nhà văn hóa thôn Đông kiểm tra tối nay."
RECEIPT_USER = "8412775920155813771"  # whom the recorded receipts name: here, our citizen


@pytest.fixture
def live_zalo(live_world: World, settings: Any) -> Iterator[FakeZalo]:
    """The fake Zalo API beside the live server (the web tests' ``zalo`` wants ``world``)."""
    with FakeZalo() as fake:
        settings.ZALO_API_BASE = fake.url
        settings.ZALO_OAUTH_BASE = fake.url
        yield fake


def receipt(name: str, msg_id: str) -> bytes:
    return event(name, msg_id=msg_id).replace(RECEIPT_USER.encode(), SENDER.encode())


def test_officer_sees_zalo_photo_and_place_and_ticks_on_a_phone(
    browser: Browser,  # noqa: F811
    live_server: Any,
    live_world: World,
    live_zalo: FakeZalo,
) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (160, 120), (200, 60, 40)).save(photo, format="JPEG")
    live_zalo.media["/photo/123.jpg"] = (photo.getvalue(), "image/jpeg")
    assert deliver(event("user_send_image", media=live_zalo.url)).json() == {"status": "ok"}
    assert deliver(event("user_send_location", media=live_zalo.url)).json() == {"status": "ok"}
    run_tasks()
    case = Case.objects.get()
    kept = Attachment.objects.get(message__case=case)
    assert case.channel == live_world.zalo_a and kept.file and kept.remote_url == ""
    live_zalo.media_expired = True  # Zalo's link is gone: the officer must still see the photo
    downloads = len(live_zalo.downloads)

    page, console = watched(context := browser.new_context(**PHONE))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/console/")
    row = page.locator("#cases tr", has_text=case.reference)
    expect(row).to_be_visible()
    no_horizontal_scroll(page)
    row.locator("a", has_text=case.reference).click()

    image = page.locator("#thread img.attachment")
    expect(image).to_have_count(1)
    assert image.get_attribute("src") == f"/console/attachment/{kept.pk}/"
    assert image.evaluate(IMAGE_WIDTH_WHEN_LOADED) == 160  # loaded, from our copy
    place = page.locator("#thread .location a")
    expect(place).to_contain_text("21.02770, 105.83410")
    assert (place.get_attribute("href") or "").startswith("https://www.openstreetmap.org/?mlat=21.02770&mlon=105.83410")
    no_horizontal_scroll(page)
    shot(page, "zalo-officer-case")

    page.fill("#reply", REPLY)
    page.click("#reply-form button[type=submit]:not([value])")
    answer = page.locator("#thread li.out", has_text=REPLY)
    expect(answer).to_be_visible()
    expect(answer.locator(".tick")).to_have_count(0)
    run_tasks()
    sent = Message.objects.get(case=case, direction=Message.Direction.OUT)
    assert sent.delivery == Message.Delivery.SENT and sent.provider_id and live_zalo.texts()[-1] == REPLY

    assert deliver(receipt("user_received_message", sent.provider_id)).json() == {"status": "ok"}
    run_tasks()
    page.reload()
    expect(answer.locator(".tick")).to_have_text("✓")
    expect(answer.locator(".tick")).to_have_attribute("title", re.compile(r"^Đã đến máy người dân \("))
    assert deliver(receipt("user_seen_message", sent.provider_id)).json() == {"status": "ok"}
    run_tasks()
    page.reload()
    expect(answer.locator(".tick")).to_have_text("✓✓")
    expect(answer.locator(".tick")).to_have_attribute("title", re.compile(r"^Người dân đã xem \("))
    no_horizontal_scroll(page)
    shot(page, "zalo-officer-ticks")
    no_violations(page, console)
    assert len(live_zalo.downloads) == downloads  # nothing was fetched from Zalo's link after it expired
    context.close()
