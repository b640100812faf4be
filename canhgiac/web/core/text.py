"""Text from outside, made storable everywhere.

PostgreSQL refuses the NUL character in text and JSON columns (SQLite takes it), so a
message carrying one would be a 500 on one database and fine on the other. NUL means
nothing in a tip; it is removed at the door, in every channel, keys of JSON included.
Lone surrogates (invalid UTF-16 halves that JSON can spell) are dropped for the same reason.
Numbers JSON does not have (NaN, Infinity, and 1e999, which Python reads as infinite) are
refused when a body is read: PostgreSQL's JSON type refuses them when it is stored.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django import forms

# C0 control characters but tab and newline: nothing a person types, and illegal in the
# XML inside .docx and .xlsx files, where one would make every later export fail.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f]")
# What XML 1.0 cannot hold at all (tab, newline and carriage return it can).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "ignore").decode("utf-8")
    return text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large a number")
    return number


def loads(text: str) -> Any:
    """A JSON document from outside, as standard JSON: ``json.loads`` also takes NaN and
    Infinity, and turns 1e999 into an infinite float, none of which a JSON column can
    store (a ``ValueError``, as for any bad JSON)."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite)


def clean_json(value: Any) -> Any:
    """The same for a decoded JSON document, at any depth."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean(str(key)): clean_json(item) for key, item in value.items()}
    return value


def plain(text: str) -> str:
    """Typed text as kept: without NUL and the other control characters (tab and newline stay)."""
    return CONTROLS.sub("", clean(text))


def xml_safe(text: str) -> str:
    """Text that an Office file (XML) can hold: what it cannot is dropped."""
    return NOT_XML.sub("", text)


class PlainCharField(forms.CharField):
    """A form's text field that drops control characters before it is checked (a name of
    control characters alone is empty, so a required one says so)."""

    def to_python(self, value: Any) -> str | None:
        return super().to_python(plain(value) if isinstance(value, str) else value)
