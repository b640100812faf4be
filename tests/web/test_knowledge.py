"""The knowledge base answers questions; published warnings become reasons."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit.models import AuditEvent
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
    # Answered, but open until the citizen (or an officer, or a quiet period) confirms it.
    assert case.status == Case.Status.AUTO_ANSWERED and case.resolved_at is None and case.is_open
    answer = last_answer(case)
    assert "14 tuổi" in answer and "Nguồn: Luật Căn cước 2023" in answer
    assert answer.endswith('Hãy trả lời "Đúng" hoặc "Chưa đúng"; nếu chưa đúng, cán bộ sẽ trả lời bạn.')
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


def _learn_form(client: Client, case: Case) -> str:
    """The question the answer-and-learn form offers, as the officer sees it."""
    page = client.get(f"/console/case/{case.reference}/").content.decode()
    found = re.search(r'<textarea id="kb-question" name="question"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no answer-and-learn form"
    return html.unescape(found.group(1))


def test_answer_and_add_to_the_base(base: World) -> None:
    case = base.tip("Doanh nghiệp nộp tờ khai thuế giá trị gia tăng chậm bị phạt bao nhiêu?").case
    client = base.client(base.officer_a)
    question = _learn_form(client, case)
    assert question == "Doanh nghiệp nộp tờ khai thuế giá trị gia tăng chậm bị phạt bao nhiêu?"
    response = client.post(
        f"/console/case/{case.reference}/action/",
        {
            "action": "answer_kb",
            "title": "Nộp chậm tờ khai thuế GTGT",
            "question": question,
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
    # Sent twice (a double click, a second officer): one answer, one entry.
    twice = client.post(
        f"/console/case/{case.reference}/action/",
        {"action": "answer_kb", "title": "Nộp chậm tờ khai", "question": question, "body": "Hỏi chi cục thuế."},
    )
    assert twice.status_code == 400 and "đã được thêm vào cơ sở hỏi đáp" in twice.content.decode()
    assert Entry.objects.filter(title__startswith="Nộp chậm").count() == 1
    assert case.messages.filter(direction=Message.Direction.OUT).count() == 1


CITIZEN = (
    "Chị Hoa ở thôn Đông đây, số em 0912 345 678, tài khoản Vietcombank 0451000123456. "
    "Cho em hỏi làm lại thẻ căn cước bị mất thì cần giấy tờ gì, nộp ở đâu ạ?"
)
PERSONAL = ("Hoa", "0912", "345 678", "345678", "0451000123456")
# What the base must not keep: the above, and the citizen's own sentences.
CITIZENS = (*PERSONAL, "thôn Đông", CITIZEN[:40], CITIZEN)


def _knowledge_text() -> str:
    """Every value of every row of every table of the knowledge base."""
    from django.apps import apps

    rows = []
    for model in apps.get_app_config("knowledge").get_models():
        # Text values only: a timestamp's digits can hold "0912" by chance.
        rows += [str(value) for row in model._default_manager.values_list() for value in row if isinstance(value, str | list | dict)]
    return "\n".join(rows)


def test_the_base_learns_the_officers_wording_not_the_citizens(base: World, django_capture_on_commit_callbacks: Any) -> None:
    from canhgiac.web.cases.actions import change_status, correct
    from canhgiac.web.cases.retention import purge

    case = base.tip(CITIZEN).case
    correct(case, base.officer_a, "intent", "question")  # whatever the engine said
    client = base.client(base.officer_a)
    offered = _learn_form(client, case)
    assert "[tên]" in offered and "[số điện thoại]" in offered and "[số tài khoản]" in offered
    assert "làm lại thẻ căn cước bị mất" in offered
    assert not [part for part in PERSONAL if part in offered]
    # The officer rewrites it as a general question, and pastes her number back by mistake.
    response = client.post(
        f"/console/case/{case.reference}/action/",
        {
            "action": "answer_kb",
            "title": "Làm lại thẻ căn cước bị mất",
            "question": "Mất thẻ căn cước thì làm lại ở đâu, cần giấy tờ gì?\nchị Hoa hỏi, số 0912 345 678",
            "body": "Chào chị Hoa, chị mang giấy khai sinh đến công an xã hoặc làm trên VNeID; lệ phí 70.000 đồng.",
            "source": "Luật Căn cước 2023",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(title="Làm lại thẻ căn cước bị mất")
    assert entry.questions.startswith("Mất thẻ căn cước thì làm lại ở đâu, cần giấy tờ gì?")
    assert "công an xã hoặc làm trên VNeID" in entry.answer
    stored = _knowledge_text()
    assert not [part for part in CITIZENS if part in stored]
    assert case.reference not in stored
    # The citizen got the answer as written, greeting and all.
    assert case.messages.get(direction=Message.Direction.OUT).body.startswith("Chào chị Hoa")
    # Nothing in the base points at the case: retention deletes it without looking there.
    assert not [f.name for f in Entry._meta.concrete_fields if f.is_relation and f.related_model not in (Unit, User)]
    change_status(case, base.officer_a, Case.Status.CLOSED)
    Case.objects.filter(pk=case.pk).update(last_activity=timezone.now() - timedelta(days=base.commune_a.retention_days + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge().cases == 1
    assert not Case.objects.filter(pk=case.pk).exists() and Entry.objects.filter(pk=entry.pk).exists()
    stored = _knowledge_text()
    assert not [part for part in CITIZENS if part in stored]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Chị Hoa ở thôn 3 hỏi thủ tục tạm trú", "Chị [tên] ở thôn 3 hỏi thủ tục tạm trú"),
        ("chi Hoa o thon 3 hoi thu tuc tam tru", "chi [tên] o thon 3 hoi thu tuc tam tru"),
        ("Tôi là Nguyễn Văn An, muốn làm căn cước", "Tôi là [tên], muốn làm căn cước"),
        ("toi la Nguyen Van An, muon lam can cuoc", "toi la [tên], muon lam can cuoc"),
        ("Mẹ em bà Phạm Thị Lan muốn chuyển khẩu về đây", "Mẹ em bà [tên] muốn chuyển khẩu về đây"),
        ("con tôi tên là Minh, 14 tuổi", "con tôi tên là [tên], 14 tuổi"),
        ("gọi cho em 0912.345.678 nhé", "gọi cho em [số điện thoại] nhé"),
        ("goi +84 912 345 678 nhe", "goi [số điện thoại] nhe"),
        ("０９１２３４５６７８ là số của ai", "[số điện thoại] là số của ai"),
        ("stk 0451000123456 Vietcombank bị trừ tiền", "stk [số tài khoản] Vietcombank bị trừ tiền"),
        ("có người gửi vcb-sinhtrachoc[.]top bảo vào", "có người gửi [đường dẫn] bảo vào"),
        ("trang www . abc [.] com/xyz hỏi vay tiền", "trang [đường dẫn] hỏi vay tiền"),
        ("Số CCCD 001203004567 bị mất", "Số CCCD [dãy số] bị mất"),
        # Not a person, not somebody's number: left as written.
        ("Ông Chủ tịch xã có ký xác nhận không?", "Ông Chủ tịch xã có ký xác nhận không?"),
        ("Tôi ở Bà Rịa - Vũng Tàu muốn đăng ký thường trú", "Tôi ở Bà Rịa - Vũng Tàu muốn đăng ký thường trú"),
        ("Theo Nghị định 125/2020/NĐ-CP năm 2024 phạt bao nhiêu?", "Theo Nghị định 125/2020/NĐ-CP năm 2024 phạt bao nhiêu?"),
    ],
)
def test_what_a_question_loses_before_it_enters_the_base(text: str, kept: str) -> None:
    from canhgiac.engine import analyze
    from canhgiac.web.knowledge.redaction import redact

    assert redact(text) == kept
    assert not analyze(kept).indicators  # nothing the engine would read as a number or a link


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


# ------------------------------------------------- the subject of a question (retrieve)


def _bench() -> Any:
    """bench/kb_questions.py, as a module (the bench folder is no package)."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "kb_questions.py"
    spec = importlib.util.spec_from_file_location("kb_questions_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_no_wrong_automatic_answer_on_the_question_sets() -> None:
    """Questions written for the starter base (bench/kb_questions/): of those it cannot
    answer, none is answered automatically; of those it can, none with another entry,
    and most still are (refusing everything would pass the first two)."""
    result = _bench().evaluate()
    assert result.answerable >= 100 and result.unanswerable >= 100
    assert result.wrong == []
    assert result.right >= 110, f"only {result.right} of {result.answerable} right automatic answers remain"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Nuôi chó có cần đăng ký không?", {"dog"}),
        ("nuoi cho co can dang ky khong", {"dog"}),
        ("Làm căn cước cho con", {"id_card"}),  # "cho" is "for" here, not a dog
        ("dang ky xe o to", {"vehicle", "car"}),
        ("Đăng ký xe mô tô", {"vehicle", "motorbike"}),
        ("Thuê nhà ở xã khác có phải đăng ký tạm trú?", {"rental", "temporary_residence"}),
    ],
)
def test_subjects_a_question_names(text: str, named: set[str]) -> None:
    from canhgiac.engine.retrieve import subjects

    assert subjects(text) == named


