"""Citizen flows on a phone (360 px): a camera-sized photo shrunk in the browser before
it is sent, the receipt's button into the follow-up, a refusal that keeps what was
typed, an urgent receipt. Screenshots under test-output/browser/."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Browser, expect

from canhgiac.web.cases.models import Attachment, Case, Message
from tests.browser import test_citizen_and_officer as phone
from tests.browser.test_citizen_and_officer import PHONE, no_horizontal_scroll, shot
from tests.web.conftest import World

browser = phone.browser  # the module's browser fixture, shared


def phone_photo(folder: Path, name: str = "IMG_2041.jpg") -> Path:
    """An 8-megapixel JPEG of noise (it does not compress): over 6 MB, as a phone sends."""
    image = Image.frombytes("RGB", (3264, 2448), os.urandom(3264 * 2448 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    assert len(out.getvalue()) > 6_000_000
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


def test_phone_photo_is_shrunk_in_the_browser_and_the_receipt_opens_the_followup(
    browser: Browser, live_server: Any, live_world: World, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path)
    page = browser.new_context(**PHONE).new_page()
    uploads: list[int] = []
    page.on("request", lambda r: uploads.append(len(r.post_data_buffer or b"")) if r.method == "POST" and "/gui/" in r.url else None)
    page.goto(f"{live_server.url}/gui/xa-a/")
    page.fill("#id_text", "Xe tải lạ đổ trộm phế thải xây dựng ra ruộng lúa thôn Đông, ảnh chụp sáng nay.")
    page.set_input_files("#id_photos", str(photo))
    page.click("#send")
    expect(page.locator("#reference")).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "flows-1-receipt-after-photo")
    assert len(uploads) == 1 and uploads[0] < 2_000_000, uploads  # a few hundred kB went, not 6 MB
    attachment = Attachment.objects.get()
    assert max(attachment.width, attachment.height) == 1600
    page.reload()  # the receipt again: nothing is sent twice
    expect(page.locator("#key-shown")).to_be_visible()
    assert Case.objects.count() == 1 and Message.objects.filter(direction=Message.Direction.IN).count() == 1

    fresh = browser.new_context(**PHONE).new_page()
    fresh.goto(f"{live_server.url}/gui/xa-a/")
    fresh.fill("#id_text", "Có nhóm người lạ tụ tập đánh bạc ở bãi đất trống sau chợ.")
    fresh.click("#send")
    reference = fresh.locator("#reference").inner_text().strip()
    fresh.click("#followup-open button")  # posts the reference and key: no typing, no key in a URL
    expect(fresh.locator("#thread")).to_contain_text("đánh bạc")
    assert fresh.url.endswith(f"/theo-doi/{reference}/")
    no_horizontal_scroll(fresh)
    shot(fresh, "flows-2-followup-from-receipt")


def test_too_many_photos_are_refused_before_sending_with_the_text_kept(
    browser: Browser, live_server: Any, live_world: World, tmp_path: Path
) -> None:
    files = []
    for n in range(4):
        path = tmp_path / f"{n}.jpg"
        Image.new("RGB", (40, 30), (n * 50, 10, 10)).save(path, format="JPEG")
        files.append(str(path))
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/gui/xa-a/")
    page.fill("#id_text", "Trộm chó ở xóm Trại")
    page.set_input_files("#id_photos", files)
    page.click("#send")
    expect(page.locator("#upload-status")).to_have_text("Tối đa 3 ảnh. Hãy bỏ bớt ảnh rồi gửi lại.")
    expect(page.locator("#id_text")).to_have_value("Trộm chó ở xóm Trại")
    expect(page.locator("#send")).to_be_enabled()
    no_horizontal_scroll(page)
    shot(page, "flows-3-too-many-photos")
    assert Case.objects.count() == 0


def test_urgent_receipt_is_red_with_a_call_link(browser: Browser, live_server: Any, live_world: World) -> None:
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/gui/xa-a/")
    page.fill("#id_text", "Có người đang cầm dao đánh nhau ngay trước cổng chợ, cứu với")
    page.click("#send")
    box = page.locator("#urgent")
    expect(box).to_contain_text("Tin khẩn cấp")
    expect(box.locator('a[href="tel:113"]')).to_have_text("Gọi 113")
    assert box.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(163, 32, 32)"
    no_horizontal_scroll(page)
    shot(page, "flows-4-urgent-receipt")
