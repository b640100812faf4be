"""What is taken out of a question before it enters the knowledge base: phone numbers,
bank accounts, links, long numbers (ID cards) and people's names.

An entry outlives the case it was learned from (retention deletes the case, the answer
stays useful), so it keeps the officer's wording of the question, never what identifies
the citizen who asked or the people they named. Numbers and links are found by the
engine's own extraction, so every way of writing them it understands is covered; names
by a small rule: capitalised words after a kinship word or title ("chị Hoa", "ông Nguyễn
Văn A", "tôi là Lan"), the way Vietnamese names people.
"""

from __future__ import annotations

import re
import unicodedata

from canhgiac.engine import extract, fold_diacritics, normalize

PHONE = "[số điện thoại]"
ACCOUNT = "[số tài khoản]"
LINK = "[đường dẫn]"
NUMBER = "[dãy số]"
NAME = "[tên]"

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Separators people put inside a number: "0912.345.678", "+84 (912) 345-678".
_NUMBER_GAP = r"[ .\-()]*"
# The dot of a host name as people (and scammers) write it: "abc.com", "abc [.] com",
# "abc chấm com" (matched on the unaccented text).
_DOT = r"(?:\s*(?:\.|[\[({]\s*(?:\.|dot|cham)\s*[\])}])\s*|\s+(?:dot|cham)\s+)"
_LINK_END = r"(?::\d{1,5})?(?:/[^\s]*[^\s.,;:!?)\]}'\"…])?/?"
# Any run of eight digits or more is somebody's number (phone, account, ID card), even
# when the engine cannot say which: decrees and years are shorter. So is a word with
# nine digits or more ("09l2345678"); a date has eight, "125/2020/NĐ-CP" seven.
_LONG_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[ .\-]?\d){7,}(?!\w)")
_DIGITS_IN_WORD = 9
_TRAILING = ".,;:!?)]}'\"…"

_UPPER = "".join(chr(c) for c in range(0x41, 0x1F00) if chr(c).isupper())
_NAME_WORD = f"[{re.escape(_UPPER)}][^\\W\\d_]*"
# Kinship words and titles that come before a name, longest first; unaccented forms too,
# since many type without diacritics ("chi Hoa", "toi la Lan"). Words whose unaccented
# form is an everyday word ("ban", "di") are left out: "Ban Chỉ huy" is not a person.
_TITLES = sorted(
    {
        "tên tôi là",
        "tên là",
        "tôi tên là",
        "tôi tên",
        "tôi là",
        "mình tên",
        "mình là",
        "em tên",
        "em là",
        "họ tên",
        "tên",
        "anh",
        "chị",
        "ông",
        "bà",
        "em",
        "cô",
        "chú",
        "bác",
        "cậu",
        "dì",
        "mợ",
        "thím",
        "cháu",
        "bé",
        "con",
        "mẹ",
        "bố",
        "vợ",
        "chồng",
        "ten toi la",
        "ten la",
        "toi ten la",
        "toi ten",
        "toi la",
        "minh ten",
        "minh la",
        "em ten",
        "em la",
        "ho ten",
        "ten",
        "chi",
        "ong",
        "ba",
        "co",
        "chu",
        "bac",
        "chau",
        "me",
        "bo",
        "vo",
        "chong",
    },
    key=len,
    reverse=True,
)
_NAMED = re.compile(
    r"(?<![^\W\d_])(?i:(" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in _TITLES) + r"))"
    r"([^\S\n]+)(" + _NAME_WORD + r"(?:[^\S\n]" + _NAME_WORD + r"){0,4})(?![^\W\d_])"
)
# Capitalised words after a title that are not a person: offices ("ông Chủ tịch xã") and
# places named after one ("Bà Rịa", "Cô Tô"), compared without diacritics.
_NOT_A_NAME = (
    "chu tich",
    "bi thu",
    "cong an",
    "can bo",
    "giam doc",
    "truong ",
    "pho ",
    "ubnd",
    "hdnd",
    "ria",
    "to ",
    "chieu",
    "diem",
    "den",
    "ho chi minh",
)


