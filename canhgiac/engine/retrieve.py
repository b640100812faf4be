"""Find the closest entries to a message: knowledge-base answers, published warnings.

Each entry has one or more texts (a question and its variants, or a warning's example
message). Texts and queries are folded by :func:`normalize` (so diacritics, teencode and
word-for-word obfuscation do not matter) and compared by TF-IDF cosine over words and
word pairs: a score from 0 to 1 whose thresholds mean the same in any index. An
inverted index keeps a look-up among 10,000 entries to a few milliseconds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from canhgiac.engine.normalize import normalize

__all__ = [
    "CONFIDENT",
    "SUGGEST",
    "Decision",
    "Hit",
    "Index",
    "decide",
    "other_subject",
    "refusal",
    "same_question",
    "same_subject",
    "specific",
    "subjects",
    "terms",
]

# Words that carry no topic: politeness, pronouns, question particles.
_STOPWORDS = frozenset(
    [
        "a",
        "ah",
        "ak",
        "ạ",
        "oi",
        "nhe",
        "nha",
        "voi",
        "va",
        "la",
        "co",
        "cua",
        "thi",
        "ma",
        "o",
        "cho",
        "em",
        "anh",
        "chi",
        "toi",
        "minh",
        "ban",
        "cac",
        "nhung",
        "duoc",
        "khong",
        "gi",
        "nao",
        "sao",
        "hay",
        "roi",
        "nay",
        "do",
        "xin",
        "hoi",
        "muon",
        "biet",
        "giup",
        "voi",
        "duoc",
        "khong",
        "the",
        "nao",
        "nhu",
        "vay",
        "vui",
        "long",
        "lam",
        "on",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


def terms(text: str, pairs: bool = True) -> list[str]:
    """The folded words (less stopwords) of a text, and its word pairs if asked."""
    words = [w for w in _WORD.findall(normalize(text).folded) if w not in _STOPWORDS]
    return words + [f"{a} {b}" for a, b in pairwise(words)] if pairs else words


@dataclass(frozen=True, slots=True)
class Hit:
    key: Hashable
    score: float
    text: str
    """The entry's text that matched best."""


