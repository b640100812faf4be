"""Near-duplicate messages: a 64-bit SimHash of a message's folded word pairs.

Two messages about the same thing written a little differently ("nha so 5 ban ma tuy"
and "Nhà số 5 bán ma túy!!", or one scam forwarded by many people with other numbers in
it) get fingerprints a few bits apart; unrelated messages differ in about 32 of 64 bits.
Near-duplicates arrive close together (a scam wave, a fight reported by five
neighbours), so the web application compares a new message with its unit's recent ones.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from itertools import pairwise

from canhgiac.engine.normalize import normalize

__all__ = ["BAND_DISTANCE", "MAX_DISTANCE", "bands", "distance", "fingerprint", "to_signed"]

# Short texts move more bits per changed word than documents do: measured on paraphrased
# tips (7 bits apart) and re-forwarded scams (0-11) against unrelated messages (30+).
MAX_DISTANCE = 8
# Split into four 16-bit bands, two fingerprints within 3 bits share a band exactly
# (pigeonhole): a database finds those copies with indexed look-ups, however many
# messages there are.
BAND_DISTANCE = 3
_STOPWORDS = frozenset(
    ["a", "ah", "a", "ạ", "oi", "nhe", "nha", "voi", "va", "la", "co", "cua", "thi", "ma", "o", "cho", "em", "anh", "chi", "toi", "minh"]
)


@lru_cache(maxsize=65536)
def _hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


# Bit counting in lanes: each of the 64 bits gets a 16-bit lane of one big integer, so
# adding a feature's hash to 64 counters is 8 table look-ups and additions.
_LANE = 16
_SPREAD = [[sum(((byte >> i) & 1) << ((8 * k + i) * _LANE) for i in range(8)) for byte in range(256)] for k in range(8)]
_LANE_MASK = (1 << _LANE) - 1
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_DIGIT = re.compile(r"[0-9]")


def fingerprint(text: str, *, folded: str | None = None) -> int:
    """SimHash over the words and word pairs of the folded text (0 for no words).
    Pass ``folded`` when the text is already normalized, to skip doing it again."""
    if folded is None:
        folded = normalize(text).folded
    # Digits masked: the same scam forwarded by many people differs in its numbers.
    words = [w for w in _NOT_WORD.sub(" ", _DIGIT.sub("0", folded)).split() if w not in _STOPWORDS]
    features = words + [f"{a} {b}" for a, b in pairwise(words)]
    if not features:
        return 0
    total = 0
    spread = _SPREAD
    for feature in set(features):
        h = _hash(feature)
        total += (
            spread[0][h & 255]
            + spread[1][h >> 8 & 255]
            + spread[2][h >> 16 & 255]
            + spread[3][h >> 24 & 255]
            + spread[4][h >> 32 & 255]
            + spread[5][h >> 40 & 255]
            + spread[6][h >> 48 & 255]
            + spread[7][h >> 56 & 255]
        )
    half = len(set(features))
    # A bit is set when more than half of the features have it set.
    return sum(1 << bit for bit in range(64) if 2 * (total >> (bit * _LANE) & _LANE_MASK) > half)


def distance(a: int, b: int) -> int:
    return ((a & (2**64 - 1)) ^ (b & (2**64 - 1))).bit_count()


def bands(value: int) -> tuple[int, int, int, int]:
    value &= 2**64 - 1
    b0, b1, b2, b3 = ((value >> (16 * i)) & 0xFFFF for i in range(4))
    return b0, b1, b2, b3


def to_signed(value: int) -> int:
    """The fingerprint as a signed 64-bit integer, as databases store BIGINT."""
    value &= 2**64 - 1
    return value - 2**64 if value >= 2**63 else value
