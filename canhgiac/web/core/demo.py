"""A demo district for a newcomer: two communes, their channels, a few realistic cases,
officers, and an administrator whose password is generated and shown once."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.cases.actions import receive_message
from canhgiac.web.intake.models import Channel
from canhgiac.web.knowledge.models import Warning
from canhgiac.web.knowledge.transfer import import_entries, starter_text

# Written for the demo; nothing here is real.
DEMO_MESSAGES = {
    "an-phu": [
        "Tối nào cũng có nhóm thanh niên tụ tập hút ma túy ở cuối hẻm 14 đường Lê Lợi, sau 11 giờ đêm.",
        "Cho em hỏi đăng ký tạm trú cho người thuê trọ cần những giấy tờ gì ạ?",
        "Con em 10 tuổi muốn làm căn cước thì cần mang gì, làm ở đâu ạ?",
        "Chị ơi em nhận được tin này: [Vietcombank] Tai khoan cua quy khach bi tam khoa, vui long truy cap vcb-xacminh.top va nhap ma OTP de mo khoa. Có phải lừa đảo không?",
        "Nhà tôi ở thôn Đông vừa bị trộm cạy cửa lấy mất xe máy Wave đỏ đêm qua.",
    ],
    "binh-minh": [
        "Quán karaoke đầu ngõ 7 hát đến 2 giờ sáng đêm nào cũng vậy, cả xóm không ngủ được.",
        "So 0889 123 456 goi cho me em xung la cong an bao chuyen tien de dieu tra, co phai lua dao khong a",
        "Có xe tải chở cát quá tải chạy liên tục qua đường liên thôn, đường hư hỏng nặng.",
    ],
}


# Written for the demo from the scripts the police warn about; the numbers and links
# are made up.
DEMO_WARNINGS = [
    (
        "Giả danh ngân hàng đòi xác thực sinh trắc học qua đường link",
        "[Vietcombank] Tai khoan cua quy khach se bi tam khoa do chua cap nhat sinh trac hoc. Vui long truy cap vcb-sinhtrachoc.top de xac thuc truoc 17h hom nay.\n\nNgân hàng thông báo tài khoản của bạn bị khóa do chưa xác thực sinh trắc học, hãy bấm vào đường link để cập nhật ngay.",
        "Ngân hàng không gửi đường link yêu cầu cập nhật sinh trắc học; tên miền lạ, hạn chót gấp, dọa khóa tài khoản.",
        "Không bấm link. Chỉ cập nhật sinh trắc học trên ứng dụng chính thức của ngân hàng hoặc tại quầy. Đã nhập thông tin: gọi ngay tổng đài ngân hàng.",
    ),
    (
        "Giả danh công an gọi điện yêu cầu chuyển tiền để 'xác minh'",
        "Tôi là cán bộ điều tra công an, anh chị có liên quan đến đường dây rửa tiền, yêu cầu chuyển toàn bộ tiền vào tài khoản tạm giữ để xác minh, không được nói với ai.",
        "Công an không làm việc qua điện thoại, không có 'tài khoản tạm giữ', không yêu cầu giữ bí mật với gia đình.",
        "Cúp máy, không chuyển tiền, báo ngay công an xã, phường.",
    ),
]


def demo_needed() -> bool:
    return not Unit.objects.exists()


@transaction.atomic
def create_demo() -> tuple[str, str]:
    """Create the demo; returns the administrator's username and generated password."""
    district = Unit.objects.create(name="Công an huyện Hòa Bình (demo)", slug="hoa-binh", kind=Unit.Kind.DISTRICT)
    communes = {
        "an-phu": Unit.objects.create(name="Công an xã An Phú (demo)", slug="an-phu", kind=Unit.Kind.COMMUNE, parent=district),
        "binh-minh": Unit.objects.create(name="Công an xã Bình Minh (demo)", slug="binh-minh", kind=Unit.Kind.COMMUNE, parent=district),
    }
    password = secrets.token_urlsafe(12)
    User.objects.create_user("admin", password=password, unit=district, role=User.Role.ADMIN, is_staff=True)
    for slug, unit in communes.items():
        Channel.objects.create(unit=unit, kind=Channel.Kind.WEB, slug=slug, name=f"Trang web {unit.name}")
        Channel.objects.create(unit=unit, kind=Channel.Kind.API, slug=f"{slug}-api", name=f"API {unit.name}")
        officer_password = secrets.token_urlsafe(16)
        User.objects.create_user(f"canbo-{slug}", password=officer_password, unit=unit, role=User.Role.OFFICER)
    import_entries(starter_text(), "json", district)
    for title, example, signs, advice in DEMO_WARNINGS:
        Warning.objects.create(
            unit=district, title=title, example=example, signs=signs, advice=advice, published=True, published_at=timezone.now()
        )
    # Already published, so /ban-tin/<unit>/ shows something; the demo has no Zalo channel
    # to send it through.
    Bulletin.objects.create(
        unit=district,
        title="Cảnh báo: cuộc gọi giả danh công an yêu cầu chuyển tiền",
        body=(
            "Công an không làm việc qua điện thoại, không yêu cầu chuyển tiền hay cài ứng dụng để "
            '"xác minh". Gặp cuộc gọi như vậy, hãy tắt máy và báo cho công an xã.'
        ),
        status=Bulletin.Status.SENT,
        scheduled_at=timezone.now(),
        sent_at=timezone.now(),
    )
    for slug, texts in DEMO_MESSAGES.items():
        channel = Channel.objects.get(slug=slug)
        for text in texts:
            receive_message(channel=channel, text=text)
    return "admin", password
