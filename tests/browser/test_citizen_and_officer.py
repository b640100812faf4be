"""The whole loop in a real browser (Debian's chromium, driven by Playwright):
a citizen on a phone sends a tip and gets a code; an officer logs in, finds it triaged and
replies; the citizen opens the follow-up page with code and key and reads the reply.
Screenshots of each page are saved under test-output/browser/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from canhgiac.web.cases.models import Case
from tests.web.conftest import PASSWORD, World

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (./dev test does)")
    # The Django live server runs in this process; Playwright's sync API needs no event
    # loop of Django's, so allow it to share the thread.
    # Restored afterwards: a server a later test starts as a subprocess must not inherit
    # it (its deployment check refuses to start with it, rightly).
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launched()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def _launched() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"page is {width}px wide on a {page.viewport_size['width']}px screen"  # type: ignore[index]


def test_tip_reply_and_followup(browser: Browser, live_server: Any, live_world: World) -> None:
    base = live_server.url
    citizen = browser.new_context(**PHONE).new_page()
    citizen.goto(f"{base}/gui/xa-a/")
    expect(citizen.locator("h1")).to_have_text("Xã A")
    no_horizontal_scroll(citizen)
    shot(citizen, "1-citizen-form")
    citizen.fill("#id_text", "Tối nào cũng có nhóm thanh niên tụ tập hút ma túy đá ở cuối hẻm 27, sau 11 giờ đêm.")
    citizen.click("#send")
    expect(citizen.locator("#reference")).to_be_visible()
    reference = citizen.locator("#reference").inner_text().strip()
    key = citizen.locator("#key").inner_text().strip()
    assert reference.startswith("CG-") and len(key) > 16
    no_horizontal_scroll(citizen)
    shot(citizen, "2-citizen-receipt")
    # The receipt is a page of its own: reloading it sends nothing again, and the key
    # is not shown a second time.
    assert "/gui/da-nhan/" in citizen.url and key.replace("-", "") not in citizen.url
    citizen.reload()
    expect(citizen.locator("#key-shown")).to_be_visible()
    expect(citizen.locator("#key")).to_have_count(0)
    assert Case.objects.filter(reference=reference).count() == 1 and Case.objects.count() == 1

    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    officer.goto(f"{base}/console/")
    officer.fill("#username", "canbo-a")
    officer.fill("#password", PASSWORD)
    officer.click("button[type=submit]")
    row = officer.locator("#cases tr", has_text=reference)
    expect(row).to_contain_text("Tin báo")
    expect(row).to_contain_text("Ma túy")
    expect(row).to_contain_text("Chưa đọc")
    shot(officer, "3-officer-inbox")
    row.locator("a", has_text=reference).click()
    expect(officer.locator("#category")).to_have_text("Ma túy")
    officer.fill("#reply", "Cảm ơn bạn. Tổ tuần tra sẽ kiểm tra khu vực này tối nay.")
    officer.click("#reply-form button")
    expect(officer.locator("#thread")).to_contain_text("Tổ tuần tra sẽ kiểm tra")
    shot(officer, "4-officer-case")

    later = browser.new_context(**PHONE).new_page()
    later.goto(f"{base}/theo-doi/")
    later.fill("#id_reference", reference)
    later.fill("#id_key", key)
    later.click("button[type=submit]")
    expect(later.locator("#thread")).to_contain_text("Tổ tuần tra sẽ kiểm tra khu vực này tối nay.")
    expect(later.locator("#status")).to_have_text("Đang xử lý")
    no_horizontal_scroll(later)
    shot(later, "5-citizen-followup")


def test_inbox_fits_a_phone(browser: Browser, live_server: Any, live_world: World) -> None:
    for i in range(3):
        live_world.tip(f"Có người đánh bạc ở nhà văn hóa thôn số {i}")
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#cases")).to_contain_text("Cờ bạc")
    no_horizontal_scroll(page)
    shot(page, "6-officer-inbox-phone")
