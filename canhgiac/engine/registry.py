"""Reported indicators: phone numbers, bank accounts, domains and pages known as scams.

The engine asks an :class:`IndicatorLookup` whether anything a message contains has
been reported. :class:`Blocklist` is the in-memory one (from CSV files); the web
application supplies its own over the database.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from canhgiac.engine.indicators import Indicators, extract, parse_link

__all__ = ["Blocklist", "IndicatorLookup", "KnownIndicator"]


@dataclass(frozen=True, slots=True)
class KnownIndicator:
    kind: str  # "phone", "bank_account", "domain" or "page"
    value: str


class IndicatorLookup(Protocol):
    def known(self, indicators: Indicators) -> list[KnownIndicator]: ...


@dataclass(slots=True)
class Blocklist:
    """Sets of reported indicators. A page on a big platform (facebook.com/...) is kept
    as a page and matches only that page, never the platform."""

    phones: set[str] = field(default_factory=set)
    bank_accounts: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.phones) + len(self.bank_accounts) + len(self.domains) + len(self.pages)

    def add(self, value: str, kind: str | None = None) -> str | None:
        """Add one indicator written as people write it; returns the kind it was filed as."""
        value = value.strip()
        if not value:
            return None
        if kind in ("bank_account", "account"):
            digits = re.sub(r"\D", "", value)
            if digits:
                self.bank_accounts.add(digits)
                return "bank_account"
            return None
        if kind not in ("domain", "url", "ip", "page"):
            found = extract(value.lower())
            if found.phones and kind in (None, "phone"):
                self.phones.add(found.phones[0].e164)
                return "phone"
        link = parse_link(value.lower(), any_tld=kind in ("domain", "url", "ip", "page"))
        if link is None:
            return None
        if link.domain is None or (link.path.strip("/") and kind in ("url", "page")):
            self.pages.add(link.page)
            return "page"
        # The host as listed: it matches itself and its subdomains, not its neighbours.
        self.domains.add(link.host)
        return "domain"

    def known(self, indicators: Indicators) -> list[KnownIndicator]:
        found = []
        for phone in indicators.phones:
            if phone.e164 in self.phones:
                found.append(KnownIndicator("phone", phone.e164))
        for account in indicators.bank_accounts:
            if account.number in self.bank_accounts:
                found.append(KnownIndicator("bank_account", account.number))
        for link in indicators.links:
            listed = next((h for h in link.hosts() if h in self.domains), None)
            if listed is not None:
                found.append(KnownIndicator("domain", listed))
            elif link.page in self.pages or any(link.page.startswith(p + "/") for p in self.pages if "/" in p):
                found.append(KnownIndicator("page", link.page))
        return list(dict.fromkeys(found))

    @classmethod
    def from_csv(cls, paths: Iterable[Path]) -> Blocklist:
        """Read CSV files with a ``text`` (or ``indicator``/``value``) column and an
        optional ``kind`` column (phone, bank_account, domain, url, ip)."""
        blocklist = cls()
        for path in paths:
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    value = row.get("text") or row.get("indicator") or row.get("value") or ""
                    blocklist.add(value, row.get("kind") or None)
        return blocklist
