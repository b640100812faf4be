"""What the engine's codes are called, in Vietnamese (first) and English."""

from __future__ import annotations

__all__ = ["CATEGORY_NAMES", "INTENT_NAMES", "VERDICT_NAMES", "name", "score_points", "score_text"]

INTENT_NAMES: dict[str, tuple[str, str]] = {
    "tip": ("Tin báo, tố giác", "Tip"),
    "question": ("Câu hỏi, thủ tục", "Question"),
    "scam_check": ("Nhờ kiểm tra lừa đảo", "Scam check"),
    "other": ("Khác", "Other"),
}

CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "drugs": ("Ma túy", "Drugs"),
    "theft": ("Trộm cắp, cướp giật", "Theft"),
    "gambling": ("Cờ bạc", "Gambling"),
    "smuggling": ("Buôn lậu, hàng cấm", "Smuggling"),
    "violence": ("Bạo lực, đánh nhau", "Violence"),
    "weapons": ("Vũ khí, vật liệu nổ, pháo", "Weapons and explosives"),
    "traffic": ("Giao thông", "Traffic"),
    "environment": ("Môi trường", "Environment"),
    "fraud": ("Lừa đảo đã xảy ra", "Fraud"),
    "public_order": ("Trật tự công cộng", "Public order"),
    "other": ("Khác", "Other"),
}

VERDICT_NAMES: dict[str, tuple[str, str]] = {
    "scam": ("LỪA ĐẢO", "SCAM"),
    "suspicious": ("ĐÁNG NGỜ", "SUSPICIOUS"),
    "safe": ("CHƯA THẤY DẤU HIỆU LỪA ĐẢO", "NO SIGN OF A SCAM"),
}


def name(table: dict[str, tuple[str, str]], code: str | None, language: str = "vi") -> str:
    """A code's name in the language, or the code itself when unknown."""
    if code is None:
        return "-"
    names = table.get(code)
    if names is None:
        return code
    return names[0] if language == "vi" else names[1]


def score_points(score: float) -> int:
    """A scam score (0 to 1) in points out of 100: the one way it is shown, to citizens,
    officers, in exports and on the command line."""
    return max(0, min(100, round(score * 100)))


def score_text(score: float) -> str:
    """A scam score as people read it everywhere: "82/100"."""
    return f"{score_points(score)}/100"
