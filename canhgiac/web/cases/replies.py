"""What a citizen is told at once, by channel-neutral text (Zalo, the web page, the API)."""

from __future__ import annotations

from canhgiac.engine import Analysis
from canhgiac.engine.labels import VERDICT_NAMES, name

_MAX_REASONS = 4


def verdict_text(analysis: Analysis) -> str:
    lines = [f"Kết quả kiểm tra: {name(VERDICT_NAMES, analysis.verdict)} (mức rủi ro {round(analysis.scam_score * 100)}/100)."]
    if analysis.reasons:
        lines.append("Lý do:")
        lines.extend(f"- {r.message}" for r in analysis.reasons[:_MAX_REASONS])
    lines.append(analysis.advice)
    return "\n".join(lines)


def auto_reply(analysis: Analysis, reference: str, *, new_case: bool) -> str:
    """The immediate answer to a message, by what the engine understood of it."""
    if analysis.intent == "scam_check" or analysis.is_scam:
        text = verdict_text(analysis)
        return f"{text}\nMã tin: {reference}. Cán bộ sẽ xem thêm nếu cần." if new_case else text
    if analysis.intent == "tip":
        urgent = " Nếu có người đang gặp nguy hiểm, hãy gọi ngay 113." if analysis.urgent else ""
        if new_case:
            return f"Đã nhận tin báo của bạn, mã tin {reference}. Cán bộ sẽ xem xét và phản hồi. Danh tính của bạn được giữ bí mật.{urgent}"
        return f"Đã nhận thêm thông tin cho tin {reference}.{urgent}"
    if analysis.intent == "question":
        return (
            f"Đã nhận câu hỏi của bạn (mã {reference}). Hệ thống trả lời tự động đang được xây dựng; "
            "cán bộ sẽ trả lời bạn trong giờ làm việc."
        )
    return f"Cảm ơn bạn. Nếu cần báo tin, hỏi thủ tục hay kiểm tra một tin nhắn lạ, hãy gửi nội dung cho chúng tôi. Mã: {reference}."
