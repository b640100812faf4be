"""New and urgent tips reach an officer's open console without a refresh (static/live.js),
on a phone: a citizen sends a tip from another browser; within the poll interval (1 s
here) the header's count rises, an urgent tip raises a banner, a sound and a
notification, and the inbox offers to reload with its filters kept. A lapsed session
stops the polling and says so."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.browser.test_csp import no_violations, watched
from tests.web.conftest import PASSWORD, World

URGENT = "Có người đang cầm dao đánh nhau ngay trước cổng chợ, cứu với"
CALM = "Cho hỏi thủ tục đăng ký tạm trú cần giấy tờ gì?"

# Stand-ins, injected before the page's scripts: the sound and the notifications are
# counted (a headless browser has no speaker and no notification centre).
SPIES = """
window.__played = 0;
HTMLMediaElement.prototype.play = function () { window.__played += 1; return Promise.resolve(); };
window.__notified = [];
window.__asked = 0;
function FakeNotification(title, options) { window.__notified.push(title + " | " + (options && options.body)); }
FakeNotification.permission = "default";
FakeNotification.requestPermission = function () {
  window.__asked += 1;
  FakeNotification.permission = "granted";
  return Promise.resolve("granted");
};
window.Notification = FakeNotification;
"""


def send(browser: Browser, base: str, text: str) -> str:  # noqa: F811
    citizen = browser.new_context(**PHONE).new_page()
    citizen.goto(f"{base}/gui/xa-a/")
    citizen.fill("#id_text", text)
    citizen.click("#send")
    expect(citizen.locator("#reference")).to_be_visible()
    reference = citizen.locator("#reference").inner_text().strip()
    citizen.context.close()
    return reference


def officer_inbox(browser: Browser, base: str, path: str) -> tuple[Page, list[str]]:  # noqa: F811
    context = browser.new_context(**PHONE)
    context.add_init_script(SPIES)
    page, console = watched(context)
    page.goto(f"{base}/accounts/login/?next={path}")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#live")).to_have_attribute("data-polls", re.compile(r"[1-9]"))
    return page, console


def test_a_new_urgent_tip_reaches_the_open_inbox(browser: Browser, live_server: Any, live_world: World, settings: Any) -> None:  # noqa: F811
    settings.CANHGIAC_LIVE_SECONDS = 1
    base = live_server.url
    page, console = officer_inbox(browser, base, "/console/%3Fsort%3Dnewest")
    assert page.url.endswith("/console/?sort=newest")
    expect(page.locator("#live-count")).to_be_hidden()  # nothing unread yet
    # Asked only when the officer presses the button, never on page load.
    assert page.evaluate("window.__asked") == 0
    page.click("#live-notify")
    expect(page.locator("#live-notify")).to_be_hidden()
    assert page.evaluate("window.__asked") == 1  # the click is also the interaction sound needs

    reference = send(browser, base, URGENT)
    expect(page.locator("#live-count")).to_have_text(" (1)")
    alert = page.locator("#live-urgent .live-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(reference)
    expect(alert).to_contain_text("Tin khẩn cấp")
    assert alert.locator("a").get_attribute("href") == f"/console/case/{reference}/"
    expect(page.locator("#live-new a")).to_have_text("Có 1 tin mới — bấm để tải lại")
    assert page.evaluate("window.__played") == 1
    notified = page.evaluate("window.__notified")
    assert len(notified) == 1 and notified[0].startswith(f"Tin khẩn cấp: {reference} | ") and len(notified[0]) > len(reference) + 16
    no_horizontal_scroll(page)
    shot(page, "live-1-urgent-banner")

    # A calm tip: the count rises, no banner, no sound.
    send(browser, base, CALM)
    expect(page.locator("#live-count")).to_have_text(" (2)")
    expect(page.locator("#live-new a")).to_have_text("Có 2 tin mới — bấm để tải lại")
    expect(alert).to_have_count(1)
    assert page.evaluate("window.__played") == 1

    # Reloading keeps the filters, and the new tips are in the list.
    page.click("#live-new a")
    expect(page.locator("#cases")).to_contain_text(reference)
    assert page.url.endswith("/console/?sort=newest")
    expect(page.locator("#sort")).to_have_value("newest")
    expect(page.locator("#live-new")).to_be_hidden()
    no_violations(page, console)


def test_a_lapsed_session_stops_polling_and_says_so(browser: Browser, live_server: Any, live_world: World, settings: Any) -> None:  # noqa: F811
    settings.CANHGIAC_LIVE_SECONDS = 1
    page, console = officer_inbox(browser, live_server.url, "/console/")
    other = page.context.new_page()
    other.goto(f"{live_server.url}/console/")
    other.locator("form[action='/accounts/logout/'] button").click()
    expect(page.locator("#live-expired")).to_be_visible()
    expect(page.locator("#live-expired")).to_contain_text("Phiên đăng nhập đã hết")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "live.json" in request.url else None)
    page.wait_for_timeout(2500)  # two and a half intervals: polling has stopped
    assert asked == []
    no_violations(page, console)
