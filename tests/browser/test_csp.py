"""The pages work under their Content-Security-Policy in a real browser: the intake form's
script (location, busy button) from its static file, the monthly report's print button,
the console, and Django's admin; and the browser reports no violation of the policy."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from canhgiac.web.cases.models import Attachment, Case
from tests.browser.test_citizen_and_officer import PHONE, browser, shot  # noqa: F401  (the browser fixture)
from tests.web.conftest import PASSWORD, World

# Runs before any script of the page (it is injected by the browser, not the page, so the
# policy does not apply to it): records every violation, and stands in for the print dialog.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""


# An image's natural width once it has loaded (0 if it failed), waited for by a promise:
# Playwright's wait_for_function polls by evaluating a string, which the strict CSP (no
# unsafe-eval) refuses whenever the condition is not already true at the first look.
IMAGE_WIDTH_WHEN_LOADED = "img => img.complete ? img.naturalWidth : new Promise(done => { img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })"


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    """A page whose CSP violations, as the console reports them, are collected too."""
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return page, console


def no_violations(page: Page, console: list[str]) -> None:
    assert page.evaluate("window.__violations") == []
    assert console == []


def test_intake_script_works_under_the_policy(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    context = browser.new_context(**PHONE, geolocation={"latitude": 21.0285, "longitude": 105.8542}, permissions=["geolocation"])
    page, console = watched(context)
    response = page.goto(f"{live_server.url}/gui/xa-a/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.check("#id_share_location")
    expect(page.locator("#location-status")).to_have_text("Đã lấy vị trí.")
    assert page.input_value("#id_latitude") == "21.02850" and page.input_value("#id_longitude") == "105.85420"
    page.uncheck("#id_share_location")
    assert page.input_value("#id_latitude") == "" and page.locator("#location-status").inner_text() == ""
    page.check("#id_share_location")
    expect(page.locator("#location-status")).to_have_text("Đã lấy vị trí.")
    page.fill("#id_text", "Có nhóm người lạ bán ma túy ở cuối hẻm 27 mỗi tối sau 11 giờ.")
    page.evaluate("document.getElementById('intake').addEventListener('submit', e => e.preventDefault())")
    page.click("#send")
    expect(page.locator("#send")).to_be_disabled()
    expect(page.locator("#send")).to_have_text("Đang gửi...")
    no_violations(page, console)
    shot(page, "9-intake-under-csp")

    sent, console = watched(browser.new_context(**PHONE, geolocation={"latitude": 10.5, "longitude": 106.25}, permissions=["geolocation"]))
    sent.goto(f"{live_server.url}/gui/xa-a/")
    sent.check("#id_share_location")
    expect(sent.locator("#location-status")).to_have_text("Đã lấy vị trí.")
    sent.fill("#id_text", "Có người trộm xe máy trước cổng chợ lúc 9 giờ sáng nay.")
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(photo, format="JPEG")
    sent.set_input_files("#id_photos", files=[FilePayload(name="cho.jpg", mimeType="image/jpeg", buffer=photo.getvalue())])
    sent.click("#send")
    expect(sent.locator("#reference")).to_be_visible()
    no_violations(sent, console)
    case = Case.objects.get(reference=sent.locator("#reference").inner_text().strip())
    attachment = Attachment.objects.get(message__case=case)
    assert (attachment.latitude, attachment.longitude) == (10.5, 106.25)  # the photo's place reached the officer


def test_console_and_monthly_print_under_the_policy(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    live_world.tip("Có người đánh bạc ở nhà văn hóa thôn Đông")
    page, console = watched(browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN"))
    page.goto(f"{live_server.url}/accounts/login/?next=/console/reports/monthly/")
    page.fill("#username", "chihuy")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#print")).to_be_visible()
    page.click("#print")
    assert page.evaluate("window.__printed") == 1
    for path in ("/console/", "/console/reports/", "/console/knowledge/", "/console/bulletins/", "/console/indicators/"):
        page.goto(f"{live_server.url}{path}")
    no_violations(page, console)


def test_admin_works_under_the_policy(browser: Browser, live_server: Any, live_world: World) -> None:  # noqa: F811
    """Django 5.2's admin loads all its scripts from files: its pages need no exception."""
    page, console = watched(browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN"))
    page.goto(f"{live_server.url}/admin/login/")
    expect(page.locator("input[type=password]")).to_be_visible()
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/")  # admins sign in as everyone does
    page.fill("#username", "quantri")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{live_server.url}/admin/accounts/unit/{live_world.commune_a.pk}/change/")
    assert page.evaluate("typeof window.django !== 'undefined' && typeof window.django.jQuery === 'function'")
    page.fill("#id_name", "Xã A mới")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    live_world.commune_a.refresh_from_db()
    assert live_world.commune_a.name == "Xã A mới"
    page.goto(f"{live_server.url}/admin/accounts/user/")
    page.check("#action-toggle")  # actions.js: selects every row
    expect(page.locator("input.action-select").first).to_be_checked()
    no_violations(page, console)
    shot(page, "10-admin-under-csp")
