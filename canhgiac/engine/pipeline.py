"""The whole analysis of one message: normalize, extract, find cues and reasons, then
classify intent, category, urgency and scam risk, each with its explanation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from canhgiac.engine import rules
from canhgiac.engine.config import EngineConfig
from canhgiac.engine.indicators import Indicators, extract
from canhgiac.engine.model import FeatureConfig, Features, LinearModel, text_words
from canhgiac.engine.normalize import NormalizedText, normalize
from canhgiac.engine.registry import IndicatorLookup, KnownIndicator

__all__ = [
    "CATEGORIES",
    "INTENTS",
    "Analysis",
    "Engine",
    "Prepared",
    "Reason",
    "features_for",
    "prepare",
    "shipped_model",
    "structured_features",
]

INTENTS = ("tip", "question", "scam_check", "other")
CATEGORIES = (
    "drugs",
    "theft",
    "gambling",
    "smuggling",
    "violence",
    "weapons",
    "traffic",
    "environment",
    "fraud",
    "public_order",
    "other",
)

# Evidence that no model was trained on, with a fixed push on the scam score (in logits).
_FIXED_WEIGHTS = {"known_indicator": 3.0}
# Text n-grams that push this much are quoted as a reason of their own.
_WORDING_REASON_MIN = 1.0
# Messages this short are rarely a forwarded message: they ask about one indicator.
_SHORT_WORDS = 4
# Longer text is cut before analysis: no SMS or chat message comes near it, and every
# stage stays linear and fast on what remains.
MAX_CHARS = 20_000

_ADVICE = {
    "scam": (
        "Đây nhiều khả năng là lừa đảo. Không chuyển tiền, không cung cấp mã OTP hay mật khẩu, "
        "không bấm link, không cài ứng dụng theo hướng dẫn. Nếu đã làm, gọi ngay tổng đài ngân hàng "
        "để khóa tài khoản và báo công an xã, phường."
    ),
    "suspicious": (
        "Có dấu hiệu đáng ngờ. Hãy tự gọi lại số điện thoại chính thức của cơ quan, ngân hàng hoặc "
        "người thân để xác minh trước khi làm theo. Không cung cấp mã OTP cho bất kỳ ai."
    ),
    "safe": (
        "Chưa thấy dấu hiệu lừa đảo rõ ràng. Dù vậy, không ai có quyền hỏi mã OTP hay mật khẩu của bạn; "
        "khi nghi ngờ, hãy gửi lại cho chúng tôi."
    ),
}


def _model_path(name: str) -> Path:
    return Path(str(resources.files("canhgiac.engine").joinpath("data", "models", f"{name}.json")))


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str
    evidence: str
    weight: float
    """How much this reason raised the scam score, in logits (0 for fixed rules)."""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "evidence": self.evidence, "weight": round(self.weight, 3)}


@dataclass(slots=True)
class Analysis:
    """Everything the engine concluded about one message, and why."""

    text: NormalizedText
    indicators: Indicators
    intent: str
    intent_confidence: float
    category: str | None
    category_confidence: float | None
    urgent: bool
    urgent_evidence: str | None
    scam_score: float
    is_scam: bool
    verdict: str  # "scam", "suspicious" or "safe"
    reasons: list[Reason]
    known: list[KnownIndicator] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    """How intent and category were decided, in plain words."""

    @property
    def advice(self) -> str:
        return _ADVICE[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "intent_confidence": round(self.intent_confidence, 4),
            "category": self.category,
            "category_confidence": None if self.category_confidence is None else round(self.category_confidence, 4),
            "urgent": self.urgent,
            "urgent_evidence": self.urgent_evidence,
            "scam_score": round(self.scam_score, 4),
            "is_scam": self.is_scam,
            "verdict": self.verdict,
            "reasons": [r.to_dict() for r in self.reasons],
            "advice": self.advice,
            "indicators": self.indicators.to_dict(),
            "known_indicators": [{"kind": k.kind, "value": k.value} for k in self.known],
            "normalized": self.text.folded,
            "normalization_steps": list(self.text.steps),
            "explanation": self.explanation,
        }


def structured_features(text: NormalizedText, cues: rules.Cues, findings: list[rules.Finding], indicators: Indicators) -> list[str]:
    """The non-word features every model sees: reasons, cue groups, indicators, shape."""
    out = ["R:" + f.code for f in findings]
    out.extend("C:" + name for name in cues.by_name)
    if indicators.links:
        out.append("I:link")
        if any(link.official for link in indicators.links):
            out.append("I:official_link")
    if indicators.phones:
        out.append("I:phone")
        if any(p.kind == "hotline" for p in indicators.phones):
            out.append("I:hotline")
    if indicators.bank_accounts:
        out.append("I:account")
    if indicators.amounts:
        out.append("I:amount")
    words = len(cues.words)
    if words <= _SHORT_WORDS and indicators:
        out.append("I:only_indicator")
    out.append("M:len" + ("1" if words <= 3 else "2" if words <= 8 else "3" if words <= 25 else "4" if words <= 60 else "5"))
    if "?" in text.clean:
        out.append("M:qmark")
    if text.has_diacritics:
        out.append("M:diacritics")
    letters = sum(map(str.isalpha, text.clean))
    if letters > 12 and sum(map(str.isupper, text.clean)) / letters > 0.4:
        out.append("M:shouting")
    return out


@dataclass
class Prepared:
    """What every model's features are made from."""

    text: NormalizedText
    indicators: Indicators
    cues: rules.Cues
    findings: list[rules.Finding]
    structured: list[str]
    known: list[KnownIndicator]

    @cached_property
    def words(self) -> list[str]:
        return text_words(self.text.folded)


