"""Cues and reasons: the readable half of every decision.

A *cue* is a phrase from ``data/cues.json`` found in a message as whole words. A word
typed with its diacritics is matched as written ("nó" is not "nổ", "nhân dân" holds no
"đạn"); a word typed without them matches the cue's folded form, and where that form is
also the fold of another common word ("no": nó, nợ, no, nổ) the cue counts only with
words around it that settle the reading ("tiếng nổ", "bom", "mìn"). A *reason* is a rule
over cues and indicators that a citizen can be told ("asks for an OTP"). Classifiers use
both as features, and the verdict quotes the reasons with the words that triggered them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter
from typing import Any, NamedTuple

from canhgiac.engine import lexicon
from canhgiac.engine.indicators import PERSONAL_PHONES, Indicators, Link
from canhgiac.engine.normalize import NormalizedText, fold_diacritics, tone_key

__all__ = [
    "AMBIGUOUS",
    "AMBIGUOUS_AS_WRITTEN",
    "REASON_CODES",
    "RULE_ONLY",
    "Context",
    "Cue",
    "CueMatch",
    "Finding",
    "Victim",
    "asked_payment",
    "find_cues",
    "find_reasons",
    "find_victim",
    "names_a_fake",
    "reason_message",
    "recent_loss",
    "tells_loss",
    "tone_phrase",
]

_WORD = re.compile(r"[a-z0-9]+|\+")
# Words around a cue searched for what settles an ambiguous reading, on each side.
_CONTEXT_WINDOW = 6


_Phrase = tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...]]
"""Folded words, tone keys and whether each word is marked (see ``_split``)."""

_WORD_WRITTEN = re.compile(r"[^\W_]+|\+")


def _split(phrase: str) -> _Phrase:
    """A phrase of cues.json as it is matched (see ``_Phrase``)."""
    written = _WORD_WRITTEN.findall(phrase.lower())
    folded = tuple(fold_diacritics(" ".join(written)).split())
    return folded, tuple(map(tone_key, written)), tuple(w != f for w, f in zip(written, folded, strict=True))


@dataclass(frozen=True, slots=True)
class Context:
    """What settles an ambiguous reading: phrases near it, a cue of a group near it
    ("@danger"), or a number right after it ("#")."""

    phrases: dict[str, tuple[_Phrase, ...]]
    """Indexed by first folded word."""
    groups: frozenset[str]
    number_after: bool

    @classmethod
    def parse(cls, entries: list[str]) -> Context:
        phrases: dict[str, list[_Phrase]] = {}
        for entry in entries:
            if entry.startswith(("@", "#")):
                continue
            split = _split(entry)
            if split[0]:
                phrases.setdefault(split[0][0], []).append(split)
        return cls(
            {first: tuple(p) for first, p in phrases.items()},
            frozenset(e[1:] for e in entries if e.startswith("@")),
            "#" in entries,
        )


@dataclass(frozen=True, slots=True)
class Cue:
    """One phrase of ``cues.json`` as written, with the groups that list it."""

    words: tuple[str, ...]
    """Folded words: how the phrase is found."""
    keys: tuple[str, ...]
    """Each word as written, its tone mark moved to the end (see ``tone_key``)."""
    marked: tuple[bool, ...]
    """Whether each word carries a diacritic."""
    names: tuple[str, ...]
    context: Context | None = None
    """What settles the reading when the phrase is matched without its diacritics (or
    always, for the few that are ambiguous as written)."""
    ambiguous_as_written: bool = False
    folded_context: Context | None = None
    """For a phrase ambiguous both ways ("định": "quy định" as written, "dính" folded), what
    settles it when typed without its diacritics; ``context`` settles it as written."""

    @property
    def counted(self) -> tuple[str, ...]:
        """The groups a match counts for ("neutral" only blanks the cues inside it)."""
        return tuple(name for name in self.names if name != "neutral")


def tone_phrase(phrase: str) -> str:
    """A phrase as the tone keys of its words: "Hoà bình" and "hòa bình" are one phrase."""
    return " ".join(map(tone_key, _WORD_WRITTEN.findall(phrase.lower())))


def _load_cues() -> tuple[dict[str, dict[tuple[str, ...], tuple[Cue, ...]]], dict[str, list[str]], frozenset[str]]:
    """Phrase (folded words) -> its cues, indexed by first word; the ambiguous phrases."""
    raw: dict[str, Any] = lexicon.load_json("cues.json")
    ambiguous = {tone_phrase(k): v for k, v in raw["_ambiguous"].items()}
    as_written = {tone_phrase(k): v for k, v in raw["_ambiguous_as_written"].items()}
    contexts = {k: Context.parse(v) for k, v in {**ambiguous, **as_written}.items()}
    grouped: dict[str, list[str]] = {}
    written: dict[str, _Phrase] = {}
    for name, phrases in raw.items():
        if not name.startswith("_"):
            for phrase in phrases:
                # Split once: the tone keys it gives are the words of ``tone_phrase``.
                split = _split(phrase)
                key = " ".join(split[1])
                grouped.setdefault(key, []).append(name)
                written.setdefault(key, split)
    index: dict[str, dict[tuple[str, ...], list[Cue]]] = {}
    for key, names in grouped.items():
        words, keys, marked = written[key]
        if words:
            both = key in as_written and key in ambiguous
            folded_context = Context.parse(ambiguous[key]) if both else None
            cue = Cue(words, keys, marked, tuple(dict.fromkeys(names)), contexts.get(key), key in as_written, folded_context)
            index.setdefault(words[0], {}).setdefault(words, []).append(cue)
    table = {first: {words: tuple(cues) for words, cues in by_phrase.items()} for first, by_phrase in index.items()}
    return table, {**raw["_ambiguous"], **raw["_ambiguous_as_written"]}, frozenset(raw["_ambiguous_as_written"])


_CUES, AMBIGUOUS, AMBIGUOUS_AS_WRITTEN = _load_cues()
RULE_ONLY: frozenset[str] = frozenset(lexicon.load_json("cues.json")["_rule_only"])
"""Cue groups only rules read ("tôi", "nếu", "vừa"): not classifier features."""
"""``AMBIGUOUS``: each cue phrase whose folded form is also the fold of other common words
("nổ": no, nó, nợ), with what settles it; ``AMBIGUOUS_AS_WRITTEN``: those that need it
even when typed with diacritics ("hero", "kiếm", "cầu")."""
# For each first word, the phrase lengths that exist, longest first.
_CUE_LENGTHS = {first: sorted({len(words) for words in by_phrase}) for first, by_phrase in _CUES.items()}
# What find_cues reads, word by word: the phrase lengths to try, and for each phrase its
# cues with the groups they count for and whether they are neutral, worked out once.
# Also the second words of its longer phrases: most words that begin a phrase begin none
# of the longer ones where they stand, and one look-up then spares building the tuple of
# every longer phrase (with the shortcut for negations in Cues, find_cues went from 26.7
# to 23.6 µs a message on the benchmark's messages).
_INDEX: dict[str, tuple[list[int], dict[tuple[str, ...], tuple[tuple[Cue, tuple[str, ...], bool], ...]], frozenset[str]]] = {
    first: (
        _CUE_LENGTHS[first],
        {words: tuple((cue, cue.counted, "neutral" in cue.names) for cue in cues) for words, cues in by_phrase.items()},
        frozenset(words[1] for words in by_phrase if len(words) > 1),
    )
    for first, by_phrase in _CUES.items()
}
_REASONS: dict[str, dict[str, str]] = {k: v for k, v in lexicon.load_json("reasons.json").items() if not k.startswith("_")}
REASON_CODES: tuple[str, ...] = tuple(_REASONS)

_NEGATIONS = frozenset({"khong", "dung", "chang", "cam", "chua"})
_NONE: frozenset[int] = frozenset()
_RISKY_TLDS = lexicon.DOMAINS.risky_tlds


def reason_message(code: str, language: str = "vi") -> str:
    """The sentence shown to a person for a reason code."""
    entry = _REASONS[code]
    return entry.get(language) or entry["vi"]


class CueMatch(NamedTuple):
    # A named tuple rather than a frozen dataclass: a message makes dozens, and a tuple
    # is made several times faster.
    name: str
    phrase: str
    """The phrase as found, folded."""
    position: int
    """Index of the first word, for rules that look at neighbours."""
    folded: bool = False
    """Matched only through folding: some word of it was typed without the diacritics
    the phrase has ("tai ung dung" for "tải ứng dụng", or "tại ứng dụng")."""

    @property
    def end(self) -> int:
        return self.position + self.phrase.count(" ") + 1


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

    __slots__ = ("_losses", "_phrases", "by_name", "diacritics", "negations", "words")

    def __init__(self, words: list[str], matches: list[CueMatch], diacritics: bool = False) -> None:
        self.words = words
        self.diacritics = diacritics
        """Whether the writer types diacritics: then a word typed without them is mostly
        another word ("kiểm tra" is no "trả")."""
        # ("tự dưng bị chuyển đi 27tr": "tự dưng" is "suddenly", not "đừng".)
        self.negations = (
            frozenset(i for i, w in enumerate(words) if w in _NEGATIONS and not (w == "dung" and i and words[i - 1] == "tu"))
            if not _NEGATIONS.isdisjoint(words)
            else _NONE
        )
        """Positions of the words that deny what follows ("không", "chưa"...), folded: see
        ``negated``."""
        self.by_name: dict[str, list[CueMatch]] = {}
        for match in matches:
            self.by_name.setdefault(match.name, []).append(match)
        self._phrases: dict[str, frozenset[str]] = {}
        # Set by ``_losses``: a fraud tip asks for them up to four times (victim, a told
        # loss, a recent one).
        self._losses: list[tuple[CueMatch, bool]] | None = None

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def any_of(self, names: frozenset[str]) -> bool:
        """Whether any of these groups was found (one set operation, not a loop)."""
        return not names.isdisjoint(self.by_name)

    def first(self, *names: str) -> str | None:
        for name in names:
            found = self.by_name.get(name)
            if found:
                return found[0].phrase
        return None

    def phrases(self, name: str) -> frozenset[str]:
        # Rules ask for the same groups again and again: each set is made once.
        found = self._phrases.get(name)
        if found is None:
            found = self._phrases[name] = frozenset({m.phrase for m in self.by_name.get(name, ())})
        return found

    def count(self, name: str) -> int:
        found = self.by_name.get(name)
        if found is None or len(found) < 2:  # no set to make for none or one
            return len(found) if found is not None else 0
        return len(self.phrases(name))

    def negated(self, match: CueMatch) -> bool:
        """True when one of the two words before the cue is a negation ("không cung cấp")."""
        return any(i in self.negations for i in range(max(0, match.position - 3), match.position))

    def affirmed(self, name: str) -> CueMatch | None:
        for match in self.by_name.get(name, ()):
            if not self.negated(match):
                return match
        return None


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The words of a message, folded, and as written."""

    words: list[str]
    """Folded."""
    keys: list[str]
    """As written, tone mark last (see ``tone_key``); the folded word when typed without diacritics."""
    marked: list[bool]
    """Whether each word was typed with Vietnamese diacritics."""
    diacritics: bool
    """Whether any word was: the writer types them."""


# A letter that is neither ASCII nor Vietnamese: "möi", "cän" are scammers' disguise or
# foreign words, and such a word counts as typed without diacritics.
_FOREIGN_LETTER = re.compile("[^\x00-\x7f" + "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ" + "]")


# The letters of ``NormalizedText.accented`` that fold to the letters of ``_WORD``: found
# with this pattern, its words are those of the folded text, span for span.
_WORD_ACCENTED = re.compile(
    "[a-z0-9"
    + "".join(c for c in map(chr, range(0xC0, 0x1F00)) if c != (f := fold_diacritics(c)) and "a" <= f <= "z" and len(f) == 1)
    + "]+|\\+"
)


@lru_cache(maxsize=65536)
def _written_key(written: str) -> tuple[str, bool]:
    """A word as written: its tone key and whether it carries Vietnamese diacritics (a
    word without them, or with a foreign letter, is keyed by its folded form)."""
    if written.isascii():
        return written, False
    if _FOREIGN_LETTER.search(written):
        return fold_diacritics(written), False
    return tone_key(written), True


def _tokens(text: NormalizedText | str) -> _Tokens:
    if isinstance(text, str):
        words = _WORD.findall(text)
        return _Tokens(words, words, [False] * len(words), False)
    folded, accented = text.folded, text.accented
    words = _WORD.findall(folded)
    if accented == folded or len(accented) != len(folded):
        return _Tokens(words, words, [False] * len(words), False)
    written = _WORD_ACCENTED.findall(accented)
    if len(written) != len(words):  # never, while accented folds to folded letter for letter
        written = [accented[m.start() : m.end()] for m in _WORD.finditer(folded)]
    found = list(map(_written_key, written))
    marked = [m for _, m in found]
    keys = [key if m else word for word, (key, m) in zip(words, found, strict=True)]
    return _Tokens(words, keys, marked, any(marked))


def _match(cue: Cue, tokens: _Tokens, i: int) -> bool | None:
    """None when the phrase at ``i`` is not this cue; else whether it matched only by
    folding. A word typed with diacritics must be the cue's word as written. A word typed
    without them stands for the cue's folded word: it is that word itself when the cue's
    word has no diacritic either and the writer types them elsewhere ("dao" in "cầm
    dao"), and otherwise only maybe that word."""
    folded = False
    for k in range(len(cue.words)):
        if tokens.marked[i + k]:
            if tokens.keys[i + k] != cue.keys[k]:
                return None
        elif cue.marked[k] or not tokens.diacritics:
            folded = True
    return folded


def _phrase_at(phrase: _Phrase, tokens: _Tokens, i: int) -> bool:
    words, keys, _ = phrase
    if i + len(words) > len(tokens.words):
        return False
    return all(tokens.words[i + k] == words[k] and (not tokens.marked[i + k] or tokens.keys[i + k] == keys[k]) for k in range(len(words)))


def _settled(context: Context, match: CueMatch, tokens: _Tokens, found: list[CueMatch]) -> bool:
    """Whether what is around a match settles its ambiguous reading."""
    words = tokens.words
    low, high = max(0, match.position - _CONTEXT_WINDOW), min(len(words), match.end + _CONTEXT_WINDOW)
    if context.number_after and match.end < len(words) and any(c.isdigit() for c in words[match.end]):
        return True
    if context.groups and any(m.name in context.groups and m.position < high and m.end > low for m in found):
        return True
    for i in range(low, high):
        for phrase in context.phrases.get(words[i], ()):
            if _phrase_at(phrase, tokens, i):
                return True
    return False


def find_cues(text: NormalizedText | str) -> Cues:
    """The cues in a message. Given only a folded string, every word counts as typed
    without diacritics."""
    tokens = _tokens(text)
    words = tokens.words
    size = len(words)
    # Typed without any diacritics, every word of every cue matches only by folding.
    plain = not tokens.diacritics
    found: list[CueMatch] = []
    pending: list[tuple[CueMatch, Context]] = []
    neutral: list[tuple[int, int]] = []
    for i, word in enumerate(words):
        entry = _INDEX.get(word)
        if entry is None:
            continue
        lengths, by_phrase, seconds = entry
        for n in lengths:
            if i + n > size:
                break
            if n == 1:
                cues = by_phrase.get((word,))
            elif words[i + 1] not in seconds:
                break  # no longer phrase starts with these two words
            else:
                cues = by_phrase.get(tuple(words[i : i + n]))
            if not cues:
                continue
            phrase = word if n == 1 else " ".join(words[i : i + n])
            for cue, names, is_neutral in cues:
                folded = True if plain else _match(cue, tokens, i)
                if folded is None:
                    continue
                if is_neutral:
                    # "tiền điện thoại" is not "tiền điện", "xe cứu thương" calls for no
                    # help: cues inside a neutral phrase do not count.
                    neutral.append((i, i + n))
                matches = [CueMatch(name, phrase, i, folded) for name in names]
                if cue.context is not None and (folded or cue.ambiguous_as_written):
                    context = cue.folded_context if folded and cue.folded_context is not None else cue.context
                    pending.extend((m, context) for m in matches)
                else:
                    found.extend(matches)
    if neutral:
        found = [m for m in found if not _inside(m, neutral)]
        pending = [(m, c) for m, c in pending if not _inside(m, neutral)]
    # A settled reading may settle another ("đang" by the "dao" it is near).
    while pending:
        settled = [m for m, context in pending if _settled(context, m, tokens, found)]
        if not settled:
            break
        found += settled
        pending = [(m, context) for m, context in pending if m not in settled]
    found.sort(key=_POSITION)
    return Cues(words, found, tokens.diacritics)


_POSITION = attrgetter("position")


def _inside(match: CueMatch, spans: list[tuple[int, int]]) -> bool:
    return any(start <= match.position and match.end <= end and (start, end) != (match.position, match.end) for start, end in spans)


# ---------------------------------------------------------------------------- links


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
    if link.domain is None or link.official or link.is_ip or link.shortener:
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
    if link.domain is None or link.official:
        return False
    tld = link.domain.rsplit(".", 1)[-1]
    return tld in _RISKY_TLDS or link.host.count(".") >= 4 or bool(re.search(r"\d{4,}", link.host))


# ---------------------------------------------------------------------------- reasons

ReasonRule = Callable[[NormalizedText, Cues, Indicators], str | None]


_ASKING_BUT_PAYMENT = frozenset({"secret_request", "secret_entry", "app_install", "click", "threat", "account_alarm"})


def _asks_something(cues: Cues, indicators: Indicators) -> bool:
    # (A payment told as made, "đơn đã thanh toán rồi", asks for nothing. Unlike
    # ``asked_payment``, no negation check: "hàng cấm, yêu cầu nộp phạt" reads "cấm" as one.)
    return (
        cues.any_of(_ASKING_BUT_PAYMENT)
        or any(not _made(cues.words, m) for m in cues.by_name.get("transfer", ()))
        or bool(indicators.links or indicators.bank_accounts)
        or _moves_to_chat(cues, indicators)
        or _calls_back(cues, indicators)
    )


# Asked to call or add a number back; not "liên hệ", "hotline": offices list the numbers
# of their staff that way ("mọi thông tin liên hệ đồng chí Trưởng Công an xã 0912...").
_CALL_BACK = frozenset({"goi lai", "goi ngay", "goi cho", "goi so", "goi vao so", "ket ban", "ket ban zalo", "add zalo"})


def _calls_back(cues: Cues, indicators: Indicators) -> bool:
    """ "Vui lòng gọi lại 0376 228 910", "kết bạn 0912...": an office that asks to be
    called back on a mobile number, as offices never do."""
    return any(phone.kind in PERSONAL_PHONES for phone in indicators.phones) and not _CALL_BACK.isdisjoint(cues.phrases("contact_request"))


def _reporting(text: NormalizedText, cues: Cues) -> bool:
    """A tip ("có người ..."), not a call or message retold: "có người gọi xưng công an
    bảo gửi 30 triệu" is a scam told of, and the rules read the scam in it."""
    return "tip_strong" in cues and "retold" not in cues and _CLAIMS_TO_BE.search(text.folded) is None


