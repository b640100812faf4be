"""The Cảnh Giác engine: Vietnamese message understanding with no web framework in it.

>>> from canhgiac.engine import analyze
>>> result = analyze("Chuc mung ban trung thuong xe SH, nhan qua tai vcb-qua.top")
>>> result.is_scam, [r.code for r in result.reasons][:2]
"""

from __future__ import annotations

from functools import lru_cache

from canhgiac.engine.config import EngineConfig
from canhgiac.engine.indicators import Indicators, extract
from canhgiac.engine.normalize import NormalizedText, fold_diacritics, normalize
from canhgiac.engine.pipeline import CATEGORIES, INTENTS, Analysis, Engine, Reason
from canhgiac.engine.registry import Blocklist, IndicatorLookup, KnownIndicator

__all__ = [
    "CATEGORIES",
    "INTENTS",
    "Analysis",
    "Blocklist",
    "Engine",
    "EngineConfig",
    "IndicatorLookup",
    "Indicators",
    "KnownIndicator",
    "NormalizedText",
    "Reason",
    "analyze",
    "default_engine",
    "extract",
    "fold_diacritics",
    "normalize",
]


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """One engine with the shipped models, shared by callers that need no settings."""
    return Engine()


def analyze(message: str) -> Analysis:
    """Analyze one message with the shipped models."""
    return default_engine().analyze(message)
