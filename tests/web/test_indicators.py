"""The indicator registry pages: who may read, confirm, dismiss and import."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.indicators.models import Indicator
from tests.web.conftest import World


@pytest.fixture
def indicator(world: World) -> Indicator:
    world.tip("Chúc mừng bạn trúng thưởng xe SH, nhận quà tại qua-tang-so1.top trước 17h")
    return Indicator.objects.get(value="qua-tang-so1.top")


def test_registry_needs_login(world: World, indicator: Indicator) -> None:
    assert Client().get("/console/indicators/").status_code == 302
    assert Client().post(f"/console/indicators/{indicator.pk}/status/", {"status": "confirmed"}).status_code == 302
    indicator.refresh_from_db()
    assert indicator.status == "reported"


@pytest.mark.parametrize(("persona", "allowed"), [("officer_a", True), ("supervisor", True), ("viewer_a", False)])
def test_who_may_confirm(world: World, indicator: Indicator, persona: str, allowed: bool) -> None:
    client = world.client(getattr(world, persona))
    assert "qua-tang-so1.top" in client.get("/console/indicators/?q=qua-tang").content.decode()
    response = client.post(f"/console/indicators/{indicator.pk}/status/", {"status": "confirmed"})
    assert response.status_code == (302 if allowed else 403)
    indicator.refresh_from_db()
    assert (indicator.status == "confirmed") == allowed
    assert AuditEvent.objects.filter(action="indicator.status").exists() == allowed


def test_confirmed_indicator_becomes_a_reason(world: World, indicator: Indicator) -> None:
    world.client(world.officer_a).post(f"/console/indicators/{indicator.pk}/status/", {"status": "confirmed"})
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
