"""An automatic answer in a real browser (Debian's chromium, driven by Playwright): a
citizen on a 360 px phone asks a question, reads the automatic answer on the receipt and
taps "Chưa đúng"; the officer finds the question in the inbox and on the unanswered list.
Screenshots are saved under test-output/browser/."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from canhgiac.web.knowledge.transfer import import_entries, starter_text
from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot
from tests.web.conftest import PASSWORD, World

__all__ = ["browser"]  # the module-scoped fixture, shared


def test_citizen_says_the_automatic_answer_is_not_right(browser: Browser, live_server: Any, live_world: World) -> None:
    import_entries(starter_text(), "json", live_world.district)
    base = live_server.url
    citizen = browser.new_context(**PHONE).new_page()
    citizen.goto(f"{base}/gui/xa-a/")
    citizen.fill("#id_text", "Con tôi 14 tuổi đi làm thẻ căn cước cần mang theo giấy tờ gì?")
    citizen.click("#send")
    expect(citizen.locator("#answer")).to_contain_text("14 tuổi")
    expect(citizen.locator("#confirm-answer")).to_be_visible()
    reference = citizen.locator("#reference").inner_text().strip()
    no_horizontal_scroll(citizen)
    shot(citizen, "auto-1-citizen-receipt-with-answer")
    citizen.click("#answer-wrong")
    expect(citizen.locator("#status")).to_have_text("Mới")
    expect(citizen.locator("body")).to_contain_text("Đã chuyển câu hỏi của bạn cho cán bộ.")
    expect(citizen.locator("#thread")).to_contain_text("Cán bộ sẽ đọc câu hỏi của bạn")
    expect(citizen.locator("#confirm-answer")).to_have_count(0)
    no_horizontal_scroll(citizen)
    shot(citizen, "auto-2-citizen-not-right")

    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    officer.goto(f"{base}/console/")
    officer.fill("#username", "canbo-a")
    officer.fill("#password", PASSWORD)
    officer.click("button[type=submit]")
    row = officer.locator("#cases tr", has_text=reference)
    expect(row).to_contain_text("Chưa đọc")
    expect(row).to_contain_text("Mới")
    shot(officer, "auto-3-officer-inbox")
    officer.goto(f"{base}/console/knowledge/unanswered/")
    group = officer.locator("#unanswered tr", has_text=reference)
    expect(group).to_contain_text("chưa đúng: Cấp thẻ căn cước lần đầu")
    expect(group.locator("a.button")).to_have_text("Viết mục hỏi đáp")
    shot(officer, "auto-4-officer-unanswered")
