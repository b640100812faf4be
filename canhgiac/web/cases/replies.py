"""What a citizen is told at once, by channel-neutral text (Zalo, the web page, the API)."""

from __future__ import annotations

from canhgiac.engine import Analysis
from canhgiac.engine.labels import VERDICT_NAMES, name, score_text

_MAX_REASONS = 4


def verdict_text(analysis: Analysis) -> str:
    lines = [f"Kết quả kiểm tra: {name(VERDICT_NAMES, analysis.verdict)} (mức rủi ro {score_text(analysis.scam_score)})."]
    if analysis.reasons:
        lines.append("Lý do:")
        lines.extend(f"- {r.message}" for r in analysis.reasons[:_MAX_REASONS])
    lines.append(analysis.advice)
    return "\n".join(lines)


def victim_text(analysis: Analysis) -> str:
    """What someone who has already lost money should do now. Never "do not transfer":
    it is too late for that, and it would tell them they were not heard."""
    accounts = analysis.indicators.bank_accounts
    receiving = ""
    if accounts:
        shown = ", ".join(f"{a.number} ({a.bank})" if a.bank else a.number for a in accounts[:2])
        receiving = f" Báo cả số tài khoản đã nhận tiền: {shown}."
    hurry = "Tiền vừa chuyển vẫn có thể được giữ lại nếu báo sớm. " if analysis.urgent else ""
    return "\n".join(
        [
            f"{hurry}Việc cần làm ngay:",
            "1. Gọi ngay tổng đài của ngân hàng bạn đã dùng để chuyển (số in sau thẻ hoặc trong ứng dụng ngân hàng), "
            f"yêu cầu tra soát và phong tỏa giao dịch.{receiving}",
            "2. Giữ lại tin nhắn, ảnh chụp màn hình cuộc trò chuyện và biên lai chuyển tiền; đừng xóa gì.",
            '3. Không trả tiền cho ai hứa "lấy lại tiền" hay "hỗ trợ thu hồi": đó cũng là lừa đảo.',
            "4. Ngừng trả lời đối tượng và không đưa thêm mã OTP hay mật khẩu cho ai.",
            "Cán bộ sẽ cần: thời gian và số tiền đã chuyển, số tài khoản nhận tiền, số điện thoại, "
            "tài khoản mạng xã hội hoặc đường link của đối tượng. Bạn có thể gửi thêm vào đây.",
        ]
    )


_IF_PAID = (
    " Nếu bạn hoặc người nhà đã chuyển tiền, hãy gọi ngay tổng đài ngân hàng đã dùng để chuyển, "
    "yêu cầu tra soát và phong tỏa giao dịch, và giữ lại tin nhắn, biên lai."
)


def auto_reply(analysis: Analysis, reference: str, *, new_case: bool) -> str:
    """The immediate answer to a message, by what the engine understood of it."""
    if analysis.victim:
        head = (
            f"Đã nhận tin báo bị lừa đảo của bạn, mã tin {reference}. Cán bộ sẽ xem xét và liên hệ với bạn."
            if new_case
            else f"Đã nhận thêm thông tin cho tin {reference}."
        )
        return f"{head}\n{victim_text(analysis)}"
    # A tip reports something that happened (a fraud among them): it gets a receipt, not
    # a scam score and advice about OTPs meant for someone asking whether to pay.
    if analysis.intent == "scam_check" or (analysis.is_scam and analysis.intent != "tip"):
        text = verdict_text(analysis)
        return f"{text}\nMã tin: {reference}. Cán bộ sẽ xem thêm nếu cần." if new_case else text
    urgent = " Nếu có người đang gặp nguy hiểm, hãy gọi ngay 113." if analysis.urgent else ""
    if not new_case:
        # Every follow-up gets the same acknowledgement, whatever the engine made of it:
        # "thêm: xe màu đỏ" is not a new question to be told about the answering system.
        return f"Đã nhận thêm thông tin cho tin {reference}.{urgent}"
    if analysis.intent == "tip":
        # A fraud tip the engine could not read a loss in ("em gửi tiền cho người ta đổi
        # ngoại tệ, giờ không nhận được USD") may still come from someone who paid: what to
        # do if so, said as a condition, is right whether or not they did.
        paid = _IF_PAID if analysis.category == "fraud" else ""
        return (
            f"Đã nhận tin báo của bạn, mã tin {reference}. Cán bộ sẽ xem xét và phản hồi. Danh tính của bạn được giữ bí mật.{urgent}{paid}"
        )
    if analysis.intent == "question":
        return (
            f"Đã nhận câu hỏi của bạn (mã {reference}). Hệ thống trả lời tự động đang được xây dựng; "
            "cán bộ sẽ trả lời bạn trong giờ làm việc."
        )
    return f"Cảm ơn bạn. Nếu cần báo tin, hỏi thủ tục hay kiểm tra một tin nhắn lạ, hãy gửi nội dung cho chúng tôi. Mã: {reference}."
