"""Near-duplicate messages: a 64-bit SimHash of a message's folded word pairs.

Two messages about the same thing written a little differently ("nha so 5 ban ma tuy"
and "Nhà số 5 bán ma túy!!", or one scam forwarded by many people with other numbers in
it) get fingerprints a few bits apart; unrelated messages differ in about 32 of 64 bits.
Near-duplicates arrive close together (a scam wave, a fight reported by five
neighbours), so the web application compares a new message with its unit's recent ones.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from itertools import pairwise

from canhgiac.engine.normalize import normalize

__all__ = ["MAX_DISTANCE", "distance", "fingerprint", "to_signed"]

# Short texts move more bits per changed word than documents do: measured on paraphrased
# tips (7 bits apart) and re-forwarded scams (0-11) against unrelated messages (30+).
MAX_DISTANCE = 8
_STOPWORDS = frozenset(
    ["a", "ah", "a", "ạ", "oi", "nhe", "nha", "voi", "va", "la", "co", "cua", "thi", "ma", "o", "cho", "em", "anh", "chi", "toi", "minh"]
)


@lru_cache(maxsize=65536)
def _hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


def fingerprint(text: str) -> int:
    """SimHash over word pairs of the folded text (0 for text with no words)."""
    # Digits masked: the same scam forwarded by many people differs in its numbers.
    folded = "".join("0" if c.isdigit() else c if c.isalnum() else " " for c in normalize(text).folded)
    words = [w for w in folded.split() if w not in _STOPWORDS]
    features = words + [f"{a} {b}" for a, b in pairwise(words)]
    if not features:
        return 0
    counts = [0] * 64
    for feature in features:
        h = _hash(feature)
        for bit in range(64):
            counts[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if counts[bit] > 0)


def distance(a: int, b: int) -> int:
    return ((a & (2**64 - 1)) ^ (b & (2**64 - 1))).bit_count()


def to_signed(value: int) -> int:
    """The fingerprint as a signed 64-bit integer, as databases store BIGINT."""
    value &= 2**64 - 1
    return value - 2**64 if value >= 2**63 else value
