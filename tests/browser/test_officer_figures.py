"""What officers see of what really happened, on a phone (360 px): the recipient count
they confirm before a bulletin goes out, and the banner of a Zalo channel that cannot
send, on every console page. Screenshots saved under test-output/browser/."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.bulletins.sending import set_subscription
from canhgiac.web.cases.actions import reporter_for
from canhgiac.web.intake import health
from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.web.conftest import PASSWORD, World


def _officer_on_a_phone(browser: Browser, base: str, start: str) -> Page:  # noqa: F811
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{base}/accounts/login/?next={start}")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_a_bulletin_goes_out_only_once_its_recipients_are_confirmed(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    for user_id in ("3001", "3002", "3003"):
        set_subscription(reporter_for(live_world.zalo_a, user_id, "", timezone.now()), True)
    item = Bulletin.objects.create(
        unit=live_world.commune_a, title="Cảnh báo: giả danh điện lực đòi tiền", body="Điện lực không gọi điện đòi chuyển tiền."
    )
    page = _officer_on_a_phone(browser, live_server.url, f"/console/bulletins/{item.pk}/")
    page.click("#send-bulletin")
    expect(page.locator("#recipients")).to_contain_text("3")
    expect(page.locator("#recipients strong")).to_have_text("3")
    no_horizontal_scroll(page)
    shot(page, "20-officer-bulletin-confirm-phone")
    item.refresh_from_db()
    assert item.status == Bulletin.Status.DRAFT  # nothing sent by the first click
    page.click("#confirm-send")
    expect(page.locator(".flash")).to_contain_text("Đang gửi")
    expect(page.locator("#delivery-state")).to_contain_text("Đang gửi")
    item.refresh_from_db()
    assert item.status == Bulletin.Status.SENDING


def test_a_failing_channel_is_on_every_console_page(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    health.sent_ok(live_world.zalo_a)
    health.send_failed(live_world.zalo_a, -216, "Zalo error -216: Access token is invalid")
    page = _officer_on_a_phone(browser, live_server.url, "/console/")
    banner = page.locator(f"#channel-health-{live_world.zalo_a.pk}")
    expect(banner).to_contain_text("Zalo xã A")
    expect(banner).to_contain_text("Zalo error -216")
    expect(banner).to_contain_text("refresh token")
    no_horizontal_scroll(page)
    shot(page, "21-officer-channel-banner-phone")
    for path in ("/console/reports/", "/console/bulletins/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(f"#channel-health-{live_world.zalo_a.pk}")).to_be_visible()
        no_horizontal_scroll(page)
