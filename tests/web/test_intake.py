"""The public web page: send, get a receipt, follow up anonymously."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from PIL import Image

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.models import Attachment, Case, Message
from canhgiac.web.core.crypto import unseal
from tests.web.conftest import World


def _submit(client: Client, slug: str = "xa-a", **data: object) -> tuple[int, str]:
    response = client.post(f"/gui/{slug}/", data)
    return response.status_code, response.content.decode()


def _receipt(html: str) -> tuple[str, str]:
    reference = re.search(r'id="reference">([^<]+)<', html)
    key = re.search(r'id="key">([^<]+)<', html)
    assert reference and key, html[:500]
    return reference.group(1), key.group(1)


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_form_page_is_vietnamese_and_mobile_ready(world: World) -> None:
    html = Client().get("/gui/xa-a/").content.decode()
    assert 'lang="vi"' in html and "width=device-width" in html
    assert "Gửi tin báo" in html or "tin báo" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_tip_gets_a_receipt_and_is_stored(world: World) -> None:
    status, html = _submit(Client(), text="Tối qua nhà tôi ở thôn Đông bị trộm mất xe máy Wave màu đỏ")
    assert status == 200
    reference, key = _receipt(html)
    case = Case.objects.get(reference=reference)
    assert case.unit == world.commune_a and case.intent == "tip" and case.category == "theft"
    assert case.messages.filter(direction=Message.Direction.IN).count() == 1
    assert "Đã nhận tin báo" in html and reference in html
    assert key not in str(case.__dict__)  # only the key's hash is stored
    assert AuditEvent.objects.filter(action="case.opened", object_id=str(case.pk)).exists()


def test_scam_check_is_answered_at_once(world: World) -> None:
    status, html = _submit(Client(), text="Vietcombank: tai khoan bi khoa, cung cap ma OTP tai vcb-mokhoa.top de mo khoa")
    assert status == 200
    assert "Kết quả kiểm tra: LỪA ĐẢO" in html
    assert "Đòi mã OTP" in html


def test_question_is_told_an_officer_will_answer(world: World) -> None:
    _, html = _submit(Client(), text="Cho em hỏi thủ tục đăng ký tạm trú cần giấy tờ gì ạ?")
    assert "cán bộ sẽ trả lời" in html


def test_followup_reads_replies_and_writes_more(world: World) -> None:
    citizen = Client()
    _, html = _submit(citizen, text="Có nhóm thanh niên đua xe trên đường tỉnh 8 mỗi tối")
    reference, key = _receipt(html)
    case = Case.objects.get(reference=reference)
    from canhgiac.web.cases.actions import reply

    reply(case, world.officer_a, "Cảm ơn bạn, chúng tôi sẽ cho tuần tra tối nay.")
    stranger = Client()
    response = stranger.post("/theo-doi/", {"reference": reference.lower(), "key": key})
    assert response.status_code == 302 and response["Location"] == f"/theo-doi/{reference}/"
    page = stranger.get(f"/theo-doi/{reference}/").content.decode()
    assert "chúng tôi sẽ cho tuần tra tối nay" in page
    response = stranger.post(f"/theo-doi/{reference}/", {"text": "Tối nay họ lại tụ tập ở ngã ba chợ"})
    assert response.status_code == 302
    assert case.messages.filter(direction=Message.Direction.IN).count() == 2
    case.refresh_from_db()
    assert case.unread


@pytest.mark.parametrize("status", ["closed", "resolved"])
def test_followup_on_a_closed_case_is_refused_as_the_api_does(world: World, status: str) -> None:
    citizen = Client()
    _, html = _submit(citizen, text="Có nhóm thanh niên đua xe trên đường tỉnh 8 mỗi tối")
    reference, key = _receipt(html)
    case = Case.objects.get(reference=reference)
    from canhgiac.web.cases.actions import change_status

    change_status(case, world.officer_a, status)
    citizen.post("/theo-doi/", {"reference": reference, "key": key})
    response = citizen.post(f"/theo-doi/{reference}/", {"text": "Tối nay họ lại tụ tập ở ngã ba chợ"})
    assert response.status_code == 409 and "Tin này đã đóng." in response.content.decode()
    assert case.messages.filter(direction=Message.Direction.IN).count() == 1
    case.refresh_from_db()
    assert case.status == status
    api = Client().post(
        "/api/v1/followup/messages", {"reference": reference, "key": key, "text": "Còn nữa"}, content_type="application/json"
    )
    assert api.status_code == 409 and api.json()["message"] == "Tin này đã đóng."


def test_followup_needs_the_right_key_and_is_throttled(world: World, settings: object) -> None:
    _, html = _submit(Client(), text="Có người bán pháo nổ ở chợ xã")
    reference, key = _receipt(html)
    guesser = Client()
    for _ in range(10):
        response = guesser.post("/theo-doi/", {"reference": reference, "key": "sai-" + key})
        assert response.status_code == 200 and "không đúng" in response.content.decode()
    response = guesser.post("/theo-doi/", {"reference": reference, "key": key})
    assert response.status_code == 429  # even the right key, once throttled
    assert guesser.get(f"/theo-doi/{reference}/").status_code == 302  # not let in


def test_photo_is_reencoded_without_exif_and_location_only_when_chosen(world: World) -> None:
    photo = io.BytesIO(_jpeg_with_gps())
    photo.name = "anh.jpg"
    status, _ = _submit(Client(), text="Xe chở gỗ lậu đỗ ở bìa rừng", photos=photo, latitude="21.1", longitude="105.8")
    assert status == 200
    attachment = Attachment.objects.get()
    assert attachment.latitude is None  # the box was not ticked
    with attachment.file.open("rb") as f:
        stored = f.read()
    assert b"CameraMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    photo = io.BytesIO(_jpeg_with_gps())
    photo.name = "anh.jpg"
    _submit(Client(), text="Thêm ảnh nữa", photos=photo, share_location="on", latitude="21.1", longitude="105.8")
    assert Attachment.objects.exclude(latitude=None).get().latitude == 21.1


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(world: World) -> None:
    fake = io.BytesIO(b"<html>not an image</html>" * 10)
    fake.name = "anh.jpg"
    status, html = _submit(Client(), text="Có người bán vũ khí", photos=fake)
    assert status == 200 and "không phải là ảnh hợp lệ" in html
    assert Case.objects.count() == 0


def test_decompression_bomb_is_refused(world: World) -> None:
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, format="PNG")
    bomb.seek(0)
    bomb.name = "bomb.png"
    _, html = _submit(Client(), text="Ảnh", photos=bomb)
    assert "quá lớn" in html
    assert Case.objects.count() == 0


def test_empty_message_is_a_clear_error(world: World) -> None:
    status, html = _submit(Client(), text="   ")
    assert status == 200 and "Hãy viết nội dung hoặc gửi ảnh" in html
    assert Case.objects.count() == 0


def test_html_a_citizen_wrote_is_escaped_everywhere(world: World) -> None:
    _, html = _submit(Client(), text='<script>alert("x")</script> có người đánh nhau')
    assert "<script>alert" not in html
    case = Case.objects.get()
    console = world.client(world.officer_a)
    for page in (console.get("/console/").content.decode(), console.get(f"/console/case/{case.reference}/").content.decode()):
        assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_intake_is_rate_limited_per_address(world: World, settings: object) -> None:
    settings.CANHGIAC_INTAKE_RATE = 3  # type: ignore[attr-defined]
    client = Client()
    for i in range(3):
        assert _submit(client, text=f"Tin số {i}: có người lạ dò xét trong xóm")[0] == 200
    status, html = _submit(client, text="Tin thứ tư")
    assert status == 429 and "quá nhiều" in html
    assert Case.objects.count() == 3


def test_oversized_request_is_refused_before_reading(world: World, settings: object) -> None:
    settings.CANHGIAC_MAX_REQUEST_BYTES = 1000  # type: ignore[attr-defined]
    response = Client().post("/gui/xa-a/", {"text": "x" * 5000})
    assert response.status_code == 413
    assert Case.objects.count() == 0


def test_unknown_channel_is_404(world: World) -> None:
    assert Client().get("/gui/khong-co/").status_code == 404


def test_contact_is_encrypted_at_rest(world: World) -> None:
    _submit(Client(), text="Có người buôn ma túy ở bến sông", contact="Chị Lan 0912 345 678")
    case = Case.objects.select_related("reporter").get()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_sealed FROM cases_reporter WHERE id = %s", [case.reporter_id])
        raw = cursor.fetchone()[0]
    assert "0912" not in raw and "Lan" not in raw
    assert unseal(raw) == "Chị Lan 0912 345 678"


@pytest.mark.parametrize("path", ["/", "/theo-doi/", "/healthz"])
def test_public_pages_answer(world: World, path: str) -> None:
    assert Client().get(path).status_code == 200


def test_multipart_bombs_are_a_400_and_store_nothing(world: World) -> None:
    """Thousands of fields, or more files than the form takes: refused before any work."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = {f"f{n}": "x" for n in range(5000)}
    response = Client().post("/gui/xa-a/", {"text": "Trộm xe máy", **fields})
    assert response.status_code == 400 and "CHƯA được nhận" in response.content.decode()
    files = [SimpleUploadedFile(f"{n}.jpg", b"\xff\xd8" + b"0" * 100, "image/jpeg") for n in range(50)]
    response = Client().post("/gui/xa-a/", {"text": "Trộm xe máy", "photos": files})
    assert response.status_code == 400
    assert Case.objects.count() == 0
