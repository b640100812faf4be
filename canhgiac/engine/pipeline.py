"""The whole analysis of one message: normalize, extract, find cues and reasons, then
classify intent, category, urgency and scam risk, each with its explanation."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

from canhgiac.engine import rules
from canhgiac.engine.config import EngineConfig
from canhgiac.engine.indicators import PERSONAL_PHONES, Indicators, extract
from canhgiac.engine.model import FeatureConfig, Features, LinearModel, text_features, text_words
from canhgiac.engine.normalize import NormalizedText, fold_diacritics, normalize
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
# Above this score a question of the sender's own is not trusted to be only that ("Bạn bị
# lừa đảo online? Đội ngũ hacker... lấy lại tiền, phí 1 triệu" scored 0.99 and was called
# safe): it gets the verdict its score says, and so an officer looks. No question of the
# public-service FAQ (280) scores above 0.7; "công an phường bắt kết bạn zalo để mở khóa
# định danh??" scored 0.86.
_OWN_QUESTION_MAX = 0.8
# Below this score, wording alone (no rule, no number, account or link) makes a message
# "suspicious", not "scam". Measured on the Pham 2016 personal SMS (3,563) and the
# development scams, after the retold scams joined the sources: no limit, 121 chats
# called scam and 93% of scams; 0.65, 64 and 89.5%; 0.8, 43 and 83%.
_WORDING_ONLY_SCAM = 0.65
# A short chat ("chị ơi em chưa nhận file nào hết nhé") carries too few words for its
# wording to be proof: up to this many words, wording alone needs this score.
_SHORT_CHAT_WORDS = 12
_WORDING_ONLY_SHORT = 0.9
# Confidence given to an intent or category a rule decided (a victim's report is a fraud
# tip whatever the models say): high, but not certainty.
_RULE_CONFIDENCE = 0.9
# A question of the sender's own ("VNeID bị khóa phải làm sao") is no forwarded message
# when it is this short (longer when it names a procedure) and names no number, account
# or link to check.
_OWN_QUESTION_WORDS = 20
_PROCEDURE_QUESTION_WORDS = 45
# Rules that show a scam is in the message itself (pasted by someone who paid), beyond
# what the model makes of the wording.
_SCAM_SIGNS = frozenset(
    {
        "impersonation_police",
        "impersonation_court",
        "impersonation_official",
        "impersonation_bank",
        "impersonation_utility",
        "impersonation_delivery",
        "impersonation_relative",
        "money_transfer_request",
        "otp_request",
        "app_install",
        "link_click",
        "lookalike_domain",
        "suspicious_link",
        "known_indicator",
    }
)
# Rules that name what a message offers, not a trick it plays.
_TOPIC_RULES = frozenset({"lure_prize", "lure_job", "lure_loan", "lure_investment"})
# Cue groups of what a tip is about: a number or link in such a message is part of the
# report (a dealer's account, a seller's number, a betting site), not a thing to check.
_TIP_TOPICS = frozenset(
    {
        "drugs",
        "gambling_tip",
        "smuggling",
        "violence",
        "weapons",
        "theft",
        "environment",
        "public_order",
        "public_order_scene",
        "environment_scene",
    }
)
# A message that opens as an office's notice: the office named, then what it does
# ("thông báo", "khuyến cáo", "mời ... đến trụ sở"), in its first words.
_OFFICE_NOTICE = re.compile(
    r"^\W*(?:thong bao (?:cua )?)?(?:[a-z]+ ){0,3}(?:cong an|csgt|canh sat giao thong|ubnd|uy ban|ca (?:xa|phuong|huyen|tinh|tp|quan)"
    # (Other offices that write to the public: the tax office, social insurance, the
    # commune's military command.)
    r"|chi cuc thue|cuc thue|bhxh|bao hiem xa hoi|ban chi huy quan su|ban chqs)\b[^.:!?\n]{0,50}?"
    r"\b(?:thong bao|khuyen cao|nhac nho|canh bao|moi (?:ong|ba|anh|chi|cong dan)|de nghi (?:nguoi dan|ba con|cac ho))\b"
)
# Tips whose subject is itself sold by message (a dealer's Zalo, a betting site's link):
# a high scam score there is the trade reported, not a forwarded scam.
_REPORTED_TRADES = frozenset({"gambling", "drugs"})
_TRADE_CUES = frozenset({"gambling_tip", "drugs"})
# The group that names a danger or something lost: what a tip in "other" is about.
# ("in_danger" holds "không ai trả lời", which a complaint about the desk also says.)
_HAZARDS = frozenset({"hazard"})
_MONEY_OR_PARCEL = frozenset({"transfer", "balance_notice", "delivery"})
# Words to the desk itself ("công an xã mình nhiệt tình", "các anh ơi", "ad ơi").
_SURRENDER = re.compile(r"\b(?:muon|can|xin|dinh) (?:\w+ )?(?:nop lai|giao nop|ban giao|nop cho cong an|tu nguyen nop)\b")
# Asking for a number, an address or a rule of the office ("cho em xin số trực ban",
# "mỗi tháng được thăm mấy lần").
_INFO_REQUEST = re.compile(
    r"\bxin (?:so|sdt|so dt|so dien thoai|dia chi|lich)\b|\bduoc (?:tham|gap) may lan\b"
    r"|\bso dien thoai (?:cua |truc ban )?(?:cong an|tram|dien luc|ubnd|uy ban)"
    # ("đường dây nóng của công an xã mình số mấy ạ", "chiều nay mấy giờ nghỉ vậy anh",
    # "gửi tin báo qua trang này thì bao lâu công an trả lời")
    r"|\bso (?:may|bao nhieu)(?: (?:a|ah|vay|the|z))?\W*$|\bmay gio (?:nghi|lam viec|mo cua|dong cua|tiep dan|lam|tra)\b"
    r"|\bbao lau (?:thi |moi |se )?(?:co|tra loi|xong|nhan|duoc)\b"
)
# Cue groups of what a scam asks or offers: with one of them, "có thật không" asks about a
# scam.
_SCAM_TOPICS = frozenset(
    {
        "transfer",
        "secret",
        "secret_request",
        "prize",
        "job",
        "loan",
        "investment",
        "upfront_fee",
        "click",
        "app",
        "contact_request",
        "threat",
    }
)
# Words each form below has: without one of them, no search.
_MISSING_WORDS = frozenset({"ve", "tich", "bo", "thay"})
_MISSING_PERSON = re.compile(
    r"\b(?:tu sang|tu chieu|tu trua|tu hom qua|tu toi qua|ca dem|di hoc|di choi) (?:\w+ ){0,3}?chua ve\b|\bmat tich\b|\bbo nha di\b|\bai thay (?:xin )?(?:bao|goi|lien he)\b"
)
# Words that report to the police, as opposed to "nhờ các anh xem giúp", which asks for a
# check.
_REPORTING = frozenset(
    {
        "bao de cac anh biet",
        "bao truoc de cac anh biet",
        "bao de cong an biet",
        "de cac anh nam",
        "bao cac anh biet",
        "bao de cac chu biet",
        "bao cac anh",
        "bao cong an xa",
        "moi nguoi can than",
        "moi nguoi chu y",
        "canh bao moi nguoi",
        "canh bao ba con",
        "ba con can than",
        "cac anh bat",
        "go giup",
        "mong cong an xu ly",
        "em canh bao",
        "toi canh bao",
        "xin canh bao",
        "moi nguoi canh giac",
        "de nghi xu ly",
        "cong an xa chu y",
        "cac anh xu ly",
        "xu ly giup",
        "moi nguoi dung",
        "dang lan truyen",
        "to giac",
        "phan anh",
        "truy bat",
        "truy tim",
        "moi nguoi can canh giac",
        "nho cong an xa thong bao",
    }
)
_NOTICE_OPENING = re.compile(
    r"\W*(?:\[?fwd\]?\W*)?(?:canh bao|khuyen cao|thong bao|nhac (?:nho|ba con)|luu y|ca (?:xa|phuong|huyen|tinh)\W)"
)
# What a report tells as done ("đã", "hôm qua", "tháng trước"): a scam's script mostly
# speaks of now and what comes next, and does not call itself a scam or a report.
_TOLD_PAST = re.compile(
    r"\b(?:da|hom qua|hom kia|hom truoc|tuan truoc|thang truoc|nam ngoai|toi qua|dem qua|luc nay|vua roi|tu thang|den gio|tong cong"
    r"|khong lien lac|bo tron|om tien|san sap|lua|du|bao cao|bao cho cac|to giac|trinh bao|chuyen lai roi)\b"
)
_FORWARDED_WHOLE = re.compile(r"\W*(?:\[?fwd?\]|fwd?:|\[?chuyen tiep\]|tin chuyen tiep:)")
_NO_LOSS = re.compile(r"\b(?:khong|ko|chua) (?:bi lua|bi mat tien|mat tien|mat dong nao)\b")
_SENT_BY_MISTAKE = re.compile(r"\W*(?:\w+\W+){0,3}?(?:gui nham|nham nhom|nham kenh|nham chat)\b")
_DESK_COMPLAINT = re.compile(
    r"\b(?:buc xuc|lam viec (?:kieu|the) (?:gi|nao)|that vong|qua te|te qua|cham qua|khong ai tiep|cu bao quay lai|thai do (?:te|kem|hach dich))\b"
)
# Someone said to pose as someone ("xưng là nhân viên ngân hàng", "giả danh").
_POSING_TOLD = re.compile(r"\b(?:xung|gia danh|mao danh|gia mao|tu nhan)\b")
# A message that opens by saying it reports ("Báo cáo công an xã: số 0523... gọi giả danh",
# "cho tôi báo: ...", "Tôi muốn báo: trên facebook có trang giả mạo"); in the middle of a
# message the same words are a scam's ("tài khoản của bạn bị báo cáo vi phạm").
_REPORT_OPENING = re.compile(
    r"\W*(?:bao cao|to cao|cho (?:toi|em|minh) bao|(?:toi|em|minh) muon bao|bao cong an)\b(?! (?:vi pham|cua|ve viec))"
)
_CHECK_ASKED = frozenset(
    {"kiem tra giup", "kiem tra ho", "check giup", "check ho", "xem giup", "xem ho", "co phai that", "that khong", "co that khong"}
)
# The sender did not do what a call or a message asked ("tôi chưa bấm", "không làm theo",
# "cúp máy rồi", "xóa luôn rồi").
_DECLINED = re.compile(
    r"\b(?:chua|khong|ko|k|chang|khong he) (?:bam|an|nhan vao|lam theo|lam gi|cai|chuyen|dua|cung cap|gui|nghe theo|tra loi|ket ban)\b"
    r"|\b(?:cup may|tat may|dap may|xoa (?:luon|roi|di|tin|het)|chan so|block (?:luon|roi))\b"
)
# ... and asks what now: whether it is dangerous, whether to report it, how to block it.
# (Not "có sao không", "is it all right?": the reviewers read that as asking about the call.)
_ASKS_NEXT = re.compile(
    r"\b(?:co (?:nguy hiem|bi lo|bi mat|bi hack|anh huong|van de|can (?:bao|trinh bao|len|lam gi|khai bao|lam))"
    r"|(?:can|nen|phai) (?:trinh bao|bao (?:cong an|ai|o dau)|lam gi|lam sao)|lam (?:sao|the nao|cach nao) (?:de )?(?:chan|kiem tra|biet|bao)"
    r"|bi lo (?:thong tin|du lieu)|lo thong tin"
    # ("thôi em không bấm, cho em hỏi trang tra cứu chính thức của CSGT là trang nào")
    r"|(?:trang|web|website|so|app|ung dung|duong day nong)(?: \w+){0,3} chinh thuc(?: \w+){0,6} (?:la (?:trang |so |app )?nao|o dau|la gi))\b"
)


# A message or call the sender (or someone close) received, told in their own words: "có
# tin báo thẻ tín dụng sắp đến hạn", "trạm y tế gọi báo mẹ tôi", "có giấy mời của Đội CSGT
# gửi về nhà", "chủ trọ nhắn".
_RECEIVED = re.compile(
    r"\b(?:co|nhan(?: duoc)?|vua nhan(?: duoc)?) (?:tin|tin nhan|sms|email|mail|cuoc goi|giay moi|giay bao|thu moi|thong bao|dt|dien thoai|sdt)\b"
    r"|\b(?:goi|nhan|nhan tin|gui email|gui tin|goi dien)(?: \w+)? (?:bao|moi|hoi)\b|\bgui ve nha\b|\b(?:chu tro|chu nha|tai xe|shipper|nha mang|ngan hang|truong|co giao|thay giao) nhan\b"
    # ("Trường gửi tin nhắn qua ứng dụng", "cục thuế gửi thông báo trong app eTax", "xe loa
    # đi quanh xã thông báo", "chủ nhà trọ nhắn zalo", "thấy thông báo trong app VNeID")
    r"|\bgui (?:tin nhan|thong bao|email|mail|thu|giay)\b|\b(?:xe loa|loa)(?: \w+){0,4} thong bao\b|\bchu nha tro nhan\b|\bthay thong bao\b"
    r"|\b(?:thong bao|nhac|moi) (?:tren|qua|trong) (?:loa|app|ung dung|zalo|nhom)\b"
    # ("... tin này có đúng không": the message named as the one received.)
    r"|\b(?:tin|tin nhan|thong bao|thu|email|giay|cuoc goi) nay\b"
)
# ...and asked whether it is all right: "ok không ạ", "bình thường phải không", "đi được
# không", "có sao không", "có cần lo không", "tin này không sao đúng không", "email thật không".
_OK_ASKED = re.compile(
    r"\b(?:ok|on|binh thuong|that|that su|dung|an toan|tin duoc|di duoc|duoc|co sao|co can lo|khong sao|ko sao|k sao|co van de gi)"
    r"(?: phai| dung)? (?:khong|ko|k|hong|hok)(?: (?:a|ah|vay|ha|nhi|mn|moi nguoi|cac bac|cac anh|ad|anh|chi|cac chu|chu|bac|co|em))*\W*$"
)


def received_asks_ok(folded: str) -> bool:
    """The sender tells of a message or call received and asks whether it is all right: a
    thing to check, in their own words (not a question about a procedure)."""
    # (The ask ends the message: only its tail is searched, as most messages are no such ask.)
    return (
        _OK_ASKED.search(folded, max(0, len(folded) - _OK_ASK_TAIL)) is not None
        and _RECEIVED.search(folded) is not None
        and _OBLIGATION.search(folded) is None
    )


_OK_ASK_TAIL = 60


# ("Nhận được giấy mời lên công an xã ..., có bắt buộc phải đến không, không đến có sao
# không?": what the sender must do, a question about the procedure.)
_OBLIGATION = re.compile(r"\bbat buoc\b|\b(?:khong|ko|k) (?:den|di|len|nop|lam|ra)(?: \w+)? (?:thi )?co sao\b")


def _thanks(p: Prepared) -> bool:
    """Thanks, wishes or praise for the desk: "Cảm ơn các anh...", "cho em gửi lời khen"."""
    return _THANKS.match(p.text.folded) is not None or _PRAISE.search(p.text.folded) is not None


def _declined_asks_next(folded: str) -> bool:
    """The sender did not do what a scam asked and asks what to do now."""
    # (What is asked is rarer than a refusal, so it is looked for first.)
    if _ASKS_NEXT.search(folded) is None:
        return False
    declined = _DECLINED.search(folded)
    return declined is not None and _ASKS_NEXT.search(folded, declined.end()) is not None


_TO_THE_DESK = re.compile(r"\b(?:cong an|cac anh|cac chu|can bo|dong chi|ad|admin|trang nay|kenh nay)\b")
# The sender's own account, card or SIM frozen, or the sender fined, in their own words.
_OWN_TROUBLE = re.compile(
    r"\b(?:tai khoan|tk|the|zalo|nick|sim|so dien thoai|vneid|dinh danh)\b(?: ngan hang| dien tu)?(?: \w+){0,2}?(?: cua)? (?:toi|em|e|minh|tui|tao)\b(?:\W+\w+){0,4}?\W+bi (?:khoa|phong toa|dong bang|tam khoa|chan|dua vao)"
    r"|\b(?:toi|em|e|minh|tui) bi (?:ngan hang )?(?:khoa tai khoan|phong toa|phat|lap bien ban|giu xe|tam giu xe)\b|^bi (?:phat|lap bien ban|giu xe)\b"
    # ("vneid hiện thị tài khoản của bạn đã bị khóa tạm thời là sao"): what the sender's own
    # app shows.
    r"|^\W*(?:app |ung dung )?(?:vneid|vssid|etax|dinh danh|dich vu cong)(?: cua (?:toi|em|e|minh))? (?:hien|hien thi|hien len|bao loi)\b[^.!?\n]{0,60}\bbi khoa"
)
# A message or a caller claiming something ("báo", "nói", "nhắn"), right before the trouble.
_CLAIMED = frozenset({"bao", "noi", "nhan", "rang", "la"})
# What was done to the sender or theirs: "bị giật điện thoại", "bị chồng đánh", "nó rút
# hết 12 triệu".
_SUFFERED = re.compile(
    r"\bbi (?:\w+ ){0,2}?(?:giat|trom|cuop|danh|chem|dam|lua|gat|rut|mat|hanh hung)\b|\b(?:no|ho) (?:rut|lay|cuom) het\b"
)
# Asking where or whether to report ("báo ai", "phản ánh ở đâu", "có nên báo công an").
_REPORT_FRAME = re.compile(
    r"\b(?:bao ai|bao (?:o )?dau|phan anh (?:o )?dau|trinh bao (?:o )?dau|to giac (?:o )?dau|co nen bao|nen bao (?:ai|cong an)|bao cong an (?:duoc|co duoc)"
    r"|lam don (?:\w+ )?(?:o dau|nop o dau|thi nop)|nop don (?:o )?dau)\b"
)
# Thanks and wishes, at the start.
# ("Chúc mừng bạn trúng thưởng" opens a scam: only wishes for a day or a year.)
# ("Anh công an trẻ hôm thứ 3 hướng dẫn mẹ em cài VNeID nhiệt tình lắm, cho em gửi lời
# khen tới anh ấy": praise, wherever it is said.)
_PRAISE = re.compile(r"\b(?:gui loi khen|xin khen ngoi|(?:xin )?cam on (?:dong chi|cac dong chi|anh|cac anh) \w+(?: \w+)? da)\b")
_THANKS = re.compile(
    # (Not a company's receipt: "Cảm ơn bạn đã đi cùng Grab. Chuyến đi ...: 142.000đ".)
    r"^(?:cam on(?! (?:ban|quy khach|qk|anh/chi) da (?:di|su dung|mua|dat|thanh toan|lua chon|tin))|xin cam on|hay lam|hay qua|tuyet voi|thank|chuc mung (?:ngay|nam moi|\d|le|tet|sinh nhat)|kinh chuc|chuc cac (?:anh|chu|dong chi|ban|thay|co|chien si|can bo|chu cong an))"
)
# Offences a question may report in passing, and someone named as doing it: "có người",
# "hàng xóm", "nhà ông Tâm", "ở xóm em".
_OFFENCES = frozenset({"drugs", "gambling_tip", "violence", "theft", "weapons", "smuggling", "public_order", "traffic", "environment"})
_REPORTABLE = _OFFENCES | _HAZARDS
# Offences a two-word message names on its own ("ghi đề", "karaoke ồn quá").
_REPORTED_OFFENCES = frozenset({"drugs", "gambling_tip", "weapons", "smuggling", "public_order"})
_SOMEONE_NAMED = re.compile(
    r"\b(?:co nguoi|co (?:nhom|dam|bon|thang|dua|may thang|may dua|thanh nien) |hang xom|nha (?:ke ben|ben canh|doi dien)|nha (?:ong|ba|anh|chi|chu|bac|thang) [a-z]+"
    r"|(?:quan|tiem|cua hang) [a-z]+ (?:dau|cuoi|o|gan|ngay|canh)|(?:o|trong) (?:xom|thon|ngo|ap|hem|kiet) )"
)
# The sender says they checked with the one who wrote, by calling: "tôi gọi lại thì đúng là
# nó", "gọi điện thì cô bảo đúng là có nhắn", "là nó nhắn thật".
_CHECKED_BY_CALL = re.compile(
    r"\b(?:goi lai|goi dien|goi hoi|da goi|goi xac minh|goi kiem tra|goi thang|goi truc tiep)\b(?:\W+\w+){0,8}?\W+(?:dung la|la that|nhan that|bao dung|xac nhan (?:la|dung|roi))\b"
    # ("tôi đã gọi lại số chồng tôi vẫn dùng, ảnh xác nhận": the number the sender knows.)
    r"|\bgoi (?:lai|thang|truc tiep) (?:\w+ ){0,2}?so (?:\w+ ){0,3}?(?:van dung|quen|cu)\b(?!(?:\W+\w+){0,4}?\W+(?:khong he|ko he|khong co|bao khong|noi khong))"
    r"|\b(?:dung la|la) (?:no|co|chu|anh|chi|em|me|bo|ba|con|ong|ban) nhan that\b"
    # ("em đã đến xem phòng, gặp chủ nhà, có hợp đồng": checked in person.)
    r"|(?<!khong )(?<!ko )\b(?:da den xem|gap chu nha|da ra chi nhanh)\b"
)
# Below this many words a topic word is chat ("trộm vía", "ăn trộm à"), not a report.
_TOPIC_TIP_WORDS = 6
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

# For someone who has already paid: what to do now. Never "do not transfer".
_VICTIM_ADVICE = (
    "Nếu tiền đã chuyển, hãy gọi ngay tổng đài ngân hàng của bạn để yêu cầu tra soát và phong tỏa giao dịch. "
    "Giữ lại tin nhắn, ảnh chụp màn hình và biên lai chuyển tiền. Không trả tiền cho ai hứa lấy lại tiền. "
    "Báo công an xã, phường: thời gian, số tiền, tài khoản nhận tiền, số điện thoại hoặc đường link của đối tượng."
)


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
    victim: bool = False
    """The sender, or someone close to them, has already lost money: a fraud tip, and the
    answer is what to do now, not a warning not to pay."""
    victim_evidence: str | None = None

    @property
    def advice(self) -> str:
        return _VICTIM_ADVICE if self.victim else _ADVICE[self.verdict]

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
            "victim": self.victim,
            "victim_evidence": self.victim_evidence,
        }


def structured_features(text: NormalizedText, cues: rules.Cues, findings: list[rules.Finding], indicators: Indicators) -> list[str]:
    """The non-word features every model sees: reasons, cue groups, indicators, shape."""
    out = ["R:" + f.code for f in findings]
    out.extend("C:" + name for name in cues.by_name if name not in rules.RULE_ONLY)
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
    # More than 40% of more than 12 letters takes at least 5 capitals: count those first.
    capitals = sum(map(str.isupper, text.clean))
    if capitals >= 5:
        letters = sum(map(str.isalpha, text.clean))
        if letters > 12 and capitals / letters > 0.4:
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
    texts: dict[tuple[Any, ...], list[str]] = field(default_factory=dict, repr=False)
    """Text features by ``FeatureConfig.text_key``: the scam and intent models read the
    same n-grams, made once."""

    @cached_property
    def words(self) -> list[str]:
        return text_words(self.text.folded)

    def text_features(self, config: FeatureConfig) -> list[str]:
        key = config.text_key
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = text_features(self.text.folded, config, self.text.clean, self.words)
        return found


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
    x = Features(p.text_features(config), config.kept(p.structured))
    if config.stacked:
        base = shipped_model("scam")
        bx = Features(p.text_features(base.features), base.features.kept(p.structured))
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

        score, reasons, unexplained = self._scam(p)
        threshold = self.scam_threshold
        is_scam = score >= threshold
        # A scam score, with a sign of one: a rule that names the trick, or a call or a
        # message retold to the sender ("gọi báo con bị tai nạn, bắt chuyển 30tr, mẹ
        # chuyển rồi").
        victim = rules.find_victim(
            text, cues, indicators, scam_signs=is_scam and ("retold" in cues or any(f.code in _SCAM_SIGNS for f in p.findings))
        )

        explanation: list[str] = []
        intent, intent_confidence = self._intent(p, is_scam, explanation, victim)
        tip_category = self._category(p) if intent == "tip" and victim is None else None
        if (
            tip_category is not None
            # ("bắt tôi chuyển tiền để xác minh" retold: a demand to pay, whatever the
            # story's offence, "hàng cấm" or "ma túy".)
            and (tip_category[0] == "fraud" or is_scam or ("retold" in cues and "transfer" in cues))
            and ("scam_ask" in cues or ("retold" in cues and ("self" in cues or "asking" in cues or "?" in text.clean)))
            and score >= self.config.suspicious_threshold
            and "asks_police" not in cues
            and not rules.tells_loss(cues)
            # ("cho tôi báo: số 0569... gọi tôi giả danh tòa án": said to be a report.)
            and not _REPORT_OPENING.match(text.folded)
        ):
            # "Có người gọi xưng cán bộ thuế bảo cài app...": a call or message retold by
            # the one it reached, with nothing lost, is a question about a scam, not a
            # report of one.
            explanation.append("Người gửi kể lại một cuộc gọi hoặc tin nhắn lừa đảo và chưa mất tiền: coi như nhờ kiểm tra.")
            intent, intent_confidence, tip_category = "scam_check", _RULE_CONFIDENCE, None
        if (
            tip_category is not None
            and tip_category[0] not in _REPORTED_TRADES
            # (A fraud tip in the sender's own words, "tôi đã trả 1tr2", may tell a loss the
            # rules could not read: it stays a report. Not when it is a scam's script
            # speaking to its reader: "thằng con mày nợ app 12 triệu", "chị trả thay 3tr5",
            # a message that names no one as a fake and tells no loss.)
            and not (
                tip_category[0] == "fraud"
                and "self" in cues
                and (rules.names_a_fake(text) or "tip_strong" in cues or _TOLD_PAST.search(text.folded) is not None)
            )
            and is_scam
            and not cues.any_of(_TRADE_CUES)
            and "asks_police" not in cues
            and ("tip_strong" not in cues or _lure_told_of(p))
            and not rules.tells_loss(cues)
        ):
            # "Mẹ ơi con bị công an giữ vì đánh nhau, phải nộp phạt 12 triệu": a scam script
            # whose story names an offence. Scored a scam and reporting nothing, it is
            # forwarded to be checked, not a tip about the offence it makes up.
            explanation.append("Nội dung là tin lừa đảo, không phải tin báo về hành vi vi phạm: coi như nhờ kiểm tra.")
            intent, intent_confidence, tip_category = "scam_check", _RULE_CONFIDENCE, None
        in_progress = _scam_in_progress(p) if victim is None else None
        if in_progress is not None:
            # "Mẹ tôi đang nghe điện thoại của người xưng công an, bảo ra ngân hàng rút tiền,
            # giúp tôi với": nothing lost yet, and minutes to stop it. An officer must see it
            # now, as an urgent fraud report, not as a check answered with advice.
            explanation.append(f"Một vụ lừa đảo đang diễn ra ('{in_progress}'): báo khẩn cho cán bộ.")
            intent, intent_confidence, tip_category = "tip", _RULE_CONFIDENCE, ("fraud", _RULE_CONFIDENCE)
        # "người nhà bị tạm giữ, muốn vào thăm cần gì": words a scam also uses, in a
        # question of the sender's own with nothing in it to pay, call or open. The score
        # stays what the model said; the verdict does not follow it.
        own_question = intent == "question" and _own_question(p) and score < _OWN_QUESTION_MAX
        # (A question about the sender's own frozen account or fine may still be a scam's
        # aftermath: it is not called a scam, and above the bar an officer looks.)
        if intent == "question" and is_scam and not own_question and _own_trouble(p):
            explanation.append("Câu hỏi về việc của chính người gửi: không chấm là lừa đảo, để cán bộ xem.")
            is_scam, own_question = False, False
        if own_question and score >= self.config.suspicious_threshold:
            explanation.append("Câu hỏi của chính người gửi, không có số, tài khoản hay link: không chấm là lừa đảo.")
            is_scam = False
        limit = _WORDING_ONLY_SHORT if len(cues.words) <= _SHORT_CHAT_WORDS else _WORDING_ONLY_SCAM
        # A mobile number to pay a deposit or fee through ("cọc 300k giữ lịch, zalo 09..."),
        # or to call or add ("liên hệ 0382...", "kết bạn zalo 09..."), reaches the scammer
        # as an account does. (Measured on the session-5 review scams: 181 → 185 of 205
        # called scam; look-alikes called scam unchanged on the development sets, the
        # reviews and IE403; Pham 2016 personal SMS called scam 39 → 40 of 3,563.)
        mobile = any(phone.kind in PERSONAL_PHONES for phone in indicators.phones)
        pay_by_phone = mobile and ("upfront_fee" in cues or "contact_request" in cues)
        nothing_to_pay_or_open = not (indicators.links or indicators.bank_accounts or pay_by_phone)
        wording_only = nothing_to_pay_or_open and all(r.code == "scam_wording" for r in reasons)
        # A lure names a topic (a prize, a loan, a job), not a trick: with no link or account
        # to pay or open ("Chương trình tri ân khách hàng: điểm tích lũy đã được cộng";
        # "Tuyển tài xế, lương 12-15 triệu, liên hệ anh Phúc 0909...") it is no more than
        # wording, and below the bar an officer looks.
        topic_only = nothing_to_pay_or_open and all(r.code == "scam_wording" or r.code in _TOPIC_RULES for r in reasons)
        # A police or ministry warning describes the scam it warns of: its wording is the
        # scam's, and only a rule that holds despite the warning (see rules.is_warning)
        # may call it one.
        warning = rules.is_warning(cues, indicators) and topic_only
        # An appeal naming the Fatherland Front or the Red Cross, with only wording against
        # it: unsure, not a scam ("kêu gọi ủng hộ lũ lụt của Mặt trận ..., stk 1055 xxxx").
        official_appeal = "charity" in cues and "charity_official" in cues and wording_only
        # "con trai tôi nhắn ... là nó nhắn thật, tôi gọi lại rồi": the sender checked
        # with the person by another way. Not a scam for certain, and not safe either
        # (a cloned voice answers too): an officer looks.
        checked = is_scam and not indicators.links and _CHECKED_BY_CALL.search(text.folded) is not None
        # "mang CCCD đến phòng giao dịch gần nhất", "thanh toán qua app Home Credit", "đến
        # Đội CSGT mang theo đăng ký xe": a notice that sends the reader to the office, a
        # counter or the company's own app, with no stranger's number, account or link.
        # Its threats are a real reminder's ("quá hạn", "tạm khóa"): unsure, an officer
        # looks, never "scam" on wording and the office's name alone.
        sent_to_office = (
            is_scam
            and _OFFICIAL_ROUTE.search(text.folded) is not None
            and not indicators.bank_accounts
            and not any(phone.kind in PERSONAL_PHONES for phone in indicators.phones)
            and all(link.official for link in indicators.links)
            and all(r.code in _ROUTE_CAPPED for r in reasons)
            # ("cập nhật trên app EVNCPC mới, gửi link cài": the app comes by a link.)
            and "click" not in cues
            # ("có người gọi xưng là nhân viên Agribank ... ngân hàng chỉ làm trên app hoặc ra
            # quầy": the route is the sender's own remark about a caller they call a fake.)
            and _POSING_TOLD.search(text.folded) is None
        )
        if sent_to_office:
            explanation.append("Thông báo hướng người nhận đến trụ sở, quầy giao dịch hoặc ứng dụng chính thức: để cán bộ xem.")
            is_scam = False
        if is_scam and checked:
            explanation.append("Người gửi cho biết đã gọi lại xác minh với người nhắn: để cán bộ xem.")
            is_scam = False
        # Thanks or praise for the desk, whatever words it shares with scams ("cho em gửi
        # lời khen chị cán bộ một cửa ... làm giấy tờ tận tình"), asks nothing of anyone.
        thanks = intent == "other" and wording_only and _thanks(p)
        if is_scam and (warning or official_appeal or thanks or (score < limit and (wording_only or topic_only))):
            # Only the wording, nothing to call, open or pay, and no rule: chat between
            # people reads like the chattiest scams. Unsure, so an officer looks.
            explanation.append(
                "Lời cảm ơn hoặc lời khen, không yêu cầu gì: không chấm là lừa đảo."
                if thanks
                else "Chỉ có cách viết giống tin lừa đảo và một số điện thoại, không có tài khoản, link hay dấu hiệu cụ thể: để cán bộ xem."
                if indicators.phones
                else "Chỉ có cách viết giống tin lừa đảo, không có số, tài khoản, link hay dấu hiệu cụ thể: để cán bộ xem."
            )
            is_scam = False
        # A recognised warning with nothing in it to call, pay or open is safe, however much
        # of the scam it describes: the citizen is told it is an awareness notice.
        verdict = (
            "scam"
            if is_scam
            else "suspicious"
            if score >= self.config.suspicious_threshold and not own_question and not warning and not thanks
            else "safe"
        )
        if unexplained is not None and verdict != "safe":
            reasons = _model_evidence(self.scam_model, unexplained)
        verdict, reasons = self._settle(p, intent, verdict, reasons, victim)
        category: str | None = None
        category_confidence: float | None = None
        urgent = False
        urgent_evidence = None
        if victim is not None:
            category, category_confidence = "fraud", _RULE_CONFIDENCE
            urgent_evidence = victim.recent or _urgency(cues, text, category)
            urgent = urgent_evidence is not None
        elif tip_category is not None:
            category, category_confidence = tip_category
            # "Chồng tôi vừa chuyển 35 triệu theo tin nhắn của 'giám đốc'": a fraud tip with
            # money paid within hours is urgent (the bank may still stop it), whoever paid.
            paid = rules.recent_loss(text, cues) if category == "fraud" else None
            urgent_evidence = in_progress or paid or _urgency(cues, text, category)
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
            victim=victim is not None,
            victim_evidence=victim.evidence if victim is not None else None,
        )

    # ------------------------------------------------------------------ stages

    def _scam(self, p: Prepared) -> tuple[float, list[Reason], Features | None]:
        """The scam score and its reasons; and the message as the model saw it when
        nothing explains the score yet (see ``_model_evidence``)."""
        model = self.scam_model
        x = features_for(p, model.features)
        findings = p.findings
        margin = model.margins(x)[0]
        weights = model.weights[0]
        reasons = []
        unexplained = None
        for finding in findings:
            fixed = _FIXED_WEIGHTS.get(finding.code)
            if fixed is not None:
                margin += fixed
                weight = fixed
            else:
                weight = weights.get("R:" + finding.code, 0.0)
            reasons.append(Reason(finding.code, finding.message, finding.evidence, weight))
        pushing = [(w, f) for f in x.text if (w := weights.get(f, 0.0)) > 0]
        wording = x.scale * sum(map(itemgetter(0), pushing))
        if wording >= _WORDING_REASON_MIN:
            top = [f for _, f in sorted(pushing, reverse=True)[:3]]
            evidence = ", ".join(f[2:] for f in top)
            reasons.append(Reason("scam_wording", rules.reason_message("scam_wording"), evidence, wording))
        elif not reasons:
            # No rule and no single wording carries it: the model's own evidence, found
            # only for a verdict that shows its reasons (see ``_model_evidence``).
            unexplained = x
        # What a rule found names the trick ("asks for the OTP"); "worded like a scam" says
        # less, so it comes after them whatever its weight (a reply shows the first four).
        reasons.sort(key=lambda r: (r.code == "scam_wording", -r.weight))
        score = 1.0 / (1.0 + math.exp(-margin)) if margin > -30 else 0.0
        return score, reasons, unexplained

    def _settle(
        self, p: Prepared, intent: str, verdict: str, reasons: list[Reason], victim: rules.Victim | None
    ) -> tuple[str, list[Reason]]:
        """The verdict said with its reason: when unsure, that an officer will look; when
        safe, why."""
        if verdict == "scam":
            return verdict, reasons
        review = rules.reason_message("officer_review")
        if verdict == "suspicious":
            return verdict, [*reasons, Reason("officer_review", review, "", 0.0)]
        if victim is not None:
            # Money was lost to whatever it is: never "safe".
            return "suspicious", [Reason("officer_review", review, victim.evidence, 0.0)]
        unchecked = _unchecked_request(p)
        if intent == "scam_check" and unchecked is not None:
            return "suspicious", [Reason("officer_review", review, unchecked, 0.0)]
        # ("bv gọi đòi tiền mổ cho con qua điện thoại có lừa không", "mua chó qua mạng bắt
        # chuyển phí kiểm dịch": a stranger's demand for money, retold with no number to
        # check, is never called safe.)
        demand = _MONEY_DEMANDED.search(p.text.folded) if intent == "scam_check" and not rules.is_warning(p.cues, p.indicators) else None
        if demand is not None:
            return "suspicious", [Reason("officer_review", review, demand.group(0), 0.0)]
        code, evidence = _why_safe(p)
        return "safe", [Reason(code, rules.reason_message(code), evidence, 0.0)]

    def _intent(self, p: Prepared, is_scam: bool, explanation: list[str], victim: rules.Victim | None = None) -> tuple[str, float]:
        model = self.intent_model
        text, indicators, cues = p.text, p.indicators, p.cues
        if not cues.words:
            explanation.append("Tin nhắn không có chữ nào: xếp vào 'khác'.")
            return "other", 1.0
        if victim is not None:
            explanation.append(
                f"Người gửi hoặc người thân đã mất tiền ('{victim.evidence}'): đây là tin báo lừa đảo, không phải nhờ kiểm tra."
            )
            return "tip", _RULE_CONFIDENCE
        x = features_for(p, model.features)
        probabilities = model.probabilities(x)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        intent, confidence = model.classes[best], probabilities[best]
        if _OFFICE_NOTICE.match(text.folded):
            # "Phòng CSGT Công an tỉnh khuyến cáo: ...", "Công an phường mời anh ... đến trụ
            # sở": a notice in an office's own words, forwarded to ask whether it is real.
            explanation.append("Tin mở đầu bằng thông báo của một cơ quan: coi như nhờ kiểm tra.")
            return "scam_check", probabilities[model.classes.index("scam_check")]
        if (
            intent == "scam_check"
            and (cues.phrases("asks_police") & _REPORTING or _REPORT_OPENING.match(text.folded))
            and not cues.phrases("scam_ask") & _CHECK_ASKED
            and "scam_ask_strong" not in cues
            # ("cả xóm đều nhận tin nhắn giả EVN, nhờ các anh cảnh báo": messages received,
            # told of; a pasted one is quoted.)
            and ("forward" not in cues or not rules.has_quote(text.folded))
            and not rules.is_warning(cues, indicators)
            # ("CẢNH BÁO: Công an không làm việc qua điện thoại ...", "CA xã: người dân có
            # thể gửi tố giác ...": a notice to the public, forwarded.)
            and not _NOTICE_OPENING.match(text.folded)
            # (A sender who opens "Tôi muốn báo:" speaks for themself, whatever "người dân"
            # the report names.)
            and ("nguoi dan" not in text.folded or _REPORT_OPENING.match(text.folded))
            # ("[Fwd] Công an TP tiếp nhận đơn tố giác của bạn ... cài đặt ứng dụng": a
            # message forwarded whole, in the office's voice.)
            and not _FORWARDED_WHOLE.match(text.folded)
        ):
            # "Có người xưng cán bộ điện lực đi từng nhà thu tiền thay công tơ, mọi người cẩn
            # thận", "trang web ... giả mạo ngân hàng, báo để các anh biết": a scam reported
            # to the police, not a message sent to be checked.
            explanation.append("Người gửi báo cho công an về một vụ lừa đảo, không nhờ kiểm tra: coi là tin báo.")
            return "tip", probabilities[model.classes.index("tip")]
        if (
            intent != "tip"
            and "scam_ask_strong" not in cues
            and not _MISSING_WORDS.isdisjoint(cues.words)
            and _MISSING_PERSON.search(text.folded) is not None
        ):
            # "Con tôi 13 tuổi đi học từ sáng chưa về ... Ai thấy báo gia đình số 0981...":
            # a missing person, whatever number is given to call.
            tip = probabilities[model.classes.index("tip")]
            explanation.append("Báo người mất tích hoặc chưa về: coi là tin báo.")
            return "tip", tip
        if "scam_ask_strong" not in cues and _declined_asks_next(text.folded):
            # "gọi xưng công an bắt chuyển tiền, tôi cúp máy rồi, giờ có cần lên trình báo
            # không", "tôi chưa bấm link, xóa luôn rồi, có bị lộ thông tin không": the sender
            # did not do what the scam asked and asks what now; a question (the scam in
            # it still gets its verdict).
            explanation.append("Người gửi không làm theo và hỏi giờ nên làm gì: coi là câu hỏi.")
            return "question", probabilities[model.classes.index("question")]
        if not indicators and _SENT_BY_MISTAKE.match(text.folded) is not None:
            # "hi hi em gửi nhầm, tin nhắn về việc đóng tiền học thêm của lớp 7A ạ": sent
            # here by mistake, whatever it was about.
            explanation.append("Người gửi nói đã gửi nhầm: xếp vào 'khác'.")
            return "other", max(confidence, probabilities[model.classes.index("other")])
        if intent == "question" and not indicators and _DESK_COMPLAINT.search(text.folded) is not None and "how" not in cues:
            # "lên xã làm tạm trú mà chờ cả buổi sáng không ai tiếp, bức xúc quá", "gọi đường
            # dây nóng 3 lần không ai nghe máy, công an xã làm việc kiểu gì vậy": a complaint
            # about the desk, which an officer reads; nothing is asked to be answered.
            explanation.append("Lời phàn nàn về cách làm việc, không hỏi thủ tục: xếp vào 'khác' để cán bộ đọc.")
            return "other", max(confidence, probabilities[model.classes.index("other")])
        if received_asks_ok(text.folded) and "how" not in cues:
            # "Trạm y tế gọi báo mẹ tôi đến khám ... Đi được không ạ", "có tin báo thẻ tín
            # dụng sắp đến hạn thanh toán, ko có link ... ok ko": a message received, told in
            # the sender's words, to be checked.
            explanation.append("Người gửi kể lại tin nhắn hoặc cuộc gọi đã nhận và hỏi có ổn không: coi như nhờ kiểm tra.")
            return "scam_check", max(confidence, probabilities[model.classes.index("scam_check")])
        if (
            _thanks(p)
            and (not is_scam or not p.findings)
            and not indicators
            and not cues.any_of(_TIP_TOPICS)
            # ("nhờ vậy mà mẹ em không bị lừa": a loss denied is no loss.)
            and ("loss" not in cues or _NO_LOSS.search(text.folded) is not None)
            and "scam_ask" not in cues
        ):
            # "Chúc mừng ngày truyền thống Công an nhân dân!", "hay lắm, cảm ơn đã chia sẻ
            # cảnh báo": thanks and wishes, whatever they mention.
            explanation.append("Lời cảm ơn hoặc lời chúc: xếp vào 'khác'.")
            return "other", max(confidence, probabilities[model.classes.index("other")])
        if cues.any_of(_REPORTABLE) and not indicators.bank_accounts and _REPORT_FRAME.search(text.folded):
            # "Quán karaoke đầu xóm hát đến 2h sáng thì phản ánh ở đâu ạ?", "nhà kế bên đánh
            # vợ con suốt, có nên báo công an không": asks where to report what it reports.
            explanation.append("Hỏi báo ở đâu về một việc cụ thể đang xảy ra: coi là tin báo.")
            return "tip", probabilities[model.classes.index("tip")]
        # "Nếu lỡ đọc mã cho người lạ thì có sao không": a supposition opening the message
        # asks what would happen; nothing was forwarded to check.
        supposes = any(m.position <= 1 for m in cues.by_name.get("hypothetical", ()))
        # ("có nên làm căn cước cho con sớm không", "làm cccd xong phải làm vneid, có thật
        # không", "xe lạ lượn quanh xóm, có phải đáng ngờ không": "có nên", "thật không"
        # about a procedure or a tip, with nothing in it to check.)
        nothing_to_check = (
            not indicators
            and "forward" not in cues
            and "retold" not in cues
            and not cues.any_of(_SCAM_TOPICS)
            and ("procedure" in cues or cues.any_of(_TIP_TOPICS))
        )
        if (
            intent != "scam_check"
            and "scam_ask_strong" in cues
            and "loss" not in cues
            and "how" not in cues
            and not supposes
            and not nothing_to_check
        ):
            explanation.append("Người gửi hỏi đây có phải lừa đảo không, và chưa mất tiền: coi như nhờ kiểm tra.")
            return "scam_check", max(confidence, probabilities[model.classes.index("scam_check")])
        # "asking", not "question": the wider group holds topic words ("thủ tục", "hồ sơ")
        # and a bare "không", which every notice has ("người dân không cần mang theo...").
        asking = "?" in text.clean or "asking" in cues or "how" in cues or "scam_ask" in cues
        reporting = "tip_strong" in cues or cues.any_of(_TIP_TOPICS)
        question = probabilities[model.classes.index("question")]
        if intent == "scam_check" and reporting and "scam_ask" not in cues and "forward" not in cues and not is_scam:
            # "Có người bán pháo qua Zalo, số 09...": the number is part of the report, and
            # a report with no scam in it has nothing to check.
            tip = probabilities[model.classes.index("tip")]
            if question > tip and asking:
                explanation.append("Hỏi về việc báo tin, không có dấu hiệu lừa đảo cần kiểm tra: coi là câu hỏi.")
                return "question", question
            if tip > 0.05:
                explanation.append("Tin báo về một hành vi vi phạm; số điện thoại, tài khoản hay link trong đó là một phần của tin báo.")
                return "tip", tip
        # ("Các anh ơi làm sao để biết...": after a greeting too.)
        opening = 1 if "oi" not in cues.words[:3] else cues.words.index("oi") + 2
        # ("Các anh cho hỏi cách kiểm tra ...": after "cho hỏi" too.)
        if "hoi" in cues.words[:5] and cues.words[cues.words.index("hoi") - 1 : cues.words.index("hoi")] in (
            ["cho"],
            ["xin"],
            ["em"],
            ["toi"],
        ):
            opening = max(opening, cues.words.index("hoi") + 2)
        if (
            any(m.position <= opening for m in cues.by_name.get("how", ()))
            and not indicators
            and "forward" not in cues
            and "retold" not in cues
            and _SUFFERED.search(text.folded) is None
        ):
            # "Cách kiểm tra một số tài khoản có phải lừa đảo không?": asks how to check,
            # and gives nothing to check.
            explanation.append("Hỏi cách làm, không có số, tài khoản, link hay tin nhắn nào cần kiểm tra: coi là câu hỏi.")
            return "question", question
        if intent in ("scam_check", "tip", "question") and _own_trouble(p):
            # "Tài khoản ngân hàng của tôi bị phong tỏa ... tôi phải làm gì", "bị phạt 6
            # triệu do nồng độ cồn, có được nộp nhiều lần không": the sender's own trouble,
            # in their own words, with nothing forwarded or retold: a question.
            explanation.append(
                "Người gửi hỏi về việc của chính mình (tài khoản bị khóa, bị phạt), không chuyển tiếp tin nào: coi là câu hỏi."
            )
            return "question", question
        if intent == "scam_check" and "procedure" in cues and _own_question(p) and question > 0.05:
            # "Thời hạn giải quyết hỗ trợ chi phí mai táng là bao lâu?": a procedure asked
            # about, with nothing in it to pay, call or open.
            explanation.append("Hỏi về một thủ tục, không có số, tài khoản, link hay yêu cầu chuyển tiền: coi là câu hỏi.")
            return "question", question
        if intent in ("other", "question") and indicators and asking and "how" not in cues and not reporting and "procedure" not in cues:
            explanation.append("Người gửi hỏi về một số điện thoại, tài khoản hoặc đường link: coi như nhờ kiểm tra.")
            return "scam_check", max(confidence, probabilities[model.classes.index("scam_check")])
        if intent in ("other", "question") and is_scam and not (intent == "question" and _own_question(p)):
            explanation.append("Nội dung mang dấu hiệu lừa đảo: coi như nhờ kiểm tra.")
            return "scam_check", max(confidence, probabilities[model.classes.index("scam_check")])
        if intent != "scam_check" and len(cues.words) <= _SHORT_WORDS and indicators and not reporting:
            explanation.append("Tin nhắn chỉ gồm số điện thoại, tài khoản hoặc đường link: coi như nhờ kiểm tra.")
            return "scam_check", confidence
        if (
            intent == "scam_check"
            and not is_scam
            and not indicators
            and "scam_ask" not in cues
            and "forward" not in cues
            and ("asking" in cues or "how" in cues or "?" in text.clean)
            and probabilities[model.classes.index("question")] > 0.05
        ):
            explanation.append(
                "Không có số điện thoại, tài khoản, đường link hay dấu hiệu lừa đảo cần kiểm tra, và có từ để hỏi: coi là câu hỏi."
            )
            return "question", probabilities[model.classes.index("question")]
        if (
            intent == "question"
            and cues.any_of(_OFFENCES)
            and _SOMEONE_NAMED.search(text.folded)
            and "hypothetical" not in cues
            and "procedure" not in cues
        ):
            # "Ở xóm em có người bán ma túy thì báo ai ạ?", "nhà ông Tâm đánh bạc, công an
            # có xử lý được không": asked as a question, but it names who does what: a report.
            tip = probabilities[model.classes.index("tip")]
            explanation.append("Hỏi nhưng nêu rõ ai đang vi phạm ở đâu: coi là tin báo.")
            return "tip", tip
        info_request = _INFO_REQUEST.search(text.folded) is not None
        if (
            # (Also what the scam model took for a check: "đường dây nóng của công an phường
            # mình là số mấy vậy" has no rule of a scam in it.)
            (
                intent == "other"
                or (intent == "scam_check" and info_request and not p.findings and "forward" not in cues and "retold" not in cues)
            )
            and (info_request or ("procedure" in cues and "muon" in cues.words))
            and not indicators
            and len(cues.words) >= _SHORT_WORDS
            and not cues.any_of(_TIP_TOPICS)
        ):
            # "cho mình xin số điện thoại trực ban công an xã", "mình muốn đăng ký tạm vắng
            # đi làm ăn xa": a request for information or a procedure, without a question
            # mark.
            explanation.append("Xin thông tin hoặc hỏi về một thủ tục: coi là câu hỏi.")
            return "question", probabilities[model.classes.index("question")]
        if (
            intent in ("other", "tip")
            and "weapons" in cues
            and _SURRENDER.search(text.folded) is not None
            and "tip_strong" not in cues
            and "bao" not in cues.words
        ):
            # "cho e hỏi e muốn nộp lại quả lựu đạn ông ngoại giữ từ hồi chiến tranh": how
            # to hand in one's own weapon, a procedure.
            explanation.append("Hỏi cách giao nộp vũ khí, vật liệu nổ của mình: coi là câu hỏi.")
            return "question", probabilities[model.classes.index("question")]
        short_offence = len(cues.words) >= 2 and cues.any_of(_REPORTED_OFFENCES)
        if intent == "other" and (len(cues.words) >= _TOPIC_TIP_WORDS or short_offence) and (reporting or cues.any_of(_HAZARDS)):
            # "Có con chó dữ thả rông cắn 2 đứa trẻ rồi", "thằng chồng tôi đi chơi bài suốt
            # đêm": told like chat, but what it tells is an offence or a danger, sent to the
            # police.
            tip = probabilities[model.classes.index("tip")]
            explanation.append("Kể về một hành vi vi phạm hoặc một mối nguy: coi là tin báo.")
            return "tip", tip
        if (
            intent == "other"
            and (indicators.amounts or indicators.bank_accounts or cues.any_of(_MONEY_OR_PARCEL))
            and not _TO_THE_DESK.search(text.folded)
        ):
            # "Mẹ ơi con gửi mẹ 2 triệu rồi nha", "em shipper, đơn 156k chị trả tiền mặt hay
            # ck": a chat about money or a parcel, sent to the police desk. Nobody sends that
            # desk their family's chat to chat: it is forwarded to be checked.
            explanation.append("Tin nhắn trò chuyện về tiền hoặc đơn hàng, gửi lên kênh: coi như nhờ kiểm tra.")
            return "scam_check", probabilities[model.classes.index("scam_check")]
        top = [f for f, w in model.contributions(x, best)[:3] if w > 0]
        if top:
            explanation.append(f"Ý định '{intent}' vì: " + ", ".join(f.split(":", 1)[1] for f in top))
        return intent, confidence

    def _category(self, p: Prepared) -> tuple[str, float]:
        model = self.category_model
        x = features_for(p, model.features)
        probabilities = model.probabilities(x)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        category = model.classes[best]
        # "Tiệm vàng vừa bị cướp, thằng cướp cầm dao", "trộm chó bằng súng điện": the act
        # is the theft, the knife or the stun gun what it was done with. Not when someone
        # was hurt ("cướp rồi đâm người"): that is violence.
        if category in _TAKEN_FOR and p.cues.phrases("theft") & _TAKING and _HURT.search(p.text.folded) is None:
            return "theft", probabilities[model.classes.index("theft")]
        # "Chồng tôi nghiện ma túy đá, tối nay cầm dao đòi chém con": the drug is why, the
        # attack on a person what is reported.
        if category == "drugs" and p.cues.phrases("violence") & _ATTACKS:
            return "violence", probabilities[model.classes.index("violence")]
        # "đâm người ở quán nhậu, máu chảy nhiều": a fight with someone hurt is violence,
        # wherever it happened.
        if category == "public_order" and _INJURED.search(p.text.folded) is not None:
            return "violence", probabilities[model.classes.index("violence")]
        # "xe tải chở pháo lậu từ Lào về": fireworks and explosives are weapons however
        # they came; "nổ mìn khai thác đá trái phép": blasting for an illegal quarry is
        # the quarry's offence.
        # ("xe tải chở gỗ lậu từ rừng phòng hộ ra vào ban đêm"): timber taken from a forest
        # is logging, an environment offence, however it is carried.
        if category in ("smuggling", "theft") and _LOGGING.search(p.text.folded) is not None:
            return "environment", probabilities[model.classes.index("environment")]
        if category == "smuggling" and _FIREWORKS.search(p.text.folded) is not None and _OTHER_CONTRABAND.search(p.text.folded) is None:
            return "weapons", probabilities[model.classes.index("weapons")]
        if category == "weapons" and _QUARRY.search(p.text.folded) is not None:
            return "environment", probabilities[model.classes.index("environment")]
        # ("giả cán bộ điện lực đi thay công tơ, thu 500k", "gọi dọa có bưu phẩm chứa ma
        # túy, đòi 30 triệu"): someone posing, for money. The offence is the fraud, not the
        # story it tells.
        if category != "fraud" and rules.names_a_fake(p.text) and _FEE_TAKEN.search(p.text.folded) is not None:
            return "fraud", probabilities[model.classes.index("fraud")]
        folded = p.text.folded
        # ("cãi nhau chuyện chia đất, đập bàn ghế, chưa ai bị thương", "tụ tập đòi lương,
        # chưa có xô xát"): no one hurt, said outright, and no blade: disorder.
        if category == "violence" and _NO_HARM.search(folded) is not None and not p.cues.phrases("violence") & _ATTACKS:
            return "public_order", probabilities[model.classes.index("public_order")]
        # ("tông một người đi xe đạp rồi bỏ chạy"): a hit-and-run is a traffic offence,
        # whoever needs help.
        if category in ("other", "violence") and _HIT_AND_RUN.search(folded) is not None:
            return "traffic", probabilities[model.classes.index("traffic")]
        if (
            category in ("fraud", "other", "public_order", "violence")
            and _LOAN_SHARKS.search(folded) is not None
            and _MENACES.search(folded) is not None
        ):
            return "violence", probabilities[model.classes.index("violence")]
        # ("xịt sơn vẽ bậy lên tường nhà văn hóa"): vandalism is disorder.
        if (
            category in ("drugs", "other", "environment", "traffic", "theft", "violence")
            and _VANDALISM.search(folded) is not None
            and _INJURED.search(folded) is None
        ):
            return "public_order", probabilities[model.classes.index("public_order")]
        # ("nhìn vào thấy đang hít", "con tôi nghiện ..., có đứa bán cho nó"): drug use or
        # dealing, wherever it happens.
        if category in ("smuggling", "other", "fraud", "public_order", "theft") and _DRUG_SIGNS.search(folded) is not None:
            return "drugs", probabilities[model.classes.index("drugs")]
        # ("nhân viên thu ngân rút tiền két mỗi ngày"): taking from the till is theft.
        if category == "fraud" and _TILL.search(folded) is not None:
            return "theft", probabilities[model.classes.index("theft")]
        return category, probabilities[best]


_TAKEN_FOR = frozenset({"weapons", "violence", "other", "traffic", "public_order"})
_TAKING = frozenset(
    {
        "cuop",
        "trom",
        "an trom",
        "cuop giat",
        "trom cho",
        "trom xe",
        "trom bo",
        "trom ga",
        "bi trom",
        "trom cuop",
        "thao trom",
        "hai trom",
        "lay trom",
        "be trom",
        "cat trom",
        "lay vang",
        "cat cap",
        "cat day cap",
        "treo vao nha",
    }
)
_ATTACKS = frozenset({"chem", "dam", "danh vo", "danh con", "giet", "bop co", "doa giet", "doa chem", "duoi chem", "ruot chem"})
# Someone hurt or beaten ("vây đánh", "bị thương", "bất tỉnh"): then it is violence.
# Someone injured, not only a fight ("đánh nhau" with no one hurt is disorder).
_INJURED = re.compile(
    r"(?<!chua ai )(?<!khong ai )(?<!ko ai )(?<!khong )(?<!chua )(?<!ko )"
    r"\b(?:bi thuong|chay mau|mau chay|be bet mau|bat tinh|nhap vien|di cap cuu|dua di cap cuu|bi dam|bi chem|gay tay|vo dau|guc)\b"
)
_LOGGING = re.compile(r"\b(?:rung phong ho|rung dac dung|rung tu nhien|chat pha rung|pha rung|khai thac go|cua go|go lim|go quy)\b")
_NO_HARM = re.compile(r"\b(?:chua|khong|ko|k) (?:ai |co ai |co )?(?:bi thuong|xo xat|danh nhau|hanh hung|bi danh)\b")
_HIT_AND_RUN = re.compile(
    r"\bxe\b[^.!?\n]{0,60}?\b(?:tong|dam vao|dam phai|va vao|va cham|huc|can|quet) [^.!?\n]{0,80}?\b(?:bo chay|bo tron|phong (?:xe )?(?:mat|di)|chay mat)\b"
)
_VANDALISM = re.compile(
    r"\b(?:ve bay|xit son|viet bay|boi ban|dap pha (?:cot|bien|tram|den|quan|cua|guong)|pha hoai (?:cot|bien|tram|den|tai san)|pha hong|be gay|be guong)\b"
)
# A loan shark's or debt collector's threats ("bọn cho vay nặng lãi nhắn tin dọa đến nhà xử
# lý cả vợ con", "đòi nợ thuê tạt sơn, dọa giết"): violence, whatever the debt.
_LOAN_SHARKS = re.compile(r"\b(?:cho vay nang lai|vay nang lai|doi no thue|tin dung den|xa hoi den)\b")
_MENACES = re.compile(r"\b(?:doa|tat son|tat axit|nem mam tom|nem chat ban|chem|giet|xu ly)\b")
_DRUG_SIGNS = re.compile(
    r"\b(?:dang hit|hit (?:da|ke|bong|co|ma tuy|heroin)|chich (?:ma tuy|heroin)|nghien (?:ma tuy|hut|da|ke|heroin)|con (?:toi|em|minh) nghien"
    r"|can dien tu|(?:dua|ke|nguoi) ban (?:cho|thuoc cho) (?:no|con|chau))\b"
)
_TILL = re.compile(r"\b(?:tien (?:trong )?ket|ket tien|an cap|lay tien (?:cua )?(?:quan|cua hang|cong ty))\b")
_FIREWORKS = re.compile(r"\b(?:phao (?:lau|no|hoa no|tet|tu che|trung|bi)|thuoc phao|thuoc no|kip no|luu dan)\b")
_QUARRY = re.compile(r"\b(?:khai thac (?:da|cat|soi|quang|vang) trai phep|(?:ban|no) min (?:pha da|khai thac))\b")
# Other contraband named with the fireworks: the load is smuggled goods.
_FEE_TAKEN = re.compile(r"\b(?:thu|doi|bat (?:nop|chuyen|dong)|nop|dong) (?:\w+ ){0,3}?(?:tien|phi|\d+\s?(?:k|tr|trieu|nghin|d)\b)")
_OTHER_CONTRABAND = re.compile(r"\b(?:thuoc la|hang lau|xang|dau|duong cat|bia lau|ruou lau)\b")
_HURT = re.compile(r"\b(?:danh|dam|chem|dap|bat tinh|bi thuong|chay mau|mau chay|guc|tu vong|chet)\b")


def _model_evidence(model: LinearModel, x: Features) -> list[Reason]:
    """When no rule and no single wording explain a scam score: the model's own evidence
    (words, cue groups, indicators), so that no verdict comes without a reason. Found
    only for a verdict that shows its reasons: a safe one replaces them (``_settle``),
    and most messages are safe and have no rule (sorting every feature's push for them
    took 15 of the 360 µs a message of `canhgiac check --jsonl` on the benchmark)."""
    pushed = [(f, w) for f, w in model.contributions(x)[:5] if w > 0][:3]
    if not pushed:
        return []
    evidence = ", ".join(f.split(":", 1)[-1] for f, _ in pushed)
    return [Reason("scam_wording", rules.reason_message("scam_wording"), evidence, sum(w for _, w in pushed))]


# The groups that name an offence or a danger a tip reports.
# A category under the name of its cue group ("đang cho gà đá ăn tiền" is a "gambling" tip,
# and the group "gambling_tip").
_CATEGORY_TOPIC = {"gambling": "gambling_tip"}
_ACT_TOPICS = ("danger", "violence", "weapons", "theft", "drugs", "gambling_tip", "smuggling", "traffic", "environment", "public_order")
_ACT_NOW = frozenset(
    {
        "dang",
        "ngay bay gio",
        "bay gio",
        "hien dang",
        "luc nay",
        "ngay luc nay",
        "dang dien ra",
        "dang xay ra",
        "van dang",
        "vua xay ra",
        "vua moi",
        "sap",
        "sap sua",
    }
)
# Tonight: a game, a deal, a fight or a crossing planned for tonight can still be stopped;
# a wedding's music or a meeting tonight is no such act.
_TONIGHT = frozenset({"toi nay", "dem nay"})
_DRUNK_IN_ROAD = frozenset({"nam giua duong", "nam tren duong", "nam duoi duong"})
_HABIT = (
    "toi nao cung",
    "dem nao cung",
    "ngay nao cung",
    "moi toi",
    "moi dem",
    "moi ngay",
    "may hom nay",
    "lan nao cung",
    "dao nay",
    "thuong xuyen",
)
_STILL_THERE = re.compile(
    r"\b(?:van|gio van|hien van) (?:con )?(?:dang )?(?:ngoi|dung|o|nam) (?:do|day|o do|tai do|ngoai do)\b|\bvan con khoi\b"
)
_FLED = re.compile(r"\b(?:bo tron|bo chay|tau thoat|chay tron)\b")
_TODAY_WORDS = re.compile(r"\b(?:sang nay|trua nay|chieu nay|toi nay|hom nay|vua nay|luc nay)\b")
_PRESENT = re.compile(r"\b(?:hien gio|hien tai dang|gio nay (?:van|con)|(?:hom nay|dem nay|toi nay) (?:van )?dang)\b")
_PLANNED = frozenset({"gambling_tip", "weapons", "violence", "smuggling", "drugs", "traffic"})
# Words saying that something goes on now, whatever else in the message is dated.
_GOING_ON = frozenset({"van dang", "hien dang", "ngay bay gio", "dang dien ra", "dang xay ra", "luc nay", "ngay luc nay"})
# Offences whose doer may still be caught a few minutes on.
_CHASED = frozenset({"theft", "violence", "traffic"})
_MINUTES_AGO = re.compile(r"\b(?:\d{1,2}|vai|may|muoi) ?(?:phut|p)(?: truoc| ra| sau| nay)?\b")
# "đang", "sắp", "vừa" as written, by their folded form, and the words after which each
# means something else.
_NOW_WORDS = {"dang": "đang", "sap": "sắp", "vua": "vừa"}
_NOT_NOW_AFTER = {
    "dang": [
        ["ky"],
        ["ki"],
        ["tin"],
        ["bai"],
        ["anh"],
        ["clip"],
        ["len"],
        ["tai"],
        ["nhap"],
        ["xuong"],
        ["hu"],
        ["hong"],
        ["hinh"],
        ["hang"],
        ["vape"],
    ],
    # "sắp thu hoạch", "sắp bán": a season or a sale ahead, not an act about to happen.
    "sap": [["xep"], ["sep"], ["toi"], ["tet"], ["thu"], ["ban"]],
    "vua": [["roi"], ["phai"], ["du"], ["voi"], ["y"], ["vua"]],
}
# Phrases that say now of the whole report, however far from the words naming the
# offence ("Ngay bây giờ có 3 ghe đang bốc dỡ xăng dầu ... lên xe tải").
_NOW_ANYWHERE = frozenset({"ngay bay gio", "dang dien ra", "dang xay ra", "ngay luc nay", "hien dang"})
# How many words apart the word saying now and the offence may be.
_NOW_NEAR = 12
# The same for a danger, weapon or violence ("họp tối nay ... nội dung phòng chống cháy
# nổ" is a meeting about fire, ten words away).
_DANGER_NEAR = 6
_PAST_MARKERS = (
    "tuan truoc",
    "thang truoc",
    "hom qua",
    "hom truoc",
    "hom kia",
    "dem qua",
    "toi qua",
    "vua roi",
    "nam ngoai",
    "thang nay",
    "tuan nay",
    # Not now either way: far ahead ("tháng sau hai nhóm hẹn nhau đánh nhau").
    "thang sau",
    "tuan sau",
    "nam sau",
)
# Long ago: not even a missing person is urgent ("bỏ nhà đi từ năm 2019").
_LONG_AGO_MARKERS = ("nam ngoai", "tu nam", "tu lau", "hoi nam", "thang truoc", "nam truoc", "hoi thang")
# Words of a menu: a dangerous animal named there is food, not a danger.
_ON_A_MENU = frozenset({"thit", "ban", "quan", "menu", "nha hang", "dac san"})
# In danger whatever day it started: a person still missing.
_STILL_MISSING = frozenset({"mat tich", "di lac", "bo nha di", "chua ve nha", "chua thay ve", "di khoi nha", "khong biet nha o dau"})
_WORD = re.compile(r"\w+")
_FRESH = re.compile(
    r"\b(?:chay ve|chay huong|chay ra|chay vao|chay bo|bo chay|tau thoat|mau chay|chay mau|\d+ phut|vai phut|may phut|chua day|vua bi (?:cuop|giat|moc tui))\b"
)
_ONLINE = frozenset({"zalo", "facebook", "fb", "group", "online", "web", "website", "link", "tiktok", "telegram", "messenger"})


def _urgency(cues: rules.Cues, text: NormalizedText, category: str | None = None) -> str | None:
    """Someone in danger now, or an act about to happen: the words that say so."""
    said = f" {' '.join(cues.words)} "
    # ("Có người lạ đang cạy cửa nhà bên, nhà đó đi vắng cả tuần nay, giờ vẫn đang ở đó":
    # said to go on now, whatever else is dated.)
    # (Searched only when "vẫn", "van con khoi" may be said: most tips have neither.)
    still = _STILL_THERE.search(text.folded) if "van" in cues.words else None
    going_on = not _GOING_ON.isdisjoint(cues.phrases("now")) or still is not None
    # ("tối nào cũng kéo nhau ra bờ ao hút", "mấy hôm nay lần nào cũng vậy": a habit, not
    # an act now, whatever "bây giờ" says.)
    # (Not for someone in danger: "thường xuyên bị đánh, bây giờ lại bị nhốt ngoài sân".)
    habit = any(f" {phrase} " in said for phrase in _HABIT) and not (cues.phrases("in_danger") - _DRUNK_IN_ROAD)
    past = (any(f" {phrase} " in said for phrase in _PAST_MARKERS) or habit) and not going_on
    # ("bị lừa qua hình thức bắt cóc online ... tuần trước": told after the fact.)
    strong = cues.phrases("danger") & {"cuu", "cuu voi", "cuu toi", "chay nha", "hoa hoan", "dinh tu tu", "tu tu", "nhay cau", "bat coc"}
    if strong and not past:
        return sorted(strong)[0]
    # "Dọa" threatens; it says nothing of when ("nhắn tin dọa mỗi ngày").
    now = cues.phrases("now") - {"se", "doa"}
    # A danger said to be now, close to the word saying so, and nothing told as past ("đang
    # nằm viện vì bị đánh tuần trước"; "họp tối nay ... phòng chống cháy nổ" is a meeting).
    dangers = [m.position for name in ("danger", "weapons", "violence") for m in cues.by_name.get(name, ())]
    near = [
        m.phrase
        for m in cues.by_name.get("now", ())
        if m.phrase in now
        and any(abs(m.position - d) <= _DANGER_NEAR for d in dangers)
        and cues.words[m.end : m.end + 1] not in _NOT_NOW_AFTER.get(m.phrase, [])
    ]
    # ("Có người đang đăng bán súng hơi trên chợ Facebook" happens online: not urgent.)
    if near and not past and not _ONLINE & set(cues.words):
        return f"{max(sorted(near), key=len)} + {cues.first('danger', 'violence', 'weapons')}"
    if {"khan cap", "gap gap", "den ngay"} & now:
        return sorted({"khan cap", "gap gap", "den ngay"} & now)[0]
    # ("hôm qua có tiếng nổ súng", "năm ngoái nhặt được quả đạn": told after the fact; a
    # person missing since yesterday is still missing.)
    long_ago = any(f" {phrase} " in said for phrase in _LONG_AGO_MARKERS) or (habit and not going_on)
    # ("Quán nhậu bán thịt rắn hổ mang": on a menu, no danger.)
    # (Two-word names too: "nhà hàng", "đặc sản".)
    on_a_menu = any(f" {word} " in said for word in _ON_A_MENU)
    hurt = next(
        (
            m.phrase
            for m in cues.by_name.get("in_danger", ())
            if not long_ago and (not past or m.phrase in _STILL_MISSING) and not (on_a_menu and m.phrase == "ran ho mang")
        ),
        None,
    )
    if hurt is not None:
        return hurt
    # An offence happening now or just now ("đang bẻ khóa xe", "vừa giật túi xách"): the
    # officer can still get there. Not one happening online ("nhóm zalo đang kéo học
    # sinh vào chơi"). The offence named by a cue, or else by the category the model gave
    # the tip; the word saying now within a few words of the cue that names it ("Quán Vua
    # Ốc ... đánh bạc mỗi tối" holds no "vừa").
    topics = [m.position for name in _ACT_TOPICS for m in cues.by_name.get(name, ())]
    named = _CATEGORY_TOPIC.get(category, category) if category is not None else None
    topic = cues.first(*_ACT_TOPICS) or (named if named in _ACT_TOPICS else None)
    if topic is None or _ONLINE & set(cues.words):
        return None
    words = cues.words
    if past:
        # "đang nằm viện vì bị đánh tuần trước": what is told happened before.
        return None
    # ("... thằng kia vẫn ngồi đó": the one who did it is still there.)
    if going_on and topics:
        return f"{still.group(0) if still is not None else 'van dang'} + {topic}"
    # ("hiếp dâm ... chiều nay, nó bỏ trốn vào rừng": done today, the doer fleeing.)
    fled = _FLED.search(text.folded) if category in _CHASED else None
    today = _TODAY_WORDS.search(text.folded) if fled is not None else None
    if fled is not None and today is not None:
        return f"{today.group(0)} + {fled.group(0)}"
    # ("để xe trước tiệm 5p ra mất xe rồi": minutes ago, the thief is still near.)
    minutes = _MINUTES_AGO.search(text.folded) if category in _CHASED else None
    if minutes is not None:
        return f"{minutes.group(0)} + {topic}"
    # ("Hiện giờ trong quán net ... cá cược", "hôm nay đang đánh"): said to go on now, with
    # nothing told as past. (Not "sáng nay" alone: "sáng nay ra chuồng thì mất 2 con bò" is
    # found after the fact.)
    present = _PRESENT.search(text.folded)
    if present is not None:
        return f"{present.group(0)} + {topic}"
    # ("mấy đêm nay liên tục mất gà": nights past.)
    tonight = next(
        (
            m.phrase
            for m in cues.by_name.get("now", ())
            if m.phrase in _TONIGHT and words[m.position - 1 : m.position] not in (["may"], ["nhung"], ["cac"])
        ),
        None,
    )
    planned = next((name for name in _PLANNED if name in cues), None) or (named if named in _PLANNED else None)
    # ("họp tối nay ... nội dung phòng chống cháy nổ": a meeting about it.)
    if tonight is not None and planned is not None and "hop" not in words and "phong chong" not in said:
        return f"{tonight} + {planned}"
    for position, word in _now_words(cues, text):
        if word == "vua" and words[position + 1 : position + 2] == ["bi"] and _FRESH.search(text.folded) is None:
            # "Vừa bị trộm ... lúc rạng sáng", "tuần trước vừa mất trộm": told after the fact;
            # not "vừa bị giật điện thoại, nó chạy về phía chợ", "máu chảy nhiều".
            continue
        if not topics or word in _NOW_ANYWHERE or min(abs(position - t) for t in topics) <= _NOW_NEAR:
            return f"{word} + {topic}"
    return None


def _now_words(cues: rules.Cues, text: NormalizedText) -> list[tuple[int, str]]:
    """Where the message says now (a phrase of the now group, or "đang", "sắp", "vừa"),
    with the position of each. Folded, "dang" is also "đăng" and "đáng", "sap" "sáp",
    "vua" "vua" (a king, a shop's name): in a message typed with diacritics the word must
    be written as "đang", "sắp", "vừa"; and none of them before the words that make it
    another ("đăng ký", "sắp xếp", "vừa rồi", "vừa phải")."""
    found = [(m.position, m.phrase) for m in cues.by_name.get("now", ()) if m.phrase in _ACT_NOW and m.phrase not in _NOW_WORDS]
    written = {x for x in _WORD.findall(text.accented.lower())} if text.has_diacritics else set()
    mostly_plain = sum(fold_diacritics(x) != x for x in written) * 4 < len(written)
    for word, as_written in _NOW_WORDS.items():
        # "vừa lái xe vừa dùng điện thoại": "vừa ... vừa" is "both ... and".
        if word not in cues.words or (word == "vua" and cues.words.count("vua") > 1):
            continue
        # (In a message typed mostly without diacritics, a "dang" without them may be
        # "đang" though one word elsewhere has them: "co trom dang trong nha ... lục đục".
        # Only a form typed with other diacritics, "đăng", "đáng", then says otherwise.)
        if text.has_diacritics and any(
            fold_diacritics(x) == word and x != as_written and not (x == word and mostly_plain) for x in written
        ):
            continue
        for position, w in enumerate(cues.words):
            if w == word and cues.words[position + 1 : position + 2] not in _NOT_NOW_AFTER[word]:
                found.append((position, word))
    return sorted(found)


# A scam going on as the message is written: someone is on the phone with, on the way to
# the bank for, or about to pay a person posing as an official, and the sender asks for
# help. Each part folded: the act now, a sign of the fake, and the plea.
_NOW_ACT = re.compile(
    r"\b(?:dang|van dang|ngay bay gio|luc nay)\s+(?:nghe dien thoai|nghe may|noi chuyen|goi video|o ngan hang|ra ngan hang|di ra ngan hang|chuan bi chuyen|dinh chuyen|sap chuyen|chuyen tien|rut tien|bi goi|bi ep|lam theo"
    # "bố đang trên đường ra ngân hàng", "bà tôi đang bị một đứa gọi video giữ máy từ sáng"
    r"|tren duong (?:ra |den |toi )?ngan hang|bi (?:mot |\w+ )?(?:dua|nguoi|thang|con|ong|ba) (?:goi|giu may|ep))"
)
# Acts that need no plea: the money is about to leave ("đang trên đường ra ngân hàng").
_LEAVING = re.compile(r"\b(?:tren duong (?:ra |den |toi )?ngan hang|dang (?:o|ra|di ra) ngan hang|dang rut tien|giu may)\b")
_AT_THE_DOOR = re.compile(
    r"\b(?:di tung nha|den tung nha|dang o (?:nha (?:ong|ba|anh|chi|co|chu|bac|so|me|bo)|khu|xom|thon|ngo|hem|to)|dang di (?:thu|tung|quanh)|dang den)\b"
)
_STOPPED = re.compile(r"\b(?:can lai|chan lai|kip can|ngan kip|giu lai kip|kip thoi)\b")
_CLAIMS = re.compile(r"\b(?:noi|bao|xung|tu nhan|gioi thieu) la\b")
_TODAY = re.compile(r"\b(?:dang|hom nay|vua|sang nay|chieu nay|bay gio)\b")
_PLEA = re.compile(
    r"\b(?:giup toi|giup em|giup voi|giup chau|cuu|lam sao ngan|ngan lai|lam sao|gap|cac anh (?:den|xuong|toi)|den ngay|xuong ngay|khan cap|nhanh len)\b"
)
_POSING = ("impersonation_police", "impersonation_court", "impersonation_official", "impersonation_bank")


def _scam_in_progress(p: Prepared) -> str | None:
    folded = p.text.folded
    # "có nhóm người giả cán bộ địa chính đi từng nhà thu tiền, họ đang ở nhà ông Tư": the
    # impostors are in the village now, and an officer can still get there.
    at_the_door = _AT_THE_DOOR.search(folded)
    # ("đang đi từng nhà bán thuốc, nói là thuốc của viện quân y": a claim, as a fake's.)
    if at_the_door and _TODAY.search(folded) and (rules.names_a_fake(p.text) or _CLAIMS.search(folded) is not None):
        return at_the_door.group(0)
    # The act is said with "đang", "ngay bây giờ" or "lúc này": without them, no search
    # (3.0 → 1.6 µs a message on the benchmark's messages, bench/engine_vs_peer.py).
    if "dang" not in folded and "ngay bay gio" not in folded and "luc nay" not in folded:
        return None
    act = _NOW_ACT.search(folded)
    if act is None or (_PLEA.search(folded) is None and _LEAVING.search(folded) is None):
        return None
    # ("đang ra ngân hàng thì nhân viên ngân hàng cản lại": stopped already.)
    if _STOPPED.search(folded, act.end()) is not None:
        return None
    posing = any(f.code in _POSING for f in p.findings) or rules.names_a_fake(p.text)
    # ("Vừa có người gọi bố tôi bảo con trai bị tai nạn ..., bố tôi đang ra ngân hàng":
    # a relative's emergency, retold by the family while it happens.)
    posing = posing or (any(f.code == "impersonation_relative" for f in p.findings) and "retold" in p.cues and "self" in p.cues)
    return act.group(0) if posing else None


# Words that retell what a caller or a message said.
_RETOLD = frozenset(
    {
        "co nguoi goi",
        "co nguoi nhan tin",
        "ai do goi",
        "tu xung",
        "noi la",
        "bao la",
        "ho goi",
        "ho nhan",
        "ho bao",
        "nhan duoc tin nhan",
        "nhan duoc cuoc goi",
    }
)


def _lure_told_of(p: Prepared) -> bool:
    """ "Có người giới thiệu quỹ đầu tư, cam kết không lỗ": "có người" names who made the
    offer, and the offer is a lure the rules found, not an offence to report."""
    return p.cues.phrases("tip_strong") <= _SOMEONE and any(f.code in _LURES for f in p.findings)


_SOMEONE = frozenset({"co nguoi", "co mot nhom", "co nhom", "co doi tuong"})
_LURES = frozenset(
    {"lure_prize", "lure_job", "lure_loan", "lure_investment", "upfront_fee", "unrealistic_returns", "card_photo_request", "account_rental"}
)


def _own_trouble(p: Prepared) -> bool:
    """A question about the sender's own frozen account or fine, asked in their own words."""
    # (Every form below has "bị": most messages are spared the search.)
    folded = p.text.folded
    return (
        " bi " in f" {folded} "
        and (trouble := _OWN_TROUBLE.search(folded)) is not None
        # ("tin nhắn ... báo tk e bị tạm khóa, vào trang để cập nhật": what a message
        # claimed, not the sender's own trouble.)
        and _CLAIMED.isdisjoint(folded[max(0, trouble.start() - 20) : trouble.start()].split()[-2:])
        and "addressee" not in p.cues
        and _own_question(p, _PROCEDURE_QUESTION_WORDS, trailing=True, official_links=True, own_accounts=True)
    )


def _own_question(
    p: Prepared, limit: int | None = None, *, trailing: bool = False, official_links: bool = False, own_accounts: bool = False
) -> bool:
    """A short question of the sender's own, with nothing in it to check: no number,
    account or link, nothing forwarded, no lure."""
    cues = p.cues
    if limit is None:
        limit = _PROCEDURE_QUESTION_WORDS if "procedure" in cues else _OWN_QUESTION_WORDS
    # (``official_links``: a link to an official site, "dichvucong.gov.vn", is where the
    # answer is, not a thing to check. Not for any question: a page on Facebook is
    # "official" to the link reader, and a recovery scam's page is one.)
    indicators = p.indicators
    # (``own_accounts``: "TK 1903... techcombank của tôi bị phong tỏa": the sender's own
    # account, named to say which.)
    checkable = (
        indicators.phones
        or (indicators.bank_accounts and not own_accounts)
        or any(not (official_links and link.official) for link in indicators.links)
    )
    if checkable or "forward" in cues or "scam_ask_strong" in cues or len(cues.words) > limit:
        return False
    # "Cho hỏi có ông gọi bảo là công an...": what someone else said is being retold.
    if cues.phrases("scam_ask") & _RETOLD or "retold" in cues:
        return False
    # "Bạn bị lừa qua mạng? Đội ngũ luật sư của chúng tôi hỗ trợ ...": an office or a
    # service speaking, as an advert does, not a citizen asking.
    if _WE_OFFER.search(p.text.folded):
        return False
    # ("ban e gui qua sinh nhat, ho doi phi bao hiem hang hoa 8tr": a demand for money
    # passed on, the thing to check.)
    if _DEMAND_PASSED_ON.search(p.text.folded):
        return False
    risky = ("otp_request", "app_install", "link_click", "money_transfer_request", "known_indicator", "obfuscated_text", "account_rental")
    if any(f.code.startswith("lure_") or f.code in risky for f in p.findings):
        return False
    # "asking", not "question": the wider group holds topic words ("hồ sơ") and a bare
    # "không", which a robocall ("nếu không xử lý hồ sơ...") or a job lure also has.
    # (``trailing``: a message ending in "không", "chưa" asks too, "có được nộp nhiều lần
    # không"; not for any question: "có ai bị như vậy chưa" ends a retold scam.)
    return (
        "how" in cues
        or "asking" in cues
        or "?" in p.text.clean
        or _ENDS_HOW.search(p.text.folded) is not None
        or (trailing and _ENDS_ASKING.search(p.text.folded) is not None)
    )


# Where a real notice sends its reader: in person to an office or a counter, or to the
# company's own app or hotline.
_OFFICIAL_ROUTE = re.compile(
    r"\b(?:mang(?: theo)? (?:cccd|can cuoc|cmnd|giay to|dang ky xe|giay phep)[^.!?\n]{0,40}?den|(?<!can )(?<!phai )(?:den|ra) (?:truc tiep )?(?:phong giao dich|chi nhanh|tru so|quay|diem giao dich|cua hang|doi csgt|doi canh sat|cong an (?:xa|phuong|huyen)|toa an)|ra toa lam (?:nhan chung|viec)"
    r"|tai (?:quay|phong giao dich|chi nhanh|tru so)|qua (?:app|ung dung) (?:chinh thuc|\w+ (?:chinh thuc|online))|ung dung chinh thuc|app chinh thuc"
    # A prize picked up in the shop with the receipt; a bill paid in the company's own app.
    r"|mang hoa don|cua hang da mua|nhan ngay tai cho|quay (?:dich vu|cskh|cham soc)|(?:mo|tren|trong) (?:app|ung dung) (?:lazada|shopee|tiki|tiktok|momo|zalopay|vnpay|evn\w*|my viettel|\w+bank|etax\w*|vneid|vssid)"
    # Officers at the door with their papers: "cán bộ đến tận nhà, có giấy giới thiệu",
    # "điều tra viên ... sẽ đến các hộ", "đeo thẻ điều tra viên".
    r"|co giay gioi thieu|xuat trinh (?:giay gioi thieu|the)|deo the (?:dieu tra vien|can bo)|den (?:cac|tung) ho"
    # A summons to come and testify: "ra tòa làm người làm chứng", "mời tôi đến tòa" (not
    # the threat "sẽ khởi kiện ra tòa").
    r"|(?:lam|la) (?:nguoi )?(?:lam )?(?:chung|nhan chung)|(?<!kien )(?<!dua )(?<!bi )(?:den|ra|len) toa\b(?! an (?:nhan|qua) (?:link|zalo)))\b"
)
# Reasons such a notice gives by naming its office and its deadline.
_ROUTE_CAPPED = frozenset(
    {
        "scam_wording",
        "urgency_threat",
        "impersonation_bank",
        "impersonation_official",
        "impersonation_police",
        "impersonation_utility",
        "lure_loan",
        "lure_prize",
        "impersonation_court",
        "impersonation_delivery",
        "money_transfer_request",
    }
)
_SCHOOL_SUFFIX = ".edu.vn"
_WE_OFFER = re.compile(
    r"\b(?:chung toi|ben em|ben minh|doi ngu(?: \w+){0,5}?)\s+(?:ho tro|nhan|cam ket|chuyen|se|co|da|cua)\b|\bcua chung toi\b"
    # ("Em là nhân viên bên bảo hiểm, chị có khoản hoàn phí": a caller introducing himself.)
    r"|\b(?:em|toi|minh) la (?:nhan vien|can bo|dong chi|chuyen vien|dieu tra vien)\b"
    # ("Chào chú, cháu bên văn phòng đăng ký đất đai huyện": the caller's office.)
    r"|^\W*(?:\w+\W+){0,3}?(?:chau|em|toi|minh) ben (?!nay\b|kia\b)\w+|\b(?:anh|chi|ban|quy khach|co|chu|bac) co (?:mot )?khoan (?:hoan|tien|thuong|ho tro)"
    r"|\bde nghi (?:ong|ba|ong/ba|anh|chi)\b"
)
# A demand for money or a fee, retold: "đòi tiền mổ", "bắt chuyển phí kiểm dịch", "đòi hoàn
# tiền cước qua link".
_MONEY_DEMANDED = re.compile(
    r"(?<!khong )(?<!ko )(?<!k )\b(?:doi|bat) (?:\w+ )?(?:chuyen|nop|dong) (?:tien|phi|khoan|coc)\b"
    r"|(?<!khong )(?<!ko )\bdoi (?:tien|hoan tien) (?:\w+ )?(?:mo|cuoc|qua link|qua dien thoai)\b"
)
# Someone else's demand for money, passed on by the sender.
_DEMAND_PASSED_ON = re.compile(
    r"\b(?:ho|no|ben do|ben kia|nguoi ta|chung no|cong ty|shop|shipper|ben van chuyen)\s+(?:doi|bat|yeu cau|keu|bao)\s+(?:\w+\s+){0,2}?(?:phi|nop|dong|chuyen|tien|coc|thanh toan|ck)\b"
)
# "giờ mở lại sao ạ", "vẫn báo chờ phê duyệt là sao": a question without its mark.
_ENDS_HOW = re.compile(
    r"\b(?:sao|the nao|lam sao|gi|bao lau|bao gio|o dau|len dau|di dau|den dau|nop o dau|lam o dau)(?: a| ah| vay| nhi| ha| the| a\W+)?(?: z| ak| mn| ad| moi nguoi)?\W*$"
    # "ra chi nhánh hay ra công an": a choice asked.
    r"|\b(ra|den|len|goi|lam|o|nop|di) \w+(?: \w+){0,2} hay (?:la )?\1 \w+(?: \w+){0,2}(?: a| ah| vay)?\W*$"
)
_ENDS_ASKING = re.compile(r"\b(?:khong|ko|hong|chua)(?: a| ah| vay| nhi)?\W*$")


def _unchecked_request(p: Prepared) -> str | None:
    """An unknown number, account or link with money or a call asked for, and no rule to
    say what it is: the words an officer should look at."""
    indicators, cues = p.indicators, p.cues
    if cues.count("balance_notice") >= 2 or cues.count("carrier_notice") >= 2 or "secret_warning" in cues:
        return None  # notices quote numbers and amounts; they ask for nothing
    # (A university's own site, "tsa.hust.edu.vn", is no stranger's: only names under
    # .edu.vn's registry are given to schools. It is not official for the scam score: a
    # school's hacked page hosts phishing too.)
    unknown = [link.url for link in indicators.links if not link.official and not (link.domain or "").endswith(_SCHOOL_SUFFIX)]
    # (Not a number forwarded with digits hidden: a delivery notice shows its shipper's so,
    # and there is nothing to look up.)
    unknown += [phone.raw for phone in indicators.phones if phone.kind == "mobile"]
    unknown += [account.number for account in indicators.bank_accounts]
    if not unknown:
        return None
    asked = rules.asked_payment(cues) or cues.affirmed("contact_request")
    if asked is None:
        return None
    return f"{unknown[0]} + {asked.phrase}"


def _why_safe(p: Prepared) -> tuple[str, str]:
    """The reason a message was found safe, and the words that show it."""
    cues, indicators = p.cues, p.indicators
    if rules.is_warning(cues, indicators):
        return "safe_awareness", ", ".join(sorted(cues.phrases("awareness"))[:3])
    if "secret_warning" in cues and "secret" in cues:
        return "safe_code_notice", f"{cues.first('secret')} + {cues.first('secret_warning')}"
    official = [link.domain for link in indicators.links if link.official and link.domain]
    if official and len(official) == len(indicators.links):
        return "safe_official_link", official[0]
    return "safe_no_sign", ""
