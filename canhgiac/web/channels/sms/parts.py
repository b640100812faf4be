"""How many SMS a text costs, and its form without diacritics: the one place the
formulas live (no Django here).

A text goes as GSM-7 when every character is in the GSM 03.38 alphabet (160 septets
alone, 153 a part when split, the characters of the extension table taking two), and
as UCS-2 otherwise (70 UTF-16 units alone, 67 a part; a character outside the Basic
Multilingual Plane takes two). Vietnamese with its accents is UCS-2: "Cảnh giác" costs
as much as 70 characters, where "Canh giac" costs as much as 160.

By hand: counting needs only the two GSM 03.38 tables below (about 150 characters) and
two numbers per encoding, and the same rules run in the browser (static/sms_count.js,
whose count tests/browser/test_sms.py compares with this file's), which a Python library
could not serve; a dependency for 85 lines was not worth it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from canhgiac.engine.normalize import fold_diacritics

Encoding = Literal["gsm7", "ucs2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")  # an escape character, then the character
SINGLE = {"gsm7": 160, "ucs2": 70}
SPLIT = {"gsm7": 153, "ucs2": 67}  # the rest of each part is the concatenation header

# Typography that phones and word processors put in, and GSM-7 lacks: its plain form.
_PLAIN_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
        "\t": " ",
    }
)


@dataclass(frozen=True, slots=True)
class Count:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int


def _weights(text: str) -> tuple[Encoding, list[int]]:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        return "gsm7", [2 if c in GSM7_EXTENSION else 1 for c in text]
    return "ucs2", [2 if ord(c) > 0xFFFF else 1 for c in text]


def count(text: str) -> Count:
    """The encoding and the number of parts ``text`` is sent in (an empty text is one
    part). A two-unit character is never cut between parts, as phones split."""
    text = unicodedata.normalize("NFC", text)
    encoding, weights = _weights(text)
    units = sum(weights)
    if units <= SINGLE[encoding]:
        return Count(encoding, units, 1)
    parts, room = 1, SPLIT[encoding]
    for weight in weights:
        if weight > room:
            parts, room = parts + 1, SPLIT[encoding]
        room -= weight
    return Count(encoding, units, parts)


def parts(text: str) -> int:
    return count(text).parts


def plain(text: str) -> str:
    """The text without diacritics (đ -> d) and with plain punctuation: GSM-7 whenever
    nothing else than Vietnamese and common punctuation is in it. Characters still
    outside GSM-7 (an emoji) are kept: the text then stays UCS-2, and says what it says."""
    text = fold_diacritics(unicodedata.normalize("NFC", text)).translate(_PLAIN_PUNCTUATION)
    # What fold_diacritics leaves (a decomposed mark, "ơ" written as o + horn) goes too.
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
