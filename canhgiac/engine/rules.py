"""Cues and reasons: the readable half of every decision.

A *cue* is a phrase from ``data/cues.json`` found in a message (as whole words, in the
folded form). A *reason* is a rule over cues and indicators that a citizen can be told
("asks for an OTP"). Classifiers use both as features, and the verdict quotes the reasons
with the words that triggered them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from canhgiac.engine import lexicon
from canhgiac.engine.indicators import Indicators, Link
from canhgiac.engine.normalize import NormalizedText, fold_diacritics

__all__ = ["REASON_CODES", "CueMatch", "Finding", "find_cues", "find_reasons", "reason_message"]

_WORD = re.compile(r"[a-z0-9]+|\+")


def _load_cues() -> dict[str, dict[tuple[str, ...], tuple[str, ...]]]:
    """Phrase (as a tuple of words) -> cue names, indexed by first word."""
    raw: dict[str, list[str]] = lexicon.load_json("cues.json")
    index: dict[str, dict[tuple[str, ...], list[str]]] = {}
    for name, phrases in raw.items():
        if name.startswith("_"):
            continue
        for phrase in phrases:
            words = tuple(_WORD.findall(fold_diacritics(phrase.lower())))
            if words:
                index.setdefault(words[0], {}).setdefault(words, []).append(name)
    return {first: {words: tuple(names) for words, names in by_phrase.items()} for first, by_phrase in index.items()}


_CUES = _load_cues()
# For each first word, the phrase lengths that exist, longest first.
_CUE_LENGTHS = {first: sorted({len(words) for words in by_phrase}) for first, by_phrase in _CUES.items()}
_REASONS: dict[str, dict[str, str]] = {k: v for k, v in lexicon.load_json("reasons.json").items() if not k.startswith("_")}
REASON_CODES: tuple[str, ...] = tuple(_REASONS)

_NEGATIONS = frozenset({"khong", "dung", "chang", "cam", "chua"})
_RISKY_TLDS = lexicon.DOMAINS.risky_tlds


def reason_message(code: str, language: str = "vi") -> str:
    """The sentence shown to a person for a reason code."""
    entry = _REASONS[code]
    return entry.get(language) or entry["vi"]


@dataclass(frozen=True, slots=True)
class CueMatch:
    name: str
    phrase: str
    position: int
    """Index of the first word, for rules that look at neighbours."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A reason found in a message, with the words that triggered it."""

    code: str
    evidence: str

    @property
    def message(self) -> str:
        return reason_message(self.code)


class Cues:
    """The cues found in one message."""

    __slots__ = ("by_name", "words")

    def __init__(self, words: list[str], matches: list[CueMatch]) -> None:
        self.words = words
        self.by_name: dict[str, list[CueMatch]] = {}
        for match in matches:
            self.by_name.setdefault(match.name, []).append(match)

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def first(self, *names: str) -> str | None:
        for name in names:
            found = self.by_name.get(name)
            if found:
                return found[0].phrase
        return None

    def phrases(self, name: str) -> set[str]:
        return {m.phrase for m in self.by_name.get(name, ())}

    def count(self, name: str) -> int:
        return len(self.phrases(name))

    def negated(self, match: CueMatch) -> bool:
        """True when one of the two words before the cue is a negation ("không cung cấp")."""
        before = self.words[max(0, match.position - 3) : match.position]
        return any(w in _NEGATIONS for w in before)

    def affirmed(self, name: str) -> CueMatch | None:
        for match in self.by_name.get(name, ()):
            if not self.negated(match):
                return match
        return None


def find_cues(folded: str) -> Cues:
    words = _WORD.findall(folded)
    matches: list[CueMatch] = []
    for i, word in enumerate(words):
        by_phrase = _CUES.get(word)
        if by_phrase is None:
            continue
        here: list[CueMatch] = []
        for n in _CUE_LENGTHS[word]:
            if i + n > len(words):
                break
            names = by_phrase.get((word,) if n == 1 else tuple(words[i : i + n]))
            if names:
                phrase = " ".join(words[i : i + n])
                if "neutral" in names:
                    # "tiền điện thoại" is not "tiền điện": a longer neutral phrase
                    # cancels the shorter cues starting at the same word.
                    here = []
                    continue
                here.extend(CueMatch(name, phrase, i) for name in names)
        matches.extend(here)
    return Cues(words, matches)


