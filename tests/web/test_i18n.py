"""Vietnamese by default, English as the second language."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

from canhgiac.web.core.i18n import PO_FILE, compile_po, extract_messages, read_po
from tests.web.conftest import World

WEB = Path(__file__).resolve().parents[2] / "canhgiac" / "web"
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁẢÃẠĂÂÈÉÊÌÍÒÓÔƠÙÚƯÝ]")


def test_every_message_has_an_english_translation() -> None:
    entries = read_po(PO_FILE)
    missing = sorted(m for m in extract_messages(WEB) if not entries.get(m))
    assert missing == []


def test_compiled_catalogue_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    compile_po(PO_FILE, fresh)
    assert fresh.read_bytes() == PO_FILE.with_suffix(".mo").read_bytes(), "run: canhgiac manage compiletranslations"


def test_templates_have_no_untranslated_vietnamese() -> None:
    for path in sorted((WEB / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{% blocktranslate.*?\{% endblocktranslate %\}", "", text, flags=re.S)
        text = re.sub(r"\{% translate .*? %\}", "", text)
        text = text.replace("Tiếng Việt", "").replace("Cảnh Giác", "")
        for number, line in enumerate(text.splitlines(), 1):
            assert not VIETNAMESE.search(line), f"{path.name}:{number}: {line.strip()}"


def test_vietnamese_by_default_english_on_request(world: World) -> None:
    client = Client()
    assert "Theo dõi tin đã gửi" in client.get("/gui/xa-a/").content.decode()
    response = client.post("/language", {"language": "en", "next": "/gui/xa-a/"})
    assert response.status_code == 302 and response["Location"] == "/gui/xa-a/"
    page = client.get("/gui/xa-a/").content.decode()
    assert "Follow up a message" in page and 'lang="en"' in page and "Tiếng Việt" in page
    assert client.post("/language", {"language": "en", "next": "https://evil.example/"})["Location"] == "/"


def test_console_in_english_names_the_engine_codes_in_english(world: World) -> None:
    case = world.tip("Nhà số 5 bị trộm xe máy đêm qua").case
    client = world.client(world.officer_a)
    client.post("/language", {"language": "en"})
    inbox = client.get("/console/").content.decode()
    assert "Inbox" in inbox and "Theft" in inbox and "Tip" in inbox
    page = client.get(f"/console/case/{case.reference}/").content.decode()
    assert "Automatic triage" in page and "Reply to the reporter" in page


# ------------------------------------------- the chosen language, and only the chosen one

# Words that are data, not interface: names of units and people, the brand, the switch
# that names the other language.
DATA = ("Cảnh Giác", "Tiếng Việt", "Huyện Thử", "Xã A", "Xã B")


def page_text(html: str) -> str:
    """What a person reads on a page: no markup, no scripts, no data."""
    text = re.sub(r"<(script|style|svg)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", text)
    for word in DATA:
        text = text.replace(word, "")
    return text


def vietnamese_lines(html: str) -> list[str]:
    return [line.strip() for line in page_text(html).splitlines() if VIETNAMESE.search(line)]


def test_the_browsers_language_is_ignored_vietnamese_until_english_is_chosen(world: World) -> None:
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    public = english_browser.get("/gui/xa-a/")
    assert "Theo dõi tin đã gửi" in public.content.decode() and public["Content-Language"] == "vi"
    assert 'lang="vi"' in english_browser.get("/accounts/login/").content.decode()
    officer = world.client(world.officer_a)
    inbox = officer.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hộp thư" in inbox and "Inbox" not in inbox
    officer.post("/language", {"language": "en"})
    assert "Inbox" in officer.get("/console/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()  # the choice wins, both ways


def test_page_not_found_is_in_the_chosen_language(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.content.decode()
    assert "Not Found" not in missing.content.decode()
    client.post("/language", {"language": "en"})
    assert "Page not found" in client.get("/khong-co-trang-nay/").content.decode()


def test_admin_and_forms_name_models_and_fields_in_vietnamese(world: World) -> None:
    admin = world.client(world.admin)
    index = admin.get("/admin/").content.decode()
    for english in ("Api tokens", "Audit events", "Channels", "Units", "Indicators", "Accounts", "Intake"):
        assert f">{english}<" not in index, english
    for vietnamese in ("Token API", "Nhật ký thao tác", "Kênh", "Đơn vị", "Chỉ dấu lừa đảo"):
        assert vietnamese in index, vietnamese
    channel = admin.get(f"/admin/intake/channel/{world.zalo_a.pk}/change/").content.decode()
    assert "Tên trong đường dẫn" in channel and "Loại kênh" in channel and ">Slug" not in channel and ">Kind" not in channel
    form = world.client(world.officer_a).get("/console/bulletins/new/").content.decode()
    assert ">Đơn vị:<" in form and "Unit:" not in form


def _english_console(world: World) -> Client:
    world.tip("Nhà số 5 bị trộm xe máy đêm qua")
    world.tip("Vietcombank: tai khoan bi khoa, cung cap ma OTP tai vcb-khoa.top de mo khoa ngay")
    client = world.client(world.supervisor)
    client.post("/language", {"language": "en"})
    return client


def test_english_dashboard_and_monthly_report_have_no_vietnamese_left(world: World) -> None:
    client = _english_console(world)
    for path in ("/console/reports/", "/console/reports/monthly/", "/console/bulletins/", "/console/audit/"):
        page = client.get(path).content.decode()
        assert vietnamese_lines(page) == [], path
    monthly = client.get("/console/reports/monthly/").content.decode()
    assert "Messages in total" in monthly and "(hours)" in monthly and "giờ" not in monthly


def test_english_excel_summary_names_its_rows_in_english(world: World) -> None:
    import io

    from openpyxl import load_workbook

    client = _english_console(world)
    book = load_workbook(io.BytesIO(client.get("/console/reports/dashboard.xlsx").content))
    labels = [row[0] for row in book["Summary"].iter_rows(min_row=2, values_only=True)]
    assert "Messages in total" in labels and not [label for label in labels if VIETNAMESE.search(str(label))]
    header = [c.value for c in next(book["Case"].iter_rows(max_row=1))]
    assert header[0] == "Reference" and not [h for h in header if VIETNAMESE.search(str(h))]
