"""Languages: Vietnamese first, English second.

Message IDs are the Vietnamese text itself, so Vietnamese needs no catalogue; English is
``locale/en/LC_MESSAGES/django.po``. The standard tool chain keeps it: Django's
``makemessages`` (GNU xgettext, a development tool) extracts every marked string, lazy and
plural forms and templates included (``./dev messages``); Babel compiles the ``.mo``
(:func:`compile_catalogue`). tests/web/test_i18n.py fails when a string shown to users has
no English, or when the committed ``.mo`` is not what the ``.po`` compiles to.
"""

from __future__ import annotations

import io
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


def compile_catalogue(po: Path) -> bytes:
    """The .mo for a .po file, in pure Python with Babel (no GNU gettext needed to install
    or run): plural forms and contexts included, fuzzy entries left out, and the same bytes
    every time for the same .po, so the committed .mo can be checked against it."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po as babel_read_po

    with po.open("rb") as source:
        catalogue = babel_read_po(source, locale=po.parents[1].name)
    out = io.BytesIO()
    write_mo(out, catalogue, use_fuzzy=False)
    return out.getvalue()
