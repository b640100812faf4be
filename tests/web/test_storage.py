"""A nearly full disk: intake says clearly that the message was NOT received, answers
503, and stores nothing half-way; what was received before stays."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from canhgiac.web.cases.models import Case, Message
from canhgiac.web.core.storage import free_bytes
from canhgiac.web.intake.models import InboundEvent
from tests.web.conftest import World
from tests.web.test_zalo import deliver, event

NOT_RECEIVED = "CHƯA được nhận"


@pytest.fixture
def nearly_full(settings: Any) -> None:
    """The real free space of the data folder, and a floor just above it."""
    settings.CANHGIAC_MIN_FREE_BYTES = free_bytes() + 10**9


def test_every_channel_refuses_when_the_disk_is_nearly_full(world: World, nearly_full: None) -> None:
    before = world.client().post("/gui/xa-a/", {"text": "Có người lạ đột nhập kho"})
    assert before.status_code == 503 and NOT_RECEIVED in before.content.decode()
    api = Client().post("/api/v1/intake", json.dumps({"channel": "xa-a-api", "text": "Trộm xe máy"}), content_type="application/json")
    assert api.status_code == 503 and api.json()["error"] == "storage_full" and NOT_RECEIVED in api.json()["message"]
    assert deliver(event("user_send_text")).status_code == 503  # not acknowledged, so Zalo may retry
    assert Case.objects.count() == 0 and Message.objects.count() == 0 and InboundEvent.objects.count() == 0


def test_follow_up_refused_the_same_way_and_the_case_is_intact(world: World, settings: Any) -> None:
    received = world.tip("Có người bán ma túy ở bến xe")
    client = Client()
    client.post("/theo-doi/", {"reference": received.case.reference, "key": received.followup_key})
    settings.CANHGIAC_MIN_FREE_BYTES = free_bytes() + 10**9
    response = client.post(f"/theo-doi/{received.case.reference}/", {"text": "Thêm: họ đi xe màu đỏ"})
    assert response.status_code == 503 and NOT_RECEIVED in response.content.decode()
    assert list(received.case.messages.filter(direction=Message.Direction.IN).values_list("body", flat=True)) == [
        "Có người bán ma túy ở bến xe"
    ]


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="SQLite's page limit; runs in the SQLite pass of ./dev test")
def test_database_full_mid_write_rolls_back_whole(world: World) -> None:
    """The database itself full (SQLite's page limit reached): nothing of the message is
    kept, the answer is the clear 503, and the next message goes through once there is room."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA freelist_count")
        pages -= cursor.fetchone()[0]  # free pages inside the file would still take the write
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        response = world.client().post("/gui/xa-a/", {"text": "Đánh nhau ở quán nhậu đầu làng " + "rất đông người " * 200})
        assert response.status_code == 503 and NOT_RECEIVED in response.content.decode()
        assert Case.objects.count() == 0 and Message.objects.count() == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    assert world.client().post("/gui/xa-a/", {"text": "Đánh nhau ở quán nhậu đầu làng"}).status_code == 303
    assert Case.objects.count() == 1


def test_database_away_is_a_503_saying_not_received(world: World, monkeypatch: Any) -> None:
    """What the PostgreSQL-restart benchmark sees, here in-process: the connection fails
    during the write, and the answer says plainly that nothing was received."""
    from django.db import OperationalError

    from canhgiac.web.cases import actions

    def database_away(**_: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(actions, "receive_message", database_away)
    client = Client(raise_request_exception=False)
    api = client.post("/api/v1/intake", json.dumps({"channel": "xa-a-api", "text": "Trộm xe"}), content_type="application/json")
    assert api.status_code == 503 and api["Retry-After"] == "30" and api.json()["error"] == "database_unavailable"
    assert NOT_RECEIVED in api.json()["message"]
