"""Text from outside, made storable everywhere.

PostgreSQL refuses the NUL character in text and JSON columns (SQLite takes it), so a
message carrying one would be a 500 on one database and fine on the other. NUL means
nothing in a tip; it is removed at the door, in every channel, keys of JSON included.
Lone surrogates (invalid UTF-16 halves that JSON can spell) are dropped for the same reason.
"""

from __future__ import annotations

from typing import Any


def clean(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "ignore").decode("utf-8")
    return text


def clean_json(value: Any) -> Any:
    """The same for a decoded JSON document, at any depth."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean(str(key)): clean_json(item) for key, item in value.items()}
    return value
