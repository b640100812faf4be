"""The engine's settings, in one typed object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from canhgiac.engine.registry import IndicatorLookup

__all__ = ["EngineConfig"]


@dataclass(frozen=True, slots=True)
class EngineConfig:
    model_dir: Path | None = None
    """A folder with a scam model trained by ``canhgiac train``; None for the shipped one."""
    scam_threshold: float | None = None
    """Score at or above which a message is a scam; None for the model's own threshold."""
    suspicious_threshold: float = 0.2
    """Score at or above which a message is worth a warning, though not called a scam."""
    registry: IndicatorLookup | None = None
    """Where to look up reported phone numbers, accounts and domains."""
