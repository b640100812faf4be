"""Vietnamese by default, English as the second language."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.test import Client

from canhgiac.web.core.i18n import PO_FILE, compile_catalogue
from tests.web.conftest import World

WEB = Path(__file__).resolve().parents[2] / "canhgiac" / "web"
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁẢÃẠĂÂÈÉÊÌÍÒÓÔƠÙÚƯÝ]")


def _extracted_catalogue(tmp_path: Path) -> Catalog:
    """What Django's makemessages (GNU xgettext) extracts from the code as it is now,
    merged with the committed English: run on a copy, so the work tree is left alone."""
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    settings = {
        "LOCALE_PATHS": [str(copy / "locale")],
        "USE_I18N": True,
        "INSTALLED_APPS": [],
        "TEMPLATES": [{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    }
    script = (
        "import django; from django.conf import settings; "
        f"settings.configure(**{settings!r}); django.setup(); "
        "from django.core.management import call_command; "
        "call_command('makemessages', locale=['en'], no_location=True, no_obsolete=True, verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", script], cwd=copy, check=True, capture_output=True)
    with (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po)


def _untranslated(catalogue: Catalog) -> list[str]:
    missing = []
    for message in catalogue:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(str(message.id))
    return missing


def test_every_message_shown_to_users_has_an_english_translation(tmp_path: Path) -> None:
    """Every string marked for translation (gettext, lazy, plural, context, templates)
    has English in the committed catalogue; a new one without it fails here."""
    extracted = _extracted_catalogue(tmp_path)
    assert len(extracted) > 500  # the extraction really ran over the application
    assert _untranslated(extracted) == [], "run ./dev messages, then write the English of the new entries"
    with PO_FILE.open("rb") as po:
        committed = read_po(po)
    assert _untranslated(committed) == []
    stale = sorted(str(m.id) for m in committed if m.id and m.id not in extracted)
    assert stale == [], "entries no code uses any more: run ./dev messages"


def test_compiled_catalogue_is_current() -> None:
    assert compile_catalogue(PO_FILE) == PO_FILE.with_suffix(".mo").read_bytes(), "run: canhgiac manage compiletranslations"


def test_plural_forms_and_contexts_reach_django(world: World) -> None:
    """The compiled catalogue carries what the old hand-written one could not."""
    from django.utils import translation

    with PO_FILE.open("rb") as po:
        committed = read_po(po)
    plurals = [m for m in committed if m.pluralizable and m.id]
    assert plurals, "the catalogue has plural forms"
    for plural in plurals:
        assert isinstance(plural.id, tuple) and isinstance(plural.string, tuple)
        singular, plural_id = plural.id
        with translation.override("en"):
            assert translation.ngettext(singular, plural_id, 1) == plural.string[0]
            assert translation.ngettext(singular, plural_id, 5) == plural.string[1]
            assert plural.string[0] != plural.string[1]  # English really has two forms here


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
