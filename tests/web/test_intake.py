"""The public web page: send, get a receipt, follow up anonymously."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.models import Attachment, Case, Message
from canhgiac.web.core.crypto import unseal
from tests.web.conftest import World


def _submit(client: Client, slug: str = "xa-a", **data: object) -> tuple[int, str]:
    """Send the form and follow to the receipt (Post/Redirect/Get)."""
    response = client.post(f"/gui/{slug}/", data, follow=True)
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


def test_a_victim_is_a_fraud_tip_told_what_to_do_now(world: World) -> None:
    """Money already lost: an urgent fraud case for an officer, the receiving account in
    the registry, and advice to call the bank now, never "do not transfer"."""
    from canhgiac.web.indicators.models import IndicatorReport

    text = "Mẹ tôi vừa chuyển 50 triệu vào STK 0451000123456 Vietcombank cho người tự xưng công an 1 tiếng trước, giờ họ tắt máy"
    status, html = _submit(Client(), text=text)
    assert status == 200
    reference, _key = _receipt(html)
    case = Case.objects.get(reference=reference)
    assert case.intent == "tip" and case.category == "fraud" and case.urgent
    assert IndicatorReport.objects.filter(case=case, indicator__value="0451000123456").exists()
    reply = case.messages.get(direction=Message.Direction.AUTO).body
    assert "tổng đài" in reply and "phong tỏa" in reply and "0451000123456" in reply
    assert "biên lai" in reply and "lấy lại tiền" in reply
    assert "Không chuyển tiền" not in reply and "Kết quả kiểm tra" not in reply


def test_asking_what_to_do_if_scammed_is_a_question_not_a_victim(world: World) -> None:
    _status, html = _submit(Client(), text="Nếu mình bị lừa qua mạng thì phải làm gì?")
    reference, _key = _receipt(html)
    case = Case.objects.get(reference=reference)
    assert case.intent == "question" and case.category == ""
    assert "phong tỏa" not in case.messages.get(direction=Message.Direction.AUTO).body


def test_a_victims_indicators_reach_the_registry_even_when_not_called_a_scam(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A victim's own story asks for nothing and may score low: the receiving account is
    still reported (the verdict alone would leave it out)."""
    from canhgiac.engine import Engine, EngineConfig
    from canhgiac.web.cases import actions
    from canhgiac.web.core.engine import DatabaseRegistry
    from canhgiac.web.indicators.models import IndicatorReport

    never_scam = Engine(EngineConfig(registry=DatabaseRegistry(), scam_threshold=1.01, suspicious_threshold=1.01))
    monkeypatch.setattr(actions, "engine", lambda: never_scam)
    _status, html = _submit(Client(), text="Tôi bị lừa mất 7 triệu, đã chuyển vào STK 1012345678 ACB, giờ họ chặn Zalo")
    reference, _key = _receipt(html)
    case = Case.objects.get(reference=reference)
    assert case.verdict == "suspicious" and case.intent == "tip" and case.category == "fraud"
    assert IndicatorReport.objects.filter(case=case, indicator__value="1012345678").exists()


# ----------------------------------------------------------------- citizen flows (issue 10)

KEY_CHARS = set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


def test_receipt_is_its_own_page_the_key_shown_once(world: World) -> None:
    citizen = Client()
    response = citizen.post("/gui/xa-a/", {"text": "Có nhóm thanh niên đua xe trên đường tỉnh 8 mỗi tối"})
    assert response.status_code == 303
    case = Case.objects.get()
    assert response["Location"] == f"/gui/da-nhan/{case.reference}/"  # no key in the URL
    first = citizen.get(response["Location"]).content.decode()
    reference, key = _receipt(first)
    assert reference == case.reference and 'id="key-shown"' not in first
    again = citizen.get(response["Location"])  # a reload reads the page, it sends nothing
    html = again.content.decode()
    assert again.status_code == 200 and reference in html and key not in html and 'id="key"' not in html
    assert "chỉ hiện một lần" not in html and 'id="key-shown"' in html
    assert Case.objects.count() == 1 and Message.objects.filter(direction=Message.Direction.IN).count() == 1
    # Someone else's browser is not shown the receipt (nor its automatic answer).
    stranger = Client().get(response["Location"])
    assert stranger.status_code == 302 and stranger["Location"] == "/theo-doi/"


