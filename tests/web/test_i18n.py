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
