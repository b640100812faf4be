"""The knowledge base answers questions; published warnings become reasons."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from canhgiac.web.cases.models import Case, Message
from canhgiac.web.knowledge.models import Entry, Warning
from canhgiac.web.knowledge.transfer import export_entries, import_entries, starter_text
from tests.web.conftest import World


@pytest.fixture
def base(world: World) -> World:
    import_entries(starter_text(), "json", world.district)
    Warning.objects.create(
        unit=world.district,
        title="Giả danh ngân hàng đòi xác thực sinh trắc học",
        example="[Vietcombank] Tai khoan cua quy khach se bi tam khoa do chua cap nhat sinh trac hoc. Vui long truy cap vcb-sinhtrachoc.top de xac thuc truoc 17h hom nay.",
        signs="Ngân hàng không gửi link cập nhật sinh trắc học.",
        advice="Không bấm link; gọi tổng đài ngân hàng.",
        published=True,
    )
    return world


def last_answer(case: Case) -> str:
    message = case.messages.filter(direction=Message.Direction.AUTO).order_by("-id").first()
    assert message is not None
    return message.body


def test_starter_set_is_complete_and_sourced() -> None:
    entries = json.loads(starter_text())["entries"]
    assert len(entries) >= 40
    for e in entries:
        assert e["title"] and len(e["answer"]) > 80 and e["source_name"] and e["questions"]
    titles = " ".join(e["title"] for e in entries).lower()
    for topic in (
        "thường trú",
        "tạm trú",
        "tạm vắng",
        "lưu trú",
        "căn cước",
        "vneid",
        "khai sinh",
        "kết hôn",
        "tình trạng hôn nhân",
        "khai tử",
        "đăng ký xe",
        "mất",
        "một cửa",
        "tố giác",
        "tài khoản",
    ):
        assert topic in titles, topic


def test_confident_match_is_answered_at_once_with_its_source(base: World) -> None:
    case = base.tip("Con tôi 14 tuổi đi làm thẻ căn cước cần mang theo giấy tờ gì?").case
    assert case.kb_entry is not None and case.kb_entry.title == "Cấp thẻ căn cước lần đầu"
    assert case.status == Case.Status.RESOLVED
    answer = last_answer(case)
    assert "14 tuổi" in answer and "Nguồn: Luật Căn cước 2023" in answer
    assert Entry.objects.get(pk=case.kb_entry.pk).answered == 1


def test_same_question_without_diacritics(base: World) -> None:
    case = base.tip("con toi 14 tuoi di lam the can cuoc can mang theo giay to gi").case
    assert case.kb_entry is not None and case.kb_entry.title == "Cấp thẻ căn cước lần đầu"


def test_weaker_match_offers_three_and_a_number_picks_one(base: World) -> None:
    received = base.tip("Cho hỏi thủ tục giấy tờ cho con thế nào?")
    case = received.case
    assert case.kb_entry is None and 1 <= len(case.kb_offer) <= 3
    assert "Có phải bạn muốn hỏi" in last_answer(case) and "1." in last_answer(case)
    offered = list(case.kb_offer)
    from canhgiac.web.cases.actions import receive_message

    receive_message(channel=base.web_a, text="2", case=case)
    case.refresh_from_db()
    chosen = Entry.objects.get(pk=offered[1]) if len(offered) > 1 else Entry.objects.get(pk=offered[0])
    assert case.kb_entry == chosen and case.kb_offer == []
    assert last_answer(case).startswith(chosen.answer[:30])


def test_unanswerable_question_waits_for_an_officer(base: World) -> None:
    case = base.tip("Doanh nghiệp nộp tờ khai thuế giá trị gia tăng chậm bị phạt bao nhiêu?").case
    assert case.kb_entry is None and case.kb_offer == []
    assert "cán bộ sẽ trả lời" in last_answer(case)
    page = base.client(base.officer_a).get("/console/knowledge/unanswered/").content.decode()
    assert case.reference in page


def test_answer_and_add_to_the_base(base: World) -> None:
    case = base.tip("Doanh nghiệp nộp tờ khai thuế giá trị gia tăng chậm bị phạt bao nhiêu?").case
    response = base.client(base.officer_a).post(
        f"/console/case/{case.reference}/action/",
        {
            "action": "answer_kb",
            "title": "Nộp chậm tờ khai thuế GTGT",
            "body": "Phạt theo số ngày chậm, từ cảnh cáo đến vài triệu đồng; hỏi chi cục thuế.",
            "source": "Nghị định 125/2020/NĐ-CP",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(title="Nộp chậm tờ khai thuế GTGT")
    assert entry.unit == base.commune_a and "tờ khai thuế" in entry.questions
    assert case.messages.filter(direction=Message.Direction.OUT).exists()
    again = base.tip("doanh nghiep nop to khai thue gia tri gia tang cham bi phat bao nhieu").case
    assert again.kb_entry == entry


def test_expired_entry_is_not_used(base: World) -> None:
    import datetime

    Entry.objects.filter(title="Cấp thẻ căn cước lần đầu").update(valid_to=datetime.date(2020, 1, 1))
    case = base.tip("Con tôi 14 tuổi đi làm thẻ căn cước cần mang theo giấy tờ gì?").case
    assert case.kb_entry is None or case.kb_entry.title != "Cấp thẻ căn cước lần đầu"


def test_forwarded_message_like_a_published_warning_is_told_so(base: World) -> None:
    case = base.tip(
        "[BIDV] Tai khoan cua quy khach se bi tam khoa do chua cap nhat sinh trac hoc. Vui long truy cap bidv-xacthuc.top de xac thuc truoc 17h hom nay."
    ).case
    assert case.warning is not None and case.warning_confirmed
    assert case.reasons[0]["code"] == "matches_warning" and case.verdict == "scam"
    assert last_answer(case).startswith("CẢNH BÁO: Giả danh ngân hàng")
    assert Warning.objects.get().matched == 1


def test_short_text_never_confirms_a_warning(base: World) -> None:
    case = base.tip("tài khoản bị khóa sinh trắc học link").case
    assert not case.warning_confirmed
    assert not any(r["code"] == "matches_warning" for r in case.reasons)


def test_unpublished_warning_is_not_used(base: World) -> None:
    Warning.objects.update(published=False)
    case = base.tip(
        "[Techcombank] Tai khoan cua quy khach se bi tam khoa do chua cap nhat sinh trac hoc. Vui long truy cap tcb-xacthuc.vip de cap nhat truoc 12h hom nay."
    ).case
    assert case.warning is None


def test_import_export_round_trip(base: World) -> None:
    entries = Entry.objects.filter(unit=base.district).order_by("title")
    for fmt in ("csv", "json"):
        text = export_entries(entries, fmt)
        added, updated = import_entries(text, fmt, base.commune_b)
        assert added + updated == entries.count()
        copied = Entry.objects.filter(unit=base.commune_b).order_by("title")
        assert [(e.title, e.answer, e.questions) for e in copied] == [(e.title, e.answer, e.questions) for e in entries]
    with pytest.raises(ValueError, match="CSV thiếu cột"):
        import_entries("question,reply\na,b\n", "csv", base.commune_b)
    with pytest.raises(ValueError, match="dòng 1"):
        import_entries('{"entries": [{"title": "x"}]}', "json", base.commune_b)


def test_knowledge_pages(base: World) -> None:
    client = base.client(base.officer_a)
    page = client.get("/console/knowledge/?q=tam tru").content.decode()
    assert "Đăng ký tạm trú" in page and "Đăng ký kết hôn" not in page
    assert client.get("/console/knowledge/export.csv")["Content-Disposition"].endswith('knowledge-base.csv"')
    response = client.post(
        "/console/knowledge/new/",
        {
            "unit": base.commune_a.pk,
            "title": "Giờ tiếp dân công an xã A",
            "questions": "công an xã A tiếp dân khi nào",
            "answer": "Sáng thứ Năm hằng tuần, từ 8 giờ đến 11 giờ, tại trụ sở công an xã A.",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert base.tip("Công an xã A tiếp dân khi nào vậy ạ?").case.kb_entry is not None
    upload = io.BytesIO(
        json.dumps({"entries": [{"title": "Mục nhập thử", "questions": ["hỏi thử"], "answer": "Trả lời thử đủ dài."}]}).encode()
    )
    upload.name = "kb.json"
    client.post("/console/knowledge/import/", {"file": upload, "unit": base.commune_a.pk})
    assert Entry.objects.filter(title="Mục nhập thử", unit=base.commune_a).exists()
    viewer = base.client(base.viewer_a)
    assert viewer.post("/console/knowledge/new/", {"unit": base.commune_a.pk, "title": "x", "answer": "y"}).status_code == 403
    assert Client().get("/console/knowledge/").status_code == 302
    entry_b = Entry.objects.create(unit=base.commune_b, title="Riêng xã B", questions="", answer="...")
    assert client.get(f"/console/knowledge/{entry_b.pk}/").status_code == 404


def test_warning_pages_publish(base: World) -> None:
    client = base.client(base.officer_a)
    response = client.post(
        "/console/knowledge/warnings/new/",
        {
            "unit": base.commune_a.pk,
            "title": "Tuyển cộng tác viên thả tim",
            "example": "Tuyển CTV làm tại nhà, thả tim video TikTok, hoa hồng 300k mỗi ngày, nạp trước 500k để nhận nhiệm vụ.",
            "signs": "Hứa hoa hồng cao, đòi nạp tiền trước.",
            "advice": "Không nạp tiền.",
            "published": "on",
        },
    )
    assert response.status_code == 302
    warning = Warning.objects.get(title="Tuyển cộng tác viên thả tim")
    assert warning.published and warning.published_at is not None
    case = base.tip("Tuyen CTV lam tai nha, tha tim video TikTok, hoa hong 300k moi ngay, nap truoc 500k de nhan nhiem vu").case
    assert case.warning == warning and case.warning_confirmed
    assert "Tuyển cộng tác viên thả tim" in client.get("/console/knowledge/warnings/").content.decode()
