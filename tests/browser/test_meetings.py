"""An officer on a phone plans a crime-prevention meeting, opens its printable QR code,
and a resident's phone (another browser) checks in with one tap: the count rises, once,
and neither page breaks the 360-px screen or the Content-Security-Policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import Browser, expect

from canhgiac.web.meetings.models import Session
from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.browser.test_csp import IMAGE_WIDTH_WHEN_LOADED, no_violations, watched
from tests.web.conftest import PASSWORD, World


def test_officer_plans_a_meeting_and_a_phone_checks_in(browser: Browser, live_server: Any, live_world: World, settings: Any) -> None:  # noqa: F811
    from django.utils import timezone

    settings.SITE_URL = live_server.url
    page, console = watched(browser.new_context(**PHONE))
    page.goto(f"{live_server.url}/accounts/login/?next=/console/meetings/new/")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    starts = timezone.localtime(timezone.now() + timedelta(minutes=30))
    page.select_option("#id_topic", label="Lừa đảo qua mạng")
    page.fill("#id_title", "Nhận diện cuộc gọi giả danh công an")
    page.fill("#id_place", "Nhà văn hóa thôn Đông")
    page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_target_group", "Người cao tuổi thôn Đông")
    no_horizontal_scroll(page)
    page.click("#save-session")
    expect(page.locator("#session-status")).to_have_text("Dự kiến")
    expect(page.locator("#checked-in")).to_have_text("0")
    no_horizontal_scroll(page)
    session = Session.objects.get(title="Nhận diện cuộc gọi giả danh công an")
    assert session.unit == live_world.commune_a and list(session.leaders.all()) == [live_world.officer_a]

    page.click("#qr-link")
    url = f"{live_server.url}/co-mat/{session.checkin_token}/"
    expect(page.locator("#checkin-url")).to_have_text(url)
    expect(page.locator("#qr")).to_be_visible()
    assert page.locator("#qr").evaluate(IMAGE_WIDTH_WHEN_LOADED) > 100  # the SVG loaded and drew
    no_horizontal_scroll(page)
    shot(page, "20-officer-meeting-qr")
    no_violations(page, console)

    resident, resident_console = watched(browser.new_context(**PHONE))
    resident.goto(url)
    expect(resident.locator("#privacy")).to_contain_text("không thu thập gì về bạn")
    no_horizontal_scroll(resident)
    resident.click("#present")
    expect(resident.locator("#checkin-done")).to_contain_text("Đã ghi nhận có mặt")
    shot(resident, "21-resident-checked-in")
    resident.goto(url)  # the same phone again: no button, not counted twice
    expect(resident.locator("#checkin-done")).to_contain_text("đã điểm danh")
    expect(resident.locator("#present")).to_have_count(0)
    no_violations(resident, resident_console)

    page.goto(f"{live_server.url}/console/meetings/{session.pk}/")
    expect(page.locator("#checked-in")).to_have_text("1")
    expect(page.locator("#present")).to_have_text("1")
    assert Session.objects.get(pk=session.pk).checked_in == 1
    page.goto(f"{live_server.url}/console/meetings/")
    expect(page.locator("#upcoming")).to_contain_text("Nhận diện cuộc gọi giả danh công an")
    no_horizontal_scroll(page)
    shot(page, "22-officer-meetings-list")
    no_violations(page, console)
