"""The officer's reply on an SMS case, in a real browser on a phone-sized screen: the
parts count follows the text as it is typed (static script, strict CSP), the server's
count after "Đếm số phần tin" agrees, and "Gửi không dấu" is remembered on the answer."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from canhgiac.web.cases.models import Message
from canhgiac.web.channels.sms import parts
from canhgiac.web.channels.sms.models import SmsGateway
from canhgiac.web.intake.models import Channel
from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.browser.test_csp import no_violations, watched
from tests.web.conftest import PASSWORD, World

REPLY = "Cán bộ xã đã nhận tin, sẽ đến xác minh chiều nay. Bạn giữ bí mật giúp chúng tôi nhé, cảm ơn bạn rất nhiều."


def test_the_sms_reply_counts_parts_as_typed_and_sends_without_diacritics(
    browser: Browser,  # noqa: F811
    live_server: Any,
    live_world: World,
) -> None:
    channel = Channel.objects.create(unit=live_world.commune_a, kind=Channel.Kind.SMS, slug="sms-a", name="SMS xã A")
    SmsGateway.objects.create(channel=channel, base_url="http://127.0.0.1:9", username="sms", plain_over_parts=0)
    case = live_world.tip(channel=channel, channel_user_id="+84912345678").case
    page, console = watched(browser.new_context(**PHONE))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/console/case/{case.reference}/")
    counted = f"Tin này tốn {parts.parts(REPLY)} phần tin SMS có dấu, {parts.parts(parts.plain(REPLY))} phần tin nếu gửi không dấu."
    page.fill("#reply", REPLY)
    expect(page.locator("#reply-parts")).to_have_text(counted)  # the script, as typed
    page.fill("#reply", "Cảm ơn")
    expect(page.locator("#reply-parts")).to_have_text("Tin này tốn 1 phần tin SMS có dấu, 1 phần tin nếu gửi không dấu.")
    page.fill("#reply", REPLY)
    page.check("#reply-plain")
    page.click("button[value=reply_preview]")
    expect(page.locator("#reply-plain-text")).to_contain_text(parts.plain(REPLY))  # the server's count and form
    expect(page.locator("#reply-parts")).to_have_text(counted)
    expect(page.locator("#reply")).to_have_value(REPLY)
    no_horizontal_scroll(page)
    shot(page, "sms-reply-preview")
    page.click("#reply-form button[type=submit]:not([value])")
    expect(page.locator("#thread")).to_contain_text("đã gửi không dấu")
    assert Message.objects.get(case=case, direction=Message.Direction.OUT).body == REPLY
    no_violations(page, console)