def test_shared_location_is_kept_without_a_photo_and_shown_to_officers(world: World) -> None:
    status, _html = _submit(
        Client(), text="Có người lạ cạy cửa kho hàng ở cuối xóm", share_location="on", latitude="21.02851", longitude="105.85423"
    )
    assert status == 200
    message = Message.objects.get(direction=Message.Direction.IN)
    assert (message.latitude, message.longitude) == (21.02851, 105.85423) and not message.attachments.exists()
    reference = message.case.reference
    page = world.client(world.officer_a).get(f"/console/case/{reference}/").content.decode()
    assert "https://www.openstreetmap.org/?mlat=21.02851&amp;mlon=105.85423#map=17/21.02851/105.85423" in page
    assert world.client(world.officer_b).get(f"/console/case/{reference}/").status_code in (403, 404)
    export = world.client(world.officer_a).get("/console/reports/cases.csv?status=all")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    column = rows[0].index("Vị trí người báo chia sẻ")
    assert {row[0]: row[column] for row in rows[1:]} == {reference: "21.02851, 105.85423"}
    sheet = load_workbook(io.BytesIO(world.client(world.officer_a).get("/console/reports/cases.xlsx?status=all").content))["Tin"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][list(values[0]).index("Vị trí người báo chia sẻ")] == "21.02851, 105.85423"


def test_location_out_of_range_is_refused_with_the_text_kept(world: World) -> None:
    status, html = _submit(Client(), text="Trộm gà ở thôn Bắc", share_location="on", latitude="123", longitude="105.8")
    assert status == 200 and Case.objects.count() == 0
    assert "Trộm gà ở thôn Bắc" in html


def _phone_photo(min_bytes: int = 6_500_000) -> bytes:
    """A camera-sized JPEG that does not compress (noise), as an ordinary phone sends."""
    image = Image.frombytes("RGB", (3264, 2448), os.urandom(3264 * 2448 * 3))  # 8 megapixels
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    data = out.getvalue()
    assert min_bytes <= len(data) <= 10_000_000, len(data)
    return data


def test_an_ordinary_phone_photo_unshrunk_is_accepted_and_reencoded(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("IMG_2041.jpg", _phone_photo(), "image/jpeg")
    status, html = _submit(Client(), text="Xe lạ đổ trộm rác thải ra ruộng", photos=[photo])
    assert status == 200 and 'id="reference"' in html
    attachment = Attachment.objects.get()
    assert max(attachment.width, attachment.height) <= 2000 and attachment.size < 3_000_000


def test_refused_photos_keep_the_text_and_contact_and_say_why(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text, contact = "Có người bán hàng cấm ở chợ phiên", "0912 000 111"
    status, html = _submit(Client(), text=text, contact=contact, photos=[SimpleUploadedFile("a.jpg", b"not a picture", "image/jpeg")])
    assert status == 200 and "Tệp không phải là ảnh hợp lệ." in html
    assert text in html and 'value="0912 000 111"' in html
    photos = [SimpleUploadedFile(f"{n}.jpg", _jpeg_with_gps(), "image/jpeg") for n in range(4)]
    status, html = _submit(Client(), text=text, contact=contact, photos=photos)
    assert status == 200 and "Tối đa 3 ảnh." in html and text in html and 'value="0912 000 111"' in html
    assert Case.objects.count() == 0


def test_oversized_request_gets_a_vietnamese_page_with_a_way_back(world: World, settings: object) -> None:
    settings.CANHGIAC_MAX_REQUEST_BYTES = 1000  # type: ignore[attr-defined]
    response = Client().post("/gui/xa-a/", {"text": "x" * 5000})
    html = response.content.decode()
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")
    assert "chưa được gửi" in html and 'href="/gui/xa-a/" data-back' in html
    assert Case.objects.count() == 0


def test_the_form_tells_the_script_its_limits(world: World) -> None:
    html = Client().get("/gui/xa-a/").content.decode()
    assert 'data-shrink data-max-photos="3"' in html and "data-max-bytes=" in html and "Đang thu nhỏ ảnh" in html


def test_followup_key_has_no_lookalikes_and_is_typed_forgivingly(world: World) -> None:
    citizen = Client()
    _, html = _submit(citizen, text="Có người lạ dò xét nhà dân vào ban đêm")
    reference, shown = _receipt(html)
    groups = shown.split("-")
    assert all(len(g) == 4 for g in groups) and len(groups) == 7
    assert set("".join(groups)) <= KEY_CHARS
    typed = " ".join(groups).lower()  # as read from a screenshot: lowercase, spaces
    response = Client().post("/theo-doi/", {"reference": reference.lower(), "key": typed})
    assert response.status_code == 302 and response["Location"] == f"/theo-doi/{reference}/"
    wrong = shown[:-1] + ("2" if shown[-1] != "2" else "3")
    assert Client().post("/theo-doi/", {"reference": reference, "key": wrong}).status_code == 200


def test_keys_given_before_still_work_as_typed(world: World) -> None:
    from canhgiac.web.cases.actions import hash_key

    old = "YtJN_roqS1PtOVXAsUV7-PmW"  # token_urlsafe(18), as the receipts used to show
    case = world.tip().case
    Case.objects.filter(pk=case.pk).update(followup_key_hash=hash_key(old))
    assert Client().post("/theo-doi/", {"reference": case.reference, "key": f" {old} "}).status_code == 302
    assert Client().post("/theo-doi/", {"reference": case.reference, "key": old.lower()}).status_code == 200


def test_receipt_button_opens_the_followup_by_post(world: World) -> None:
    citizen = Client()
    _, html = _submit(citizen, text="Có trộm chó ở xóm Trại")
    reference, shown = _receipt(html)
    form = re.search(r'<form method="post" action="/theo-doi/" id="followup-open">(.*?)</form>', html, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)))
    assert fields["reference"] == reference and "-".join(re.findall(".{1,4}", fields["key"])) == shown
    opened = Client().post("/theo-doi/", {"reference": fields["reference"], "key": fields["key"]}, follow=True)
    assert opened.status_code == 200 and 'id="thread"' in opened.content.decode()
    assert all(fields["key"] not in url for url, _status in opened.redirect_chain)


