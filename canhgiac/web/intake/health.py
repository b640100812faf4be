"""Is a channel getting messages out? Kept from the last sends, shown on every console page.

A Zalo Official Account whose token has lapsed fails every reply and every bulletin; the
server log says so, and nobody reads it. Each send through the channel's client records
its outcome here (client.py), and a channel whose last error is newer than its last
success is failing: the console says since when, what Zalo answered, and what to do.

An error about one recipient (a person who blocked the account, or has not written for
a week) says nothing about the channel, so it is not recorded as the channel's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from canhgiac.web.intake.models import Channel

# Zalo error codes about one recipient, not the channel: the user does not follow the
# account (-213), or has not interacted with it within the window Zalo allows (-230).
RECIPIENT_ERRORS = frozenset({-213, -230})
NETWORK = -1
NOT_JSON = -2
# The provider refused to renew the access token (the refresh token is spent, revoked or
# wrong): nothing sends until an administrator enters a new one.
REFRESH_FAILED = -4
TOKEN_ERRORS = frozenset({-216, -124, -14014, -3, REFRESH_FAILED})
# The SMS channel's own codes (channels/sms/actions.py): the office phone does not
# answer, refuses the server's credentials, answers with an error; the unit's daily cap
# is reached.
PHONE_OFFLINE = -101
PHONE_AUTH = -102
PHONE_ERROR = -103
OVER_CAP = -104
# A success is written at most this often: a bulletin to 2,000 followers must not be
# 2,000 writes to the channel's row. A success after an error is written at once.
OK_EVERY = timedelta(minutes=1)


def sent_ok(channel: Channel) -> None:
    now = timezone.now()
    last_ok, last_error = channel.last_send_ok_at, channel.last_send_error_at
    recovering = last_error is not None and (last_ok is None or last_error >= last_ok)
    if not recovering and last_ok is not None and now - last_ok < OK_EVERY:
        return
    Channel.objects.filter(pk=channel.pk).update(last_send_ok_at=now)
    channel.last_send_ok_at = now


def send_failed(channel: Channel, code: int, message: str) -> None:
    if code in RECIPIENT_ERRORS:
        return
    now = timezone.now()
    fields = {"last_send_error_at": now, "last_send_error": message[:300], "last_send_error_code": code}
    Channel.objects.filter(pk=channel.pk).update(**fields)
    for name, value in fields.items():
        setattr(channel, name, value)


def advice(code: int | None) -> str:
    """What to do about an error, for the officer who reads the banner."""
    if code == PHONE_OFFLINE:
        return _(
            "Máy chủ không kết nối được điện thoại gửi SMS ở trụ sở: hãy xem điện thoại còn bật, còn pin, bắt cùng mạng Wi-Fi với máy chủ và ứng dụng SMS Gateway đang chạy. Tin nhắn đang chờ và tự gửi khi điện thoại kết nối lại."
        )
    if code == PHONE_AUTH:
        return _(
            "Điện thoại gửi SMS từ chối tên đăng nhập hoặc mật khẩu: quản trị viên cần nhập lại đúng như ứng dụng SMS Gateway hiển thị (mục Local Server) ở mục Điện thoại gửi SMS trong trang quản trị. Tin nhắn chưa gửi được sẽ được thử lại."
        )
    if code == PHONE_ERROR:
        return _(
            "Ứng dụng SMS Gateway trên điện thoại đang trả lỗi; hệ thống tự thử lại. Nếu kéo dài, hãy mở ứng dụng trên điện thoại để xem nhật ký, hoặc khởi động lại điện thoại."
        )
    if code == OVER_CAP:
        return _(
            "Đơn vị đã gửi hết số SMS tối đa trong ngày: các tin còn lại chờ và tự gửi sau 0 giờ. Quản trị viên có thể nâng hạn mức ở mục Điện thoại gửi SMS trong trang quản trị."
        )
    if code == REFRESH_FAILED:
        return _(
            "Không làm mới được mã truy cập của kênh: mã làm mới (refresh token) đã dùng hết, bị thu hồi hoặc sai. Không tin nào gửi được cho đến khi quản trị viên nhập mã mới ở mục Kênh trong trang quản trị."
        )
    if code in TOKEN_ERRORS:
        return _(
            "Mã truy cập của Official Account đã hết hạn hoặc bị thu hồi: quản trị viên cần lấy mã làm mới (refresh token) mới ở trang Zalo for Developers và nhập vào mục Kênh trong trang quản trị."
        )
    if code == NETWORK:
        return _("Máy chủ không kết nối được tới Zalo: hãy kiểm tra mạng, tường lửa hoặc proxy của máy chủ. Hệ thống tự thử lại.")
    if code == NOT_JSON or (code is not None and code >= 500):
        return _("Zalo đang trả lỗi; hệ thống tự thử lại. Nếu kéo dài quá một giờ, hãy báo quản trị viên.")
    return _("Hãy báo quản trị viên kèm mã lỗi này; tin chưa gửi được sẽ được thử lại.")


@dataclass(frozen=True, slots=True)
class Failing:
    channel: Channel
    last_error_at: datetime
    last_ok: datetime | None
    error: str
    advice: str


def failing(unit_ids: list[int]) -> list[Failing]:
    """The active channels of these units whose last send failed (one query)."""
    channels = Channel.objects.filter(unit_id__in=unit_ids, active=True, last_send_error_at__isnull=False).filter(
        Q(last_send_ok_at__isnull=True) | Q(last_send_error_at__gte=F("last_send_ok_at"))
    )
    return [
        Failing(c, c.last_send_error_at, c.last_send_ok_at, c.last_send_error, advice(c.last_send_error_code))
        for c in channels.order_by("name")
        if c.last_send_error_at is not None
    ]
