"""Normalize Vietnamese as people really type it.

The output keeps the original for display and adds a *folded* form (lowercase, no
diacritics, teencode expanded, scammers' obfuscation undone) on which every later stage
works, so that "Bạn đã đủ điều kiện", "ban da du dieu kien" and "B4n da zu d!eu k1en"
all look the same to the classifiers. Each step that changed something is recorded, in
the manner of ftfy's ``fix_and_explain``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from canhgiac.engine import lexicon

__all__ = ["NormalizedText", "fold_diacritics", "is_vietnamese_syllable", "normalize", "plausible_tld", "tone_key"]

# Characters people (and scammers) slip into text that render as nothing.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Runs of spaces that are not already one plain space (a lone " " needs no replacing).
_SPACES = re.compile(r"[^\S\n]{2,}|[^\S \n]")
_NEWLINES = re.compile(r"\s*\n\s*")

# "abc[.]com", "abc(.)com", "abc{dot}com", "abc [dot] com": between two pieces of a name.
_BRACKET_DOT = re.compile(r"(?<=[a-z0-9])\s*[\[({]\s*(?:\.|dot|cham|chấm)\s*[\])}]\s*(?=[a-z0-9])", re.IGNORECASE)
# "abc dot com", "abc chấm com" (accented: folded "cham" is also "chậm", slow). Which of
# these are a host name and which a sentence ("ông Chín dot ca ngày") is for _word_dot.
_WORD_DOT = re.compile(r"(?<=[a-z0-9])\s+(?:dot|chấm)\s+(?=([a-z]{2,24})(?![\w-]))", re.IGNORECASE)
_LAST_WORD = re.compile(r"[\w-]+$")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# "www . abc . com": spaces around the dots of a host name. Only when a dot has a space
# before it (or the name starts with www) and the name ends in a known top-level domain,
# so that "thông báo. Vui lòng" stays two sentences.
_SPACED_HOST = re.compile(r"(?<![\w.])[a-z0-9-]+(?:\s*\.\s*[a-z0-9-]+)+")
_SPACE_AROUND_DOT = re.compile(r"\s*\.\s*")
# What a spaced host name that _join_spaced_host joins must hold, unless it starts with www.
_SPACED_DOT = re.compile(r"\s\.\s")
# The punctuation first, so that the search skips ahead to it; then what is before it.
_GLUED_PUNCT = re.compile(r"([:;,])(?<=[a-z0-9][:;,])(?=[a-z])")
_HXXP = re.compile(r"\bhxxp(s?)\b", re.IGNORECASE)

# Three or more single letters separated by one space: "Q U A  H A N".
_SPACED_LETTERS = re.compile(r"(?<![^\W\d_])([^\W\d_])((?: [^\W\d_]){2,})(?![^\W\d_])")
# What every match holds (its second letter, between two spaces): found by a scan for a
# space, six times cheaper than the pattern above, and absent from two messages in three.
_SPACED_LETTER = re.compile(r" [^\W\d_] ")

# A token that mixes letters with digits or symbols scammers use in place of letters.
_LEET_MAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "!": "i", "$": "s", "|": "l", "€": "e"})
_LEET_CHARS = frozenset("013457@!$|€")
_NUMBER_AND_UNIT = re.compile(r"\d+(?:[.,]\d+)?(?:p|ph|h|g|tr|k|d|đ|m|km|kg|gb|mb|cu|l|ml|s|t|tuoi)", re.IGNORECASE)
_CODE_RANGE = re.compile(r"[a-z]{1,2}\d+(?:[-/]\d+)+", re.IGNORECASE)
_INNER_PUNCT = re.compile(r"[.,;:'\"^*~`_\-/+]")
_EDGE_PUNCT = re.compile(r"^([^\w@$!|€]*)(.*?)([^\w]*)$", re.DOTALL)
_LOOKS_LIKE_HOST = re.compile(r"[a-z0-9-]+\.[a-z]{2,}", re.IGNORECASE)

# Vietnamese syllables, folded: optional onset, a vowel nucleus, optional coda. Used to
# accept a de-obfuscated token only when it becomes a real syllable (so "17h", "4g" and
# "500k" are left alone while "k1en" becomes "kien").
_SYLLABLE = re.compile(
    r"^(?:b|c|ch|d|g|gh|gi|h|k|kh|l|m|n|ng|ngh|nh|p|ph|q|qu|r|s|t|th|tr|v|x)?"
    r"(?:a|ai|ao|au|ay|e|eo|eu|i|ia|iu|ieu|ie|o|oa|oai|oay|oe|oi|oo|u|ua|uay|ue|ui|uo|uoi|uou|uy|uya|uye|uyu|y|ye|yeu|oac|ua)"
    r"(?:c|ch|m|n|ng|nh|p|t|i|y|o|u)?$"
)


# Tone marks, as combining characters after NFD: grave, acute, hook above, tilde, dot below.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x1EFF + 1):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        if decomposed == char:
            continue  # nothing taken off: most of the range (3 ms less at start-up)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if base != char and base.isascii() and len(base) == 1:
            table[code] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    return table


_FOLD_TABLE = _build_fold_table()
_VIETNAMESE_CHARS = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD_TABLE)) + "]")


def fold_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: "Đường Hồ Chí Minh" -> "Duong Ho Chi Minh"."""
    return text.translate(_FOLD_TABLE)


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(token: str) -> bool:
    """True when a folded, lowercase token can be a Vietnamese syllable."""
    return bool(_SYLLABLE.match(token))


