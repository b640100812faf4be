"""Extract indicators from a message: phone numbers, bank accounts, links, amounts.

Extraction works on the *plain* form from :mod:`normalize` (lowercase, no diacritics,
obfuscated links already put back together), so "0912.345.678", "+84 912 345 678",
"Số tài khoản" and "so tk" all need one pattern each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from canhgiac.engine.lexicon import BANKS, BRANDS, DOMAINS, is_tld, suffix_list
from canhgiac.engine.normalize import plausible_tld

__all__ = [
    "OFFICIAL_DOMAINS",
    "PERSONAL_PHONES",
    "Amount",
    "BankAccount",
    "Indicators",
    "Link",
    "Phone",
    "extract",
    "is_official",
    "parse_link",
    "registered_domain",
]


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    kind: str  # "mobile", "landline", "hotline", or "masked" (a mobile with digits hidden)
    raw: str


# The kinds of phone number that reach a person, not an office's line: a mobile, or one
# forwarded with digits hidden.
PERSONAL_PHONES = frozenset({"mobile", "masked"})


@dataclass(frozen=True, slots=True)
class BankAccount:
    number: str
    bank: str | None
    raw: str


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    host: str
    domain: str | None
    """The registered domain, or None for a page on a big platform (facebook.com/...),
    which belongs to one account there and says nothing about the platform."""
    path: str
    shortener: bool
    is_ip: bool
    official: bool = False
    """The site of a bank, a carrier, a delivery company, a platform or the state (any
    name under gov.vn): reported as a link, never proposed for blocking."""

    def hosts(self) -> list[str]:
        """The host and each parent down to the registered domain: what a blocklist entry
        for a host ("x.scam.top") may be matched against, never above it."""
        labels = self.host.split(".")
        floor = (self.domain or self.host).count(".") + 1
        return [".".join(labels[i:]) for i in range(0, max(1, len(labels) - floor + 1))]

    @property
    def page(self) -> str:
        """Host and path without the scheme: how a blocklist names a page."""
        return (self.host + self.path).rstrip("/")


@dataclass(frozen=True, slots=True)
class Amount:
    vnd: int
    raw: str


@dataclass(slots=True)
class Indicators:
    phones: list[Phone] = field(default_factory=list)
    bank_accounts: list[BankAccount] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)

    @property
    def domains(self) -> list[str]:
        return _unique(link.domain for link in self.links if link.domain)

    @property
    def zalo_links(self) -> list[str]:
        return _unique(link.page for link in self.links if link.host in ("zalo.me", "chat.zalo.me") and link.path.strip("/"))

    def __bool__(self) -> bool:
        return bool(self.phones or self.bank_accounts or self.links)

    def to_dict(self) -> dict[str, Any]:
        if not (self.phones or self.bank_accounts or self.links or self.amounts):
            return {"phones": [], "bank_accounts": [], "urls": [], "domains": [], "zalo_links": [], "amounts_vnd": []}
        return {
            "phones": _unique(p.e164 for p in self.phones),
            "bank_accounts": [{"number": a.number, "bank": a.bank} for a in self.bank_accounts],
            "urls": _unique(link.url for link in self.links),
            "domains": self.domains,
            "zalo_links": self.zalo_links,
            "amounts_vnd": _unique(a.vnd for a in self.amounts),
        }


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------------------- links

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'{}|\\^`]+"
    # A name followed by a dot and more ("S22.BN.123", an order code) is no host.
    r"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\w-])(?!\.\w)(?::\d{2,5})?(?:/[^\s<>\"'{}|\\^`]*)?",
)
# What every match of _URL holds: a scheme, "www.", or a dot between a label and a letter.
# Searching for it first is several times cheaper than _URL on text with no link.
_URL_HINT = re.compile(r"://|www\.|[a-z0-9]\.[a-z]")
_ANY_DIGIT = re.compile(r"\d")
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_MASKED_NUMBER = re.compile(r"[\dx]+(?:\.[\dx]+)+")
_TRAILING = ".,;:!?)]}'\"…"

OFFICIAL_DOMAINS = frozenset(d for brand in BRANDS for d in brand.domains)


def is_official(domain: str | None) -> bool:
    """A registered domain that belongs to a brand people trust (data/domains.json,
    data/banks.json) or to the state."""
    return domain is not None and (domain in OFFICIAL_DOMAINS or domain == "gov.vn" or domain.endswith(".gov.vn"))


def registered_domain(host: str) -> str:
    """The name a registrant owns, by the Public Suffix List: "a.b.vcb-sinhtrachoc.com.vn"
    -> "vcb-sinhtrachoc.com.vn", "shop.com.kh" -> "shop.com.kh", "x.abc.github.io" ->
    "abc.github.io". An ending the list does not know keeps the last two labels."""
    return suffix_list().privatesuffix(host) or ".".join(host.split(".")[-2:])


def _free_text_host(host: str) -> bool:
    """A name written with no http://, www. or path, as a host name rather than words run
    together: a common ending, or another real one after a label of three or more
    characters with a letter ("abc.boats"; not "tp.hn", Hà Nội, nor "1.tr", one million)."""
    labels = host.split(".")
    # "09xx.xxx.xxx", "0213.xxx.xxx": a phone number masked with x's, not a name under .xxx.
    if _MASKED_NUMBER.fullmatch(host):
        return False
    tld = labels[-1]
    if tld in DOMAINS.common_tlds:
        return True
    label = labels[-2]
    return plausible_tld(tld) and len(label) >= 3 and any(c.isalpha() for c in label)


def parse_link(text: str, *, any_tld: bool = False) -> Link | None:
    """Parse one link as found in text; None when it is not a plausible web address.
    In free text a name needs a known ending; ``any_tld`` accepts any (for blocklists,
    whose rows say they are domains)."""
    url = text.rstrip(_TRAILING)
    if not url:
        return None
    rest = url.split("://", 1)[1] if "://" in url else url
    host, _, path = rest.partition("/")
    host = host.split("@")[-1].split(":")[0].strip(".")
    path = "/" + path if path else ""
    if not host:
        return None
    is_ip = bool(_IP.match(host))
    if not is_ip:
        tld = host.rsplit(".", 1)[-1]
        if "." not in host:
            return None
        if any_tld:
            if not (tld.isalpha() and len(tld) >= 2):
                return None
        elif not is_tld(tld) or ("://" not in url and not host.startswith("www.") and not path and not _free_text_host(host)):
            return None
    bare = host[4:] if host.startswith("www.") else host
    if bare.startswith("m.") and bare[2:] in DOMAINS.platform_hosts:
        bare = bare[2:]
    domain: str | None = host if is_ip else registered_domain(bare)
    if bare in DOMAINS.platform_hosts and path.strip("/") and bare not in DOMAINS.shorteners:
        domain = None
    if not is_ip and suffix_list().is_public(bare):
        domain = None  # "github.io", "com.vn": an ending, nobody's site
    shortener = bare in DOMAINS.shorteners or (domain is not None and domain.split(".", 1)[-1] in DOMAINS.shorteners)
    if "://" not in url:
        url = "http://" + url
    return Link(url=url, host=bare, domain=domain, path=path, shortener=shortener, is_ip=is_ip, official=is_official(domain))


# ---------------------------------------------------------------------------- phones and accounts

# Digits with the separators people put in numbers; a space before a sign ("0123456789
# -2.500.000", a balance notice) ends the run.
_DIGIT_RUN = re.compile(r"(?<![\w.,/])\+?\(?\d(?:[\d.\-()]| (?![-+]\d))*\d(?![\w/]|[.,]\d)")
_GROUP = re.compile(r"\d+")
_NON_DIGIT = re.compile(r"\D")
# A phone number typed with the letter o for zero ("O934 58O 261", "o9o3.123.456"): groups
# of digits and o's, each with a digit in it. Read as a number only when it then is one.
_O_PHONE = re.compile(r"(?<![\w.,/])(?:\+84[ .-]?)?[0o][\do]*\d[\do]*(?:[ .-][\do]*\d[\do]*)*(?!\w)")
_O_NEXT_TO_DIGIT = re.compile(r"\do|o\d")
_MASKED_MOBILE = re.compile(r"(?<![\w.,/])0[35789][\dx]*(?:[ .][\dx]+){0,3}(?![\w])")
# Dates and times ("19-03-2026 20:15", "19/03/2026", "19.03.2026 lúc 20h15"): neither a
# phone number nor an account, whatever word comes before them.
_DATE_TIME = re.compile(
    r"(?<![\w.,/])(\d{1,2})([-/.])(\d{1,2})\2(?:\d{4}|\d{2})(?:,?\s+(?:luc\s+)?\d{1,2}[:h]\d{2}(?::\d{2})?)?(?![\w/]|[.,]\d)"
)
# Words after a number that make it an amount of money ("2.500.000 VND", "500k").
_UNIT_AFTER = re.compile(r"\s?(?:ty|trieu|tr|cu|nghin|ngan|k|vnd|dong|d|usd)(?![a-z0-9])")

_PHONE_CONTEXT = re.compile(
    r"\b(?:lh|lien he|goi|call|sdt|so dt|dt|dien thoai|dthoai|zalo|hotline|phone|tel|nhan tin|sms|so may|thue bao|tb|alo|so dien thoai)\b"
)
_ACCOUNT_CONTEXT = re.compile(
    r"\b(?:stk|so tk|so tai khoan|tai khoan so|tai khoan|tk|account|acc|chuyen khoan|ck|chuyen tien|nap tien|ngan hang|nh|chu tk|chu tai khoan)\b"
)


def _bank_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for bank in BANKS:
        for alias in bank.aliases:
            if " " in alias and "bank" not in alias and "money" not in alias and "pay" not in alias:
                # "quan doi", "sai gon": a bank name only after "ngân hàng".
                table["ngan hang " + alias] = bank.name
                table["nh " + alias] = bank.name
            else:
                table[alias] = bank.name
                table[alias.replace(" ", "")] = bank.name
    return table


_BANK_ALIASES = _bank_aliases()
_BANK_ALIAS_WORDS = max(alias.count(" ") + 1 for alias in _BANK_ALIASES)
_BANK_FIRST_WORDS = frozenset(alias.split()[0] for alias in _BANK_ALIASES)
_WORD = re.compile(r"[a-z0-9]+")


def _banks_in(text: str) -> list[tuple[int, int, str]]:
    """Bank names in plain text, as (start, end, display name); longest name first."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    found = []
    i = 0
    while i < len(words):
        if words[i][2] not in _BANK_FIRST_WORDS:
            i += 1
            continue
        for n in range(min(_BANK_ALIAS_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(w[2] for w in words[i : i + n])
            name = _BANK_ALIASES.get(phrase)
            if name is not None:
                found.append((words[i][0], words[i + n - 1][1], name))
                i += n - 1
                break
        i += 1
    return found


def _phone_from_digits(digits: str) -> tuple[str, str] | None:
    """E.164 and kind for a run of digits, or None."""
    if digits.startswith("840") and len(digits) in (12, 13):
        digits = "84" + digits[3:]
    national = "0" + digits[2:] if digits.startswith("84") and len(digits) in (11, 12) else digits
    if len(national) == 10 and national[0] == "0" and national[1] in "35789":
        return "+84" + national[1:], "mobile"
    if len(national) == 11 and national.startswith("02"):
        return "+84" + national[1:], "landline"
    if national[:4] in ("1800", "1900") and len(national) in (8, 10):
        return national, "hotline"
    return None


def _nearest_context(text: str, start: int) -> str | None:
    """Whether the words just before a number say phone or account."""
    window = text[max(0, start - 40) : start]
    phone = [m.end() for m in _PHONE_CONTEXT.finditer(window)]
    account = [m.end() for m in _ACCOUNT_CONTEXT.finditer(window)]
    if not phone and not account:
        return None
    if phone and (not account or phone[-1] > account[-1]):
        return "phone"
    return "account"


def _split_phones(run: str) -> list[tuple[int, int, str, str]]:
    """Phones in a run of digit groups ("0912 345 678 0987 654 321" holds two)."""
    groups = [(m.start(), m.end(), m.group()) for m in _GROUP.finditer(run)]
    found = []
    i = 0
    while i < len(groups):
        digits = ""
        best: tuple[int, str, str] | None = None
        for j in range(i, len(groups)):
            digits += groups[j][2]
            if len(digits) > 13:
                break
            parsed = _phone_from_digits(digits)
            if parsed:
                best = (j, *parsed)
        if best:
            j, e164, kind = best
            found.append((groups[i][0], groups[j][1], e164, kind))
            i = j + 1
        else:
            i += 1
    return found


# ---------------------------------------------------------------------------- amounts

_AMOUNT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d{1,2})?)\s?"
    r"(ty|trieu|tr|cu|nghin|ngan|k|vnd|dong|d)(\d{1,3})?(?![a-z0-9])"
)
_MULTIPLIER = {
    "k": 1_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "tr": 1_000_000,
    "trieu": 1_000_000,
    "cu": 1_000_000,
    "ty": 1_000_000_000,
    "d": 1,
    "dong": 1,
    "vnd": 1,
}
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def _amount(number: str, unit: str, tail: str | None) -> int | None:
    value = float(re.sub(r"[.,]", "", number)) if _THOUSANDS.match(number) else float(number.replace(",", "."))
    multiplier = _MULTIPLIER[unit]
    if tail:
        if multiplier < 1_000_000:
            return None  # "5d3" is not an amount
        # "1tr5" is 1.5 million, "2ty35" is 2.35 billion.
        value += float("0." + tail)
    result = round(value * multiplier)
    return result if 0 < result < 10**15 else None


