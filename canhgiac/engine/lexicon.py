"""Word lists the engine reads from its data folder, loaded once at import.

They are data, not code, so that an officer or a reviewer can read and change them; each
file says in its ``_comment`` how it was made.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from publicsuffixlist import PSLFILE, PublicSuffixList

__all__ = [
    "BANKS",
    "BRANDS",
    "DOMAINS",
    "OBFUSCATION_TARGET_WORDS",
    "TEENCODE",
    "Bank",
    "Brand",
    "is_tld",
    "load_json",
    "suffix_list",
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
    common_tlds: frozenset[str]
    hosting_suffixes: frozenset[str]
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
    common_tlds=frozenset(_domains["common_tlds"]),
    hosting_suffixes=frozenset(_domains["hosting_suffixes"]),
    platform_hosts=frozenset(_domains["platform_hosts"]),
    shorteners=frozenset(_domains["shorteners"]),
    risky_tlds=frozenset(_domains["risky_tlds"]),
)
BRANDS: tuple[Brand, ...] = tuple(Brand(b["name"], tuple(b["tokens"]), tuple(b["domains"])) for b in _domains["brands"]) + tuple(
    Brand(bank.name, tuple(a.replace(" ", "") for a in bank.aliases if len(a.replace(" ", "")) >= 3 and " " not in a), bank.domains)
    for bank in BANKS
)


@lru_cache(maxsize=1)
def suffix_list() -> PublicSuffixList:
    """The Public Suffix List bundled in the ``publicsuffixlist`` package (nothing is
    downloaded), with the hosting services it does not list. Unknown endings are not
    public suffixes: "abc.zz" has no registered domain.

    Built on first use, not at import: parsing it costs about 10 ms on the project's
    2-core machine (measured 2026-11; importing the package 5 ms), which a message with
    no link never pays; a look-up then costs about 4 microseconds. The punycode forms of
    internationalized endings are left out (they cost 100 ms more to build): the text
    links are found in is folded to ASCII letters, where no such ending can appear."""
    with open(PSLFILE, encoding="utf-8") as f:
        text = f.read()
    # Comments and blank lines, a third of the file, left out before the package's parser
    # (a loop in Python) sees them; it reads the rest as before: 19 → 10 ms to build, once
    # for the 4,174 messages of bench/engine_vs_peer.py.
    rules = [line for line in text.splitlines() if line and not line.startswith("//")]
    rules += sorted(DOMAINS.hosting_suffixes)
    return PublicSuffixList(rules, accept_unknown=False, accept_encoded_idn=False)


@lru_cache(maxsize=1)
def _top_level_domains() -> frozenset[str]:
    """The last label of every rule in the list's ICANN section: every top-level domain
    in use. Read on its own (4 ms), so that telling "abc.boats" from "TP.HCM" does not
    build the whole list."""
    tlds = set()
    with open(PSLFILE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("// ===END ICANN DOMAINS==="):
                break
            rule = line.strip()
            if rule and not rule.startswith("//"):
                tlds.add(rule.rsplit(".", 1)[-1].lstrip("!*"))
    return frozenset(tlds)


def is_tld(label: str) -> bool:
    """True for a top-level domain in use (from "com" and "vn" to "boats" and "tokyo")."""
    return label in DOMAINS.common_tlds or label in _top_level_domains()


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