def _clean(text: str) -> str:
    # NFKC turns fullwidth digits ("０９１２") into the digits the patterns look for.
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def _number_pattern(raw: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    return re.compile(r"(?<!\d)\+?\(?" + _NUMBER_GAP.join(digits) + r"(?!\d)")


def _link_pattern(host: str) -> re.Pattern[str]:
    labels = _DOT.join(re.escape(label) for label in host.split("."))
    scheme = r"(?:(?:https?|hxxps?)\s*:\s*//\s*)?"
    return re.compile(rf"(?<![\w.-]){scheme}(?:[\w-]+{_DOT})*{labels}{_LINK_END}", re.IGNORECASE)


def _spans(text: str) -> list[tuple[int, int, str]]:
    """Where the indicators the engine finds are in ``text``. They are looked for in its
    unaccented form, which has one character for each of the text's, so the places are
    the same: "sốabc chấm com" is "soabc cham com" to the engine."""
    folded = fold_diacritics(text)
    found = extract(normalize(text).plain)
    spans: list[tuple[int, int, str]] = []
    for link in found.links:
        spans += [(m.start(), m.end(), LINK) for m in _link_pattern(link.host).finditer(folded)]
    for placeholder, raws in ((ACCOUNT, [a.raw for a in found.bank_accounts]), (PHONE, [p.raw for p in found.phones])):
        for raw in raws:
            pattern = _number_pattern(raw)
            if pattern is not None:
                spans += [(m.start(), m.end(), placeholder) for m in pattern.finditer(folded)]
    return spans


def _number_spans(text: str) -> list[tuple[int, int, str]]:
    """Long numbers the engine does not name (an ID card number, "09l2345678")."""
    spans = [(m.start(), m.end(), NUMBER) for m in _LONG_NUMBER.finditer(text)]
    for word in re.finditer(r"\S*\d\S*", text):
        if sum(c.isdigit() for c in word.group()) >= _DIGITS_IN_WORD:
            spans.append((word.start(), word.start() + len(word.group().rstrip(_TRAILING)), NUMBER))
    return spans


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    out, position = [], 0
    for start, end, placeholder in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < position:  # overlaps one already replaced: that placeholder covers it
            position = max(position, end)
            continue
        out += [text[position:start], placeholder]
        position = end
    return "".join([*out, text[position:]])


def _name(match: re.Match[str]) -> str:
    folded = fold_diacritics(match.string[match.start(3) : match.end(3) + 20].lower()) + " "
    if any(folded.startswith(word) for word in _NOT_A_NAME):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{NAME}"


def redact_names(text: str) -> str:
    """Names after a kinship word or title: "chị Hoa ở thôn 3" -> "chị [tên] ở thôn 3"."""
    return _NAMED.sub(_name, text)


def _still_found(text: str) -> bool:
    found = extract(normalize(text).plain)
    return bool(found.phones or found.bank_accounts or found.links)


def redact(text: str) -> str:
    """A question as the knowledge base may keep it."""
    text = _clean(text)
    for _ in range(3):  # a number glued to a link is found once the link is gone
        spans = _spans(text)
        if not spans:
            break
        text = _replace(text, spans)
    text = _replace(text, _number_spans(text))
    text = redact_names(text)
    if _still_found(text):
        # Written in a way the patterns could not place in the text although the engine
        # read through it: every word with a digit, or with a dot inside, goes.
        text = re.sub(r"\S*\d\S*", NUMBER, text)
        text = re.sub(r"\S*\w[.\[({]\w\S*", LINK, text)
    if _still_found(text):
        # Last resort ("abc . com" spread over words): no digit and no dot is left.
        text = re.sub(r"[\d.]|(?i:\b(?:dot|chấm)\b)", " ", text)
    return re.sub(r"[^\S\n]+", " ", text).strip()