def prepare(message: str, registry: IndicatorLookup | None = None) -> Prepared:
    text = normalize(message[:MAX_CHARS])
    if len(message) > MAX_CHARS:
        text = replace(text, original=message, steps=(*text.steps, "truncated"))
    indicators = extract(text.plain)
    cues = rules.find_cues(text)
    findings = rules.find_reasons(text, cues, indicators)
    known = registry.known(indicators) if registry is not None else []
    if known:
        findings.append(rules.Finding("known_indicator", ", ".join(k.value for k in known)))
    return Prepared(text, indicators, cues, findings, structured_features(text, cues, findings, indicators), known)


@lru_cache(maxsize=4)
def shipped_model(name: str) -> LinearModel:
    """One of the models shipped in the package ("scam", "intent", "category")."""
    return LinearModel.load(_model_path(name))


def features_for(p: Prepared, config: FeatureConfig) -> Features:
    """A prepared message as one model sees it."""
    x = Features.from_text(p.text.folded, config, p.structured, p.text.clean, p.words)
    if config.stacked:
        base = shipped_model("scam")
        bx = Features.from_text(p.text.folded, base.features, p.structured, p.text.clean, p.words)
        x.values["D:shipped_scam"] = base.margins(bx)[0] / 4.0
    return x


class Engine:
    """Loads the models once; ``analyze`` is then cheap and thread-safe."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()

    @cached_property
    def scam_model(self) -> LinearModel:
        if self.config.model_dir is not None:
            return LinearModel.load(Path(self.config.model_dir) / "model.json")
        return shipped_model("scam")

    @property
    def intent_model(self) -> LinearModel:
        return shipped_model("intent")

    @property
    def category_model(self) -> LinearModel:
        return shipped_model("category")

    @property
    def scam_threshold(self) -> float:
        if self.config.scam_threshold is not None:
            return self.config.scam_threshold
        return self.scam_model.threshold

    def analyze(self, message: str) -> Analysis:
        p = prepare(message, self.config.registry)
        text, indicators, cues, known = p.text, p.indicators, p.cues, p.known

        score, reasons = self._scam(p)
        threshold = self.scam_threshold
        is_scam = score >= threshold
        verdict = "scam" if is_scam else "suspicious" if score >= self.config.suspicious_threshold else "safe"
        if verdict == "safe":
            reasons = []

        explanation: list[str] = []
        intent, intent_confidence = self._intent(p, is_scam, explanation)
        category: str | None = None
        category_confidence: float | None = None
        urgent = False
        urgent_evidence = None
        if intent == "tip":
            category, category_confidence = self._category(p)
            urgent_evidence = _urgency(cues)
            urgent = urgent_evidence is not None
        return Analysis(
            text=text,
            indicators=indicators,
            intent=intent,
            intent_confidence=intent_confidence,
            category=category,
            category_confidence=category_confidence,
            urgent=urgent,
            urgent_evidence=urgent_evidence,
            scam_score=score,
            is_scam=is_scam,
            verdict=verdict,
            reasons=reasons,
            known=known,
            explanation=explanation,
        )

    # ------------------------------------------------------------------ stages

    def _scam(self, p: Prepared) -> tuple[float, list[Reason]]:
        model = self.scam_model
        x = features_for(p, model.features)
        findings = p.findings
        margin = model.margins(x)[0]
        weights = model.weights[0]
        reasons = []
        for finding in findings:
            fixed = _FIXED_WEIGHTS.get(finding.code)
            if fixed is not None:
                margin += fixed
                weight = fixed
            else:
                weight = weights.get("R:" + finding.code, 0.0)
            reasons.append(Reason(finding.code, finding.message, finding.evidence, weight))
        pushing = [(w, f) for f in x.text if (w := weights.get(f, 0.0)) > 0]
        wording = x.scale * sum(w for w, _ in pushing)
        if wording >= _WORDING_REASON_MIN:
            top = [f for _, f in sorted(pushing, reverse=True)[:3]]
            evidence = ", ".join(f[2:] for f in top)
            reasons.append(Reason("scam_wording", rules.reason_message("scam_wording"), evidence, wording))
        reasons.sort(key=lambda r: -r.weight)
        score = 1.0 / (1.0 + math.exp(-margin)) if margin > -30 else 0.0
        return score, reasons

    def _intent(self, p: Prepared, is_scam: bool, explanation: list[str]) -> tuple[str, float]:
        model = self.intent_model
        text, indicators, cues = p.text, p.indicators, p.cues
        if not cues.words:
            explanation.append("Tin nhắn không có chữ nào: xếp vào 'khác'.")
            return "other", 1.0
        x = features_for(p, model.features)
        probabilities = model.probabilities(x)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        intent, confidence = model.classes[best], probabilities[best]
        if intent != "scam_check" and "scam_ask_strong" in cues and "loss" not in cues and "how" not in cues:
            explanation.append("Người gửi hỏi đây có phải lừa đảo không, và chưa mất tiền: coi như nhờ kiểm tra.")
            return "scam_check", max(confidence, probabilities[model.classes.index("scam_check")])
        asking = "?" in text.clean or "question" in cues or "scam_ask" in cues
        if intent in ("other", "question") and indicators and asking and "how" not in cues and "tip_strong" not in cues:
            explanation.append("Người gửi hỏi về một số điện thoại, tài khoản hoặc đường link: coi như nhờ kiểm tra.")
            return "scam_check", max(confidence, probabilities[model.classes.index("scam_check")])
        if intent in ("other", "question") and is_scam:
            explanation.append("Nội dung mang dấu hiệu lừa đảo: coi như nhờ kiểm tra.")
            return "scam_check", max(confidence, probabilities[model.classes.index("scam_check")])
        if intent != "scam_check" and len(cues.words) <= _SHORT_WORDS and indicators and "tip_strong" not in cues:
            explanation.append("Tin nhắn chỉ gồm số điện thoại, tài khoản hoặc đường link: coi như nhờ kiểm tra.")
            return "scam_check", confidence
        if (
            intent == "scam_check"
            and not is_scam
            and not indicators
            and "scam_ask" not in cues
            and "forward" not in cues
            and ("question" in cues or "?" in text.clean)
            and probabilities[model.classes.index("question")] > 0.05
        ):
            explanation.append(
                "Không có số điện thoại, tài khoản, đường link hay dấu hiệu lừa đảo cần kiểm tra, và có từ để hỏi: coi là câu hỏi."
            )
            return "question", probabilities[model.classes.index("question")]
        top = [f for f, w in model.contributions(x, best)[:3] if w > 0]
        if top:
            explanation.append(f"Ý định '{intent}' vì: " + ", ".join(f.split(":", 1)[1] for f in top))
        return intent, confidence

    def _category(self, p: Prepared) -> tuple[str, float]:
        model = self.category_model
        x = features_for(p, model.features)
        probabilities = model.probabilities(x)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        return model.classes[best], probabilities[best]


def _urgency(cues: rules.Cues) -> str | None:
    """Someone in danger now, or an act about to happen: the words that say so."""
    strong = cues.phrases("danger") & {"cuu", "cuu voi", "cuu toi", "chay nha", "hoa hoan", "dinh tu tu", "tu tu", "nhay cau", "bat coc"}
    if strong:
        return sorted(strong)[0]
    now = cues.phrases("now") - {"se"}
    if now and ("danger" in cues or "weapons" in cues or "violence" in cues):
        return f"{sorted(now, key=len)[-1]} + {cues.first('danger', 'violence', 'weapons')}"
    if {"khan cap", "gap gap", "den ngay"} & now:
        return sorted({"khan cap", "gap gap", "den ngay"} & now)[0]
    return None