@lru_cache(maxsize=65536)
def tone_key(word: str) -> str:
    """A lowercase word with its tone mark moved to the end, so that the two ways of
    placing it compare equal: "hòa" and "hoà" both give "hoa2", "thuý" and "thúy" "thuy1".
    Other marks stay where they are ("đâm" is not "dam"); a word without a tone is itself."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    tones = [_TONES[c] for c in decomposed if c in _TONES]
    if not tones:
        return word
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return base + tones[0]


@lru_cache(maxsize=4096)
def plausible_tld(tld: str) -> bool:
    """An ending that makes a word in free text a host name: one people meet in messages
    (com, vn, me...), or any top-level domain that cannot be read as a Vietnamese word
    ("abc.boats", "shop.pl"; not "chao.moi", a missing space before "mọi")."""
    return tld in lexicon.DOMAINS.common_tlds or (not is_vietnamese_syllable(tld) and lexicon.is_tld(tld))


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A message in the forms the engine needs, and how it got there."""

    original: str
    """The text as received, for display."""
    clean: str
    """NFC, invisible and control characters removed, spaces collapsed: for display."""
    plain: str
    """Lowercase, no diacritics, links put back together: for extracting indicators."""
    folded: str
    """``plain`` with obfuscated words decoded and teencode expanded: for classifying."""
    has_diacritics: bool
    steps: tuple[str, ...]
    """Names of the normalization steps that changed something."""
    deobfuscated: tuple[str, ...]
    """Tokens as they were written before obfuscation was undone (evidence for reasons)."""
    accented: str = ""
    """``folded`` with each word as it was written (lowercase, with its diacritics), word
    for word and letter for letter: ``fold_diacritics(accented) == folded``. Words that
    normalization rewrote (teencode, decoded letters, joined links) are as in ``folded``.
    Cues are matched on it, so that "nó" is not "nổ" (see :mod:`rules`)."""

    @property
    def tokens(self) -> list[str]:
        return self.folded.split()


def _decode_token(core: str) -> str | None:
    """Undo letter-for-digit tricks and punctuation inside one word, if that yields a syllable."""
    # Cheapest first, and without a loop in Python: most such tokens are numbers.
    if not any(map(str.isalpha, core)):
        return None
    # Two characters are a code, not a disguised word: "D3" and "3T" are data packages,
    # "T2 S1 C1" a timetable's days and periods.
    if len(core) <= 2 or (_LEET_CHARS.isdisjoint(core) and not _INNER_PUNCT.search(core)):
        return None
    # "30p", "15h", "40k": a number and its unit ("cách đây 30p" is thirty minutes ago),
    # never a word in disguise ("30p" read as "eop").
    if _NUMBER_AND_UNIT.fullmatch(core):
        return None
    # "T1-3", "T4-6": a timetable's periods one to three, not "tie".
    if _CODE_RANGE.fullmatch(core):
        return None
    candidate = _INNER_PUNCT.sub("", core.translate(_LEET_MAP))
    if candidate == core or not candidate.isalpha() or len(candidate) < 2:
        return None
    if is_vietnamese_syllable(candidate) or candidate in lexicon.OBFUSCATION_TARGET_WORDS:
        return candidate
    return None


