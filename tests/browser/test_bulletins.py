"""An officer on a phone writes a bulletin and sends it; two Zalo followers receive it
(through the fake Zalo server); one opens the link in it and stops. Screenshots saved."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, expect

from canhgiac.web.bulletins.sending import set_subscription
from canhgiac.web.cases.actions import reporter_for
from canhgiac.web.cases.models import Reporter
from canhgiac.web.tasks.models import Task
from canhgiac.web.tasks.queue import run_pending
from tests.browser.test_citizen_and_officer import browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.web.conftest import PASSWORD, World
from tests.web.fake_zalo import FakeZalo


def test_officer_sends_a_bulletin_and_a_follower_stops(browser: Browser, live_server: Any, live_world: World, settings: Any) -> None:  # noqa: F811
    settings.SITE_URL = live_server.url
    for user_id in ("2001", "2002"):
        set_subscription(reporter_for(live_world.zalo_a, user_id, "", timezone.now()), True)

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = phone.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/console/bulletins/new/")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.fill("#id_title", "Cảnh báo: lừa đảo mời làm cộng tác viên")
    page.fill("#id_body", "Không ai trả tiền để bạn bấm thích hay đánh giá sản phẩm. Đừng chuyển tiền 'nhận nhiệm vụ'.")
    page.click("form.card button[type=submit]")
    expect(page.locator("#send-bulletin")).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "9-officer-bulletin-draft")
    page.click("#send-bulletin")
    expect(page.locator("#recipients strong")).to_have_text("2")  # the officer confirms who it goes to
    page.click("#confirm-send")
    expect(page.locator(".flash")).to_contain_text("Đang gửi")

    with FakeZalo() as zalo:
        settings.ZALO_API_BASE = zalo.url
        for _ in range(3):  # the fan-out, then the paced deliveries
            Task.objects.filter(status=Task.Status.QUEUED).update(run_after=timezone.now())
            run_pending()
    assert sorted(s["body"]["recipient"]["user_id"] for s in zalo.sent) == ["2001", "2002"]
    page.reload()
    expect(page.locator("#reach-sent")).to_have_text("2")
    shot(page, "10-officer-bulletin-reach")

    text = next(s["body"]["message"]["text"] for s in zalo.sent if s["body"]["recipient"]["user_id"] == "2001")
    link = re.search(r"https?://\S+/ban-tin/dang-ky/\S+/", text)
    assert link is not None
    citizen = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN").new_page()
    citizen.goto(link.group(0))
    expect(citizen.locator("#state")).to_contain_text("đang nhận")
    citizen.click("#unsubscribe")
    expect(citizen.locator("#state")).to_contain_text("không nhận")
    no_horizontal_scroll(citizen)
    shot(citizen, "11-citizen-stops-bulletins")
    assert list(Reporter.objects.order_by("pk").values_list("subscribed", flat=True)) == [False, True]