# Someone passing for someone: "xưng công an", "giả danh", "nói là cán bộ".
_CLAIMS_TO_BE = re.compile(r"\b(?:xung|gia danh|mao danh|gia mao|gia lam|noi la|bao la|tu nhan)\b")


def _moves_to_chat(cues: Cues, indicators: Indicators) -> bool:
    """ "Cán bộ sẽ liên hệ qua Zalo 0867...", "kết bạn zalo 09... để được hướng dẫn": an
    office moving the talk to a chat app on a mobile number, as offices never do."""
    return not _CHAT_APPS.isdisjoint(cues.words) and any(phone.kind in PERSONAL_PHONES for phone in indicators.phones)


def _impersonation(cue: str) -> ReasonRule:
    def rule(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
        if cue in cues and _asks_something(cues, indicators) and not _reporting(text, cues):
            return cues.first(cue)
        return None

    return rule


_official_named = _impersonation("official")


def _official(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """An office named with something asked; not an appeal of the Fatherland Front or the
    Red Cross to give to its own fund ("Ủy ban MTTQ kêu gọi ủng hộ ... TK Ban Cứu trợ")."""
    if "charity" in cues and "charity_official" in cues:
        return None
    return _official_named(text, cues, indicators)


# Chat apps a caller moves a conversation to, folded; a utility's own Zalo page says "OA"
# or "chính thức" ("official").
_CHAT_APPS = frozenset({"zalo", "telegram", "viber"})
_OFFICIAL_PAGE = frozenset({"oa", "chinh"})
# A cut-off said of today: "sẽ cắt điện chiều nay", "bị cắt nước lúc 16h hôm nay".
_CUT_OFF_TODAY = re.compile(
    r"\b(?:se|bi)\s+(?:bi\s+)?(?:cat|ngung cap|ngung cung cap|khoa)\s+(?:dien|nuoc|sim|thue bao)\b"
    r"[^.!?\n]{0,40}?\b(?:hom nay|chieu nay|toi nay|sang nay|trua nay|trong ngay|ngay hom nay)\b"
)
# Planned work, and an outage after a fault, are announced with their cut-off and are no
# threat.
_PLANNED_WORK = frozenset({"bao tri", "sua chua", "thi cong", "bao duong", "su co", "khac phuc"})


def _pairs(words: list[str]) -> set[str]:
    return {f"{a} {b}" for a, b in pairwise(words)}


def cut_off_today(text: NormalizedText) -> str | None:
    """A threat to cut power, water or a SIM today ("không làm sẽ cắt điện chiều nay"),
    not planned maintenance."""
    if "cat" not in text.folded and "ngung" not in text.folded and "khoa" not in text.folded:
        return None
    found = _CUT_OFF_TODAY.search(text.folded)
    if found is None or any(work in text.folded for work in _PLANNED_WORK):
        return None
    return found.group(0)


def _utility(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """Power, water or carrier staff who ask something, who move the talk to Zalo (the
    companies answer on their own hotline and app), or who threaten a cut-off today."""
    utility = cues.first("utility")
    if utility is None or _reporting(text, cues):
        return None
    if _asks_something(cues, indicators):
        return utility
    words = set(cues.words)
    chat = _CHAT_APPS & words
    # A person's Zalo (a mobile number, or "kết bạn"), not the company's page ("nhận hóa
    # đơn qua Zalo Điện lực Thanh Hóa").
    personal = any(phone.kind in PERSONAL_PHONES for phone in indicators.phones) or "ket ban" in text.folded
    if chat and personal and not _OFFICIAL_PAGE & words:
        return f"{utility} ... {min(chat)}"
    cut = cut_off_today(text)
    return f"{utility} ... {cut}" if cut else None


def _bank(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    if "bank" not in cues:
        return None
    # (A bank named as where an institution's own account is held is no bank speaking.)
    if _OWN_ACCOUNT.search(text.folded):
        return None
    wants = (
        cues.affirmed("secret_request")
        or _threat(cues, indicators) is not None
        or "account_alarm" in cues
        or any(not link.official and not (link.domain or "").endswith(".edu.vn") for link in indicators.links)
        or _calls_back(cues, indicators)
    )
    return cues.first("bank") if wants else None


def _relative(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    # ("nộp trực tiếp cho cô tại lớp hoặc qua TK trường": a class fund, paid to the school.)
    if _PAID_AT_SCHOOL.search(text.folded):
        return None
    # ("con trai bị tai nạn đang cấp cứu, cần chuyển 50tr mổ gấp": a sum with the verb.)
    # (Not in a carrier's advert: "tặng tiền cước cho người thân".)
    money = "transfer" in cues or indicators.bank_accounts or ("carrier_notice" not in cues and _MONEY_WANTED.search(text.folded))
    if "relative" in cues and money and "loss" not in cues:
        return cues.first("relative")
    # "cho t mượn tạm 5 củ, app ngân hàng t đang lỗi", "mẹ gửi con 5 củ ... đừng gọi số
    # cũ, máy con hư rồi": money asked by someone who cannot be called back, or cannot pay
    # themselves. (Not in a warning about the trick.)
    cant_reach = cues.affirmed("cant_reach")
    if cant_reach is not None and _MONEY_WANTED.search(text.folded) and not _warns(cues):
        return cant_reach.phrase
    return None


# Money asked for in a chat: to lend, to send, or a sum ("muon tam 5 cu", "gui con 5tr").
_MONEY_WANTED = re.compile(
    r"\b(?:muon|vay|ung|gui|chuyen|ck|nap|mua)\b[^.!?\n]{0,40}?\b\d+[\d.,]*\s*(?:k|tr|trieu|cu|nghin|ngan|d|dong|do|usd|chai|xi)\d*\b"
    r"|\b(?:muon|vay) (?:tien|tam|it|chut)\b"
)


_PAID_AT_SCHOOL = re.compile(r"\b(?:nop truc tiep|tai lop|tai truong|tk truong|tai khoan (?:cua )?(?:nha )?truong)\b")


# "chuyển 200 triệu vào tài khoản", "nộp thuế 2.000.000đ vào STK": a payment verb, then
# where the money should go, in one clause.
_CLAUSE_CHAR = r"(?:[^.!?\n]|(?<=\d)\.(?=\d))"
_MONEY_ASK = re.compile(
    rf"\b(?:chuyen|nop|dong|gui|nap|ck|thanh toan|ung)\b{_CLAUSE_CHAR}{{0,60}}?\b(?:vao|cho|qua|sang)\b{_CLAUSE_CHAR}{{0,45}}?\d{{6,}}"
)


_REFUND_TOLD = re.compile(
    r"\b(?:(?:se|da)\s+duoc\s+hoan|duoc\s+hoan\s+(?:ve|vao|lai)|hoan tien thanh cong|yeu cau hoan tien[^.!?\n]{0,40}?(?:da duoc|chap nhan)"
    r"|xac nhan hoan tien|tien se (?:ve|duoc chuyen ve) (?:vi|tai khoan|the))\b"
)


def _money(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    # What it finds is an account asked to be paid into or a transfer cue: without
    # either, none of the searches below is needed (3.9 → 0.7 µs a message on the
    # benchmark's messages, bench/engine_vs_peer.py).
    if not indicators.bank_accounts and "transfer" not in cues:
        return None
    # A request, not a record: balance notices ("GD -10.000 VND ... ND: thanh toan")
    # name payments that already happened.
    if "secret_warning" in cues or cues.count("balance_notice") >= 3 or "loss" in cues:
        return None
    # "Quý khách vui lòng nạp tiền tại https://vnptpay.vn/bill/": paying through the
    # company's own site, with no account to send money to.
    if indicators.links and not indicators.bank_accounts and all(link.official for link in indicators.links):
        return None
    # An appeal to give to a fund, a school or a union in its own name asks for a gift, not
    # a payment ("ủng hộ học sinh vùng lũ, chủ tài khoản Trường THCS Lê Lợi").
    if ("charity" in cues and ("charity_official" in cues or _organisation_holder(text))) or _OWN_ACCOUNT.search(text.folded):
        return None
    # "Số tiền 189.000đ sẽ được hoàn về Ví Lazada trong 24h": a refund on its way asks
    # for nothing.
    if _REFUND_TOLD.search(text.folded) and not indicators.bank_accounts:
        return None
    asked = _MONEY_ASK.search(text.folded) if indicators.bank_accounts else None
    if asked:
        return asked.group(0)[:60]
    match = asked_payment(cues)
    # ("Có cần chuyển khoản trước không hay là đợi nhận": the sender asking.)
    if match is not None and cues.words[max(0, match.position - 2) : match.position] in (["co", "can"], ["co", "phai"], ["co", "nen"]):
        return None
    if match is not None and (cues.affirmed("request") or indicators.bank_accounts) and not _gives(cues, match):
        return match.phrase
    return None


def asked_payment(cues: Cues) -> CueMatch | None:
    """The first payment the message asks for. "Đơn đã thanh toán rồi ạ", "anh ck rồi":
    a payment told as made asks for none."""
    return next((m for m in cues.by_name.get("transfer", ()) if not cues.negated(m) and not _made(cues.words, m)), None)


def _made(words: list[str], match: CueMatch) -> bool:
    # ("em gửi chị 5 triệu trả tiền hôm trước mượn": a loan repaid, not one asked for.)
    if match.phrase == "muon" and (
        "tra" in words[max(0, match.position - 5) : match.position] or words[match.position - 2 : match.position] == ["hom", "truoc"]
    ):
        return True
    return words[match.position - 1 : match.position] in (["da"], ["vua"]) or words[match.end : match.end + 1] in (["roi"], ["xong"])


# Who the sender is to the reader in family chat: money sent "cho mẹ", "vào tk của chị".
_KIN = frozenset({"me", "ba", "bo", "chi", "anh", "ong", "co", "chu", "cau", "di", "vo", "chong", "em"})


def _gives(cues: Cues, match: CueMatch) -> bool:
    """The sender sends money to the reader ("em gửi tiền giỗ bố 2 triệu vào tk của chị",
    "con ck vào tk Agribank của mẹ rồi"): the sender gives, and asks the reader for nothing
    to be paid."""
    before = cues.words[max(0, match.position - 2) : match.position]
    # ("Mẹ ơi ck cho em": "mẹ" is called, the reader pays.)
    givers = _GIVERS.intersection(before)
    if not givers or before[-1:] == ["oi"]:
        return False
    after = cues.words[match.end : match.end + _GIVE_WINDOW]
    # "anh ck cho em 500k nhé" asks; "anh ck 4tr vào tk em rồi" tells: an elder gives only
    # when it is said to be done.
    if givers <= _ELDER_GIVERS and not ({"da", "vua"} & set(before) or "roi" in after[:6]):
        return False
    # "... vào tk của chị", "... vào tài khoản em", "... cho mẹ", "gửi ông 1 triệu": to the
    # reader, named by kin.
    for i, word in enumerate(after):
        if word in ("cua", "cho", "khoan") and after[i + 1 : i + 2] and after[i + 1] in _KIN:
            return True
    return bool(after) and after[0] in _KIN


# The sender as the one who pays, in chat ("em", "con", "cháu"; "anh", "chị" when done).
_GIVERS = frozenset({"em", "con", "chau", "e", "anh", "chi"})
_ELDER_GIVERS = frozenset({"anh", "chi"})
_GIVE_WINDOW = 10


# Words between a verb of giving and the secret: 6 at most in any case; up to 12 in one
# sentence ("cung cấp thông tin tài khoản ngân hàng cùng mã xác thực"), which a list of
# what to give runs to.
_GIVE_NEAR = 6
_GIVE_IN_SENTENCE = 12
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")


def _one_sentence(text: NormalizedText, first: int, last: int) -> bool:
    """Whether words ``first`` to ``last`` (folded, as ``find_cues`` counts them) are in
    one sentence."""
    spans = [m.span() for _, m in zip(range(last + 1), _WORD.finditer(text.folded), strict=False)]
    if len(spans) <= last:
        return False
    return _SENTENCE_BREAK.search(text.folded, spans[first][1], spans[last][0]) is None


def _refused_only(cues: Cues) -> bool:
    """Whether every "do not give the code" is the sender's own refusal ("tôi thấy nghi nên
    không đọc"), told after the ask, not a notice's warning to its reader."""
    return all(not _REFUSERS.isdisjoint(cues.words[max(0, m.position - 2) : m.position]) for m in cues.by_name.get("secret_warning", ()))


_REFUSERS = frozenset({"toi", "em", "minh", "nen", "tui", "ba", "me", "bo"})


def _otp(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    # "Cung cấp OTP" is a request in itself; "nhập mã" only with an OTP or password in
    # sight and no promotion code ("nhập mã MT30 để giảm 30.000đ").
    # Giving a code to someone ("đọc mã cho nhân viên") is always a red flag; typing it
    # somewhere ("nhập mã OTP 119044 để xác thực") only into a link that is not official.
    match = cues.affirmed("secret_request")
    warned = "secret_warning" in cues and not _refused_only(cues)
    if match is not None and "promo_code" not in cues and (not warned or indicators.links):
        return match.phrase
    # "cung cấp số tài khoản và mã OTP": a verb of giving a few words before the secret;
    # further on ("cung cấp số tài khoản, họ tên đầy đủ và mã xác nhận") in one sentence.
    if not warned and "promo_code" not in cues:
        for secret in cues.by_name.get("secret", ()):
            for give in cues.by_name.get("give", ()):
                gap = secret.position - give.position
                if gap <= 0 or gap > _GIVE_IN_SENTENCE or cues.negated(give):
                    continue
                if gap <= _GIVE_NEAR or _one_sentence(text, give.position, secret.position):
                    return f"{give.phrase} ... {secret.phrase}"
    entry = cues.affirmed("secret_entry")
    if entry is not None and any(not link.official for link in indicators.links):
        return entry.phrase
    return None


def _app(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    match = cues.affirmed("app_install")
    if match is None:
        return None
    # Folded, "tải ứng dụng" (download the app) and "tại ứng dụng" (in the app) are the
    # same letters. Typed with diacritics, the cue only matched "tải"; typed without
    # ("nhận thẻ tai ứng dụng MyVIB" reads "at"), only an instruction ("hãy tai ...", a
    # sentence starting with it) means "download".
    if match.phrase.startswith("tai ") and match.folded:
        before = cues.words[match.position - 1] if match.position else ""
        if before not in _INSTRUCTION_WORDS:
            return None
    return match.phrase


_INSTRUCTION_WORDS = frozenset(
    {
        "",
        "hay",
        "long",
        "ban",
        "can",
        "phai",
        "va",
        "roi",
        "vao",
        "anh",
        "chi",
        "em",
        "e",
        "ngay",
        "bac",
        "co",
        "chu",
        "nhanh",
        "bat",
        "doi",
        "moi",
    }
)


def _link_click(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    unofficial = [link for link in indicators.links if not link.official and link.host not in ("zalo.me",)]
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


_URGED = frozenset({"transfer", "secret_request", "click"})


def _urgency(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    alarm = cues.first("account_alarm")
    if alarm and (indicators.links or "secret_request" in cues or "secret_entry" in cues):
        return alarm
    threat = _threat(cues, indicators)
    # ("SV quá hạn sẽ không được đăng ký học phần", with the university's own account: a
    # reminder of a deadline.)
    if threat and "tip_strong" not in cues and not (threat in _REMINDER_THREATS and _OWN_ACCOUNT.search(text.folded)):
        return threat
    if "utility" in cues and "tip_strong" not in cues:
        cut = cut_off_today(text)
        if cut:
            return cut
    urgent = cues.first("urgency")
    # ("Tiền sẽ về ví trong 24h": money coming in, on time.)
    if urgent and cues.any_of(_URGED) and urgent not in ("hom nay", "ngay") and not _REFUND_TOLD.search(text.folded):
        return urgent
    return None


# Threat words that real reminders use too ("học phí quá hạn", "tiền trọ đã quá hạn 3
# ngày"): a threat only with a link, an account or a number to act on.
_REMINDER_THREATS = frozenset({"qua han"})


def _threat(cues: Cues, indicators: Indicators) -> str | None:
    # ("tạm ngừng cung cấp điện ... để bảo dưỡng lưới điện": planned work, announced.)
    if not _PLANNED_WORK.isdisjoint(_pairs(cues.words)) and not indicators.links and not indicators.bank_accounts:
        return None
    for match in cues.by_name.get("threat", ()):
        # ("khắc phục hậu quả bão lũ": repairing the damage, in a relief appeal.)
        if match.phrase == "hau qua" and cues.words[match.position - 2 : match.position] == ["khac", "phuc"]:
            continue
        if match.phrase not in _REMINDER_THREATS or indicators.links or indicators.bank_accounts or indicators.phones:
            return match.phrase
    return None


# An account in an institution's own name: a school's, a commune's, the Front's, a fund's
# ("PH chuyển khoản vào TK trường", "chủ TK Trường Đại học Vinh"). Paying it is what a
# notice asks, not a scam's request; a scam asks into a person's account.
_OWN_ACCOUNT = re.compile(
    r"\b(?:tk|tai khoan|stk|chu tk|chu tai khoan|ten tk|ten tai khoan)(?: cua)?:? (?:nha truong|truong (?:thpt|thcs|th|tieu hoc|dai hoc|dh|mam non|mn|cao dang)"
    r"|uy ban|ubnd|ubmttq|uy ban mttq|mat tran|hoi chu thap do|quy (?:vi nguoi ngheo|bao tro|cuu tro|phong chong))"
)


def _lure(cue: str, minimum: int = 1, strong: frozenset[str] = frozenset()) -> ReasonRule:
    def rule(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
        if cue not in cues:  # most messages: no set to make (``minimum`` is at least 1)
            return None
        # ("TK 0701xxxx nhận +25,000,000 ... giải ngân khoản vay": a bank's balance notice.)
        if cue == "loan" and cues.count("balance_notice") >= 2 and not indicators.links:
            return None
        # ("Khoản vay SXKD ... đến hạn trả gốc 15.000.000đ ngày 15/12": a loan the reader
        # has, falling due, is no loan offered.)
        if cue == "loan" and not indicators.links and _REPAYMENT.search(text.folded):
            return None
        phrases = cues.phrases(cue)
        # ("thủ tục vay vốn" holds "vay" and "vay vốn": one phrase, not two.)
        if phrases & strong or (len(phrases) >= minimum and _distinct(cues.by_name[cue]) >= minimum):
            # The longest, and of those the first in order: a set's order changes between runs.
            return max(sorted(phrases), key=len)
        return None

    return rule


def _distinct(matches: list[CueMatch]) -> int:
    """How many different phrases, a phrase inside a longer one found at the same place
    not counted."""
    spans = {(m.position, m.end, m.phrase) for m in matches}
    return len({phrase for start, end, phrase in spans if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans)})


_PROCEDURE_WORDS = frozenset({"lam bang lai", "lam giay phep lai xe", "lam cccd", "lam can cuoc", "cap lai bang", "lam cavet", "lam so do"})
# What makes doing a procedure a service sold outside the law: fast, guaranteed, fake.
# ("... làm cccd cho ba em tận nhà, phục vụ nhanh gọn lắm": praise, not a sales pitch.)
_SOLD = re.compile(
    r"\b(?:nhanh(?! gon)|lay lien|lay ngay|bao dau|bao 100|khong can thi|khong can hoc|gia re|tron goi|dich vu|nhan lam|uy tin|ship|(?:lh|ib|ket ban|inbox) zalo|ib|inbox|lien he"
    r"|online (?:phai|mat|chi)|chuyen phi|nop phi (?:truoc|qua))\b"
)


def _illegal_service(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """A degree, a licence or papers sold ("nhận làm bằng lái không cần thi, ib zalo").
    The name of a procedure alone ("làm căn cước cho người già tại nhà được không") is a
    question about it."""
    phrases = cues.phrases("illegal_service")
    if not phrases:
        return None
    if phrases - _PROCEDURE_WORDS or _SOLD.search(text.folded):
        return max(sorted(phrases), key=len)
    return None


_REPAYMENT = re.compile(r"\b(?:den han tra|han tra (?:no|goc|lai)|tra goc|ky tra no|lich tra no|da duoc tat toan|da tat toan|du no goc)\b")


# Letters with quotes, carets or stars between them ("N'ha'nL", "Ho,ngbao'a~n^t*o$n"): no
# one types words that way; punctuation people do use inside text (";", "+", "/") is out.
_SYMBOL_SALAD = re.compile(r"(?<=[^\W\d_])[,;:]?['\"^*~`$!{}<>|\\][,;:]?(?=[^\W\d_])")
_SALAD_SYMBOL = re.compile(r"['\"^*~`$!{}<>|\\]")


_JOB_STRONG = frozenset({"like video", "tha tim", "don hang ao", "nhiem vu", "hoa hong", "lam tai nha", "viec nhe", "cong tac vien", "ctv"})
_job_words = _lure("job", 2, _JOB_STRONG)
# Where an honest employer is met: a street address or an interview in person ("45 đường
# Hai Bà Trưng", "ứng tuyển trực tiếp tại cửa hàng"). Job lures give only a chat account.
_IN_PERSON = re.compile(
    r"\b(?:\d+[a-z]?\s+(?:duong|pho|ngo|hem|kiet)|so \d+ (?:duong|pho|ngo|hem)|dia chi|truc tiep tai|phong van tai|nop ho so tai|den truc tiep)\b"
)


def _job_lure(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """Pay or a job offered: a lure, unless it is met in person at an address and promises
    none of the task-scam words ("Cần tuyển 2 nữ bán hàng tại cửa hàng, 45 đường ...")."""
    found = _job_words(text, cues, indicators)
    if found is None or found in _JOB_STRONG or cues.phrases("job") & _JOB_STRONG:
        return found
    # ("Thư mời nhận việc ... Phòng Nhân sự Công ty CP Cơ điện": an offer letter, which
    # asks for no fee and sends to no chat.)
    if _OFFER_LETTER.search(text.folded) and "upfront_fee" not in cues and "contact_request" not in cues:
        return None
    return None if _IN_PERSON.search(text.folded) else found


_OFFER_LETTER = re.compile(
    r"\b(?:thu moi nhan viec|thu moi phong van|moi (?:ban|anh|chi) (?:den )?phong van|phong nhan su|ngay bat dau lam)\b"
)


def _obfuscated(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    if len(text.deobfuscated) >= 2:
        return " ".join(text.deobfuscated[:4])
    # Each piece holds one of the symbols: with fewer than four, no need to look.
    salad = _SYMBOL_SALAD.findall(text.clean) if len(_SALAD_SYMBOL.findall(text.clean)) >= 4 else []
    if len(salad) >= 4:
        return " ".join(salad[:4])
    for step in ("spaced_letters_joined", "invisible_characters", "compatibility_characters"):
        if step in text.steps:
            return step
    return None


# ---------------------------------------------------------------------------- what a scam makes you do
# Rules for scams that need none of the stock phrases (no OTP, no link): what they ask is
# itself the sign. A notice that describes the scam to warn of it ("Hội không nhận ủng hộ
# qua tài khoản cá nhân", "đối tượng giả danh... đề nghị đóng phí") says the same words
# after a denial or among warning words, and is left out.

# Folded, "đừng", "cấm", "chưa" are also "dụng", "cầm", "chùa" ("thẻ tín dụng", "xây chùa"):
# only the unambiguous denials.
_DENIAL = re.compile(r"\b(?:khong|k|ko|chang|tranh)\b")
# "Không (bao giờ) gọi điện, nhắn tin, yêu cầu...": an office saying what it never asks
# (not "nếu không gọi lại ngay, tài khoản sẽ bị khóa", a threat).
_NEVER_ASKS = re.compile(r"(?<!neu )\b(?:khong|ko|chang)\s+(?:bao gio\s+|he\s+)?(?:goi dien|goi|nhan tin|yeu cau|de nghi)\b")
_DENIAL_WORDS = 5
# Warning words ("cảnh báo", "giả danh", "đối tượng"...): two of them make a notice about
# a scam, which the training notices showed (one is also in scams: "cảnh báo tài khoản").
_WARNING_CUES = 2


def _sentence_of(text: NormalizedText, phrase: str) -> tuple[int, int, int] | None:
    """Where the sentence holding ``phrase`` (folded) starts, where the phrase is, and
    where the sentence ends (at its closing mark, or the end of the text)."""
    folded = text.folded
    at = folded.find(phrase)
    if at < 0:
        return None
    start = max((m.end() for m in _SENTENCE_BREAK.finditer(folded, 0, at)), default=0)
    end = _SENTENCE_BREAK.search(folded, at)
    return start, at, end.start() if end else len(folded)


def _denied(text: NormalizedText, phrase: str) -> bool:
    """Whether the sentence holding ``phrase`` (folded) denies something before it ("Ngân
    hàng không gọi điện, nhắn tin yêu cầu cung cấp... số thẻ")."""
    found = _sentence_of(text, phrase)
    if found is None:
        return False
    start, at, _ = found
    # "Ngân hàng không gọi điện, nhắn tin yêu cầu cung cấp OTP, mật khẩu hay số thẻ": who
    # never asks denies all that follows in the sentence, however far.
    if _NEVER_ASKS.search(text.folded, start, at):
        return True
    # Otherwise only a denial close before it: "không cần kinh nghiệm, lương 8 triệu, nộp
    # phí đồng phục" denies the experience, not the fee.
    near = text.folded[start:at].split()[-_DENIAL_WORDS:]
    return any(_DENIAL.fullmatch(word.strip(",:")) for word in near)


# "Các trang web yêu cầu nhập số thẻ ... là giả mạo": the sentence itself calls the request
# a fake.
_CALLED_FAKE = re.compile(r"\b(?:la|deu la|chinh la)\s+(?:gia mao|lua dao|gia)\b")


_PARTICLES = frozenset({"a", "ah", "nhe", "nha", "vay", "z", "ha", "the", "nhi", "ta", "hong"})


def _asked_about(text: NormalizedText, phrase: str) -> bool:
    """Whether the sentence holding ``phrase`` asks about it ("có phải đóng phí không?")
    rather than demands it."""
    found = _sentence_of(text, phrase)
    if found is None:
        return False
    start, _, end = found
    sentence = text.folded[start : end + 1]  # with its closing mark
    # "... có đúng không ạ", "... có thật ko a": the asking word before a polite particle.
    words = sentence.rstrip(" .!").split()
    while words and words[-1] in _PARTICLES:
        words.pop()
    return "?" in sentence or "co phai" in sentence or (bool(words) and words[-1] in ("khong", "ko", "k", "chua"))


def _called_fake(text: NormalizedText, phrase: str) -> bool:
    found = _sentence_of(text, phrase)
    return found is not None and _CALLED_FAKE.search(text.folded, found[1], found[2]) is not None


def _warns(cues: Cues) -> bool:
    return "secret_warning" in cues or cues.count("awareness") >= _WARNING_CUES


def _charity_personal(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """An appeal for donations paid to a person ("STK mẹ bé", "ví momo 09..", "tài khoản
    cá nhân", or an account number with no organisation named): real appeals name a
    fund, the Fatherland Front, the Red Cross or a union, and give a receipt."""
    appeal = cues.first("charity")
    if appeal is None or _warns(cues):
        return None
    if "charity_personal" not in cues:
        if indicators.bank_accounts and "charity_official" not in cues and not _organisation_holder(text):
            return f"{appeal} ... {indicators.bank_accounts[0].number}"
        return None
    payee = max(sorted(cues.phrases("charity_personal")), key=len)
    # "tài khoản cá nhân" is a person's account whoever is named; "mẹ bé", "ví momo" are
    # only when no organisation takes the money.
    if ("ca nhan" not in payee and "charity_official" in cues) or _denied(text, payee):
        return None
    if payee in ("chu tai khoan", "chu tk") and _organisation_holder(text):
        return None
    return f"{appeal} ... {payee}"


def _organisation_holder(text: NormalizedText) -> bool:
    """ "chủ tài khoản Trường THCS Lê Lợi", "Tài khoản: Quỹ Bảo trợ trẻ em": the holder
    named is an organisation."""
    return any(_ORGANISATIONS.intersection(m.group(1).split()) for m in _HOLDER.finditer(text.folded))


# Where an account's holder is named: the two words after "chủ tài khoản", "tên tk",
# "tài khoản:".
_HOLDER = re.compile(r"\b(?:chu tai khoan|chu tk|ten tai khoan|ten tk|tai khoan|tk|stk)\s*:?\s+((?:[a-z]+\s+){0,1}[a-z]+)")


_ORGANISATIONS = frozenset(
    {"truong", "quy", "hoi", "uy", "ubnd", "cong", "mat", "ban", "chi", "chua", "benh", "hop", "doan", "to", "phong", "trung", "nha"}
)


# What a fee is said to buy. Broad words of the lure groups ("nhân viên", "nhận tiền",
# "đồng hồ") name no benefit.
_FEE_BENEFITS = ("fee_benefit", "job", "prize", "loan")
_NOT_A_BENEFIT = frozenset(
    {"nhan vien", "thu nhap", "moi ngay", "kiem tien", "nhan tien", "nhan ngay", "dong ho", "may man", "tri an", "vay"}
)
# How far apart (in words) a fee and what it buys may be: one offer; 25 held every pair
# of the cases written here.
_FEE_WINDOW = 25
_AWAY = frozenset({"dang o que", "o que", "o xa", "o nuoc ngoai", "di nuoc ngoai", "cong tac nuoc ngoai"})
# "Tiền cọc 12 triệu đã thanh toán": a receipt for a deposit paid, not a request.
_PAID = frozenset({"da", "duoc"})


def _paid_already(after: list[str]) -> bool:
    """ "Tiền cọc 12 triệu đã thanh toán": paid. Not "để được giải quyết": what it buys."""
    return any(word in _PAID and not (word == "duoc" and after[i - 1 : i] == ["de"]) for i, word in enumerate(after))


# "đóng phí bảo hiểm": the premium of a policy one holds (an insurer's notice in the IE403
# legitimate SMS), not a fee before a benefit.
_PREMIUM = ("bao", "hiem")


def _upfront_fee(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """A fee before the benefit: a job that needs a uniform or "system account" fee, a
    room or goods held by a deposit before anyone sees them, a lost-money "recovery" or a
    prize that needs a fee first."""
    fees = cues.by_name.get("upfront_fee")
    # "đến xem phòng rồi cọc", "ký hợp đồng": seen first, as honest deals are.
    # ("chưa xem phòng được vì chủ đi công tác" is not seen first.)
    # ("đặt cọc trước để giữ phòng, xem phòng sau": seen after, not first.)
    seen = cues.affirmed("seen_first")
    seen_first = seen is not None and cues.words[seen.end : seen.end + 1] != ["sau"]
    if not fees or _warns(cues) or seen_first or _OWN_ACCOUNT.search(text.folded):
        return None
    for fee in fees:
        after = cues.words[fee.end : fee.end + 6]
        # Cues are found across punctuation: "Thanh toán phí, nhận quà" holds no "phí nhận quà".
        if (
            fee.phrase not in text.folded
            or cues.negated(fee)
            or _paid_already(after)
            or _denied(text, fee.phrase)
            or _called_fake(text, fee.phrase)
            or _asked_about(text, fee.phrase)
        ):
            continue
        if tuple(after[:2]) == _PREMIUM and "khoan vay" not in cues.phrases("debt"):
            continue
        # ("đóng trước 25/9", "nộp trước ngày 30": a deadline, not a fee before a benefit.)
        # ("phí trước 2tr" is a fee, an amount.)
        if (
            fee.phrase.endswith(" truoc")
            and after[:1]
            and (after[0] == "ngay" or (after[0][:1].isdigit() and _amount_at(cues.words, fee.end) is None))
        ):
            continue
        # "bắt cóc" (kidnap) folds to "bắt cọc": no deposit.
        if fee.phrase == "coc" and cues.words[fee.position - 1 : fee.position] == ["bat"]:
            continue
        for name in _FEE_BENEFITS:
            for benefit in cues.by_name.get(name, ()):
                if benefit.phrase in _NOT_A_BENEFIT or abs(fee.position - benefit.position) > _FEE_WINDOW:
                    continue
                # "Con đang ở quê, mẹ nộp phí hồ sơ giúp con": an owner away makes a scam only
                # of a deposit sent before anyone sees the thing.
                if benefit.phrase in _AWAY and "coc" not in fee.phrase and "truoc" not in fee.phrase:
                    continue
                if not cues.negated(benefit):
                    return f"{fee.phrase} ... {benefit.phrase}"
    return None


def _card_photo(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """Photos of a bank card, its number or CVV: enough to spend from it. Photos of an ID
    card too, when asked with the bank card or for a prize, a loan or a job."""
    if ("card_photo" not in cues and "id_photo" not in cues) or _warns(cues):
        return None
    card = cues.affirmed("card_photo")
    # (Cues are found across punctuation: "hỏi gì mã số. Thẻ có sao không" holds no "số thẻ".)
    if card is not None and card.phrase in text.folded and not _denied(text, card.phrase) and not _called_fake(text, card.phrase):
        return card.phrase
    identity = cues.affirmed("id_photo")
    if identity is not None and not _denied(text, identity.phrase) and any(name in cues for name in ("prize", "loan", "job", "bank")):
        return identity.phrase
    return None


# Borrowing, renting or buying someone's account, ID card or SIM ("mượn cccd và tài khoản
# của anh để nhận tiền hàng, mỗi tháng bồi dưỡng 2 triệu"), then what is paid for it.
_RENTED = re.compile(
    r"\b(?:muon|thue|mua lai|mua|thu mua)\s+(?:lai\s+)?(?:cccd|can cuoc|cmnd|tai khoan|tk|the ngan hang|the atm|sim)\b"
    r"[^.!?\n]{0,80}?\b(?:boi duong|moi thang|hang thang|thang tra|tra cong|tien cong|hoa hong|tra (?:anh|chi|em|ban|a|c|e)|\d+\s?(?:k|tr|trieu|nghin)\s*(?:/|moi)\s*(?:thang|tk|tai khoan))\b"
)
_RENTAL_VERBS = frozenset({"muon", "thue", "mua"})


def _account_rental(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """An account, an ID card or a SIM asked for a payment: rented accounts take in what
    scams collect, and the one who rents one out is charged with the scammers."""
    if _RENTAL_VERBS.isdisjoint(cues.words) or _warns(cues):
        return None
    rented = _RENTED.search(text.folded)
    return rented.group(0) if rented is not None and not _denied(text, rented.group(0)) else None


# Who collects money as an office, folded: a school, a teacher in charge of a class, the
# power or water company, the tax office, a court. Who, not what ("viện phí của mẹ hết 4
# triệu, chị gửi phần của chị vào tk cá nhân của em" is family chat), and not those who
# do collect into a person's account in the open (a parents' committee, a village head
# collecting for a road, with the books shown at year's end: an officer judges those).
_INSTITUTION = re.compile(
    r"\b(?:nha truong|truong (?:thcs|thpt|tieu hoc|mam non|mn|th|cd|dh)|gvcn|co chu nhiem|thay chu nhiem|giao vien|co giao|thay giao|lop to chuc"
    r"|dien luc|evn|cong ty dien|cong ty nuoc|cap nuoc|doi thue|chi cuc thue|cuc thue|can bo thue|toa an|vien kiem sat"
    r"|van phong dang ky dat dai|dia chinh|phong tai nguyen|bao hiem xa hoi|bhxh|cong an (?:xa|phuong|huyen|quan|tinh))\b"
)
# A person's own account named as where the money goes.
_CALLERS_ACCOUNT = re.compile(
    r"\b(?:vao|qua|ve)\s+(?:so\s+)?(?:tai khoan|tk|stk)\s+(?:cua\s+)?(?:em|e)\b(?!\s+(?:gai|trai|ho|ruot|dau|re|be))"
)
_PERSONAL_ACCOUNT = re.compile(r"\b(?:vao|qua|ve|cho|toi|den)\s+(?:so\s+)?(?:tai khoan|tk|stk|vi)\s+(?:ca nhan|rieng)\b")
# How many characters before the account the office may be named: one notice or one
# retold call (the longest written here, 150).
_OFFICE_BEFORE = 180
_PAY_VERB = re.compile(r"\b(?:nop|dong|chuyen|gui|thu|thanh toan|ck)\b")
# Family talk: "bố ơi", "chị ơi", "vợ ơi" open chat between relatives, not a notice.
_KIN_CALL = re.compile(r"\b(?:bo|me|ba|ma|chi|anh|em|vo|chong|con|ong|ba noi|co|chu|bac|di|cau)\s+oi\b")
# "Không có chuyện ... bắt nộp tiền vào tk cá nhân", "không bao giờ thu...": denied anywhere
# before the account.
_NEVER = re.compile(r"\b(?:khong co chuyen|khong bao gio|khong he|tuyet doi khong|khong thu|khong nhan)\b")


def _institution_personal_account(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """Money for a school, the power or water company, the tax office or a court asked
    into a person's own account ("nhà trường thu tiền học..., nộp vào tk cá nhân của cô",
    "điện lực gọi bảo chuyển tiền điện vào tài khoản cá nhân"): they collect into an
    account in their own name, or at their desk, with a receipt."""
    folded = text.folded
    # The account it finds is one "cá nhân" or "riêng": without these words, none of the
    # searches below is needed (7.4 → 0.7 µs a message on the benchmark's messages,
    # bench/engine_vs_peer.py).
    # ("e bên văn phòng đăng ký đất đai ..., a nộp phí đính chính 2tr qua tk e": the
    # caller's own account, named by the word he calls himself.)
    own = "tk" in folded or "tai khoan" in folded
    if "ca nhan" not in folded and "rieng" not in folded and not own:
        return None
    if _warns(cues) or "charity" in cues:
        return None  # a charity to a person is charity_personal_account
    if _KIN_CALL.search(folded):
        return None
    payees = [*_PERSONAL_ACCOUNT.finditer(folded), *(_CALLERS_ACCOUNT.finditer(folded) if own else ())]
    for payee in payees:
        # The office and the payment a little before ("Nhà trường thu tiền học 1.350.000đ,
        # nộp vào tk cá nhân cô Hằng": sentence breaks would cut at the amount's dots).
        said = folded[max(0, payee.start() - _OFFICE_BEFORE) : payee.end()]
        office = _INSTITUTION.search(said)
        if office is None or _PAY_VERB.search(said) is None or _NEVER.search(said):
            continue
        # "Nhân viên điện lực không gọi điện yêu cầu chuyển tiền vào tài khoản cá nhân": the
        # office says it never asks this. ("Muốn không bị cắt thì chuyển vào tk cá nhân"
        # denies nothing of the office.)
        if _NEVER_ASKS.search(said, office.end()):
            continue
        if _denied(text, payee.group(0)) or _called_fake(text, payee.group(0)) or _asked_about(text, payee.group(0)):
            continue
        return f"{office.group(0)} ... {payee.group(0).split(maxsplit=1)[1]}"
    return None


# A premium-rate number and what it lures with, near each other: a prize, a parcel, a
# test result, a voice message "from a relative". Not what banks and carriers put by
# their own 1900 hotlines ("gọi 1900 558818 để kiểm tra khoản vay"), nor a paid line
# that says what it sells ("nghe kết quả xổ số").
_PREMIUM_NUMBER = re.compile(r"\b19(?:00|00\s)[\dx .]{2,12}")
_PREMIUM_LURE = re.compile(
    r"\b(?:nhan qua|qua tang|nhan thuong|trung thuong|nhan giai|giai thuong|phan thuong|buu pham|buu kien"
    r"|ket qua xet nghiem|ket qua kham|tin nhan thoai|loi nhan thoai|nguoi than cua ban"
    # "Mẹ ơi máy con hết pin, mẹ gọi con qua số 1900...": nobody's own phone is a 1900
    # number; a relative asking to be called on one is the lure.
    r"|het pin|so moi cua (?:con|em|anh|chi|minh)|goi (?:lai )?(?:cho )?(?:con|em|anh|chi|me|bo|minh) (?:qua|vao|theo|o) so)\b"
)
_CALL_WORD = re.compile(r"\b(?:goi|alo|nghe|lien he|lh|bam)\b")
# How far (characters) the lure may be from the number.
_LURE_NEAR = 80
# A "transaction" alert that gives a mobile number to call to cancel it: banks give
# their hotline, and never ask to be called on a mobile.
_CANCEL_CALLBACK = re.compile(
    r"\bneu\s+(?:khong|ko|k)\s+(?:phai\s+)?(?:qk|quy khach|ban|anh chi|kh|khach hang)\s+(?:thuc hien|giao dich)"
    r"[^.!?\n]{0,40}?\b(?:goi|lien he|lh|bam)\b"
)


# "lãi 1%/ngày", "lợi nhuận 5% mỗi tuần", "hoa hồng 30%/tháng": returns no bank or fund
# pays (savings are quoted by the year, a few percent a year). Monthly rates from 3% up:
# a consumer loan's 1.5%/tháng is a cost, not a promise.
_RETURN_RATE = re.compile(
    r"\b(?:lai|loi nhuan|hoa hong|sinh loi|loi tuc)\b[^.!?\n]{0,25}?(\d+(?:[.,]\d+)?)\s*%\s*(?:/\s*|moi |mot |1 )(ngay|tuan|thang)\b"
)
# "bảo hiểm vốn 100%", "cam kết hoàn vốn": no investment can promise it.
_CAPITAL_PROMISE = re.compile(r"\b(?:bao hiem von|cam ket hoan von|bao toan von 100|cam ket khong lo|dam bao khong lo)\b")


def _unrealistic_returns(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """A return per day, week or month that nothing honest pays, or capital promised
    back: the promise itself is the sign, whatever the product is called."""
    if _warns(cues) or "loan" in cues:  # a loan's rate is a cost; a warning quotes the promise
        return None
    folded = text.folded
    if "%" in folded:
        for match in _RETURN_RATE.finditer(folded):
            rate = float(match.group(1).replace(",", "."))
            if rate > 0 and (match.group(2) != "thang" or rate >= 3):
                return match.group(0)
    promise = _CAPITAL_PROMISE.search(folded)
    if promise is not None and "investment" in cues:
        return promise.group(0)
    return None


# "Giữ bí mật, không được nói với người thân": a caller posing as the police cuts the victim
# off from anyone who would stop the transfer. (A bank asks to keep the OTP secret: not
# with a code or password in the message.)
_SECRECY = re.compile(
    r"\b(?:giu bi mat|tuyet doi bi mat|khong (?:duoc )?(?:noi|ke|bao|tiet lo) (?:cho|voi) (?:ai|nguoi than|gia dinh|nguoi nha|bat ky ai)"
    r"|khong cho (?:nguoi than|gia dinh|nguoi nha|ai) biet|thue phong (?:rieng|khach san)|o mot minh trong phong|vao phong kin)\b"
)
_AUTHORITIES = frozenset({"police", "court", "official", "bank"})


def _secrecy(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    # (Not _warns: "không tiết lộ" is a bank's advice about codes and a fake prosecutor's
    # order alike; with no code in the message it is the order.)
    if not cues.any_of(_AUTHORITIES) or "secret" in cues or cues.count("awareness") >= _WARNING_CUES:
        return None
    found = _SECRECY.search(text.folded)
    return found.group(0) if found else None


def _callback_lure(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """A lure to call a number: a premium 1900 number for a prize, a parcel or a test
    result, or a mobile number to "cancel" a card or account transaction one never
    made."""
    folded = text.folded
    # "Bạn có 1 tin nhắn thoại từ người thân. Trả lời Y để nghe": a reply that subscribes
    # to a paid service, or opens a call-back.
    # (Searched only when a key or a reply is named: 2.5 µs a message otherwise.)
    voice = _REPLY_LURE.search(folded) if "phim" in folded or "tra loi" in folded or "soan" in folded else None
    if voice is not None and not _warns(cues):
        return voice.group(0)
    # A premium number starts "1900"; a cancel lure says "nếu" and gives a phone number.
    # Without them, none of the searches below is needed (5.4 → 0.9 µs a message on the
    # benchmark's messages, bench/engine_vs_peer.py).
    if "1900" not in folded and ("neu" not in folded or not indicators.phones):
        return None
    if _warns(cues):
        return None
    for number in _PREMIUM_NUMBER.finditer(folded):
        around = folded[max(0, number.start() - _LURE_NEAR) : number.end() + _LURE_NEAR]
        lure = _PREMIUM_LURE.search(around)
        # Asked about ("gọi lại 1900 để nhận quà?? thật không") it is still the lure to check.
        if lure is not None and _CALL_WORD.search(around) and not _denied(text, number.group(0).strip()):
            return f"{number.group(0).strip()} ... {lure.group(0)}"
    cancel = _CANCEL_CALLBACK.search(folded)
    mobile = next((phone.raw for phone in indicators.phones if phone.kind in PERSONAL_PHONES), None)
    if cancel is not None and mobile is not None and ("bank" in cues or indicators.amounts):
        return f"{cancel.group(0)} ... {mobile}"
    return None


_REPLY_LURE = re.compile(
    r"\b(?:tin nhan thoai|loi nhan thoai|cuoc goi nho|qua tang|buu pham)\b[^\n]{0,60}?\b(?:tra loi|soan|bam|nhan phim|an phim)\s+(?:y|\d)\s+de\b"
    # "Trả lời Y để nhận quà tri ân", "Bấm phím 1 để nghe thông báo": the reply or the key
    # is the ask.
    r"|\b(?:tra loi|soan)\s+y\s+de\s+(?:nhan|nghe|xem|giao|huy|xac nhan)\b|\b(?:bam|nhan|an)\s+phim\s+\d\s+de\s+(?:nghe|gap|ket noi|nhan)\b"
)
_SIM_WORDS = frozenset({"sim", "esim", "4g", "5g"})
# Where carriers change a SIM: in person.
_IN_PERSON = re.compile(r"\b(?:tai|o|ra|den)\s+(?:cua hang|diem giao dich|quay giao dich|sieu thi)\b")


def _sim_swap(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """The serial of a SIM ("soạn DOISIM <serial> gửi 9123"): with it, anyone can move the
    number, and its OTPs, to a SIM of their own."""
    if ("sim_serial" not in cues and "sim_change" not in cues) or _warns(cues):
        return None
    # "Đổi SIM tại cửa hàng": in person, as carriers do it.
    if _IN_PERSON.search(text.folded):
        return None
    found = cues.affirmed("sim_serial")
    # A SIM's serial, not a top-up card's ("giữ lại số seri thẻ cào"): a SIM word near it.
    near = cues.words[max(0, found.position - 5) : found.end + 5] if found is not None else []
    if (
        found is not None
        and not _denied(text, found.phrase)
        and (found.phrase == "doisim" or (_SIM_WORDS.intersection(near) and "the" not in near))
    ):
        return found.phrase
    # A SIM changed by text, by reading a code or from afar ("đổi sim 4G tại nhà, chị
    # soạn tin theo cú pháp em gửi"): carriers change SIMs at their shops, in person.
    change = cues.affirmed("sim_change")
    remote = cues.affirmed("sim_remote")
    if change is not None and remote is not None:
        return f"{change.phrase} ... {remote.phrase}"
    return None


_DEBT_THREATS = frozenset(
    {
        "tao biet nha may",
        "biet nha may",
        "toi nha may",
        "ghep anh",
        "ghep hinh",
        "dang facebook",
        "dang len facebook",
        "beu rieu",
        "boi nho",
        "danh ba",
        "ca danh ba",
        "gui cho nguoi nha",
        "den co quan",
        "den tan co quan",
        "dan giay",
        "dan o",
        "anh nhay cam",
        "ghep mat",
        "anh ghep",
        "dang anh",
        "ca xom",
        "cong ty doi no",
        "doi no thue",
        "nguoi tham chieu",
        "so tham chieu",
        "tham chieu",
        "nguoi bao lanh",
        "bao lanh khoan vay",
        "nguoi lien he khan",
        "khong quen",
        "chua vay",
        "khong vay",
        "dau co vay",
    }
)


def _debt_threat(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """A debt demanded of someone who never borrowed ("trả nợ thay cho nó"), with threats
    to their home or to shame them online ("ghép ảnh đăng facebook")."""
    # A threat or shame, not only help with a debt ("cháu trả giúp bố rồi", "mai qua nhà chú").
    threat = next(
        (m.phrase for m in cues.by_name.get("debt_relative", ()) if m.phrase in _DEBT_THREATS and not _ends_a_question(cues, m)), None
    )
    # "ND: Tra no thay Trung": a bank's balance notice of a repayment made. Warning words
    # are not enough to leave it out: fake warrants against "đồng phạm" use them too (a
    # notice about the scam is left out by ``is_warning``).
    if threat is None or "secret_warning" in cues or cues.count("balance_notice") >= 3:
        return None
    # Apart from the threat ("trả nợ thay" holds "trả nợ": one phrase is not both).
    threats = cues.by_name["debt_relative"]
    debts = [
        m for name in ("debt", "loan") for m in cues.by_name.get(name, ()) if not any(t.position <= m.position < t.end for t in threats)
    ]
    return f"{debts[0].phrase} ... {threat}" if debts else None


def _ends_a_question(cues: Cues, match: CueMatch) -> bool:
    """ "thật không vậy", "có phải lừa ko vay": typed without accents, "không vay" ending a
    question is "không vậy"; "không vay" (never borrowed) goes on ("tôi không vay tiền ai")."""
    if match.phrase not in ("khong vay", "chua vay") or not match.folded:
        return False
    return cues.words[match.end : match.end + 1] not in ([w] for w in _BORROWED_WHAT)


_BORROWED_WHAT = (
    "tien",
    "gi",
    "ai",
    "cua",
    "ma",
    "dong",
    "no",
    "app",
    "ngan",
    "bao",
    "luon",
    "sao",
    "nhung",
    "thi",
    "ca",
    "bat",
    "khoan",
    "cong",
)


# A mistake the sender made, as opposed to money that arrived ("tự nhiên có", "tiền lạ").
_OWN_MISTAKES = frozenset(
    {
        "chuyen nham",
        "ck nham",
        "chuyen khoan nham",
        "gui nham",
        "lo chuyen",
        "chuyen lon",
        "bam nham",
        "go nham",
        "ghi nham",
        "lo gui",
        "lo bam",
    }
)
# Asked to send it back to another account: the script ("anh chuyển trả giúp em vào stk
# khác này").
_RETURN_ELSEWHERE = re.compile(
    r"\b(?:chuyen tra|tra giup|tra lai|gui lai|chuyen lai|tra ve)\b[^.?!]{0,40}\b(?:tai khoan khac|tk khac|stk khac|so tai khoan khac|tai khoan nay|stk nay|tk nay|so nay)\b"
)
# Family members who speak of themselves by their role ("con chuyển nhầm", "mẹ lỡ gửi").
_KIN = frozenset({"con", "me", "bo", "ba", "chi", "anh", "em", "chau", "co", "chu", "bac", "ong"})


def _money_word(word: str) -> bool:
    return word in _MONEY_WORDS or word[:1].isdigit()


def _mistaken_transfer(text: NormalizedText, cues: Cues, indicators: Indicators) -> str | None:
    """Money "sent by mistake", then a demand to send it to another account, or a call
    saying it was a loan: returning it there repays a loan taken out in your name."""
    mistake = cues.first("mistaken_transfer")
    if mistake is None or _warns(cues):
        return None
    # "Tôi lỡ chuyển nhầm 500k vào tài khoản người lạ": the sender's own mistake, asking
    # what to do, not money that arrived.
    # ("Em chuyển nhầm ..., anh chuyển trả giúp em vào stk khác" is the script: it asks
    # for the money back.)
    first = cues.by_name["mistaken_transfer"][0]
    # Money, not a text sent to the wrong number ("em nhắn nhầm số").
    if not any(_money_word(w) for w in cues.words[max(0, first.position - 3) : first.end + 6]):
        return None
    before = cues.words[max(0, first.position - 3) : first.position]
    own = first.phrase in _OWN_MISTAKES and (
        any(0 < first.position - m.position <= 3 for m in cues.by_name.get("self", ())) or _KIN.intersection(before)
    )
    if (own or "?" in text.folded) and not _RETURN_ELSEWHERE.search(text.folded):
        return None
    if _called_fake(text, first.phrase) or " la lua dao" in text.folded:
        return None
    elsewhere = cues.first("other_account", "debt", "threat")
    return f"{mistake} ... {elsewhere}" if elsewhere else None


_RULES: dict[str, ReasonRule] = {
    "impersonation_police": _impersonation("police"),
    "impersonation_court": _impersonation("court"),
    "impersonation_official": _official,
    "impersonation_bank": _bank,
    "impersonation_utility": _utility,
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
    "lure_job": _job_lure,
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
    "illegal_service": _illegal_service,
    "obfuscated_text": _obfuscated,
    "charity_personal_account": _charity_personal,
    "upfront_fee": _upfront_fee,
    "card_photo_request": _card_photo,
    "account_rental": _account_rental,
    "sim_swap": _sim_swap,
    "debt_threat_relative": _debt_threat,
    "mistaken_transfer": _mistaken_transfer,
    "institution_personal_account": _institution_personal_account,
    "callback_lure": _callback_lure,
    "unrealistic_returns": _unrealistic_returns,
    "secrecy_demand": _secrecy,
}


# Cue groups without one of which a rule cannot hold: most messages have none of them, and
# the call is skipped. On the 4,174 Pham 2016 SMS the six rules called on every message
# took 9 ms (about 10% of all reasons); skipped, cues and reasons are within 3% of before.
_NEEDS: dict[str, frozenset[str]] = {
    "charity_personal_account": frozenset({"charity"}),
    "upfront_fee": frozenset({"upfront_fee"}),
    "card_photo_request": frozenset({"card_photo", "id_photo"}),
    "sim_swap": frozenset({"sim_serial", "sim_change"}),
    "debt_threat_relative": frozenset({"debt_relative"}),
    "mistaken_transfer": frozenset({"mistaken_transfer"}),
}

_RULES_NEEDING = [(code, rule, _NEEDS.get(code)) for code, rule in _RULES.items()]


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
        "charity_personal_account",
        "upfront_fee",
        "card_photo_request",
        "account_rental",
        "sim_swap",
        "debt_threat_relative",
        "mistaken_transfer",
        "institution_personal_account",
        "callback_lure",
        "unrealistic_returns",
        "secrecy_demand",
        "impersonation_relative",
        "illegal_service",
    }
)


def is_warning(cues: Cues, indicators: Indicators) -> bool:
    """An awareness notice ("Công an khuyến cáo: kẻ gian giả danh... không chuyển tiền"):
    several warning phrases, and nothing to act on but official links and hotlines."""
    if cues.count("awareness") < 3:
        return False
    if indicators.bank_accounts or any(p.kind != "hotline" for p in indicators.phones):
        return False
    return all(link.official for link in indicators.links)


def find_reasons(text: NormalizedText, cues: Cues, indicators: Indicators) -> list[Finding]:
    """Every rule that holds for a message, with its evidence."""
    warning = is_warning(cues, indicators)
    findings = []
    present = cues.by_name.keys()
    for code, rule, needed in _RULES_NEEDING:
        if needed is not None and present.isdisjoint(needed):
            continue
        if warning and code in _DESCRIBED_IN_WARNINGS:
            continue
        evidence = rule(text, cues, indicators)
        if evidence:
            findings.append(Finding(code, evidence))
    return findings


# ---------------------------------------------------------------------------- victims

# How far back (in words) a pronoun is the subject of a loss, and a hypothetical
# ("nếu", "giả sử") governs it; how far a payment may be from its "rồi" / "xong".
_SUBJECT_WINDOW = 6
_HYPOTHETICAL_WINDOW = 8
_RECOVERY_WINDOW = 4
_THREAT_WINDOW = 3
_QUESTION_WORDS = frozenset({"khong", "ko", "k", "gi", "nao", "dau", "sao", "chua"})
_PARTICLES = frozenset({"a", "ah", "vay", "nhi", "ha", "the", "ta"})


def _ends_asking(words: list[str]) -> bool:
    """Whether the message's last word (before a particle) asks: "... thì có được khởi tố
    không ạ"."""
    tail = [w for w in words[-2:] if w not in _PARTICLES] or words[-1:]
    return bool(tail) and tail[-1] in _QUESTION_WORDS


_REPORT_WORDS = frozenset({"muon trinh bao", "de trinh bao", "cach trinh bao", "muon bao an", "nan nhan", "nguoi bi lua"})
_DONE_WINDOW = 9
# Retold words that pass on a demand to the sender ("bảo tôi", "bắt em", "yêu cầu mình").
_DEMANDS = ("bao ", "bat ", "yeu cau ", "doi ")
# Words that pass on what a caller or a message claimed ("nói tài khoản tôi bị trừ").
_CLAIMED = frozenset({"noi", "bao", "rang"})
# Words before a payment that say it was only meant ("định chuyển", "sắp ck", "suýt nộp").
_MEANT = frozenset({"dinh", "sap", "suyt", "tinh", "muon", "se"})
# Right before a loss, a fear of it ("sợ bị lừa", "ngại bị mất tiền"); further back "sợ"
# is why it was done ("bị dọa sợ nên đã chuyển").
_FEARED = frozenset({"so", "ngai", "keo", "tranh"})
# ("đặt cọc 3tr thuê phòng qua zalo, người ta gửi ảnh phòng đẹp lắm, đến nơi thì không có
# phòng nào, ... chặn em rồi": the story between the two runs long.)
_AFTERMATH_WINDOW = 30
# "30 phút trước", "2 tiếng trước", "1h trước": a transfer the bank may still stop.
_HOURS_AGO = re.compile(r"\b(\d{1,2})\s*(phut|p|tieng|gio|h)\s+(?:truoc|nay)\b")
# "cách đây 1 tiếng", the same said the other way round.
_HOURS_SINCE = re.compile(r"\b(?:cach day|moi|vua moi|duoc)\s+(\d{1,2})\s*(phut|p|tieng|gio|h)\b")
# Implicit subjects ("chuyển cọc 500k xong bị block") are the sender's only in a message
# this short; a longer one without "tôi" or "mẹ tôi" is more likely someone else's text.
_IMPLICIT_SUBJECT_WORDS = 40
# How far after a told loss a request to the reader ("gọi ngay", "vui lòng cung cấp")
# makes the loss a scammer's script.
_SCRIPT_WINDOW = 15


@dataclass(frozen=True, slots=True)
class Victim:
    """The sender, or someone close to them, has already lost money to a scam."""

    evidence: str
    recent: str | None
    """The words saying it happened within hours (the bank may still stop the transfer)."""


def _hypothetical(cues: Cues, match: CueMatch) -> bool:
    """A loss spoken of as a possibility ("nếu mình bị lừa", "phải làm gì khi bị lừa")."""
    for hypo in cues.by_name.get("hypothetical", ()):
        # "lấy lại tiền bị lừa" covers the loss it names, not the next sentence: "hỗ trợ
        # lấy lại tiền bị lừa lần trước, lại ck thêm 9 triệu" tells a payment.
        # ("tôi muốn trình báo bị mất 45tr", "tôi là nạn nhân ... mất hơn 300 triệu": a report
        # that names its sum is no supposition.)
        if hypo.phrase in _REPORT_WORDS and _names_amount(cues.words[match.position : match.position + 8]):
            continue
        # ("nộp liền ko thì bị phạt, ba chuyển 22 triệu rồi": "không thì", "kẻo" cover
        # the threat they bring, a few words, not the payment told after it.)
        window = (
            _RECOVERY_WINDOW
            if hypo.phrase.startswith("lay lai")
            else _THREAT_WINDOW
            if hypo.phrase in ("khong thi", "keo")
            else _HYPOTHETICAL_WINDOW
        )
        if 0 <= match.position - hypo.position <= window or hypo.position == match.position:
            return True
    if match.position > 0 and cues.words[0] == "khi" and match.position <= 3:
        return True
    # ("khóa tài khoản ngân hàng khi bị lừa thì gọi số nào": "khi ... thì", said of anyone.)
    if "khi" in cues.words[max(0, match.position - 2) : match.position] and "thi" in cues.words[match.end : match.end + 3]:
        return True
    # ("bị lừa đảo rồi thì có lấy lại tiền được không, hỏi trước để còn biết": asked ahead.)
    if any(h.phrase.startswith("hoi truoc") for h in cues.by_name.get("hypothetical", ())):
        return True
    # ("thẻ là bị lừa ko mn", "bị lừa đảo ... thì có được khởi tố không", "ai bị lừa thì gọi
    # số nào": asked, or said of anyone.)
    after = cues.words[match.end : match.end + 2] if "..." not in match.phrase and "lua" in match.phrase.split() else []
    if after[:1] in (["khong"], ["ko"], ["k"], ["hong"], ["ha"]) or after in (["phai", "khong"], ["phai", "ko"]):
        return True
    if cues.words[match.position - 1 : match.position] in (["ai"], ["nguoi"], ["tien"]) and "self" not in cues:
        return True
    # ("bị lừa đảo qua mạng dưới 2 triệu thì có được khởi tố không", "xin hỏi bị lừa mất
    # tiền qua zalo thì có cần mang sao kê", "làm đơn trình báo bị lừa đảo mẫu như thế
    # nào": a loss with no one's name on it, in a question.)
    if (
        "self" not in cues
        and ("asking" in cues or "how" in cues or "question" in cues)
        and (
            # (Not "mua xong gửi mã thì mới biết": done, then found out.)
            (
                "thi" in (after_loss := cues.words[match.end : match.end + 8])
                and {"xong", "roi", "moi"}.isdisjoint(after_loss)
                # (The message ending as a question: "ko trả" mid-way tells.)
                and _ends_asking(cues.words)
            )
            or not {"trinh", "don"}.isdisjoint(cues.words[max(0, match.position - 3) : match.position])
        )
    ):
        return True
    # "nghe nói bị lừa thì ...", "hồi xưa em cũng từng bị lừa": hearsay, or a past
    # experience told to explain a question, not a loss reported.
    near = cues.words[max(0, match.position - _HYPOTHETICAL_WINDOW) : match.position]
    if "tung" in near[-3:] or any(near[i : i + 2] in (["nghe", "noi"], ["doc", "bao"]) for i in range(len(near) - 1)):
        return True
    # "lỡ bị lừa thì sao" asks; "em lỡ chuyển 5 triệu rồi" tells.
    before = cues.words[max(0, match.position - 2) : match.position]
    if "lo" in before or match.phrase.startswith("lo "):
        after = cues.words[match.end : match.end + _DONE_WINDOW]
        # ("em lỡ chuyển 2 triệu ... bị chặn": what came of it tells it happened.)
        cut_off = any(m.phrase in _CUT_OFF and 0 < m.position - match.end < _DONE_WINDOW for m in cues.by_name.get("victim_after", ()))
        # ("Em lỡ chuyển 3 triệu ..., nhận hàng thì chỉ là cục gạch": what came of it.)
        rest = " ".join(cues.words[match.end :])
        came_of_it = _CHEATED.search(rest) is not None or _BAD_OUTCOME.search(rest) is not None
        return not ({"roi", "xong", "mat"} & set(after)) and "da" not in before and not cut_off and not came_of_it
    return False


def _addressed(cues: Cues, match: CueMatch) -> bool:
    """The loss is the reader's, in a message written to them ("Quý khách đã chuyển nhầm",
    "tài khoản của bạn bị trừ tiền"): a scam or a notice, not a report."""
    near = [m for name in ("addressee", "self") for m in cues.by_name.get(name, ()) if 0 <= match.position - m.position <= _SUBJECT_WINDOW]
    if not near:
        return False
    return max(near, key=lambda m: m.position).name == "addressee"


def _losses(cues: Cues) -> list[tuple[CueMatch, bool]]:
    """Every loss a message tells, and whether it is a loss on its own (not only a payment)."""
    if cues._losses is None:
        cues._losses = _find_losses(cues)
    return cues._losses


# Pay verbs whose bare form is mostly another word: "tra" (kiểm tra, tra cứu), "dua"
# (đua, dừa), "dong" (đông, đồng, dòng).
_OTHER_WORD_BARE = frozenset({"tra", "dua", "dong"})
# Who pays, said just before the verb, when it is not the sender's side: the parcel's
# sender, the seller, the customer.
_OTHER_PAYERS = (["nguoi", "gui"], ["ben", "gui"], ["nguoi", "ban"], ["ben", "ban"], ["khach", "hang"], ["nguoi", "mua"])


# What a short message may open with, its subject the sender unnamed.
_OPENING_ACTS = frozenset({"mua", "dat", "coc", "chuyen", "nap", "dong", "gui", "dua", "tra", "nho", "thue", "vay"})
_PAPERS = (["ho", "so"], ["giay", "to"], ["don", "to"], ["don", "xin"], ["don", "trinh"], ["cccd"], ["can", "cuoc"])
_REPAID_REACH = 8


def _repaid(words: list[str], position: int) -> bool:
    """ "Tôi có vay 2 triệu trên app, trả rồi": a loan of the sender's paid back (not "tôi
    cho một người vay 30 triệu, người đó hứa trả": money lent out)."""
    start = max(0, position - _REPAID_REACH)
    return any(w == "vay" and "cho" not in words[max(0, start + i - 4) : start + i] for i, w in enumerate(words[start:position]))


def _find_losses(cues: Cues) -> list[tuple[CueMatch, bool]]:
    # "bị trừ 46 triệu", "mất 12 triệu" are told with words, not cue groups (_lost_amounts).
    if (
        not cues.any_of(_LOSS_GROUPS)
        and _TAKEN_VERBS.isdisjoint(cues.words)
        and _PURCHASE_VERBS.isdisjoint(cues.words)
        and _TAKEN_WORDS.isdisjoint(cues.words)
        and "lua" not in cues.words
    ):
        return []
    found = [(m, True) for m in cues.by_name.get("victim_loss", ())]
    found += [(m, False) for m in cues.by_name.get("victim_paid", ())]
    # "tôi chuyển 30 triệu rồi", "ck 2tr xong": a payment, then that it is done.
    told_fake: bool | None = None  # whether someone is called a fake, looked for once
    for verb in cues.by_name.get("victim_pay_verb", ()):
        # ("em kiểm tra rồi chuyển lại giúp chị": from someone who types diacritics, "tra"
        # is no "trả", "dua" no "đưa". Other verbs typed bare in such a message are still
        # verbs: "nhờ toi dong tien giup ... toi chuyen 70tr", "ck" read as "chuyển khoản".)
        if verb.folded and cues.diacritics and verb.phrase in _OTHER_WORD_BARE:
            continue
        # ("kiem tra roi chuyen lai giup em": typed bare, "kiểm tra" still is no "trả".)
        if verb.phrase == "tra" and cues.words[verb.position - 1 : verb.position] in (["kiem"], ["dieu"], ["thanh"]):
            continue
        # ("tài khoản tự động gia hạn rồi": "tự động", not "đóng"; "chưa nộp đồng nào":
        # a coin.)
        if verb.phrase == "dong" and (
            cues.words[verb.position - 1 : verb.position] == ["tu"] or cues.words[verb.end : verb.end + 1] == ["nao"]
        ):
            continue
        # "chuyen" alone is also "chuyện", "chuyên", and "ck" also "chồng" ("có ck mới
        # rồi"): a payment only with money after it, or the other side cut off after it.
        # ("tôi có nộp hồ sơ thật mà chưa thấy gì", "gửi giấy tờ"): papers handed in, not money;
        # ("có vay 2 triệu trên app, trả rồi mà"): a loan paid back.
        if cues.words[verb.end : verb.end + 2] in _PAPERS or (verb.phrase == "tra" and _repaid(cues.words, verb.position)):
            continue
        money = _money_after(cues.words, verb.end) or _amount_at(cues.words, verb.end) is not None
        # "bị đóng băng 200 triệu": frozen, not paid; "phí vận chuyển 350 nghìn": a fee named.
        if verb.phrase == "dong" and cues.words[verb.end : verb.end + 1] == ["bang"]:
            continue
        if verb.phrase.startswith("chuyen") and cues.words[verb.position - 1 : verb.position] == ["van"]:
            continue
        # "mẹ chuyển rồi", "bà em đóng rồi": the verb, then that it is done, with the
        # amount told elsewhere in the message ("thu phí 350k, bà em đóng rồi").
        # ("em đóng hết rồi mà vẫn không giải ngân": "hết rồi", "luôn rồi" tell it too.)
        done_next = cues.words[verb.end : verb.end + 1] in (["roi"], ["xong"]) or cues.words[verb.end : verb.end + 2] in (
            ["het", "roi"],
            ["luon", "roi"],
            ["di", "roi"],
            ["xong", "roi"],
            ["het", "xong"],
        )
        # "cầm 5 triệu tiền mặt ra đưa cho 2 người", "rút 35tr ở ngân hàng đưa cho 1 người
        # đàn ông", "mua 2 chỉ vàng rồi đưa cho người lạ": the money or gold named before,
        # then handed over.
        # (Not "gửi cho tôi file cài đặt": sent to the sender.)
        handed = (
            verb.phrase in ("dua", "gui")
            and cues.words[verb.end : verb.end + 1] == ["cho"]
            and cues.words[verb.end + 1 : verb.end + 2] not in (["toi"], ["em"], ["minh"], ["tui"], ["chau"])
            and _held_before(cues.words, verb.position)
        )
        # "chú vừa đưa tiền cho người mặc áo giống công an": a payment told as just done.
        just_paid = " " in verb.phrase and cues.words[verb.position - 1 : verb.position] in (["vua"], ["da"], ["moi"])
        if (
            (handed or just_paid)
            and any(m.position < verb.position for m in cues.by_name.get("self", ()))
            and not _demanded(cues.words, verb.position)
            and _MEANT.isdisjoint(cues.words[max(0, verb.position - _HELD_BEFORE) : verb.position])
        ):
            found.append((CueMatch("victim_paid", " ".join(cues.words[verb.position - 1 : verb.end + 1]), verb.position), False))
            continue
        # "gửi", "đưa" alone are also "gửi 1 file", "đưa 2 đứa nhỏ": only with an amount
        # after them, or said done with one just before ("thuế 4 triệu rưỡi. Tôi gửi rồi").
        # ("vợ em đưa cho thằng shipper giả 450k": the payee, then the amount.)
        if (
            verb.phrase in ("gui", "dua")
            and _amount_at(cues.words, verb.end) is None
            and not (done_next and _sum_before(cues.words, verb.position))
            and not (cues.words[verb.end : verb.end + 1] == ["cho"] and _amount_near(cues.words, verb.end + 1, 6) is not None)
        ):
            continue
        # "bắt chuyển 180 triệu vào 'tài khoản tạm giữ'. Chuyển lúc 9h sáng nay", "Tôi chuyển
        # cách đây một tiếng": the sum told just before, the time right after the verb.
        # (The time first, a lookup; the sums only then: most verbs have no time after them.)
        # ("mua vé concert trên group, chuyển 4tr2 cho 2 vé ... chặn rồi", "nhờ con trai
        # chuyển 7tr": a short message opening with what the sender did has the sender as
        # its subject.)
        payer = any(m.position < verb.position for m in cues.by_name.get("self", ())) or (
            "self" not in cues and len(cues.words) <= _IMPLICIT_SUBJECT_WORDS and cues.words[0] in _OPENING_ACTS
        )
        when_next = _when_at(cues, verb.end)
        if when_next and (_amount_at(cues.words, verb.end) is not None or not _sum_before(cues.words, verb.position)):
            when_next = None
        if when_next and payer and not _demanded(cues.words, verb.position):
            found.append((CueMatch("victim_paid", f"{verb.phrase} ... {when_next}", verb.position), False))
            continue
        if " " not in verb.phrase and not money and not (done_next and _names_amount(cues.words)):
            # ("Tôi chuyển cho người tự xưng là nhân viên ngân hàng 4 triệu": the payee
            # first. "bà chuyển ngay. Giờ gọi lại thuê bao": what came of it, the sum told
            # before.)
            paid_to = cues.words[verb.end : verb.end + 1] == ["cho"] and _amount_near(cues.words, verb.end) is not None
            # ("cọc phòng trọ trên fb 1tr5 xong bị chặn luôn": what was paid for, the sum,
            # then cut off.)
            object_end = _amount_near(cues.words, verb.end, _OBJECT_WORDS)
            cut_off = object_end is not None and _cut_off_after(cues, object_end - 1, _CUT_OFF_REACH)
            # ("mua skin game 300k ..., chuyển momo rồi bạn đó block": the sum told before,
            # the payment, then cut off.)
            cut_off = cut_off or (_sum_before(cues.words, verb.position) and _cut_off_after(cues, verb.position, _CUT_OFF_REACH))
            if (
                not paid_to
                and not cut_off
                and not (_sum_before(cues.words, verb.position) and _BAD_OUTCOME.search(" ".join(cues.words[verb.end :])))
            ):
                continue
        # "chú chuyển từ tuần trước", "chuyển lúc 11h trưa nay": when it was paid says it
        # was done, as "rồi" does.
        # Only with the payer named before it ("con gái tôi chuyển 15 triệu", not "nhiệm vụ
        # hôm nay: chuyển khoản 500k"), and paid out, not in ("chuyển vào tk em").
        # ("ck cho kẻ lừa đảo 9tr5 lúc 10h sáng nay": the payee before the amount.)
        amount_end = _amount_at(cues.words, verb.end)
        if amount_end is None and cues.words[verb.end : verb.end + 1] == ["cho"]:
            amount_end = _amount_near(cues.words, verb.end)
        when = (_paid_when(cues, verb.position) or "") if amount_end is not None else ""

        # "chuyển 350 triệu rồi mà chưa nhận được vàng", "nạp 3 lần vào app tổng 9tr, vẫn
        # chưa nhận được đồng nào": paid, then nothing came of it. A loss on its own.
        # ("ck giúp em 5tr": asked for.) Looked for before the time of the payment:
        # "chuyển khoản 7.800.000đ lúc 10h sáng nay, đến giờ không có mã đặt chỗ" tells the
        # loss, not only the payment.
        # ("phải chuyển tiền thuế 2 triệu 200, bà chuyển ngay. Giờ gọi lại thuê bao": the
        # sum told before.)
        loose_end = amount_end or _amount_near(cues.words, verb.end, _OBJECT_WORDS)
        if loose_end is None and (_sum_before(cues.words, verb.position) or (verb.position == 0 and _names_amount(cues.words))):
            loose_end = verb.end
        if (
            (payer or verb.position == 0)
            and loose_end is not None
            and not _demanded(cues.words, verb.position)
            and cues.words[verb.end : verb.end + 1] not in (["giup"], ["ho"], ["gium"], ["vao"])
            and cues.words[verb.position - 1 : verb.position] not in (["ho"], ["no"], ["ta"])
        ):
            came_of_it = _BAD_OUTCOME.search(" ".join(cues.words[loose_end:]))
            if came_of_it:
                found.append((CueMatch("victim_loss", f"{verb.phrase} ... {came_of_it.group(0)}", verb.position), True))
                continue
        # ("bảo phải nộp 1tr8 phí kiểm định", "nhờ bà gửi 12 triệu": asked, not paid.)
        if when and payer and cues.words[verb.end : verb.end + 1] != ["vao"] and not _demanded(cues.words, verb.position):
            found.append((CueMatch("victim_paid", f"{verb.phrase} ... {when}", verb.position), False))
            continue
        # "bố tôi vội chuyển 50 triệu", "hoảng quá chuyển luôn": told as done by how it was
        # done.
        hurried = cues.words[verb.position - 1 : verb.position] in (["voi"], ["lien"], ["hoang"]) or cues.words[
            verb.end : verb.end + 1
        ] == ["luon"]
        if (
            hurried
            and payer
            and (amount_end is not None or _sum_before(cues.words, verb.position))
            and not _demanded(cues.words, verb.position)
        ):
            found.append((CueMatch("victim_paid", " ".join(cues.words[verb.position - 1 : verb.end + 1]), verb.position), False))
            continue
        # "có người giả làm bạn của con trai đến ... ông đưa 10 triệu": an amount handed to
        # someone the message calls a fake, told as done without "rồi" or a time.
        # (Not with "có phải lừa không": someone who asks has mostly not paid; a victim who
        # asks says "rồi" too. Not "họ trả 45k": they paid, not the sender.)
        # ("bị gọi điện giả danh con rể ... đóng thuế 15 triệu": the sum a word or two on.)
        sum_end = amount_end or _amount_near(cues.words, verb.end, 3)
        # (Not "nộp trước 3 triệu lệ phí", paid in advance, nor "chị ơi chuyển em 3tr":
        # the caller's demand quoted.)
        if (
            payer
            and sum_end is not None
            and cues.words[verb.end : verb.end + 1] != ["truoc"]
            and cues.words[verb.position - 1 : verb.position] != ["oi"]
            and "scam_ask_strong" not in cues
            and not _demanded(cues.words, verb.position)
            and cues.words[verb.position - 1 : verb.position] not in (["ho"], ["no"], ["ta"])
        ):
            if told_fake is None:
                joined = " ".join(cues.words)
                told_fake = _FAKE.search(joined) is not None or _SCAM_STORY.search(joined) is not None
            if told_fake:
                found.append((CueMatch("victim_paid", " ".join(cues.words[verb.position : sum_end]), verb.position), False))
                continue

        # Counted from the amount's end: "ck 1.200.000d vào tk cá nhân của nó rồi".
        paid_end = amount_end or verb.end
        for done in cues.by_name.get("victim_done", ()):
            # "bắt tôi chuyển tiền để xác minh. Tôi cúp máy rồi": the "rồi" of what the
            # sender did instead of a payment demanded without an amount.
            if not done_next and amount_end is None and _demanded(cues.words, verb.position):
                break
            # "gửi 15tr vào số tk ... rồi lên viện luôn nhé": "rồi" is "then", an order.
            if done.phrase in ("roi", "xong") and cues.words[done.end : done.end + 1] and cues.words[done.end] in _THEN:
                continue
            # ("chị chuyển lại giúp em 320k rồi em hoàn cả 2 lần": "then I refund".)
            if (
                done.phrase == "roi"
                and cues.words[done.end : done.end + 1] in (["em"], ["minh"], ["anh"], ["chi"])
                and cues.words[done.end + 1 : done.end + 2] in (["hoan"], ["tra"], ["gui"], ["chuyen"], ["giao"], ["ship"])
            ):
                continue
            # ("cho mượn 5 củ đến tối trả, tài khoản của mình bị khoá rồi": the "rồi" of
            # something else that happened.)
            if not done_next and "bi" in cues.words[paid_end : done.position]:
                continue
            # ("shipper gọi bảo ... người gửi thanh toán rồi": someone else paid.)
            if cues.words[max(0, verb.position - 2) : verb.position] in _OTHER_PAYERS:
                break
            if done_next or (money and 0 <= done.position - paid_end < _DONE_WINDOW):
                found.append((CueMatch("victim_paid", f"{verb.phrase} ... {done.phrase}", verb.position), False))
                break
        # "ck 2tr cho shop ... xong họ chặn liên lạc": a payment, then what came of it.
        # ("bảo tôi gửi 28 triệu ... gọi cô chủ nhiệm thì không nghe máy": asked for, and
        # what came of checking, not of paying.)
        for outcome in () if _demanded(cues.words, verb.position) else cues.by_name.get("victim_after", ()):
            if (
                0 <= outcome.position - verb.end < _AFTERMATH_WINDOW
                and outcome.phrase in _CUT_OFF
                and not _future(cues.words, outcome.position)
                # ("... chị chuyển trước 20 triệu vào TK ... nhé. Gọi lại số cô giáo thì không
                # nghe máy": what came of checking, not of paying.)
                and not _checked_before(cues.words, outcome.position)
                # ("mày chuyển vào tk của vợ tao nhé", "thanh toán phí lưu kho giúp em ạ": the
                # pasted message's ask.)
                and not _asked_after(cues.words, verb.end, outcome.position)
            ):
                found.append((CueMatch("victim_paid", f"{verb.phrase} ... {outcome.phrase}", verb.position), False))
                break
    words = cues.words
    found += _handed_goods(words)
    found += _lost_amounts(words)
    found += _cheated_purchases(words)
    found += _told_cheated(words)
    # ("bị trừ 1tr990k sau khi cung cấp mã otp": a request told as done is no script.)
    requests = [
        m.position
        for m in cues.by_name.get("request", ())
        if m.phrase not in _PLEAS
        and cues.words[max(0, m.position - 2) : m.position] not in (["sau", "khi"], ["da"], ["toi", "da"])
        # ("bà nghe điện thoại rồi làm theo hướng dẫn": what the victim did.)
        and cues.words[m.position - 1 : m.position] != ["theo"]
        and not (m.phrase == "lam theo" and cues.words[m.position - 1 : m.position] in (["roi"], ["da"], ["va"], ["vi"], ["do"], ["nghe"]))
        # ("còn 0 đồng, trước đó có 93 triệu": a sum, then a new clause.)
        and not (m.phrase.startswith("dong ") and cues.words[m.position - 1 : m.position] and cues.words[m.position - 1][:1].isdigit())
    ]
    demands = [m.position for m in cues.by_name.get("retold", ()) if m.phrase.startswith(_DEMANDS)]
    kept = []
    for match, loss in found:
        head = len(match.phrase.split(" ... ")[0].split())
        after = words[match.position + head] if match.position + head < len(words) else ""
        # "đã chuyển nhầm vào tài khoản": the mistaken-transfer script, or a real mistake;
        # not "tôi vừa chuyển nhầm vào tài khoản của kẻ giả danh ngân hàng", a loss told.
        if (after == "nham" and not _own_mistake_to_fake(words, match.position)) or _not_done(cues, match.position):
            continue
        # "Bé đã đưa vào viện": a child taken to hospital, not money handed over.
        # ("bảo đóng trước 500 nghìn tiền hồ sơ. Ông đưa rồi": the sum said just before.)
        if (
            match.phrase in _HANDED
            and not _money_after(words, match.end)
            and _amount_near(words, match.end) is None
            and (words[match.end : match.end + 1] == ["vao"] or not _sum_before(words, match.position))
        ):
            continue
        # "hồ sơ đã chuyển sang tòa án", "đã chuyển hồ sơ sang công an": a file moved on,
        # not money paid.
        if not loss and words[match.position + head : match.position + head + 2] == ["ho", "so"]:
            continue
        if (
            not loss
            and after in ("sang", "den")
            and not _money_after(words, match.position + head)
            and words[match.position + head + 1 : match.position + head + 2] != ["nay"]  # "chuyển sáng nay"
        ):
            continue
        # "có bị lừa không", "có bị mất tiền ko": asked, not told.
        if (
            match.position > 0
            and (words[match.position - 1] == "co" or words[match.position - 2 : match.position] in (["co", "bi"], ["co", "phai"]))
            and {"khong", "chua"} & set(words[match.position + head : match.position + head + 3])
        ):
            continue
        # "bên mua họ chuyển cọc đất cho cháu": money the sender received, not paid.
        if not loss and _PAID_TO_SENDER.match(" ".join(words[match.position + head : match.position + head + 8])):
            continue
        # "vui lòng chuyển 2 triệu rồi chờ giải ngân": asked of the reader, not told.
        # (An amount taken, "bị mất 9 triệu", is no payment asked: "làm theo hướng dẫn, bị
        # mất" is what the victim did.)
        # ("phải chuyển tiền để xác minh, ông chuyển hết 250 triệu": someone named between
        # the demand and the payment did it.)
        # ("bị yêu cầu chuyển 70 triệu, đã chuyển 1 lần 20 triệu rồi": "đã" tells it done.)
        if (
            not loss
            and match.name != "victim_amount"
            and not match.phrase.startswith("da ")
            and any(0 < match.position - r <= _SUBJECT_WINDOW and _SUBJECTS.isdisjoint(words[r + 1 : match.position]) for r in requests)
        ):
            continue
        # "TK bị trừ 5 triệu phí duy trì, gọi ngay 09... để được hoàn tiền": a loss told
        # to the reader to make them act is a script.
        # (Not "yêu cầu hoàn tiền thì bị chặn": the sender asked, and was cut off.)
        if match.name in ("victim_loss", "victim_amount") and any(
            0 < r - match.position <= _SCRIPT_WINDOW and not _cut_off_after(cues, r) for r in requests
        ):
            continue
        # "Có người xưng ngân hàng nói tài khoản tôi bị trừ 9.800.000đ, bảo tôi bấm link để
        # hủy": the loss is the caller's claim, followed by what he told the sender to do.
        if (
            match.name == "victim_amount"
            and _CLAIMED.intersection(words[max(0, match.position - _SUBJECT_WINDOW) : match.position])
            and any(0 < r - match.position <= _SCRIPT_WINDOW for r in demands)
        ):
            continue
        # "người mua bảo đã chuyển tiền qua ví": the other side's claim, passed on.
        # (Right before it only: "bà nội em trả 1 triệu" holds a "nói" two words back.)
        # ("bảo là đã đóng bảo hiểm nhiều năm": the same with "là".)
        if (
            match.name == "victim_paid"
            and match.position > 0
            and (
                words[match.position - 1] in _CLAIMED
                # ("khách báo là đã chuyển khoản rồi", "nó bảo vừa chuyển")
                or (
                    words[match.position - 1] in ("la", "da", "vua")
                    and words[match.position - 2 : match.position - 1] in (["bao"], ["noi"], ["la"])
                )
            )
        ):
            continue
        # "chuyển trả lại vào tk khác chứ không phải tk đã chuyển": the account named by
        # what was done with it, not a payment told.
        # ("được hoàn lại tiền đã đóng": the premiums paid over the years, named.)
        if match.name == "victim_paid" and words[match.position - 1 : match.position] in (["tk"], ["khoan"], ["tien"], ["phi"]):
            continue
        kept.append((match, loss))
    return kept


# What follows a payment when it was a scam: the other side disappears or keeps the money.
_CUT_OFF = frozenset(
    {
        "mat tich",
        "bi block",
        "block",
        "bi chan",
        "chan lien lac",
        "chan zalo",
        "chan so",
        "chan luon",
        "khong lien lac duoc",
        "mat lien lac",
        "khong nghe may",
        "tat may",
        "xoa zalo",
        "xoa ket ban",
        "huy ket ban",
        "bien mat",
        "bat vo am tin",
        "khong nhan duoc hang",
        "khong giao hang",
        "khong thay hang",
        "khong rut duoc",
        "khong tra lai",
        "khong hoan tien",
        "xoa nick",
        "khoa nick",
        "moi biet",
        "moi phat hien",
        "moi biet la",
        "chan em",
        "chan toi",
        "chan minh",
        "da chan",
        "khong nhan duoc ve",
        "khong tra",
        "khong cho rut",
        "khong rut duoc tien",
        "khong thay gi",
        "khong thay giao",
        "xit",
        "khong co that",
        "bo tron",
        "om tien",
        "roi chan",
        "cat lien lac",
        "goi khong nghe",
        "khoa face",
        "khoa facebook",
        "chua nhan duoc",
        "khong nhan duoc qua",
        "dong cua",
        "khong ai tra loi",
        "chan roi",
        "dong bang",
        "bi dong bang",
        "im luon",
        "lan mat",
        "mat hut",
        "im re",
    }
)


# Words that call the other side a fake or a fraud ("trang giả mạo", "người xưng viện
# kiểm sát"), folded; bare "lừa" is left out, its fold is also "lửa", "lúa", "lụa".
_FAKE = re.compile(
    r"\b(?:gia mao|gia danh|mao danh|lua dao|bi lua|lua mat|lua tien|tu xung|xung la|goi xung|nhan xung|nguoi xung|gia (?:cong an|can bo|shipper)"
    r"|bi (?:no|nguoi ta|ng ta|tui no|bon no|ho|chung no) lua"
    r"|tai khoan an toan|tai khoan tam giu|tai khoan tam quan ly|(?:san|app|web|website|trang web|san tmdt|san giao dich|nhom dau tu) ao"
    r"|(?:cong an|can bo|shipper|nhan vien|giao vien|bac si|luat su) gia\b(?! (?:re|tien|ca|von|tri|goc|si|ban|thi truong))"
    r"|xung (?:cong an|canh sat|can bo|nhan vien|toa an|vien kiem sat|ngan hang|hai quan|buu dien|dien luc|bac si|giao vien|luat su)"
    r"|goi (?:bao|noi) la (?:nhan vien|can bo|cong an|canh sat|buu dien|ngan hang|toa an|vien kiem sat|dien luc)"
    # "xưng bên điện lực", "tự giới thiệu là người quen của ông cậu"
    r"|xung ben|tu gioi thieu la)\b"
)
# What is told of a scam without calling anyone a fake: a hacked account that asked for
# money, a kidnapping claimed on the phone and its ransom, a prize, a stranger who passed
# for someone ("giả làm", "nói là cán bộ", "nó bảo là công an"), a faked video call.
_SCAM_STORY = re.compile(
    r"\b(?:bi hack|hack (?:zalo|facebook|fb|nick|tai khoan)|bat coc|tien chuoc|trung thuong|trung giai"
    r"|gia lam|gia giong|gia mat|goi video gia|goi video giong|(?:noi|nhan) la can bo|(?:bao|noi) la cong an|giong het|deepfake"
    r"|tien bao lanh|bi bat (?:giu|tam giam)|bi tong tien|trung so|ao giong (?:cong an|csgt|dien luc|nhan vien)|(?:bao|noi|xung) la (?:doan|nhan vien|ben|nguoi cua)|bi du|goi dien (?:doa|lua)"
    # the fake policeman's script: "mặc quân phục công an nói tôi liên quan ma túy, bắt
    # chuyển 200tr để chứng minh"
    r"|(?:mac|mang) (?:quan phuc|sac phuc|dong phuc|ao) (?:cong an|canh sat|csgt)|lien quan (?:den |toi |vao )?(?:ma tuy|rua tien|duong day|vu an)"
    r"|chung minh (?:trong sach|vo toi|minh trong sach|minh vo toi|nguon tien))\b"
)
# How the money was taken when the sender did what a scam asked: a link pressed, a QR code
# scanned, an app installed, a code given ("bị trừ 18 triệu sau khi bấm link", "cài ứng
# dụng ... xong tài khoản bị trừ"). A sign that a scam took an amount, as a fake named is.
_HOW_TAKEN = re.compile(
    r"(?<!khong )(?<!ko )(?<!dung )(?<!chua )\b(?:sau khi (?:bam|quet|cai|nhap|cung cap|tai|an)|bam vao (?:link|duong link|duong dan)|bam link"
    r"|quet ma qr|quet qr|cung cap (?:ma )?otp|cho (?:no|ho) ma otp|doc ma otp|(?:cai|tai) (?:mot |cai )?(?:app|ung dung)|nhap mat khau"
    r"|bi (?:\w+ ){0,3}?du (?:chuyen|nap|dong|mua|dau tu|vao|tham gia))\b"
)
# "trang facebook giả đại lý": "giả" (fake) typed with its diacritics; folded, "gia" is
# also "giá" (price: "giá đại lý").
_FAKE_AS_WRITTEN = re.compile(r"\bgiả\b", re.IGNORECASE)
# An office or a trade put in quotation marks by the one telling of it ("cuộc gọi từ
# 'bưu điện'", "chuyển cho 'công an Hà Nội'"): called a fake without the word.
_QUOTED_POSING = re.compile(
    r"[\"“‘'](?:can bo |nhan vien |dong chi )?(?:cong an|canh sat|buu dien|ngan hang|shipper|dien luc|toa an|vien kiem sat|luat su"
    r"|bac si|giao vien|co giao|thay giao|hai quan|can bo|nhan vien|giam doc|chuyen gia|nguoi yeu|ban trai|ban gai|con trai|con gai)\b"
)
_TRADE_TOPICS = frozenset({"drugs", "gambling_tip", "smuggling", "weapons", "public_order"})
_SCAM_CONTEXT = frozenset({"victim_after", "scam_ask_strong", "investment", "job"})
_STRANGERS = frozenset({"ke gian", "nguoi la", "doi tuong", "so la"})
# The groups a loss is told with (see _losses).
_LOSS_GROUPS = frozenset({"victim_loss", "victim_paid", "victim_pay_verb"})
# Request cues a victim also uses ("có phải", "nhờ công an giúp"): not a demand to pay.
_HANDED = frozenset({"da dua", "dua roi"})
# Who pays, named between a demand and a payment: then the payment is told, not asked.
_SUBJECTS = frozenset({"toi", "minh", "em", "ong", "ba", "me", "bo", "con", "chau", "vo", "chong", "anh", "chi", "co", "chu", "bac"})
_PLEAS = frozenset({"phai", "xin", "nho", "giup", "nho giup", "giup do", "de nghi", "kinh de nghi"})


# Verbs after "rồi" that make it "then" (the next step ordered: "rồi lên viện", "rồi chụp
# bill"), not "already". Not "gọi", "báo", "nhắn": a victim tells what they did after
# paying ("tôi chuyển rồi gọi lại thì không được").
_THEN = frozenset({"len", "den", "ra", "mang", "chup", "ket", "tai", "cai", "se"})
_MONEY_WORDS = frozenset({"tien", "coc", "khoan", "trieu", "tr", "nghin", "ngan", "k", "cu", "lit", "usdt", "vnd"})
# Units an amount is said in, as a word after the number or stuck to it ("200tr", "5k").
_UNITS = frozenset(
    {"trieu", "tr", "ty", "ti", "k", "nghin", "ngan", "cu", "dong", "d", "vnd", "usdt", "lit", "xu", "xi", "do", "usd", "dola", "euro"}
)
# ("9tr5", "2tr5": nine and a half million, the unit between the digits.)
_AMOUNT = re.compile(r"\d[\d.,]*([a-z]*)\d*(?:k|d)?")
# Money taken from the sender's account or card ("bị trừ 89 triệu", "bị quẹt 28 triệu"),
# or lost ("mất 12 triệu"): with "bị" a loss on its own; "mất" alone also prices a
# procedure ("làm hộ chiếu mất 200k"), so then only with a sign of a scam around it.
_TAKEN_VERBS = frozenset({"tru", "quet", "rut", "cuom", "mat", "lay", "chuyen"})
# Verbs that say money was taken only after "bị" ("bị lấy 5 triệu", "tài khoản bị chuyển
# đi 43 triệu"): alone they are the sender's own doing ("lấy 5 triệu", "chuyển 2 triệu").
_TAKEN_ONLY_AFTER_BI = frozenset({"lay", "chuyen", "rut", "quet"})
_BI_COMPOUNDS = frozenset({"chuan", "thiet", "trang", "du", "phong", "hanh"})
# ("chuyển hết sổ tiết kiệm 250 triệu", "ck thêm 9 triệu": words between the verb and the sum.)
_AMOUNT_FILLERS = frozenset(
    {
        "het",
        "sach",
        "tong",
        "cong",
        "khoang",
        "gan",
        "hon",
        "toi",
        "len",
        "luon",
        "mat",
        "tien",
        "so",
        "di",
        "tiet",
        "kiem",
        "them",
        "lien",
        "tiep",
    }
)
# When a payment was made, in the words after or before it.
_PAST = ("tuan truoc", "thang truoc", "hom truoc", "hom kia", "nam ngoai", "nam truoc", "tuan roi", "thang roi", "hoi nay", "luc nay")


_THOUSANDS = re.compile(r"\d{3}([a-z]*)")
# Numbers said in words, and the units they are said in: "năm chục triệu", "hai tỷ rưỡi".
# ("ba", "bảy", "năm" are also "father", "seven" said as "bảy", "year": only before a unit.)
_NUMBER_WORDS = frozenset({"mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin", "muoi"})
_MULTIPLIERS = frozenset({"tram", "chuc", "muoi", "nghin", "ngan"})
_BIG_UNITS = frozenset({"trieu", "ty", "ti", "cu", "tr"})


def _amount_at(words: list[str], position: int) -> int | None:
    """Where an amount ends if one starts at ``position`` ("12 triệu", "200tr", "năm chục
    triệu"), skipping a few words such as "hết", "tổng cộng", "gần"."""
    counted = False
    for i in range(position, min(position + 6, len(words))):
        # "năm chục triệu", "2 trăm triệu", "hai tỷ": number words, then the unit.
        if words[i] in _NUMBER_WORDS or (words[i][:1].isdigit() and words[i + 1 : i + 2] and words[i + 1] in _MULTIPLIERS):
            j = i + 1
            while j < len(words) and (words[j] in _MULTIPLIERS or words[j] in _NUMBER_WORDS) and j < i + 4:
                j += 1
            if j < len(words) and words[j] in _BIG_UNITS and (words[i] in _NUMBER_WORDS or j > i + 1):
                return j + 1
        match = _AMOUNT.fullmatch(words[i])
        if match:
            # "9.800.000đ" reaches here as "9", "800", "000d": the groups are one amount,
            # and two groups of thousands are money even without a unit.
            groups = 0
            while i + 1 < len(words) and (group := _THOUSANDS.fullmatch(words[i + 1])) is not None:
                i, groups, match = i + 1, groups + 1, group
            if match.group(1) in _UNITS:
                return i + 1
            if not match.group(1) and i + 1 < len(words) and words[i + 1] in _UNITS:
                return i + 2
            if groups >= 2 and not match.group(1):
                return i + 1
            # "2,5 tỷ", "1.5 triệu": the decimal part reaches here as a word of its own.
            if (
                not groups
                and not match.group(1)
                and len(words[i + 1 : i + 3]) == 2
                and len(words[i + 1]) <= 2
                and words[i + 1].isdigit()
                and words[i + 2] in _UNITS
            ):
                return i + 3
            # "bị quẹt 3 giao dịch 28 triệu", "chuyển 2 sổ tiết kiệm 700 triệu": a count
            # of transactions or passbooks before the amount; "4 điểm và phạt 3 triệu" is
            # two things.
            if words[i + 1 : i + 2] not in (["giao"], ["lan"], ["lenh"], ["so"], ["the"], ["khoan"]):
                return None
            counted = True
        elif not counted and words[i] not in _AMOUNT_FILLERS:
            return None
    return None


def _lost_amounts(words: list[str]) -> list[tuple[CueMatch, bool]]:
    found = []
    for i, word in enumerate(words):
        if word not in _TAKEN_VERBS:
            continue
        end = _amount_at(words, i + 1)
        if end is None:
            continue
        # "bị", not the "bị" of "chuẩn bị", "thiết bị", "trang bị".
        taken = i > 0 and words[i - 1] == "bi" and (i < 2 or words[i - 2] not in _BI_COMPOUNDS)
        # ("bị người ta lấy 2 triệu": who took it between "bị" and the verb.)
        if (
            not taken
            and word == "lay"
            and "bi" in words[max(0, i - 4) : i - 1]
            and not _BI_COMPOUNDS.intersection(words[max(0, i - 5) : i - 1])
        ):
            taken = True
        # "nó lấy hết 4tr trong ví": taken by them, said without "bị".
        by_them = word in ("lay", "rut", "quet", "cuom") and i > 0 and words[i - 1] in ("no", "ho")
        if word in _TAKEN_ONLY_AFTER_BI and not (taken or by_them):
            continue
        # Not a loss on its own, even with "bị": a fine ("bị trừ 4 điểm và phạt 3 triệu"),
        # a deduction from pay, a theft ("bị mất 50 triệu tiền mặt trong tủ") lose money
        # too. Only with a sign of a scam around it (see ``find_victim``).
        # "mất 3 củ vì mua vé trên fb", "mất 2,5 tỷ do đầu tư": a loss told with what caused
        # it, a loss on its own (a theft or a fine has its own words: see _NOT_SCAM_LOSS).
        # ("mất 60 triệu sáng nay do tin lời mời đầu tư": the cause a few words on.)
        because = word == "mat" and not {"vi", "do"}.isdisjoint(words[end : end + 3]) and _NOT_SCAM_LOSS.isdisjoint(words)
        found.append((CueMatch("victim_loss" if because else "victim_amount", " ".join(words[i - taken : end]), i - taken), because))
    return found


_NOT_SCAM_LOSS = frozenset({"trom", "moc", "giat", "phat", "cuop", "rach"})


# What a buyer found after paying: fake goods, a brick in the box, nothing at all.
_CHEATED = re.compile(
    r"\b(?:hang gia|la dong|ma vang|cuc gach|hon gach|khong co phong|khong co that|khong dua di|khong dung duoc|re tien|di mat|bo tron|khong giao"
    r"|la keo|khong nhan mac|da sua so|chang thay gi|chay khet|khong nghe duoc|la do ma|la hang cho|khong co chuong trinh"
    # "nhờ mua thẻ cào 5 thẻ 500k, mua xong gửi mã thì mới biết nick fb bị hack"
    r"|moi biet (?:\w+ ){0,3}bi hack|mo ra chi (?:co|thay)|la bot gia|la thuoc gia|hop rong"
    # "hộp thuốc về mở ra toàn bột mì", "uống vào bị tiêu chảy", "uống không đỡ"
    r"|mo ra (?:thi |thay )?(?:toan|la|chi la)|uong (?:vao )?(?:bi|khong do|ko do|chang do)|dung (?:vai |\d+ )?(?:ngay|hom|lan) (?:da )?(?:hong|chay)"
    # "mua 2 chỉ vàng qua live stream, nhận về vàng giả"
    r"|nhan ve (?:\w+ ){0,2}?gia"
    # "nhận lại tập tiền toàn giấy trắng", "uống vào không thấy gì", "hợp đồng giả"
    r"|giay trang|khong thay (?:gi|tac dung)|hop dong gia)\b"
)
# Paying for goods or a service: bought, sold to, made to pay, charged, taken, a deposit.
_PURCHASE_VERBS = frozenset({"mua", "tra", "ban", "thu", "lay", "coc"})
_PURCHASE_WINDOW = 10


def _gold_at(words: list[str], position: int) -> bool:
    """ "2 chỉ vàng", "1 cây vàng": gold counted by weight, the other way people pay."""
    return words[position][:1].isdigit() and words[position + 1 : position + 3] in (["chi", "vang"], ["cay", "vang"], ["luong", "vang"])


# Gold, a vehicle or a land title handed over ("đưa hết 5 cây vàng cho người xưng cán bộ",
# "giao chiếc xe máy cho một người tự xưng"): paid in goods.
_HANDED_GOODS = re.compile(
    r"\b(?:dua|giao|gui|dem) (?:het |luon |ca )?(?:\d+ (?:cay|chi|luong) vang|(?:chiec |cai )?xe (?:may|o to|oto)|so do)\b"
)


def _handed_goods(words: list[str]) -> list[tuple[CueMatch, bool]]:
    if "vang" not in words and "xe" not in words and "so" not in words:
        return []
    folded = " ".join(words)
    handed = _HANDED_GOODS.search(folded)
    if handed is None or _demanded(words, folded.count(" ", 0, handed.start())):
        return []
    return [(CueMatch("victim_paid", handed.group(0), folded.count(" ", 0, handed.start())), False)]


def _cheated_purchases(words: list[str]) -> list[tuple[CueMatch, bool]]:
    """ "mẹ tôi mua 2 chỉ ... thì là đồng mạ vàng", "shipper bắt trả 650k, mở ra là cục
    gạch": money paid for goods or a service that turned out fake. A loss on its own."""
    if _PURCHASE_VERBS.isdisjoint(words):
        return []
    folded = " ".join(words)
    cheated = _CHEATED.search(folded)
    if cheated is None:
        return []
    at = folded.count(" ", 0, cheated.start())
    for i, word in enumerate(words[:at]):
        if word in _PURCHASE_VERBS and any(
            _amount_at(words, j) is not None or _gold_at(words, j) for j in range(i + 1, min(i + _PURCHASE_WINDOW, at))
        ):
            return [(CueMatch("victim_loss", f"{word} ... {cheated.group(0)}", i), True)]
    return []


# "bị người yêu quen qua mạng (tự xưng kỹ sư) lừa nhận quà": cheated, with who did it
# between "bị" and "lừa"; the verb after "lừa" tells it is not "lửa" or "lúa". A loss.
# "Chủ trọ giả trên mạng lừa chúng tôi 6 triệu", "lừa mẹ tôi 40 củ": cheated of a sum.
# (The person right after "lừa" tells it is not "lúa": "bán lúa 6 triệu".)
_CHEATED_OF = re.compile(
    r"\blua (?:het |mat |lay )?(?:cua )?(?:toi|em|minh|chung toi|bon toi|nha toi|gia dinh toi|(?:me|bo|ba|ong|ba noi|ba ngoai|vo|chong|con) (?:toi|em|minh))"
    r" (?:het |mat |gan |hon |tong )?\d"
)
_CHEATED_BY = re.compile(
    r"\bbi (?:\w+ ){1,12}?lua (?:nhan|dong|chuyen|nop|mat|tien|dau tu|gui|mua|coc|dat|het|vay|ky|lay|ban|vao|muon|gop)\b"
)
# "nó lấy hết tiền trong tài khoản 31tr", "rút sạch tiền trong thẻ": money taken with no
# sum right after the verb. Like an amount taken, it needs a sign that a scam took it
# (a thief takes all the money too): see ``find_victim``.
_TAKEN_ALL = re.compile(
    r"\b(?:lay|rut|cuom|chiem doat) (?:het|sach|mat|luon) (?:tien|so tien)\b"
    # "bọn nó lấy của ông già nhà em 40 củ", "đến thu 480k của nhà tôi", "ép mua bình 1tr8"
    r"|\b(?:no|ho|bon no|chung no) (?:lay|lua|cuom) (?:het |mat )?cua (?:\w+ ){1,5}?\d"
    r"|\bthu (?:tien \w+ )?\d\w* (?:cua|tu) (?:nha toi|toi|em|gia dinh toi|nha em|(?:ba|me|bo|ong|ba noi|ba ngoai) (?:toi|em))\b"
    r"|\bep (?:\w+ )?mua (?:\w+ ){0,3}?\d"
    # "tiền trong thẻ hết sạch rồi", "hết 4tr trong tk", "xong tiền đi đâu mất"
    # "tài khoản của bà tôi giờ còn 0 đồng", "tk còn đúng 12 nghìn, hôm qua còn 38 triệu"
    r"|\b(?:tai khoan|tk)(?: cua(?: \w+){1,2}?| (?:em|toi|minh|chi|anh|e|me|bo|ba))? (?:gio |chi )?con (?:dung |lai |co )?\d+ ?(?:dong|nghin|ngan|k|d)\b"
    r"|\btien trong (?:the|tk|tai khoan|vi) (?:cua \w+ )?(?:het|bay|mat|bi rut|bi chuyen het)|\bbi tat toan\b|\bhet \d\w* (?:trong|o) (?:tk|tai khoan|the|vi)\b|\btien (?:di dau|bay) mat\b"
    # "chạy ra ngân hàng rút 30 triệu đưa cho 1 thằng đến tận nhà lấy"
    r"|\brut (?:\w+ )?\d\w*(?: \w+)? (?:dua|giao|gui|chuyen) (?:cho|het|luon)\b"
)


_TAKEN_WORDS = frozenset({"tien", "cua", "thu", "mua", "rut", "het", "con", "toan"})


def _told_cheated(words: list[str]) -> list[tuple[CueMatch, bool]]:
    # (Each pattern needs a word of its own: without it, no search.)
    patterns = []
    if "lua" in words:
        patterns += [(_CHEATED_BY, "victim_loss", True), (_CHEATED_OF, "victim_loss", True)]
    if not _TAKEN_WORDS.isdisjoint(words):
        patterns.append((_TAKEN_ALL, "victim_amount", False))
    if not patterns:
        return []
    folded = " ".join(words)
    found = []
    for pattern, name, loss in patterns:
        told = pattern.search(folded)
        if told:
            found.append((CueMatch(name, told.group(0), folded.count(" ", 0, told.start())), loss))
    return found


def _checked_before(words: list[str], position: int) -> bool:
    """ "gọi lại thì", "gọi video thì", "nhắn hỏi lại thì" just before a cut-off: the result
    of checking the message."""
    # (Not "nhắn tin thì bị chặn": the payee, contacted after paying, cut the sender off.)
    before = " ".join(words[max(0, position - 8) : position])
    return " thi " in f" {before} " and _CHECKED_WITH.search(before) is not None


_CHECKED_WITH = re.compile(r"\bgoi (?:lai )?(?:so|cho|video) (?!no\b|ho\b|nguoi ban\b|shop\b)\w+|\bgoi video\b|\bnhan hoi lai\b")


_ASK_PARTICLES = frozenset({"nhe", "nha", "giup", "gium", "nhen"})


def _asked_after(words: list[str], start: int, end: int) -> bool:
    """A request particle between a payment and what followed, with nothing said done:
    the payment is asked for, as a pasted message asks it."""
    between = words[start:end]
    return not _ASK_PARTICLES.isdisjoint(between) and {"roi", "xong", "da"}.isdisjoint(between)


def _cut_off_after(cues: Cues, position: int, reach: int = 6) -> bool:
    return any(m.phrase in _CUT_OFF and 0 < m.position - position <= reach for m in cues.by_name.get("victim_after", ()))


# ("cọc vé máy bay tết 4tr cho page trên fb rồi họ block em luôn": who was paid told
# between the sum and the cut-off.)
_CUT_OFF_REACH = 8


def _own_mistake_to_fake(words: list[str], position: int) -> bool:
    before = words[max(0, position - 3) : position]
    return "toi" in before and _FAKE.search(" ".join(words[position : position + _SCRIPT_WINDOW])) is not None


def tells_loss(cues: Cues) -> bool:
    """Whether the message tells of money lost or paid, whatever it was lost to: a call
    retold with this in it may be a victim's report that ``find_victim`` could not settle,
    and is not taken for a mere check."""
    return bool(_losses(cues))


def recent_loss(text: NormalizedText, cues: Cues) -> str | None:
    """The words saying money was lost or paid within hours, in a message that tells of
    a loss (a fraud tip the models found, where ``find_victim`` could not say whose)."""
    return _recent(text, cues) if _losses(cues) else None


def names_a_fake(text: NormalizedText) -> bool:
    """Whether the message calls someone a fake ("người xưng công an", "giả danh")."""
    return (
        _FAKE.search(text.folded) is not None
        or _FAKE_AS_WRITTEN.search(text.accented) is not None
        or _QUOTED_POSING.search(text.folded) is not None
    )


def _when_at(cues: Cues, position: int) -> str | None:
    """A time said at ``position``: "sáng nay", "cách đây một tiếng", "lúc 9h" (also after
    "đi": "chuyển đi hồi sáng")."""
    if cues.words[position : position + 1] == ["di"]:
        position += 1
    for match in cues.by_name.get("recent", ()):
        if match.position == position:
            return match.phrase
    said = " ".join(cues.words[position : position + 4])
    clock = _CLOCK_TODAY.match(said)
    if clock is None and said.startswith("cach day"):
        clock = _HOURS_SINCE.match(said)  # "ck cách đây 20 phút"
    return clock.group(0) if clock else None


def _paid_when(cues: Cues, position: int) -> str | None:
    """When the payment at ``position`` was made: a time word near it ("chuyển lúc trưa",
    "sáng nay mẹ chuyển"), not one anywhere ("vừa nhận cuộc gọi ... phải nộp 1tr8")."""
    recent = [m for m in cues.by_name.get("recent", ()) if abs(m.position - position) <= _WHEN_NEAR]
    if recent:
        return recent[0].phrase
    folded = f" {' '.join(cues.words)} "
    hours = _HOURS_AGO.search(folded)  # "khoảng 1 tiếng trước"
    if hours:
        return hours.group(0)
    return next((phrase for phrase in _PAST if f" {phrase} " in folded), None)


# Words before a payment that ask for it rather than tell it ("bảo chuyển", "bắt đóng",
# "phải nộp", "cần chuyển", "hãy ck").
_DEMAND_WORDS = frozenset({"bao", "bat", "doi", "ep", "keu", "phai", "can", "hay", "long", "nho", "giuc"})
# How far a time word may be from the payment it dates.
_WHEN_NEAR = 12


def _demanded(words: list[str], position: int) -> bool:
    before = words[max(0, position - 3) : position]
    # ("muốn nhanh thì đưa 15tr cho họ chạy", "nếu không thì nộp phạt": the condition a
    # caller set, not a payment.)
    # ("muốn nhận lại hàng trong hôm nay thì chuyển": the "muốn" a clause back.)
    if before[-1:] == ["thi"] and not {"muon", "neu"}.isdisjoint(words[max(0, position - _CONDITION_REACH) : position - 1]):
        return True
    # ("tôi sợ quá nhờ thằng cháu chuyển luôn": the sender had a grandchild pay for him;
    # "đặt cọc cho đối tác, em chuyển lúc 9h40": "đối", not "đòi".)
    if before[:1] == ["nho"] and before[1:2] in (["thang"], ["dua"], ["con"], ["chau"]):
        return False
    if before[:2] == ["doi", "tac"] or before[1:3] == ["doi", "tac"]:
        before = before[2:] if before[:2] == ["doi", "tac"] else before[:1]
    # ("yêu cầu" as two words: "Cầu Giấy lừa chuyển 40 triệu" names a district.)
    if not _DEMAND_WORDS.isdisjoint(before) or "yeu cau" in " ".join(before):
        return True
    # ("bảo đồng hồ nước nhà tôi bị hỏng, phải thay mới, chuyển khoản 1.8 triệu", "yêu cầu
    # tôi ra ngân hàng rút hết tiền chuyển vào tài khoản": the demand a few words back,
    # with no one named after it who then pays.)
    wider = words[max(0, position - _DEMAND_REACH) : position]
    for i in range(len(wider) - 1, -1, -1):
        if wider[i] in _SUBJECTS and i and wider[i - 1] in ("bao", "bat", "cau", "doi", "dan"):
            return True  # "yêu cầu tôi ...": the one told to pay, not one who paid
        if wider[i] in _SUBJECTS or wider[i] in ("roi", "xong", "da"):
            return False
        if wider[i] in ("bao", "bat", "doi", "yeu", "huong"):
            return True
    return False


_DEMAND_REACH = 8
_CONDITION_REACH = 12


def _amount_near(words: list[str], position: int, reach: int | None = None) -> int | None:
    """Where an amount ends that starts within a few words of ``position``."""
    for start in range(position, min(position + (reach or _PAYEE_WORDS), len(words))):
        end = _amount_at(words, start)
        if end is not None:
            return end
    return None


# Words between a payment and its amount when no payee is named ("nạp 3 lần vào app 9tr").
_OBJECT_WORDS = 6
# What came of a payment to a scam: nothing delivered, no one answers, the office shut.
_BAD_OUTCOME = re.compile(
    # ("em không nhận tiền mặt": a shipper's refusal, not money that never came.)
    r"\b(?:(?:chua|khong|van chua) nhan (?:duoc )?(?:hang|qua|vang|ve|sim|xe|dong nao|gi)|(?:chua|khong|van chua) nhan duoc tien|chua thay (?:dau|gi|hang|bang|xe|qua)"
    r"|khong co (?:qua|hang|phong|ai|lop)|khong (?:duoc )?vao (?:duoc )?(?:lop|app|web)|khong vao duoc|khong ai tra loi"
    r"|khong lien lac duoc|bo tron|dong cua|chan roi|la do gia|la hang gia|la do rac|khong dung duoc|khong tra luong|bien mat|khong rut duoc"
    r"|(?:khong|chua) co ma (?:dat cho|ve|booking|don)|(?:goi|goi lai)(?: thi)? thue bao|thue bao khong lien lac"
    r"|(?:khong thay|chua thay|chua duoc|khong duoc|van chua|van khong|van ko|khong|ko) giai ngan|chu (?:nha|tro) that"
    # the relative it was for: "con bảo không có chuyện đó", "cháu vẫn đang học bình thường"
    r"|(?:bao|noi) (?:khong|ko) (?:co chuyen|he|co gi)|(?:van |thi (?:no|con|chau|em|anh|chi) (?:van )?)(?:dang )?(?:binh thuong|di hoc|di lam|o nha|o truong|hoc binh thuong)"
    r"|la (?:hop rong|cuc gach|hon gach|bot gia|thuoc gia|hang gia|do gia)|khong nhan duoc (?:usd|do|ngoai te|tien)|im luon|lan mat"
    # "chưa thấy chó đâu", "ko nhận dc mã thẻ", "công ty không còn", "toàn bột mì"
    r"|(?:khong|ko|chua|van chua) (?:thay|nhan duoc|nhan dc|nhan|giao)(?: \w+){0,3}? (?:dau|gi|ca|nao|ma the|ma|hang|nguyen lieu)"
    # "văn phòng dọn đi đâu mất", "homestay báo không có booking nào", "hàng chưa về, sđt
    # khóa", "gửi vé QR không quét được", "bà ta mang đi luôn", "mất sóng luôn"
    r"|(?:bo|don|chuyen) di dau mat|khong co (?:booking|don|ma) nao|hang (?:khong|chua|van chua) ve|(?:sdt|so dien thoai|so|may) (?:da )?khoa"
    # ("cá không giao, số điện thoại thuê bao từ hôm qua")
    r"|(?:ca|hang|xe|do|may) (?:khong|ko|chua) giao|(?:sdt|so dien thoai|dien thoai|so) (?:da |thi )?thue bao"
    r"|khong quet duoc|mang (?:di|ve) luon|mat (?:song|luon)|khong thay (?:qua|xe|hang|so|nguoi)|khong co (?:xe|hang|dat|lo dat|so) (?:\w+ )?(?:that|nao)"
    r"|cong ty (?:khong|ko) con|toan bot|doi (?:em |toi )?chuyen lai"
    # an unordered parcel paid for: "mẹ em trả tiền rồi mở ra là cục đá bọc giấy"
    r"|mo ra (?:thi |thay )?(?:la|toan|chi co|chi la)"
    # "nộp 120tr từ tháng 10 năm ngoái, giờ họ hẹn hoài không đi được"
    r"|hen (?:hoai|mai|lan hen lua|di hen lai)|khong co cong ty|xoa trang|hop dong gia|khong co ho so)\b"
)
# Words a payee may take between a payment and its amount ("ck cho kẻ lừa đảo 9tr5").
_PAYEE_WORDS = 10


def _names_amount(words: list[str]) -> bool:
    """Whether an amount of money is told anywhere in the message."""
    return any(w[0].isdigit() and _amount_at(words, i) is not None for i, w in enumerate(words))


def _held_before(words: list[str], position: int) -> bool:
    """Whether money or gold is named in the few words before ``position``."""
    start = max(0, position - _HELD_BEFORE)
    return _names_amount(words[start:position]) or any(_gold_at(words, j) for j in range(start, position))


_HELD_BEFORE = 10


def _sum_before(words: list[str], position: int) -> bool:
    """Whether an amount is told in the words just before ``position`` ("thuế 4 triệu
    rưỡi. Tôi gửi rồi"): the sum a bare "gửi rồi", "đưa rồi" paid."""
    return _names_amount(words[max(0, position - _SUM_BEFORE) : position])


_SUM_BEFORE = 15


def _money_after(words: list[str], position: int) -> bool:
    return any(_money_word(w) for w in words[position : position + 4])


def _future(words: list[str], position: int) -> bool:
    """ "sẽ bị chặn", "nếu không ... bị khóa": a threat, not what happened."""
    return bool({"se", "neu"} & set(words[max(0, position - 4) : position]))


def _not_done(cues: Cues, position: int) -> bool:
    """ "chưa chuyển", "không hề bị lừa": the word before (or the one before "hề", "có",
    "bị", "đã") denies it. A wider window would take "lừa đảo không, tôi chuyển" for one.
    "Chuẩn bị chuyển", "định chuyển", "sắp ck": meant, not done."""
    if position >= 1 and position - 1 in cues.negations:
        return True
    before = cues.words[max(0, position - 2) : position]
    # ("làm sao biết trang bán hàng có uy tín không trước khi chuyển cọc": not yet.)
    if before == ["truoc", "khi"]:
        return True
    # "Suýt nữa thì tôi đóng 7 triệu", "định ra ngân hàng chuyển": nearly, or meant, a few
    # words back ("gia đình tôi chuyển" is a family, not "định").
    wider = cues.words[max(0, position - 5) : position]
    meant = any(w == "suyt" or (w == "dinh" and wider[i - 1 : i] != ["gia"]) for i, w in enumerate(wider))
    if (
        meant
        or (_MEANT - {"dinh"}).intersection(before)
        or (before[-1:] == ["bi"] and before[:1] == ["chuan"])
        or _FEARED.intersection(before[-1:])
    ):
        return True
    return position >= 2 and position - 2 in cues.negations and cues.words[position - 1] in ("he", "co", "bi", "da")


def _recent(text: NormalizedText, cues: Cues) -> str | None:
    hours = _HOURS_AGO.search(text.folded) or _HOURS_SINCE.search(text.folded)
    if hours and (hours.group(2) in ("phut", "p") or int(hours.group(1)) <= 24):
        return hours.group(0)
    recent = cues.by_name.get("recent")
    if recent:
        # ("Tuần trước mẹ tôi chuyển 12 triệu ... Hôm nay cả nhà mới biết": found out today,
        # paid before; a time in a pasted scam, "cắt điện trong hôm nay", is the scam's.)
        quoted = _quoted_words(text.folded)
        recent = [r for r in recent if r.position not in quoted and not _FOUND_OUT.search(" ".join(cues.words[r.end : r.end + 5]))]
    # "lúc 9h30 sáng tôi chuyển", "bị trừ hết lúc 14h": a clock time with no other day
    # named is today.
    clock = _CLOCK_TODAY.search(text.folded)
    if clock and not recent and not _OTHER_DAY.search(text.folded):
        return clock.group(0)
    # "Em vừa bị lừa ... Chuyện 3 tháng trước": "vừa" says the loss is fresh to the
    # sender, the date says the bank can no longer stop it.
    if recent and recent[0].phrase in _JUST and _LONG_AGO.search(text.folded):
        recent = recent[1:]
    if recent:
        return recent[0].phrase
    for paid in cues.by_name.get("victim_paid", ()):
        if paid.phrase.startswith(("vua ", "moi ")):
            return paid.phrase
    # ("tôi chuyển 50tr rồi, họ đang đòi chuyển tiếp": still going on, the next payment can
    # still be stopped.)
    ongoing = _ONGOING.search(text.folded)
    return ongoing.group(0) if ongoing else None


# A scam still under way: its people asking for more as the sender writes (not "họ đòi
# đóng thêm thuế 20% mới cho rút": the demand that came after an old loss).
_ONGOING = re.compile(
    r"\b(?:dang|van dang|con dang) (?:doi|bat|ep|giuc|yeu cau|keu|hoi) (?:\w+ ){0,2}?(?:chuyen|nop|dong|nap|ck) (?:them|tiep|nua)\b"
    # ("vợ tôi đang nói chuyện với người xưng công an qua Zalo"): the call still on.
    r"|\bdang (?:noi chuyen|nghe dien thoai|nghe may|goi video|lam theo) (?:voi|cua|huong dan)\b"
)
_FOUND_OUT = re.compile(r"\b(?:moi|vua) (?:biet|phat hien|nhan ra|dam (?:noi|ke|bao))\b")
# "vừa", "mới đây": recent only when no date weeks or years back is told.
_JUST = frozenset({"vua", "vua moi", "moi day"})
_CLOCK_TODAY = re.compile(r"\b(?:luc|hoi|vao luc|khoang)\s+\d{1,2}\s*(?:h|gio)(?:\s*\d{1,2})?\b")
_OTHER_DAY = re.compile(r"\b(?:hom qua|hom kia|hom truoc|toi qua|dem qua|tuan|thang|nam|thu \d|thu (?:hai|ba|tu|nam|sau|bay)|ngay \d)\b")
_LONG_AGO = re.compile(
    r"\b(?:\d+|may|vai|hai|ba)\s+(?:tuan|thang|nam)\s+(?:truoc|nay|roi)\b|\b(?:thang truoc|nam ngoai|nam truoc|tu nam|cuoi tuan roi)\b"
    r"|\bthang \d+ vua roi\b|\bhom thu (?:\d|hai|ba|tu|nam|sau|bay)\b|\btuan truoc\b|\bhoi thang \d+\b"
)


def _others_loss(cues: Cues, match: CueMatch) -> bool:
    """ "ở thôn 3 có 2 hộ đã mất tiền", "hàng xóm tôi bị lừa": a loss told of others, with
    no one of the sender's own named before it."""
    before = cues.words[max(0, match.position - _OTHERS_REACH) : match.position]
    said = f" {' '.join(before)} "
    if not any(f" {who} " in said for who in _OTHERS):
        return False
    return not any(
        0 < match.position - m.position <= _OTHERS_REACH and m.phrase not in ("toi", "em", "minh") for m in cues.by_name.get("self", ())
    )


_OTHERS_REACH = 5


# Others whose losses a tip tells of: neighbours, households, a shop owner, many people.
_OTHERS = (
    "hang xom",
    "nhieu nguoi",
    "ba con",
    "cac ho",
    "may ho",
    "2 ho",
    "3 ho",
    "vai ho",
    "chu tiem",
    "chu quan",
    "dong nghiep",
    "moi nguoi",
    "phu huynh",
    "ke toan",
    "cong ty em",
    "cong ty toi",
    "nhieu nha",
    "may nha",
    "ong chu",
    "ba chu",
    "ban cung phong",
    # (Not "mấy cụ": folded, "xe máy cũ" says it.)
    "cac cu gia",
    "co may cu",
    "nhieu em",
)
# Paid to the sender: "chuyển cọc 20 triệu cho tôi", "ck cho cháu rồi".
_PAID_TO_SENDER = re.compile(r"(?:\w+ ){0,4}?cho (?:toi|chau|em|minh|con|tui)\b(?! (?:trai|gai|be|ruot|ho|re|dau))")


_RECOVERY_AD = re.compile(r"\b(?:nhan|chuyen|ho tro|giup|dich vu)\s+(?:lay lai|thu hoi|truy hoi|rut lai)\b")


# A message that starts with the sender as "chị", "anh", "bác" telling what they did.
# ("bị mất 4 triệu tk momo sau khi bấm vào link": the sender, unnamed, first; "nhờ con
# trai chuyển 7tr cho người bán cá cảnh", "con chuyển tiền thanh toán khóa học".)
_SENDER_FIRST = re.compile(
    r"(?:chi|anh|co|chu|bac|em|con|me|bo|ong|ba)\s+(?:vua|da|moi|bi|dang|xin|chuyen|ck|nap|dong|gui|dua)\b|(?:vua |moi )?bi (?:mat|lua|tru|rut)\b"
    r"|nho (?:thang |dua |con |chau )?(?:con|chau|em)\b"
)


_PROMISED_AFTER = re.compile(r"(?:\w+ ){0,5}?(?:roi|xong|thi|la) (?:se|moi duoc)\b")
_QUOTE = re.compile(r'"[^"\n]{3,}?"|“[^”\n]{3,}?”|\'[^\'\n]{8,}?\'')
_NOTHING_DONE = re.compile(
    r"\bchua\s+(?:he\s+)?(?:lam gi|chuyen|coc|nap|dong|gui|dua|dung den|dung vao|tra|bam|cai|mat)\b(?! them| nua| lai| loi| du| lan| tiep| dot)"
    r"|\b(?:khong|ko|chua) (?:mat|chuyen) (?:dong nao|xu nao|gi)\b"
)


def has_quote(folded: str) -> bool:
    """Whether the message quotes someone's words ("...", “...”)."""
    return _QUOTE.search(folded) is not None


def _quoted_words(folded: str) -> frozenset[int]:
    """The positions of the words inside quotation marks: a message pasted, someone
    else's words. (Single quotes only around eight letters or more: "'công an'" is a
    name put in doubt, not a quote.)"""
    if '"' not in folded and "“" not in folded and "'" not in folded:
        return frozenset()
    inside: set[int] = set()
    for quote in _QUOTE.finditer(folded):
        first = len(_WORD.findall(folded[: quote.start()]))
        inside.update(range(first, first + len(_WORD.findall(quote.group(0)))))
    return frozenset(inside)


def find_victim(text: NormalizedText, cues: Cues, indicators: Indicators, *, scam_signs: bool = False) -> Victim | None:
    """Whether the message reports money already lost ("mẹ tôi đã chuyển 150 triệu",
    "chuyển cọc 500k xong bị block"), as opposed to asking what to do if it happens, or a
    scam or notice that tells its reader they have paid. ``scam_signs``: the message holds
    a scam (a rule fired, or the score says so), as when a victim pastes what they paid."""
    # A payment is a loss only with a sign it went to a scam: it was cut off, or "tự
    # xưng", "có phải lừa đảo không", an investment or a task job. "Tiền học của bé" is not.
    losses = _losses(cues)
    if not losses:
        return None
    # ("Hacker mũ trắng nhận lấy lại tiền bị lừa đảo": an advert to victims, by no victim.)
    if "self" not in cues and _RECOVERY_AD.search(text.folded):
        return None
    fake_named = names_a_fake(text)
    context = scam_signs or cues.any_of(_SCAM_CONTEXT) or fake_named or _SCAM_STORY.search(text.folded) is not None
    implicit = "addressee" not in cues and len(cues.words) <= _IMPLICIT_SUBJECT_WORDS
    # (Not when the payment was cut off after: "chuyển cọc xong bị chặn luôn r ad ơi ...
    # stk 0451000xxx vcb" names an account, no notice does that.)
    notice = (cues.count("balance_notice") >= 2 or cues.count("carrier_notice") >= 2) and _CUT_OFF.isdisjoint(cues.phrases("victim_after"))
    # "bắt khách chuyển khoản rồi lấy hàng": a payment in a drugs or gambling tip is the
    # trade reported, not the sender's loss.
    trade = cues.any_of(_TRADE_TOPICS)
    # An amount taken ("lương bị trừ 2 triệu") needs a sign that a scam took it, not only
    # a job or an investment named: a salary, a fine or a theft takes money too.
    # ("bị kẻ gian rạch túi lấy mất 5 triệu" is a theft: a stranger is no scam.)
    how_taken = _HOW_TAKEN.search(text.folded) is not None
    # ("gọi lại thì thuê bao, mà tiền 4tr em chuyển rồi", "shop xóa trang rồi": what came
    # of the payment says where it went.)
    bad_outcome = _BAD_OUTCOME.search(text.folded) is not None
    context = context or how_taken or bad_outcome
    fake = (
        scam_signs or fake_named or how_taken or bad_outcome or "scam_ask_strong" in cues or bool(cues.phrases("victim_after") - _STRANGERS)
    )
    quoted = _quoted_words(text.folded)
    # ("... yêu cầu tôi rút hết tiền ... Tôi chưa làm gì", "e chưa nạp": nothing paid,
    # said by the sender; a taking told ("bị trừ 5 triệu") still is a loss.)
    nothing_done = _NOTHING_DONE.search(text.folded) is not None
    for match, loss in losses:
        # ('Tin nhắn: "Chúng tôi đã chuyển 3.000.000đ ... vui lòng nạp"': the scammer's
        # words, quoted.)
        if match.position in quoted and not loss:
            continue
        # ("em lỡ cài ứng dụng lạ, chưa thấy mất tiền", "may là chưa bị mất tiền")
        if {"chua", "khong", "ko"} & set(cues.words[max(0, match.position - 3) : match.position]) and not {"bi", "thay", "he"}.isdisjoint(
            cues.words[max(0, match.position - 2) : match.position]
        ):
            continue
        if nothing_done and not loss:
            continue
        # ("làm lại cccd bị mất hết bao nhiêu tiền": what it costs, asked.)
        if cues.words[match.end : match.end + 2] == ["bao", "nhieu"]:
            continue
        # ("chuyển cọc 1 tháng rồi sẽ gửi chìa khóa": what the ad tells the reader to do,
        # then what it promises.)
        if not loss and _PROMISED_AFTER.match(" ".join(cues.words[match.end : match.end + 8])):
            continue
        # ("phải thay mới, chuyển khoản 1.8 triệu": a phrase across a comma is two.)
        if 0 < match.phrase.count(" ") < 3 and match.phrase.replace(" ", "").isalpha() and match.phrase not in text.folded:
            continue
        # ("người xưng công an bảo tôi liên quan ma túy": a drugs word in the fake
        # policeman's script is no trade.)
        if not loss and (not context or (trade and not fake_named and _SCAM_STORY.search(text.folded) is None)):
            continue
        # ("bị mất 45 triệu khi đầu tư vào dự án nuôi heo qua mạng": money lost, not
        # deducted, to an investment is a scam's.)
        if match.name == "victim_amount" and not fake and not ("investment" in cues and match.phrase.startswith(("mat ", "bi mat "))):
            continue
        if _hypothetical(cues, match) or _addressed(cues, match) or _others_loss(cues, match):
            continue
        # ("Chị vừa nhận cuộc gọi ... 5 phút sau bị trừ 18 triệu": the sender names
        # herself by the word she is called, first in the message.)
        if "self" not in cues and (not implicit or notice) and not _SENDER_FIRST.match(text.folded):
            continue
        return Victim(match.phrase, _recent(text, cues))
    return None
