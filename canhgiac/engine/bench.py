"""Time each stage of the engine on a set of messages: throughput and latency percentiles."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from canhgiac.engine import rules
from canhgiac.engine.indicators import extract
from canhgiac.engine.normalize import normalize
from canhgiac.engine.pipeline import Engine, features_for, prepare

__all__ = ["StageTiming", "percentile", "time_stages"]

# Written for this project: a spread of what reaches a commune channel, used when no data
# file is given.
SAMPLE_MESSAGES = (
    "Chuc mung ban da trung thuong xe SH, vui long truy cap vcb-nhanqua.top de nhan giai",
    "Cho em hỏi thủ tục đăng ký tạm trú cần những giấy tờ gì ạ?",
    "Tối qua nhà số 12 ngõ 5 bị trộm cạy cửa lấy mất xe máy",
    "Ma OTP cua ban la 123456. Tuyet doi khong cung cap ma nay cho bat ky ai.",
    "[TB] Tang 20% gia tri the nap trong hom nay. LH 198 (0d)",
    "Toi la can bo cong an, de nghi chuyen 50tr vao STK 0123456789 Vietcombank de xac minh",
    "cam on cac anh nhieu",
    "So 0912 345 678 goi cho me em xung la nhan vien ngan hang, co phai lua dao khong?",
)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of already sorted values, nearest rank."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


@dataclass(frozen=True, slots=True)
class StageTiming:
    stage: str
    messages: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "messages": self.messages,
            "messages_per_second": round(self.per_second, 1),
            "p50_ms": round(self.p50_ms, 4),
            "p99_ms": round(self.p99_ms, 4),
        }


def _time(stage: str, items: Sequence[Any], run: Callable[[Any], object]) -> StageTiming:
    latencies = []
    clock = time.perf_counter
    start = clock()
    for item in items:
        t0 = clock()
        run(item)
        latencies.append(clock() - t0)
    total = clock() - start
    latencies.sort()
    return StageTiming(stage, len(items), total, percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000)


def time_stages(messages: Sequence[str], engine: Engine | None = None) -> list[StageTiming]:
    """Run every stage over all messages, one stage at a time, after one warm-up pass."""
    engine = engine or Engine()
    for message in messages[:50]:
        engine.analyze(message)
    normalized = [normalize(m) for m in messages]
    prepared = [prepare(m) for m in messages]
    analyses = [engine.analyze(m) for m in messages]
    scam_model = engine.scam_model
    intent_model = engine.intent_model
    return [
        _time("normalize", messages, normalize),
        _time("indicators", normalized, lambda n: extract(n.plain)),
        _time("cues and reasons", normalized, lambda n: rules.find_reasons(n, rules.find_cues(n), extract(n.plain))),
        _time("scam model", prepared, lambda p: scam_model.probabilities(features_for(p, scam_model.features))),
        _time("intent model", prepared, lambda p: intent_model.probabilities(features_for(p, intent_model.features))),
        _time("json output", analyses, lambda a: json.dumps(a.to_dict(), ensure_ascii=False)),
        _time("whole analysis", messages, engine.analyze),
    ]