def _word_dot(match: re.Match[str]) -> str:
    """ "vcb dot vn" is a host name; "nha ong chin dot ca ngay" is a sentence (đốt): the
    word before must be a host label and the word after an ending, and not both of them
    Vietnamese syllables."""
    before = _LAST_WORD.search(match.string, 0, match.start())
    label = before.group() if before else ""
    tld = match.group(1).lower()
    if not _HOST_LABEL.fullmatch(label) or not plausible_tld(tld):
        return match.group(0)
    if is_vietnamese_syllable(label) and is_vietnamese_syllable(tld):
        return match.group(0)
    return "."


def _join_spaced_host(match: re.Match[str]) -> str:
    chain = match.group(0)
    if " " not in chain:
        return chain
    # Only "abc . com" (spaces on both sides) or "www . abc": a space before a dot alone
    # is everyday sloppy typing ("đẹp .gà").
    spaced_both = re.search(r"\s\.\s", chain) is not None
    if not (spaced_both or chain.startswith("www")):
        return chain
    if not plausible_tld(chain.rsplit(".", 1)[-1].strip()):
        return chain
    return _SPACE_AROUND_DOT.sub(".", chain)


def _join_spaced_letters(match: re.Match[str]) -> str:
    return match.group(0).replace(" ", "")


def _sub_both(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], work: str, accented: str) -> tuple[str, str]:
    """``pattern.sub`` on the folded text, with the same change made to its accented twin.
    The two have the same length and letters in the same places (folding maps one letter
    to one letter), so spans carry over; a replaced span is the same in both."""
    if pattern.search(work) is None:
        return work, accented
    if work is accented:  # no diacritics, so the twin is the text itself
        new_work = pattern.sub(repl, work)
        return new_work, new_work
    folded_parts: list[str] = []
    accented_parts: list[str] = []
    last = 0
    for match in pattern.finditer(work):
        new = repl(match) if callable(repl) else match.expand(repl)
        folded_parts += [work[last : match.start()], new]
        accented_parts += [accented[last : match.start()], accented[match.start() : match.end()] if new == match.group() else new]
        last = match.end()
    folded_parts.append(work[last:])
    accented_parts.append(accented[last:])
    return "".join(folded_parts), "".join(accented_parts)


