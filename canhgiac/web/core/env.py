"""Settings from the environment, in the manner of healthchecks' ``hc/settings.py``.

Every secret may also come from a file: ``NAME_FILE=/run/secrets/name`` (Docker and
systemd credentials write them there), so it never has to sit in a process listing.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["envbool", "envint", "envlist", "envsecret", "envstr"]


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str:
    """A secret from ``NAME``, or from the file named by ``NAME_FILE``; "" when neither."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "")