# ---------------------------------------------------------------------------- links


def _official(domain: str | None) -> bool:
    return domain is not None and (domain in _OFFICIAL_DOMAINS or domain.endswith(".gov.vn") or domain == "gov.vn")


_OFFICIAL_DOMAINS = frozenset(d for brand in lexicon.BRANDS for d in brand.domains)
_BRAND_TOKENS = {token: brand for brand in lexicon.BRANDS for token in brand.tokens if len(token) >= 3}
_DELEET = str.maketrans("013457", "oieast")


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


def lookalike_brand(link: Link) -> str | None:
    """The brand a link imitates: its host names a brand (or a near-miss spelling of one)
    but it is not the brand's own site, and it looks made up: a hyphen, a brand name
    inside another site's name, a foreign or cheap ending, or a misspelling. A plain
    Vietnamese name such as "myviettel.vn" is left to the other rules."""
    if link.domain is None or _official(link.domain) or link.is_ip or link.shortener:
        return None
    host = link.host.translate(_DELEET)
    domain = link.domain
    vietnamese = domain.endswith(".vn")
    nested = (host != domain and not host.endswith("." + domain)) or host.count(".") > domain.count(".") + 1
    parts = [p for p in re.split(r"[.\-]", host) if p]
    for part in parts:
        brand = _BRAND_TOKENS.get(part)
        if brand is not None:
            return brand.name
        for token, brand in _BRAND_TOKENS.items():
            if len(token) < 5 or len(part) < 5:
                continue
            if part != token and _edit_distance_at_most_one(part, token):
                return brand.name
            if token in part and ("-" in domain or not vietnamese or nested):
                return brand.name
    return None


def _suspicious(link: Link) -> bool:
    if link.shortener or link.is_ip:
        return True
    if link.domain is None or _official(link.domain):
        return False
    tld = link.domain.rsplit(".", 1)[-1]
    return tld in _RISKY_TLDS or link.host.count(".") >= 4 or bool(re.search(r"\d{4,}", link.host))


# ---------------------------------------------------------------------------- reasons

ReasonRule = Callable[[NormalizedText, Cues, Indicators], str | None]


def _asks_something(cues: Cues, indicators: Indicators) -> bool:
    return any(
        name in cues for name in ("transfer", "secret_request", "secret_entry", "app_install", "click", "threat", "account_alarm")
    ) or bool(indicators.links or indicators.bank_accounts)


