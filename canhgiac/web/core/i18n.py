"""Languages: Vietnamese first, English second.

Message IDs are the Vietnamese text itself, so Vietnamese needs no catalogue; English is
``locale/en/LC_MESSAGES/django.po``. Its ``.mo`` is compiled by :func:`compile_po`, in pure
Python (no GNU gettext to install), and a test checks the committed one is current.
"""

from __future__ import annotations

import ast
import re
import struct
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

PO_FILE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def language() -> str:
    """ "vi" or "en", for the engine's names of its codes."""
    return "en" if (translation.get_language() or "vi").startswith("en") else "vi"


def chosen_language(request: HttpRequest) -> str:
    """The language this person chose with the switch (kept in a cookie), else Vietnamese.

    The browser's Accept-Language is ignored on purpose: an officer's office PC or phone
    is often set to English, and the console must still open in Vietnamese; English is
    shown only to whoever asked for it."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Django's LocaleMiddleware without the browser's say (see chosen_language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = chosen_language(request)
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", lang)
        return response


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr from a .po file (plain entries; the header is the "" entry)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            entries["".join(msgid)] = "".join(msgstr)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        elif not line:
            flush()
            msgid = msgstr = current = None
    flush()
    return entries


def compile_po(po: Path, mo: Path) -> None:
    """Write the GNU .mo file for a .po file (the format msgfmt writes)."""
    entries = {k: v for k, v in read_po(po).items() if v or not k}
    keys = sorted(entries)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        k = key.encode("utf-8")
        v = entries[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    start_ids = 7 * 4
    start_strs = start_ids + len(keys) * 8
    data_start = start_strs + len(keys) * 8
    output = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), start_ids, start_strs, 0, 0)
    id_table = b"".join(struct.pack("ii", length, data_start + offset) for offset, length, _, _ in offsets)
    str_table = b"".join(struct.pack("ii", length, data_start + len(ids) + offset) for _, _, offset, length in offsets)
    mo.write_bytes(output + id_table + str_table + ids + strs)


_TEMPLATE_STRING = re.compile(r"""\{% translate (["'])(.+?)\1 %\}""")
_BLOCK = re.compile(r"\{% blocktranslate trimmed(?: with [^%]*)? %\}(.*?)\{% endblocktranslate %\}", re.S)
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_PYTHON_STRING = re.compile(r"""\b_\(\s*"((?:[^"\\]|\\.)*)"\s*\)""")


def extract_messages(root: Path) -> set[str]:
    """Every message ID in the web application's templates and Python files."""
    found: set[str] = set()
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found.update(m.group(2) for m in _TEMPLATE_STRING.finditer(text))
        found.update(_PLACEHOLDER.sub(r"%(\1)s", " ".join(m.group(1).split())) for m in _BLOCK.finditer(text))
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found.update(ast.literal_eval(f'"{m.group(1)}"') for m in _PYTHON_STRING.finditer(path.read_text(encoding="utf-8")))
    return found