# ---------------------------------------------------------------------------- all together


def _zeros_for_letter_o(plain: str) -> str:
    """``plain`` with the letter o read as zero inside phone numbers written that way;
    same length, so positions carry over."""
    if _O_NEXT_TO_DIGIT.search(plain) is None:
        return plain
    out = plain
    for match in _O_PHONE.finditer(plain):
        candidate = match.group()
        if "o" not in candidate:
            continue
        digits = re.sub(r"[ .+-]", "", candidate).replace("o", "0")
        if _phone_from_digits(digits) is not None:
            out = out[: match.start()] + candidate.replace("o", "0") + out[match.end() :]
    return out


def _is_date(match: re.Match[str]) -> bool:
    day, month = int(match.group(1)), int(match.group(3))
    return 1 <= day <= 31 and 1 <= month <= 12


def _is_amount(plain: str, match: re.Match[str]) -> bool:
    """A number with a currency after it ("2.500.000 VND"), or a balance change written
    in thousands with its sign ("-2.500.000"): money, not an account."""
    if _UNIT_AFTER.match(plain, match.end()):
        return True
    before = plain[match.start() - 1 : match.start()]
    return before in ("-", "+") and _THOUSANDS.match(match.group().strip()) is not None


def extract(plain: str) -> Indicators:
    """Every indicator in a message's plain form (see ``NormalizedText.plain``)."""
    result = Indicators()
    taken: list[tuple[int, int]] = []

    if _URL_HINT.search(plain) is not None:
        for match in _URL.finditer(plain):
            link = parse_link(match.group())
            if link is not None:
                result.links.append(link)
                taken.append(match.span())
    if _ANY_DIGIT.search(plain) is None:
        return result  # no number, account, date or amount without a digit

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _DATE_TIME.finditer(plain):
        if _is_date(match) and free(*match.span()):
            taken.append(match.span())

    numbers = _zeros_for_letter_o(plain)
    banks: list[tuple[int, int, str]] | None = None
    for match in _DIGIT_RUN.finditer(numbers):
        run = match.group()
        digits = _NON_DIGIT.sub("", run)
        if len(digits) < 6:
            continue  # too short for an account (6 digits) or a phone (8): most numbers
        if not free(*match.span()) or _is_amount(numbers, match):
            continue
        context = _nearest_context(plain, match.start())
        if banks is None:  # looked up once, and only when a number could be an account
            banks = _banks_in(plain)
        bank_near = [name for s, e, name in banks if -60 <= match.start() - e <= 60 or 0 <= s - match.end() <= 30]
        # An account when the words before say so, or when a bank is named next to an
        # unbroken run of digits; never a run that is too short or too long for one.
        said_account = context == "account" or (context is None and bank_near and len(digits) >= 8 and " " not in run.strip())
        # ("CSKH 19001288" after a bill: a hotline, which no account number looks like.)
        if said_account and context != "account" and digits[:4] in ("1800", "1900") and len(digits) in (8, 10):
            said_account = False
        if said_account and 6 <= len(digits) <= 19:
            result.bank_accounts.append(BankAccount(digits, bank_near[-1] if bank_near else None, run.strip()))
            taken.append(match.span())
            continue
        for start, end, e164, kind in _split_phones(run):
            result.phones.append(Phone(e164, kind, plain[match.start() + start : match.start() + end]))
            taken.append((match.start() + start, match.start() + end))

    # "0773xxx292", "09xx xxx 581": a mobile number with digits hidden, as people forward
    # them. It is a number to call all the same; there is nothing to look up or block.
    if "xx" in plain or "x " in plain:  # a hidden digit is typed "x"; most words with an x are not
        for match in _MASKED_MOBILE.finditer(plain):
            raw = match.group()
            shown = raw.replace(" ", "").replace(".", "")
            if "x" in shown and len(shown) == 10 and sum(c.isdigit() for c in shown) >= 4 and free(*match.span()):
                result.phones.append(Phone(shown, "masked", raw))
                taken.append(match.span())

    for match in _AMOUNT.finditer(plain):
        if not free(*match.span()):
            continue
        value = _amount(match.group(1), match.group(2), match.group(3))
        if value is not None:
            result.amounts.append(Amount(value, match.group().strip()))
    return result
