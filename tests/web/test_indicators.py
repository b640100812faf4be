"""The indicator registry: what is recorded from a message, what each unit sees of other
units' reports, and who may read, confirm, dismiss and import."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.test import Client

from canhgiac.web.accounts.models import User
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.models import Case
from canhgiac.web.core.engine import engine
from canhgiac.web.indicators.actions import own_contact_numbers, said_as_own_contact
from canhgiac.web.indicators.models import Indicator, IndicatorReport
from tests.web.conftest import PASSWORD, World

SCAM = "Chúc mừng bạn trúng thưởng xe SH, chuyển phí 500k rồi gọi 0987654321 để nhận quà."


@pytest.fixture
def indicator(world: World) -> Indicator:
    world.tip("Chúc mừng bạn trúng thưởng xe SH, nhận quà tại qua-tang-so1.top trước 17h")
    return Indicator.objects.get(value="qua-tang-so1.top")


def test_registry_needs_login(world: World, indicator: Indicator) -> None:
    assert Client().get("/console/indicators/").status_code == 302
    assert Client().post(f"/console/indicators/{indicator.pk}/status/", {"status": "confirmed"}).status_code == 302
    indicator.refresh_from_db()
    assert indicator.status == "reported"


# The full allow/deny table is in test_access_matrix.py; here, what the page offers.
@pytest.mark.parametrize(("persona", "allowed"), [("officer_a", False), ("supervisor", True), ("viewer_a", False)])
def test_who_may_confirm(world: World, indicator: Indicator, persona: str, allowed: bool) -> None:
    client = world.client(getattr(world, persona))
    page = client.get("/console/indicators/?q=qua-tang").content.decode()
    assert "qua-tang-so1.top" in page
    assert (f"/console/indicators/{indicator.pk}/status/" in page) == allowed  # no button that would be refused
    response = client.post(f"/console/indicators/{indicator.pk}/status/", {"status": "confirmed"})
    assert response.status_code == (302 if allowed else 403)
    indicator.refresh_from_db()
    assert (indicator.status == "confirmed") == allowed
    assert AuditEvent.objects.filter(action="indicator.status").exists() == allowed


def test_confirmed_indicator_becomes_a_reason(world: World, indicator: Indicator) -> None:
    world.client(world.supervisor).post(f"/console/indicators/{indicator.pk}/status/", {"status": "confirmed"})
    case = world.tip("Có ai biết trang qua-tang-so1.top không ạ?").case
    assert "known_indicator" in [r["code"] for r in case.reasons]


@pytest.mark.parametrize(("persona", "expected"), [("officer_a", 403), ("supervisor", 302), ("admin", 302)])
def test_who_may_import(world: World, persona: str, expected: int) -> None:
    upload = io.BytesIO(b"text,kind\nlua-dao-moi.top,domain\n")
    upload.name = "list.csv"
    response = world.client(getattr(world, persona)).post("/console/indicators/import/", {"file": upload})
    assert response.status_code == expected
    assert Indicator.objects.filter(value="lua-dao-moi.top").exists() == (expected == 302)


def test_import_of_a_bad_file_is_a_clear_error(world: World) -> None:
    upload = io.BytesIO(b"\xff\xfe\x00garbage")
    upload.name = "list.csv"
    client = world.client(world.supervisor)
    response = client.post("/console/indicators/import/", {"file": upload}, follow=True)
    assert "Không nhập được" in response.content.decode()
    assert Indicator.objects.count() == 0


# ---------------------------------------------------------------------------- own contact

OWN = [
    "Số của tôi là 0912.345.678",
    "so cua toi la 0912.345.678",
    "SĐT em: 0912 345 678",
    "sdt em 0912345678",
    "Liên hệ lại cho tôi qua số 0912 345 678 nhé",
    "lien he lai cho toi qua so 0912 345 678 nhe",
    "Có gì gọi cho mình 0912345678",
    "co gi goi cho minh 0912345678",
    "lh lại cho e qua zalo 0912345678",
    "Số điện thoại liên hệ của tôi: 0912345678",
]
NOT_OWN = [
    "Có người gọi cho tôi 0912345678 bảo là công an",
    "co nguoi goi cho toi 0912345678 bao la cong an",
    "Nó vừa gọi cho em từ số 0912345678",
    "no vua goi cho em tu so 0912345678",
    "Số lừa đảo là 0912345678",
    "Tôi nhận tin nhắn từ 0912345678",
    "Chuyển phí 500k rồi gọi 0912345678 để nhận quà",
]


@pytest.mark.parametrize("text", OWN)
def test_a_number_given_as_the_writers_own_contact_is_recognised(db: None, text: str) -> None:
    analysis = engine().analyze(text)
    assert own_contact_numbers(analysis.text.plain, analysis.indicators.phones) == {"+84912345678"}


@pytest.mark.parametrize("text", NOT_OWN)
def test_a_number_told_of_is_not_the_writers_own(db: None, text: str) -> None:
    analysis = engine().analyze(text)
    assert [p.e164 for p in analysis.indicators.phones] == ["+84912345678"]
    assert own_contact_numbers(analysis.text.plain, analysis.indicators.phones) == set()


def test_said_as_own_contact_looks_only_just_before_the_number() -> None:
    assert said_as_own_contact("so cua toi la ")
    assert not said_as_own_contact("so cua toi la 0911111111, con so lua dao la ")


@pytest.mark.parametrize(
    "own",
    ["Số của tôi là 0912.345.678, mong các anh xử lý.", "so cua toi la 0912.345.678, mong cac anh xu ly.", "Sdt em 0912345678 ạ"],
)
def test_the_reporters_own_number_is_not_recorded_as_an_indicator(world: World, own: str) -> None:
    received = world.tip(f"{SCAM} {own}")
    assert received.case.verdict == "scam"
    assert set(Indicator.objects.values_list("value", flat=True)) == {"+84987654321"}
    assert "+84912345678" in received.case.indicators["phones"]  # still on the case, for its officers


def test_a_forwarded_scams_own_contact_line_is_the_scammers_number(world: World) -> None:
    # "liên hệ em qua zalo" in a forwarded scam is the scammer speaking: that number is
    # exactly what the registry is for.
    received = world.tip(
        "Viec nhe luong cao 500k/ngay, chi can like video TikTok, lien he em qua zalo 0987654321 de nhan viec, nap 200k kich hoat tai khoan"
    )
    assert received.case.intent == "scam_check" and received.case.verdict == "scam"
    assert "+84987654321" in set(Indicator.objects.values_list("value", flat=True))


# ---------------------------------------------------------------------------- reports


def test_official_domains_quoted_by_a_scam_are_never_proposed_for_blocking(world: World) -> None:
    received = world.tip(
        "Vietcombank thong bao tai khoan cua quy khach bi khoa, truy cap https://vietcombank.com.vn va "
        "http://vcb-xacminh.top de mo khoa, nhap OTP ngay"
    )
    assert received.case.verdict == "scam"
    domains = set(Indicator.objects.filter(kind=Indicator.Kind.DOMAIN).values_list("value", flat=True))
    assert "vcb-xacminh.top" in domains and not [d for d in domains if d.endswith("vietcombank.com.vn")]


def test_reports_are_rows_per_case_and_counted_once_per_case(world: World) -> None:
    first = world.tip(SCAM).case
    world.tip(SCAM, case=first)  # the same number again in a follow-up
    second = world.tip(SCAM, channel=world.web_b).case
    indicator = Indicator.objects.get(value="+84987654321")
    assert indicator.report_count == 2 and indicator.source == ""
    assert sorted(IndicatorReport.objects.values_list("unit__slug", "case__reference")) == sorted(
        [("xa-a", first.reference), ("xa-b", second.reference)]
    )


def test_the_registry_shows_other_units_counts_never_their_cases(world: World) -> None:
    case_a = world.tip(SCAM).case
    case_b = world.tip(SCAM, channel=world.web_b).case
    seen = {
        persona: world.client(getattr(world, persona)).get("/console/indicators/").content.decode()
        for persona in ("officer_a", "officer_b", "supervisor", "outsider")
    }
    assert f'href="/console/case/{case_a.reference}/"' in seen["officer_a"] and case_b.reference not in seen["officer_a"]
    assert f'href="/console/case/{case_b.reference}/"' in seen["officer_b"] and case_a.reference not in seen["officer_b"]
    assert case_a.reference in seen["supervisor"] and case_b.reference in seen["supervisor"]  # the district above both
    assert case_a.reference not in seen["outsider"] and case_b.reference not in seen["outsider"]
    assert "Đơn vị khác: 1 lần báo" in seen["officer_a"] and "Đơn vị khác: 2 lần báo" in seen["outsider"]
    assert "Đơn vị khác" not in seen["supervisor"]


def test_a_report_outlives_its_deleted_case_as_a_count(world: World) -> None:
    case = world.tip(SCAM).case
    Case.objects.filter(pk=case.pk).delete()
    report = IndicatorReport.objects.get()
    assert report.case is None and report.unit == world.commune_a
    assert "1 tin đã xóa" in world.client(world.officer_a).get("/console/indicators/").content.decode()


def test_old_case_references_become_reports_and_leave_the_registry(world: World) -> None:
    case = world.tip("Nhà số 5 bị trộm xe máy").case
    named = Indicator.objects.create(kind="phone", value="+84911000111", report_count=3, source=f"case {case.reference}")
    gone = Indicator.objects.create(kind="phone", value="+84911000222", report_count=1, source="case CG-GONE-GONE")
    imported = Indicator.objects.create(kind="domain", value="lua.top", source="danh-sach.csv")
    migration = importlib.import_module("canhgiac.web.indicators.migrations.0002_indicator_reports")
    migration.sources_to_reports(apps, None)
    assert list(Indicator.objects.filter(source__startswith="case ")) == []
    assert list(IndicatorReport.objects.values_list("indicator", "unit", "case")) == [(named.pk, world.commune_a.pk, case.pk)]
    gone.refresh_from_db()
    imported.refresh_from_db()
    assert gone.report_count == 1 and imported.source == "danh-sach.csv"


def test_an_imported_indicator_is_for_the_top_of_the_tree(world: World) -> None:
    indicator = Indicator.objects.create(kind="domain", value="lua.top", source="danh-sach.csv")
    commune_supervisor = User.objects.create_user("chihuy-a", password=PASSWORD, unit=world.commune_a, role=User.Role.SUPERVISOR)
    refused = world.client(commune_supervisor).post(f"/console/indicators/{indicator.pk}/status/", {"status": "dismissed"})
    assert refused.status_code == 403
    assert world.client(world.supervisor).post(f"/console/indicators/{indicator.pk}/status/", {"status": "dismissed"}).status_code == 302
    indicator.refresh_from_db()
    assert indicator.status == "dismissed"
