"""Officers managed from the console on a phone: a supervisor creates an officer and gets
a one-time link to hand over; the officer opens it on their own phone, sets a password
and logs in. The link does not work a second time."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.browser.test_csp import no_violations, watched
from tests.web.conftest import PASSWORD, World

NEW_PASSWORD = "song-hong-chay-qua-ha-noi-2026"


def test_supervisor_creates_an_officer_who_sets_a_password_and_logs_in(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    base = live_server.url
    supervisor, console = watched(browser.new_context(**PHONE))
    supervisor.goto(f"{base}/accounts/login/")
    supervisor.fill("#username", "chihuy")
    supervisor.fill("#password", PASSWORD)
    supervisor.click("button[type=submit]")
    supervisor.click("#nav-officers")
    expect(supervisor.locator("h1")).to_have_text("Cán bộ")
    expect(supervisor.locator("#officers")).to_contain_text("canbo-a")
    no_horizontal_scroll(supervisor)
    supervisor.click("#new-officer")
    supervisor.fill("#id_username", "canbo-moi")
    supervisor.fill("#id_full_name", "Trần Thị Mai")
    supervisor.select_option("#id_unit", label="Xã A")
    expect(supervisor.locator("#id_role option")).to_have_text(["Chỉ huy", "Cán bộ", "Xem"])  # no administrator
    supervisor.select_option("#id_role", "officer")
    no_horizontal_scroll(supervisor)
    supervisor.click("#create button[type=submit]")
    expect(supervisor.locator("#link")).to_be_visible()
    link = supervisor.locator("#link").inner_text().strip()
    assert link.startswith(f"{base}/accounts/password/")
    no_horizontal_scroll(supervisor)
    shot(supervisor, "officers-1-link")
    no_violations(supervisor, console)

    officer, console = watched(browser.new_context(**PHONE))
    officer.goto(link)
    expect(officer.locator("h1")).to_have_text("Đặt mật khẩu")
    expect(officer.locator(".card")).to_contain_text("canbo-moi")
    officer.fill("#id_password1", "ngan")
    officer.fill("#id_password2", "ngan")
    officer.click("#set-password button[type=submit]")
    expect(officer.locator(".errorlist")).to_contain_text("Mật khẩu quá ngắn")
    officer.fill("#id_password1", NEW_PASSWORD)
    officer.fill("#id_password2", NEW_PASSWORD)
    no_horizontal_scroll(officer)
    officer.click("#set-password button[type=submit]")
    expect(officer.locator(".flash")).to_contain_text("Đã đặt mật khẩu")
    officer.fill("#username", "canbo-moi")
    officer.fill("#password", NEW_PASSWORD)
    officer.click("button[type=submit]")
    expect(officer.locator("h1")).to_have_text("Hộp thư")
    expect(officer.locator("#nav-officers")).to_have_count(0)  # an officer manages nobody
    no_violations(officer, console)

    again = browser.new_context(**PHONE).new_page()
    again.goto(link)
    expect(again.locator("#expired")).to_be_visible()