def test_same_subject() -> None:
    from canhgiac.engine.retrieve import other_subject, same_subject

    motorbike = ["Đăng ký xe máy tại công an xã", "Mua xe máy mới đăng ký biển số ở đâu?"]
    licence = ["Đổi giấy phép lái xe", "Giấy phép lái xe hết hạn đổi ở đâu?"]
    assert not same_subject("nuoi cho co can dang ky voi cong an xa khong", motorbike)
    assert not same_subject("Đăng ký ô tô mới mua ở đâu?", motorbike)  # another vehicle
    assert same_subject("Đăng ký xe máy mới mua ở đâu?", motorbike)
    assert same_subject("Đổi bằng lái xe ô tô ở đâu?", licence)  # an entry on vehicles in general
    assert other_subject("nuoi cho co can dang ky khong", motorbike)
    assert not other_subject("Cho hỏi thủ tục giấy tờ thế nào?", motorbike)  # vague: may be offered


# ------------------------------------------------------------ the unanswered list


def _groups(client: Client) -> list[tuple[int, str]]:
    """The unanswered list as (count, references in the row), one row per group."""
    page = client.get("/console/knowledge/unanswered/").content.decode()
    rows = re.findall(r'<tr class="group" data-count="(\d+)">(.*?)</tr>', page, re.S)
    return [(int(count), " ".join(dict.fromkeys(re.findall(r"CG-[0-9A-Z]{4}-[0-9A-Z]{4}", row)))) for count, row in rows]


