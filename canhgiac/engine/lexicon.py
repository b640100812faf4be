"""Word lists the engine reads from its data folder, loaded once at import.

They are data, not code, so that an officer or a reviewer can read and change them; each
file says in its ``_comment`` how it was made.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "BANKS",
    "BRANDS",
    "DOMAINS",
    "OBFUSCATION_TARGET_WORDS",
    "TEENCODE",
    "Bank",
    "Brand",
    "load_json",
]


def load_json(name: str) -> Any:
    """Read one of the engine's data files."""
    with resources.files("canhgiac.engine").joinpath("data", name).open(encoding="utf-8") as f:
        return json.load(f)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Bank:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    tokens: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DomainLists:
    tlds: frozenset[str]
    public_suffixes: frozenset[str]
    platform_hosts: frozenset[str]
    shorteners: frozenset[str]
    risky_tlds: frozenset[str]


def _teencode() -> dict[str, str]:
    raw: dict[str, str] = load_json("teencode.json")
    table = {}
    for key, value in raw.items():
        if key.startswith("_"):
            continue
        folded = _fold(key)
        if folded != value:
            table[folded] = value
    return table


TEENCODE: dict[str, str] = _teencode()

BANKS: tuple[Bank, ...] = tuple(Bank(b["name"], tuple(b["aliases"]), tuple(b["domains"])) for b in load_json("banks.json")["banks"])

_domains = load_json("domains.json")
DOMAINS = DomainLists(
    tlds=frozenset(_domains["tlds"]),
    public_suffixes=frozenset(_domains["public_suffixes"]),
    platform_hosts=frozenset(_domains["platform_hosts"]),
    shorteners=frozenset(_domains["shorteners"]),
    risky_tlds=frozenset(_domains["risky_tlds"]),
)
BRANDS: tuple[Brand, ...] = tuple(Brand(b["name"], tuple(b["tokens"]), tuple(b["domains"])) for b in _domains["brands"]) + tuple(
    Brand(bank.name, tuple(a.replace(" ", "") for a in bank.aliases if len(a.replace(" ", "")) >= 3 and " " not in a), bank.domains)
    for bank in BANKS
)

# Loan words scammers disguise with digits ("l1nk", "b4nk"): accepted as decoded tokens
# even though they are not Vietnamese syllables.
OBFUSCATION_TARGET_WORDS = frozenset(
    [
        "bank",
        "link",
        "click",
        "login",
        "otp",
        "vip",
        "free",
        "code",
        "app",
        "online",
        "game",
        "casino",
        "bonus",
        "zalo",
        "shopee",
        "momo",
        "facebook",
        "telegram",
        "visa",
        "card",
        "sale",
        "web",
        "website",
    ]
)
