"""An officer links their Zalo account from their own page, on a phone: the header's user
name leads there, the code is shown with what to send, and the page fits a phone."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, expect

from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.browser.test_csp import no_violations, watched
from tests.web.conftest import PASSWORD, World


def test_officer_gets_a_link_code_on_their_own_page(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    page, console = watched(browser.new_context(**PHONE))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("#nav-me")
    expect(page.locator("h1")).to_have_text("Tài khoản của tôi")
    expect(page.locator("#not-linked")).to_be_visible()
    page.click("#link")
    expect(page.locator("#code")).to_have_text(re.compile(r"^LK \d{6}$"))
    expect(page.locator("#link-code")).to_contain_text("Official Account của đơn vị trên Zalo (Zalo xã A)")
    no_horizontal_scroll(page)
    shot(page, "officer-zalo-link-code")
    no_violations(page, console)