def normalize(text: str) -> NormalizedText:
    """Normalize one message. Never raises on any ``str``."""
    steps: list[str] = []
    clean = unicodedata.normalize("NFC", text)
    if clean != text:
        steps.append("nfc")
    stripped = _INVISIBLE.sub("", clean)
    if stripped != clean:
        steps.append("invisible_characters")
    uncollapsed = _CONTROL.sub(" ", stripped)
    # A lone surrogate ("\ud800" in a JSON string) is no character: it cannot be written
    # out as UTF-8, and quoted as evidence it stopped a whole `check --jsonl` stream.
    if _SURROGATE.search(uncollapsed) is not None:
        uncollapsed = _SURROGATE.sub("\ufffd", uncollapsed)
        steps.append("lone_surrogates_replaced")
    clean = _SPACES.sub(" ", uncollapsed)
    if "\n" in clean:
        clean = _NEWLINES.sub("\n", clean)
    clean = clean.strip()

    # Compatibility forms (fullwidth letters, mathematical bold) fold to plain letters for
    # matching; the clean form keeps them as written. Spacing is kept until the spaced
    # letters are joined: two spaces in "Q U A  H A N" separate two words.
    work = unicodedata.normalize("NFKC", uncollapsed)
    # Not punctuation or spaces: "…" and other typographic marks fold too, and real notices
    # are full of them (an ellipsis flagged a carrier's loyalty notice in IE403).
    if unicodedata.normalize("NFKC", clean) != clean and any(
        unicodedata.category(c)[0] not in "PZ" and unicodedata.normalize("NFKC", c) != c for c in clean
    ):
        steps.append("compatibility_characters")
    work = work.lower()
    ascii_only = work.isascii()
    has_diacritics = not ascii_only and _VIETNAMESE_CHARS.search(work) is not None
    # "chấm" is spelled-out "dot" only with its accents: folded it is also "chậm".
    before = work if ascii_only else fold_diacritics(work)
    accented = _WORD_DOT.sub(_word_dot, work) if "dot" in work or "chấm" in work else work
    work = before if accented is work else fold_diacritics(accented)
    if ascii_only:
        accented = work  # the same string: _sub_both then changes one
    # Each pattern only where its text can be: most messages have none of them.
    if "hxxp" in work:
        work, accented = _sub_both(_HXXP, r"http\1", work, accented)
    if "[" in work or "(" in work or "{" in work:
        work, accented = _sub_both(_BRACKET_DOT, ".", work, accented)
    if "www" in work or _SPACED_DOT.search(work) is not None:
        work, accented = _sub_both(_SPACED_HOST, _join_spaced_host, work, accented)
    if work != before:
        steps.append("link_deobfuscated")

    before = work
    if _SPACED_LETTER.search(work) is not None:
        work, accented = _sub_both(_SPACED_LETTERS, _join_spaced_letters, work, accented)
    if work != before:
        steps.append("spaced_letters_joined")
    same = accented is work
    work = " ".join(work.split())
    accented = work if same else " ".join(accented.split())
    plain = work
    work, accented = _sub_both(_GLUED_PUNCT, r"\1 ", work, accented)

    deobfuscated: list[str] = []
    expanded = False
    out: list[str] = []
    out_accented: list[str] = []
    previous = ""
    teencode = lexicon.TEENCODE
    pieces = work.split()
    for i, (piece, as_written) in enumerate(zip(pieces, accented.split(), strict=True)):
        if piece.isalpha():
            # Most words: only teencode to look up.
            teen = teencode.get(piece)
            if teen is not None and not (piece == "k" and previous[-1:].isdigit()):
                # ("vợ ck", "ck ơi 5h đón bé giúp em": a husband, called or named.)
                if piece == "ck" and (previous in ("vo", "ba") or pieces[i + 1 : i + 2] in (["oi"], ["oi,"], ["yeu"])):
                    teen = "chong"
                # "Quý KH" is "quý khách hàng", not "quý không".
                elif piece == "kh" and previous == "quy":
                    teen = "khach hang"
                out.append(teen)
                out_accented.append(teen)
                expanded = True
                previous = teen
            else:
                out.append(piece)
                out_accented.append(as_written)
                previous = piece
            continue
        if "://" in piece or _LOOKS_LIKE_HOST.fullmatch(piece.strip(".,;:!?()[]\"'")):
            out.append(piece)
            out_accented.append(piece)
            previous = piece
            continue
        edge = _EDGE_PUNCT.match(piece)
        lead, core, trail = (edge.group(1), edge.group(2), edge.group(3)) if edge else ("", piece, "")
        if not core.isalpha():
            decoded = _decode_token(core)
            if decoded is not None:
                deobfuscated.append(core)
                core = decoded
        teen = teencode.get(core)
        if teen is not None and not (core == "k" and previous[-1:].isdigit()):
            core = teen
            expanded = True
        out.append(lead + core + trail)
        out_accented.append(as_written if out[-1] == piece else out[-1])
        previous = core
    if deobfuscated:
        steps.append("letters_decoded")
    if expanded:
        steps.append("teencode_expanded")
    folded = " ".join(out)
    return NormalizedText(
        original=text,
        clean=clean,
        plain=plain,
        folded=folded,
        has_diacritics=has_diacritics,
        steps=tuple(steps),
        deobfuscated=tuple(deobfuscated),
        accented=" ".join(out_accented),
    )