DOGS = (
    "Nuôi chó có cần đăng ký với công an xã không?",
    "nuoi cho co phai dang ky voi cong an xa khong a",
    "Cho em hỏi nuôi chó có phải đăng ký với xã không?",
)


def test_similar_unanswered_questions_are_one_group(base: World) -> None:
    dogs = [base.tip(text).case for text in DOGS]
    car = base.tip("Đăng ký ô tô mới mua ở công an xã được không?").case
    assert all(c.kb_entry is None for c in [*dogs, car])
    groups = _groups(base.client(base.officer_a))
    assert groups[0][0] == 3 and all(c.reference in groups[0][1] for c in dogs)
    assert groups[0][1].startswith(dogs[-1].reference)  # the latest first
    assert (1, car.reference) in groups


def test_an_entry_written_from_a_group_takes_it_off_the_list(base: World) -> None:
    dogs = [base.tip(text).case for text in DOGS]
    other = base.tip("Đăng ký ô tô mới mua ở công an xã được không?").case
    client = base.client(base.officer_a)
    page = client.get("/console/knowledge/unanswered/").content.decode()
    assert f"/console/knowledge/new/?from={dogs[-1].pk}" in page
    form = client.get(f"/console/knowledge/new/?from={dogs[-1].pk}").content.decode()
    assert "nuoi cho co phai dang ky" in html.unescape(form)  # the group's questions, to edit
    response = client.post(
        f"/console/knowledge/new/?from={dogs[-1].pk}",
        {
            "unit": base.commune_a.pk,
            "title": "Nuôi chó",
            "questions": "Nuôi chó có phải đăng ký không?",
            "answer": "Không phải.",
            "active": "on",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(title="Nuôi chó")
    assert [g[1] for g in _groups(client)] == [other.reference]
    for case in dogs:
        case.refresh_from_db()
        assert case.kb_learned == entry and case.kb_entry is None  # learned from, not answered by
    assert AuditEvent.objects.filter(action="case.kb_learned", object_id=str(dogs[0].pk), actor=base.officer_a).exists()
    # The next person who asks gets the new entry.
    assert base.tip("Nuôi chó ở xã có cần đăng ký không ạ?").case.kb_entry == entry


def test_from_a_case_of_another_unit_is_ignored(base: World) -> None:
    theirs = base.tip(DOGS[0], channel=base.web_b).case
    client = base.client(base.officer_a)
    client.post(
        f"/console/knowledge/new/?from={theirs.pk}",
        {"unit": base.commune_a.pk, "title": "Nuôi chó", "questions": "Nuôi chó?", "answer": "Không phải.", "active": "on"},
    )
    theirs.refresh_from_db()
    assert theirs.kb_learned is None
    assert theirs.reference in _groups(base.client(base.officer_b))[0][1]


def test_an_officer_reply_takes_that_question_off_the_list(base: World) -> None:
    dogs = [base.tip(text).case for text in DOGS]
    from canhgiac.web.cases.actions import reply

    reply(dogs[0], base.officer_a, "Không cần đăng ký với công an, nhưng phải tiêm phòng dại.")
    groups = _groups(base.client(base.officer_a))
    assert groups[0][0] == 2 and dogs[0].reference not in groups[0][1]


def test_answer_and_learn_takes_the_whole_group_off(base: World) -> None:
    dogs = [base.tip(text).case for text in DOGS]
    client = base.client(base.officer_a)
    response = client.post(
        f"/console/case/{dogs[0].reference}/action/",
        {
            "action": "answer_kb",
            "title": "Nuôi chó",
            "question": "Nuôi chó có phải đăng ký không?",
            "body": "Không phải, nhưng phải tiêm phòng dại.",
        },
    )
    assert response.status_code == 302
    assert _groups(client) == []
    dogs[2].refresh_from_db()
    assert dogs[2].kb_learned == Entry.objects.get(title="Nuôi chó") and dogs[2].first_reply_at is None
