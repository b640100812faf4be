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
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from canhgiac.engine.normalize import normalize

__all__ = ["Hit", "Index", "terms"]

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