@dataclass(slots=True)
class Index:
    """Entries (any hashable key) with their texts; ask ``search`` for the best ones."""

    _texts: list[tuple[Hashable, str]] = field(default_factory=list)
    _postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    _idf: dict[str, float] = field(default_factory=dict)
    _norms: list[float] = field(default_factory=list)
    pairs: bool = True
    """Word pairs as terms too: better for long texts where order matters (warnings);
    short questions are matched better on words alone (bench/kb_thresholds.py)."""

    @classmethod
    def build(cls, entries: Iterable[tuple[Hashable, Sequence[str]]], *, pairs: bool = True) -> Index:
        index = cls(pairs=pairs)
        documents: list[Counter[str]] = []
        for key, texts in entries:
            for text in texts:
                if text.strip():
                    index._texts.append((key, text))
                    documents.append(Counter(terms(text, pairs)))
        df: Counter[str] = Counter()
        for doc in documents:
            df.update(doc.keys())
        n = max(len(documents), 1)
        index._idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}
        for number, doc in enumerate(documents):
            weights = {t: (1 + math.log(c)) * index._idf[t] for t, c in doc.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            index._norms.append(norm)
            for t, w in weights.items():
                index._postings.setdefault(t, []).append((number, w / norm))
        return index

    def __len__(self) -> int:
        return len(self._texts)

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        """The best entries for a query, one hit per key, highest cosine first."""
        query_terms = terms(query, self.pairs)
        counts = Counter(t for t in query_terms if t in self._idf)
        if not counts:
            return []
        weights = {t: (1 + math.log(c)) * self._idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        # Words of the query that no entry has still count in its length: a question
        # about something else shares a few common words but scores low.
        unknown = sum(1 for t in query_terms if t not in self._idf)
        norm = math.sqrt(norm * norm + unknown * (math.log(len(self._texts) + 1) ** 2))
        scores: dict[int, float] = {}
        common = max(50, len(self._texts) // 20)
        for t, w in weights.items():
            postings = self._postings[t]
            # A word in more than one text in twenty says little about which one is
            # meant, and walking its postings is most of the cost: it counts in the
            # query's length but is not accumulated.
            if len(postings) > common and len(weights) > 1:
                continue
            q = w / norm
            for doc, d in postings:
                scores[doc] = scores.get(doc, 0.0) + q * d
        best: dict[Hashable, Hit] = {}
        for doc, score in sorted(scores.items(), key=lambda item: -item[1]):
            key, text = self._texts[doc]
            if key not in best:
                best[key] = Hit(key, min(score, 1.0), text)
                if len(best) >= limit:
                    break
        return list(best.values())


# A vague question ("thủ tục giấy tờ thế nào?") scores about the same against several
# entries: an automatic answer also needs this lead of its best match over the second.
LEAD = 0.1
# And at least two words that say what the question is about, once the words every
# administrative question shares are set aside.
GENERIC_WORDS = frozenset(
    [
        "thu",
        "tuc",
        "giay",
        "to",
        "ho",
        "so",
        "can",
        "lam",
        "dau",
        "cach",
        "gi",
        "nao",
        "the",
        "nhung",
        "con",
        "chau",
        "nguoi",
        "nha",
        "xa",
        "phuong",
        "viec",
        "ve",
        "o",
        "di",
        "den",
        "nop",
        "xin",
    ]
)


def specific(text: str) -> bool:
    """Whether a question names what it is about (two words beyond the generic ones)."""
    return len(set(terms(text, pairs=False)) - GENERIC_WORDS) >= 2


# ---------------------------------------------------------------- the subject of a question
#
# A question and an entry can share every procedure word and be about different things:
# "nuôi chó có cần đăng ký với công an xã không" scores 0.51 against "Đăng ký xe máy tại
# công an xã" on "đăng ký", "công an", "xã". Before an answer goes out on its own, the
# words that say what the question is about must be the entry's too
# (bench/kb_questions.py measures it).

# Words of how to do something, where and when, and for whom: shared by questions on any
# subject, so they never show that two questions are about the same thing.
PROCEDURE_WORDS = GENERIC_WORDS | frozenset(
    [
        "dang",
        "ky",
        "dk",
        "lam",
        "cap",
        "lai",
        "moi",
        "doi",
        "bao",
        "lau",
        "nhieu",
        "tien",
        "le",
        "phi",
        "mat",
        "mang",
        "theo",
        "khi",
        "phai",
        "can",
        "nen",
        "cong",
        "an",
        "ubnd",
        "uy",
        "nhan",
        "dan",
        "chinh",
        "quyen",
        "tai",
        "tu",
        "ra",
        "vao",
        "them",
        "het",
        "han",
        "online",
        "truc",
        "tuyen",
        "mang",
        "dich",
        "vu",
        "bi",
        "da",
        "se",
        "nua",
        "luon",
        "ngay",
        "thang",
        "gio",
        "truoc",
        "sau",
        "neu",
        "mot",
        "hien",
        "nay",
        "bay",
        "can",
        "cho",
        "gui",
        "ai",
        "dan",
        "qua",
        "tren",
        "duoi",
        "trong",
        "ngoai",
        "mang",
        "ho",
        "so",
    ]
)

# Nouns that name what a question is about, with the ways people write them. A written
# form with diacritics is looked for in the text as typed (lowercase): "chó" is a dog,
# folded "cho" is also "for"; one without is looked for in the folded text, word for
# word, and must then be unambiguous on its own ("nuoi cho", "con cho").
SUBJECTS: dict[str, tuple[str, ...]] = {
    # Animals
    "dog": ("chó", "cún", "nuoi cho", "con cho", "cho meo", "cho nha", "cho dai", "cho canh", "cho bec", "cho ta"),
    "cat": ("mèo", "con meo", "nuoi meo", "cho meo", "meo nha"),
    "pet": ("thu cung", "vat nuoi"),
    "poultry": ("gà", "vịt", "gia cam", "nuoi ga", "nuoi vit", "con ga", "con vit"),
    "livestock": ("lợn", "trâu", "bò", "heo", "gia suc", "nuoi lon", "nuoi heo", "nuoi bo", "con bo", "con lon", "con trau"),
    "fishing": ("cá", "cau ca", "danh ca", "danh bat", "thuy san", "nuoi ca", "luoi ca", "ao ca"),
    # Vehicles ("vehicle" for "xe" alone: an entry on vehicles in general answers for a motorbike too)
    "vehicle": ("xe", "phuong tien"),
    "motorbike": ("xe may", "mo to", "moto", "xe gan may", "xe so", "xe tay ga", "xe may dien", "xe 2 banh", "xe hai banh"),
    "car": ("o to", "oto", "xe hoi", "xe con", "xe tai", "xe khach", "xe ban tai", "xe 4 banh", "xe bon banh", "xe 7 cho", "xe 4 cho"),
    "bicycle": ("xe dap",),
    "boat": ("tàu", "xuồng", "thuyen", "ca no", "tau ca", "tau thuyen"),
    "drone": ("flycam", "drone", "may bay khong nguoi lai", "thiet bi bay"),
    # Papers of a person
    "id_card": ("can cuoc", "cccd", "cmnd", "chung minh nhan dan", "chung minh thu"),
    "passport": ("ho chieu", "passport"),
    "visa": ("visa", "thi thuc"),
    "foreigner": ("nguoi nuoc ngoai", "nguoi ngoai quoc", "quoc tich nuoc ngoai", "viet kieu", "khach nuoc ngoai"),
    "abroad": ("nuoc ngoai", "xuat canh", "nhap canh", "quoc te"),
    "nationality": ("quoc tich",),
    "vneid": ("vneid", "dinh danh"),
    "driving_licence": ("bang lai", "giay phep lai xe", "gplx"),
    "criminal_record": ("ly lich tu phap",),
    "driving_test": ("thi bang", "hoc bang", "sat hach", "hoc lai xe", "thi lai xe"),
    "cv": ("so yeu ly lich",),
    # Residence
    "permanent_residence": ("thuong tru", "ho khau", "nhap khau", "chuyen khau", "tach khau", "tach ho"),
    "temporary_residence": ("tam tru",),
    "deregistration": ("xoa dang ky", "xoa thuong tru", "xoa tam tru", "xoa ho khau", "cat khau", "xoa ten"),
    "absence": ("tam vang",),
    "overnight_stay": ("luu tru", "o lai qua dem", "khach o lai", "ngu lai"),
    # Civil status
    "birth": ("khai sinh", "sinh con", "moi sinh"),
    "death": ("khai tu", "chet", "qua doi", "nguoi da mat"),
    "marriage": ("ket hon",),
    "marital_status": ("tinh trang hon nhan", "doc than"),
    "divorce": ("ly hon", "ly di"),
    "wedding": ("dam cuoi", "tiec cuoi", "dam hoi", "cuoi hoi", "to chuc cuoi", "an hoi", "nha hang tiec"),
    "funeral": ("dam tang", "dam ma", "mai tang", "an tang", "chon cat", "nghia trang", "hoa tang", "cai tang"),
    "guardianship": ("giam ho",),
    "adoption": ("nhan con nuoi", "con nuoi"),
    "paternity": ("nhan cha con", "nhan me con", "xac dinh cha"),
    "name_change": ("doi ten", "cai chinh ho tich", "thay doi ho tich", "cai chinh"),
    # Certification
    "copy_certification": ("chung thuc ban sao", "sao y", "ban sao"),
    "signature": ("chu ky",),
    "notary": ("cong chung", "hop dong"),
    # Land and building
    "land": (
        "đất",
        "dat dai",
        "thua dat",
        "manh dat",
        "so do",
        "so hong",
        "quyen su dung dat",
        "tranh chap dat",
        "mua dat",
        "ban dat",
        "ranh gioi",
    ),
    "building": ("xay nha", "xay dung", "sua nha", "sua chua nha", "cai tao nha"),
    "urban": ("thanh pho", "do thi", "noi thanh", "thi tran"),
    "rental": ("thuê", "thue tro", "phong tro", "cho thue", "nha tro"),
    # Money, work, business
    "tax": ("thuế", "nop thue", "ma so thue", "thue thu nhap", "quyet toan thue", "thue mon bai"),
    "household_business": ("ho kinh doanh", "kinh doanh", "mo quan", "mo cua hang", "buon ban", "ban hang"),
    "company": ("cong ty", "doanh nghiep"),
    "alcohol": ("ruou",),
    "tobacco": ("thuoc la",),
    "loan": ("vay von", "vay tien", "vay ngan hang", "vay no", "tin dung"),
    "bank": ("ngan hang", "the atm", "tai khoan ngan hang", "so tai khoan"),
    "money_transfer": ("chuyen tien", "chuyen khoan"),
    "phone": ("so dien thoai", "sim", "dien thoai", "cuoc goi", "goi dien"),
    "labour_abroad": ("xuat khau lao dong", "di lam nuoc ngoai", "lao dong nuoc ngoai"),
    "job": ("viec lam", "tim viec", "xin viec", "that nghiep"),
    "pension": ("luong huu", "nghi huu", "huu tri"),
    "health_insurance": ("bao hiem y te", "bhyt"),
    "social_insurance": ("bao hiem xa hoi", "bhxh"),
    "vehicle_insurance": ("bao hiem xe", "bao hiem o to", "bao hiem xe may", "bao hiem bat buoc", "bao hiem trach nhiem dan su"),
    "elderly": ("nguoi cao tuoi", "nguoi gia", "cao tuoi"),
    "poor_household": ("ho ngheo", "can ngheo"),
    "disability": ("khuyet tat",),
    "veteran": ("thuong binh", "liet si", "nguoi co cong"),
    # Public services and order
    "school": ("nhap hoc", "chuyen truong", "truong hoc", "hoc sinh", "hoc ba", "bang tot nghiep", "di hoc", "mau giao", "tuyen sinh"),
    "health": ("benh vien", "kham benh", "tiem chung", "vac xin", "tiem phong", "thuoc men"),
    "electricity": ("tien dien", "cup dien", "mat dien", "cong to dien", "hoa don dien", "dien luc"),
    "water": ("nuoc sach", "tien nuoc", "cup nuoc", "mat nuoc"),
    "garbage": ("rac", "rac thai", "thu gom rac"),
    "trees": ("cây", "chat cay", "cay xanh"),
    "noise": ("tieng on", "karaoke", "on ao"),
    "road": ("duong xa", "lam duong", "duong lang", "via he", "lan chiem", "o ga"),
    "military": ("nghia vu quan su", "nhap ngu", "di bo doi", "quan su"),
    "exemption": ("mien nghia vu", "hoan nghia vu", "tam hoan", "mien tru", "mien giam", "mien thue", "hoan thi hanh"),
    "weapon": ("súng", "vu khi", "khau sung", "sung hoi", "sung san", "dao kiem", "cong cu ho tro"),
    "fireworks": ("pháo", "phao hoa", "phao no", "dot phao"),
    "drugs": ("ma tuy", "chat cam"),
    "gambling": ("danh bac", "co bac", "lo de", "ca do"),
    "crime_report": ("to giac", "toi pham"),
    "complaint": ("khieu nai", "don thu", "to cao"),
    "lost_property": ("nhat duoc", "danh roi", "that lac"),
    "emergency": ("khan cap", "cap cuu", "cháy", "chay nha", "hoa hoan", "cuu hoa", "113", "114", "115"),
    "office_hours": ("gio lam viec", "gio hanh chinh", "mot cua", "thu 7", "thu bay", "chu nhat"),
    "traffic_fine": ("phat nguoi", "phat giao thong", "vi pham giao thong", "nop phat"),
    "scam": ("lua dao", "gia danh", "otp", "bi lua", "lua"),
    "plate": ("bien so",),
    "transfer_vehicle": ("sang ten", "doi chu", "mua xe cu", "ban xe"),
    "vehicle_papers": ("giay dang ky xe", "cavet", "ca vet"),
    "festival": ("le hoi",),
    "camping": ("cam trai",),
    "event": ("to chuc su kien", "bieu dien", "hội chợ", "su kien"),
    "signboard": ("bien quang cao", "treo bien", "bang ron"),
}
# A question on one of these is answered by an entry on their family (in general), as
# long as the entry does not name another member: "đổi bằng lái ô tô" by "Đổi giấy phép
# lái xe", but "đăng ký ô tô" not by "Đăng ký xe máy".
FAMILIES = {"motorbike": "vehicle", "car": "vehicle", "bicycle": "vehicle", "boat": "vehicle", "drone": "vehicle"}

_WORDS = re.compile(r"\w+")


def _pattern(forms: Sequence[str], accented: bool) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if accented else rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def _is_ascii(form: str) -> bool:
    return form.isascii()


_SUBJECT_PATTERNS: list[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None]] = [
    (
        key,
        _pattern([f for f in forms if _is_ascii(f)], False) if any(_is_ascii(f) for f in forms) else None,
        _pattern([f for f in forms if not _is_ascii(f)], True) if any(not _is_ascii(f) for f in forms) else None,
    )
    for key, forms in SUBJECTS.items()
]


@lru_cache(maxsize=65536)
def subjects(text: str) -> frozenset[str]:
    """The subjects (keys of SUBJECTS) a text names."""
    folded = " ".join(_WORD.findall(normalize(text).folded))
    typed = " ".join(_WORDS.findall(unicodedata.normalize("NFC", text).lower()))
    return frozenset(
        key
        for key, plain, accented in _SUBJECT_PATTERNS
        if (plain is not None and plain.search(folded)) or (accented is not None and accented.search(typed))
    )


@lru_cache(maxsize=65536)
def subject_words(text: str) -> frozenset[str]:
    """The words of a text that are neither stopwords nor procedure words."""
    return frozenset(terms(text, pairs=False)) - PROCEDURE_WORDS


def _compare(question: str, texts: Sequence[str]) -> tuple[bool, bool]:
    """Whether the question and an entry's texts share a word beyond the procedure words,
    and whether the question names a subject the entry does not (for a vehicle: unless
    the entry is on vehicles in general)."""
    entry_words: set[str] = set()
    named: set[str] = set()
    for text in texts:
        entry_words |= subject_words(text)
        named |= subjects(text)
    missing = False
    for subject in subjects(question):
        family = FAMILIES.get(subject)
        siblings = {k for k, f in FAMILIES.items() if f == family}
        missing = missing or (subject not in named and not (family in named and not named & siblings))
    return bool(subject_words(question) & entry_words), missing


def same_subject(question: str, texts: Sequence[str]) -> bool:
    """Whether an entry (its title and questions, ``texts``) is about what the question is
    about: they share a word beyond the procedure words, and every subject the question
    names is the entry's too."""
    shared, missing = _compare(question, texts)
    return shared and not missing


def other_subject(question: str, texts: Sequence[str]) -> bool:
    """Whether the question is plainly about something the entry is not: it names a
    subject the entry does not, or it has words beyond the procedure words and the
    entry has none of them. A vague question ("thủ tục giấy tờ thế nào") is not."""
    shared, missing = _compare(question, texts)
    return missing or (bool(subject_words(question)) and not shared)


# Two questions are the same question (for grouping) when this share of their words
# beyond the procedure words is common (Dice), and they name the same subjects.
SAME_QUESTION = 0.5


def same_question(a: str, b: str) -> bool:
    """Whether two questions ask the same thing, written differently: "nuôi chó có phải
    đăng ký không" and "nuoi cho co can dang ky voi xa khong a". Scores from an index
    would not do: among a few questions the words they share weigh next to nothing."""
    words_a, words_b = subject_words(a), subject_words(b)
    if not words_a or not words_b:
        return False
    dice = 2 * len(words_a & words_b) / (len(words_a) + len(words_b))
    return dice >= SAME_QUESTION and subjects(a) == subjects(b)


def refusal(question: str, scores: Sequence[float], texts: Sequence[str], threshold: float) -> str | None:
    """Why the best match (``scores`` highest first, ``texts`` its entry's) may not be sent
    as an answer without an officer, or None when it may: "score" (not close enough),
    "lead" (another entry is about as close), "vague" (the question does not say what it
    is about), "subject" (it is about something the entry is not)."""
    if not scores or scores[0] < threshold:
        return "score"
    if scores[0] - (scores[1] if len(scores) > 1 else 0.0) < LEAD:
        return "lead"
    if not specific(question):
        return "vague"
    if not same_subject(question, texts):
        return "subject"
    return None


# Thresholds on the cosine score, measured with bench/kb_thresholds.py on paraphrased,
# unanswerable and vague questions (tests/cases/kb_questions.jsonl): with the lead and
# the specific words, from CONFIDENT 20 of 40 paraphrases are answered automatically,
# all 20 rightly, and none of the 16 others is; from SUGGEST the right entry was among
# the three offered for 39 of 40. Below, an officer answers. The subject check then keeps
# every automatic answer right on bench/kb_questions.py's larger set.
CONFIDENT = 0.45
SUGGEST = 0.3


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a question, given its best entries (by position in the list)."""

    answer: int | None
    """The entry to send at once, if any."""
    offers: tuple[int, ...]
    """Entries to offer the citizen to choose from, when there is no answer."""
    refused: str | None
    """Why the best entry is not sent at once (see :func:`refusal`)."""


def decide(question: str, candidates: Sequence[tuple[float, Sequence[str]]]) -> Decision:
    """The answer, or the offers, for a question: ``candidates`` are its best entries,
    highest score first, each as its score and its texts (title and questions). An entry
    about another subject is not offered either: "đăng ký xe máy" is no help to someone
    asking about a dog."""
    scores = [score for score, _ in candidates]
    why = refusal(question, scores, candidates[0][1] if candidates else (), CONFIDENT)
    if why is None:
        return Decision(0, (), None)
    offers: tuple[int, ...] = ()
    if scores and scores[0] >= SUGGEST:
        offers = tuple(i for i, (score, texts) in enumerate(candidates) if score >= SUGGEST / 2 and not other_subject(question, texts))[:3]
    return Decision(None, offers, why)