def test_followup_takes_photos(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    citizen = Client()
    _, html = _submit(citizen, text="Có người đổ trộm phế thải ra bờ sông")
    reference, _key = _receipt(html)
    photo = SimpleUploadedFile("b.jpg", _jpeg_with_gps(), "image/jpeg")
    response = citizen.post(f"/theo-doi/{reference}/", {"text": "", "photos": [photo]})
    assert response.status_code == 302
    added = Message.objects.filter(case__reference=reference, direction=Message.Direction.IN).order_by("id").last()
    assert added is not None and added.attachments.count() == 1
    page = citizen.get(f"/theo-doi/{reference}/").content.decode()
    assert "1 ảnh" in page and 'enctype="multipart/form-data"' in page
    bad = citizen.post(f"/theo-doi/{reference}/", {"text": "Ảnh nữa", "photos": [SimpleUploadedFile("c.jpg", b"junk", "image/jpeg")]})
    assert bad.status_code == 200 and "Tệp không phải là ảnh hợp lệ." in bad.content.decode()


def test_urgent_receipt_says_so_with_a_call_link(world: World) -> None:
    _, urgent = _submit(Client(), text="Có người đang cầm dao đánh nhau ngay trước cổng chợ, cứu với")
    assert 'id="urgent"' in urgent and "Tin khẩn cấp" in urgent and '<a class="button danger" href="tel:113">Gọi 113</a>' in urgent
    _, calm = _submit(Client(), text="Tối qua nhà tôi ở thôn Đông bị trộm mất xe máy Wave màu đỏ")
    assert 'id="urgent"' not in calm


def test_receipt_offering_choices_has_its_own_reply_box(world: World) -> None:
    from canhgiac.web.knowledge.transfer import import_entries, starter_text

    import_entries(starter_text(), "json", world.district)
    citizen = Client()
    _, html = _submit(citizen, text="Cho hỏi thủ tục giấy tờ cho con thế nào?")
    case = Case.objects.get()
    assert case.kb_offer and case.kb_entry is None
    box = re.search(rf'<form class="card" method="post" action="/theo-doi/{case.reference}/" id="offer-reply">', html)
    assert box is not None and "Chọn 1, 2 hoặc 3, hoặc viết câu hỏi rõ hơn" in html
    response = citizen.post(f"/theo-doi/{case.reference}/", {"text": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.kb_entry is not None and case.kb_offer == []
    assert 'id="offer-reply"' not in citizen.get(f"/gui/da-nhan/{case.reference}/").content.decode()
    _, plain = _submit(Client(), text="Có trộm chó ở xóm Trại")
    assert 'id="offer-reply"' not in plain


def test_a_victim_quoting_a_published_scam_gets_victim_advice_not_the_warning(world: World) -> None:
    """The scam they fell for matches a warning: the case carries the match, but the
    answer is what to do now, not the warning's "do not transfer"."""
    from canhgiac.web.knowledge.models import Warning

    scam = (
        "[Vietcombank] Tai khoan cua quy khach se bi tam khoa do chua cap nhat sinh trac hoc. "
        "Vui long truy cap vcb-sinhtrachoc.top de xac thuc truoc 17h hom nay."
    )
    Warning.objects.create(
        unit=world.commune_a,
        title="Giả danh ngân hàng đòi xác thực sinh trắc học",
        example=scam,
        signs="Ngân hàng không gửi link cập nhật sinh trắc học.",
        advice="Không chuyển tiền, không bấm link.",
        published=True,
    )
    checked = world.tip(scam).case
    assert checked.warning is not None and checked.warning_confirmed
    received = world.tip(f"Sáng nay tôi bấm vào link này và bị rút sạch 20 triệu: {scam}")
    case = received.case
    assert received.analysis.victim and case.intent == "tip" and case.category == "fraud" and case.urgent
    reply = case.messages.get(direction=Message.Direction.AUTO).body
    assert "tổng đài" in reply and "Không chuyển tiền" not in reply and "CẢNH BÁO" not in reply
