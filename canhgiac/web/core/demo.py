"""A demo district for a newcomer: two communes, their channels, a few realistic cases,
officers, and an administrator whose password is generated and shown once."""

from __future__ import annotations

import secrets

from django.db import transaction

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.cases.actions import receive_message
from canhgiac.web.intake.models import Channel

# Written for the demo; nothing here is real.
DEMO_MESSAGES = {
    "an-phu": [
        "Tối nào cũng có nhóm thanh niên tụ tập hút ma túy ở cuối hẻm 14 đường Lê Lợi, sau 11 giờ đêm.",
        "Cho em hỏi đăng ký tạm trú cho người thuê trọ cần những giấy tờ gì ạ?",
        "Chị ơi em nhận được tin này: [Vietcombank] Tai khoan cua quy khach bi tam khoa, vui long truy cap vcb-xacminh.top va nhap ma OTP de mo khoa. Có phải lừa đảo không?",
        "Nhà tôi ở thôn Đông vừa bị trộm cạy cửa lấy mất xe máy Wave đỏ đêm qua.",
    ],
    "binh-minh": [
        "Quán karaoke đầu ngõ 7 hát đến 2 giờ sáng đêm nào cũng vậy, cả xóm không ngủ được.",
        "So 0889 123 456 goi cho me em xung la cong an bao chuyen tien de dieu tra, co phai lua dao khong a",
        "Có xe tải chở cát quá tải chạy liên tục qua đường liên thôn, đường hư hỏng nặng.",
    ],
}


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
    for slug, texts in DEMO_MESSAGES.items():
        channel = Channel.objects.get(slug=slug)
        for text in texts:
            receive_message(channel=channel, text=text)
    return "admin", password