def _impersonation(cue: str) -> ReasonRule:
    def rule(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
        if cue in cues and _asks_something(cues, indicators) and "tip_strong" not in cues:
            return cues.first(cue)
        return None

    return rule


def _bank(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    if "bank" not in cues:
        return None
    wants = (
        cues.affirmed("secret_request")
        or "threat" in cues
        or "account_alarm" in cues
        or any(not _official(link.domain) for link in indicators.links)
    )
    return cues.first("bank") if wants else None


def _relative(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    if "relative" in cues and ("transfer" in cues or indicators.bank_accounts) and "loss" not in cues:
        return cues.first("relative")
    return None


# "chuyển 200 triệu vào tài khoản", "nộp thuế 2.000.000đ vào STK": a payment verb, then
# where the money should go, in one clause.
_CLAUSE_CHAR = r"(?:[^.!?\n]|(?<=\d)\.(?=\d))"
_MONEY_ASK = re.compile(
    rf"\b(?:chuyen|nop|dong|gui|nap|ck|thanh toan|ung)\b{_CLAUSE_CHAR}{{0,60}}?\b(?:vao|cho|qua|sang)\b{_CLAUSE_CHAR}{{0,45}}?\d{{6,}}"
)


def _money(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    # A request, not a record: balance notices ("GD -10.000 VND ... ND: thanh toan")
    # name payments that already happened.
    if "secret_warning" in cues or cues.count("balance_notice") >= 3 or "loss" in cues:
        return None
    asked = _MONEY_ASK.search(text.folded)
    if asked and indicators.bank_accounts:
        return asked.group(0)[:60]
    match = cues.affirmed("transfer")
    if match is not None and (cues.affirmed("request") or indicators.bank_accounts):
        return match.phrase
    return None


def _otp(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    # "Cung cấp OTP" is a request in itself; "nhập mã" only with an OTP or password in
    # sight and no promotion code ("nhập mã MT30 để giảm 30.000đ").
    # Giving a code to someone ("đọc mã cho nhân viên") is always a red flag; typing it
    # somewhere ("nhập mã OTP 119044 để xác thực") only into a link that is not official.
    match = cues.affirmed("secret_request")
    if match is not None and "promo_code" not in cues and ("secret_warning" not in cues or indicators.links):
        return match.phrase
    # "cung cấp số tài khoản và mã OTP": a verb of giving a few words before the secret.
    if "secret_warning" not in cues and "promo_code" not in cues:
        for secret in cues.by_name.get("secret", ()):
            for give in cues.by_name.get("give", ()):
                if 0 < secret.position - give.position <= 6 and not cues.negated(give):
                    return f"{give.phrase} ... {secret.phrase}"
    entry = cues.affirmed("secret_entry")
    if entry is not None and any(not _official(link.domain) for link in indicators.links):
        return entry.phrase
    return None


def _app(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    match = cues.affirmed("app_install")
    if match is None:
        return None
    # Folded, "tải ứng dụng" (download the app) and "tại ứng dụng" (in the app) are the
    # same letters; with diacritics present, ask for the verb as written.
    if match.phrase.startswith("tai "):
        if text.has_diacritics and "tải" not in text.clean.lower():
            return None
        # Without diacritics, "nhận thẻ tai ứng dụng MyVIB" reads "at": only an
        # instruction ("hãy tai ...", a sentence starting with it) means "download".
        before = cues.words[match.position - 1] if match.position else ""
        if before not in _INSTRUCTION_WORDS:
            return None
    return match.phrase


_INSTRUCTION_WORDS = frozenset(
    {"", "hay", "long", "ban", "can", "phai", "va", "roi", "vao", "anh", "chi", "em", "ngay", "bac", "co", "chu", "nhanh"}
)


def _link_click(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    unofficial = [link for link in indicators.links if not _official(link.domain) and link.host not in ("zalo.me",)]
    if unofficial and ("click" in cues or "secret_request" in cues or "secret_entry" in cues):
        return unofficial[0].url
    return None


# Host names written with random capitals ("ddlsxP.LnEwR.tech"): people type names in
# one case; generators that dodge filters do not.
_MIXED_CASE_HOST = re.compile(r"\b(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b")


def _mixed_case(label: str) -> bool:
    upper = sum(c.isupper() for c in label)
    lower = sum(c.islower() for c in label)
    return upper >= 2 and lower >= 2 and not label[1:].islower()


def _suspicious_link(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    for link in indicators.links:
        if _suspicious(link):
            return link.url
    if indicators.links:
        for match in _MIXED_CASE_HOST.finditer(text.clean):
            labels = match.group().split(".")[:-1]
            if any(_mixed_case(label) for label in labels) and "/" not in text.clean[match.end() : match.end() + 1]:
                return match.group()
    return None


def _lookalike(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    for link in indicators.links:
        brand = lookalike_brand(link)
        if brand is not None:
            return f"{link.host} ({brand})"
    return None


def _urgency(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    alarm = cues.first("account_alarm")
    if alarm and (indicators.links or "secret_request" in cues or "secret_entry" in cues):
        return alarm
    threat = cues.first("threat")
    if threat and "tip_strong" not in cues:
        return threat
    urgent = cues.first("urgency")
    if urgent and any(name in cues for name in ("transfer", "secret_request", "click")) and urgent not in ("hom nay", "ngay"):
        return urgent
    return None


def _lure(cue: str, minimum: int = 1, strong: frozenset[str] = frozenset()) -> ReasonRule:
    def rule(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
        phrases = cues.phrases(cue)
        if phrases & strong or len(phrases) >= minimum:
            return sorted(phrases, key=len)[-1]
        return None

    return rule


# Letters with quotes, carets or stars between them ("N'ha'nL", "Ho,ngbao'a~n^t*o$n"): no
# one types words that way; punctuation people do use inside text (";", "+", "/") is out.
_SYMBOL_SALAD = re.compile(r"(?<=[^\W\d_])[,;:]?['\"^*~`$!{}<>|\\][,;:]?(?=[^\W\d_])")


def _obfuscated(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    if len(text.deobfuscated) >= 2:
        return " ".join(text.deobfuscated[:4])
    salad = _SYMBOL_SALAD.findall(text.clean)
    if len(salad) >= 4:
        return " ".join(salad[:4])
    for step in ("spaced_letters_joined", "invisible_characters", "compatibility_characters"):
        if step in text.steps:
            return step
    return None


_RULES: dict[str, ReasonRule] = {
    "impersonation_police": _impersonation("police"),
    "impersonation_court": _impersonation("court"),
    "impersonation_official": _impersonation("official"),
    "impersonation_bank": _bank,
    "impersonation_utility": _impersonation("utility"),
    "impersonation_delivery": _impersonation("delivery"),
    "impersonation_relative": _relative,
    "money_transfer_request": _money,
    "otp_request": _otp,
    "app_install": _app,
    "link_click": _link_click,
    "suspicious_link": _suspicious_link,
    "lookalike_domain": _lookalike,
    "urgency_threat": _urgency,
    "lure_prize": _lure(
        "prize",
        2,
        frozenset(
            {
                "giai nhat",
                "khach hang may man",
                "qua tang mien phi",
                "trung thuong",
                "trung giai",
                "qua tang tri an",
                "giai thuong",
                "giai dac biet",
                "boc tham",
                "quay so",
                "duoc chon",
                "doi qua",
                "diem thuong",
            }
        ),
    ),
    "lure_job": _lure(
        "job",
        2,
        frozenset({"like video", "tha tim", "don hang ao", "nhiem vu", "hoa hong", "lam tai nha", "viec nhe", "cong tac vien", "ctv"}),
    ),
    "lure_loan": _lure(
        "loan",
        2,
        frozenset({"giai ngan", "khong can the chap", "chi can cccd", "vay nhanh", "vay online", "ho tro von", "thu hoi no", "no qua han"}),
    ),
    "lure_investment": _lure(
        "investment",
        2,
        frozenset({"san giao dich", "tien ao", "nhan doi", "loi nhuan cao", "bao loi nhuan", "nhom dau tu", "usdt", "forex", "bitcoin"}),
    ),
    "lure_gambling": _lure("gambling", 1),
    "illegal_service": _lure("illegal_service", 1),
    "obfuscated_text": _obfuscated,
}


# Reasons that a warning about a scam repeats when it describes the scam it warns of.
_DESCRIBED_IN_WARNINGS = frozenset(
    {
        "impersonation_police",
        "impersonation_court",
        "impersonation_official",
        "impersonation_bank",
        "impersonation_utility",
        "impersonation_delivery",
        "money_transfer_request",
        "app_install",
        "urgency_threat",
        "otp_request",
    }
)


def is_warning(cues: Cues, indicators: Indicators) -> bool:
    """An awareness notice ("Công an khuyến cáo: kẻ gian giả danh... không chuyển tiền"):
    several warning phrases, and nothing to act on but official links and hotlines."""
    if cues.count("awareness") < 3:
        return False
    if indicators.bank_accounts or any(p.kind != "hotline" for p in indicators.phones):
        return False
    return all(_official(link.domain) for link in indicators.links)


def find_reasons(text: NormalizedText, cues: Cues, indicators: Indicators) -> list[Finding]:
    """Every rule that holds for a message, with its evidence."""
    warning = is_warning(cues, indicators)
    findings = []
    for code, rule in _RULES.items():
        if warning and code in _DESCRIBED_IN_WARNINGS:
            continue
        evidence = rule(text, cues, indicators)
        if evidence:
            findings.append(Finding(code, evidence))
    return findings
