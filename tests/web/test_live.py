"""The console's live endpoint (cases:live, polled by static/live.js): the unread count,
the newest case and the urgent unread tips since a cursor, each within the units the
officer may see, never with a reporter's contact, in small bounded queries on the case table."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from canhgiac.web.cases import actions
from canhgiac.web.cases.models import Case
from tests.web.conftest import World

URL = "/console/live.json"
URGENT = "Có người đang cầm dao đánh nhau ngay trước cổng chợ, cứu với"
CALM = "Cho hỏi thủ tục đăng ký tạm trú cần giấy tờ gì?"


def urgent_tip(world: World, **kwargs: Any) -> Case:
    case = world.tip(URGENT, **kwargs).case
    assert case.urgent, "the engine no longer calls this urgent: pick another text"
    return case


def poll(client: Client, since: str | int | None = None) -> dict[str, Any]:
    response = client.get(URL, {"since": since} if since is not None else {})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = json.loads(response.content)
    return body


def test_commune_sees_its_own_urgent_tip_district_sees_both(world: World) -> None:
    a = urgent_tip(world)
    b = urgent_tip(world, channel=world.web_b)
    seen_a = {row["reference"] for row in poll(world.client(world.officer_a))["urgent"]}
    seen_b = {row["reference"] for row in poll(world.client(world.officer_b))["urgent"]}
    seen_district = {row["reference"] for row in poll(world.client(world.supervisor))["urgent"]}
    assert seen_a == {a.reference}
    assert seen_b == {b.reference}
    assert seen_district == {a.reference, b.reference}
    assert poll(world.client(world.outsider)) == {"unread": 0, "new": 0, "newest": {"id": 0, "time": None}, "urgent": []}
    # The other commune's case is not even counted or named as the newest.
    assert poll(world.client(world.officer_a))["newest"]["id"] == a.pk
    assert poll(world.client(world.officer_a))["unread"] == 1


def test_an_urgent_tip_is_named_without_its_reporters_contact(world: World) -> None:
    case = urgent_tip(world, contact="Nguyễn Văn Bình 0912 345 678 binh@example.vn")
    body = poll(world.client(world.officer_a))
    row = body["urgent"][0]
    assert row["reference"] == case.reference and row["url"] == f"/console/case/{case.reference}/"
    assert row["category"] and row["preview"] == URGENT
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("0912", "345 678", "binh@example.vn", "Bình"):
        assert secret not in text
    assert set(row) == {"id", "reference", "category", "preview", "created", "url"}


def test_since_a_case_id_or_a_time_gives_only_what_came_after(world: World) -> None:
    old = urgent_tip(world)
    client = world.client(world.officer_a)
    cursor = poll(client)["newest"]["id"]
    assert cursor == old.pk
    assert poll(client, cursor) == {**poll(client, cursor), "new": 0, "urgent": []}
    calm = world.tip(CALM).case
    new = urgent_tip(world)
    after = poll(client, cursor)
    assert after["new"] == 2 and [row["reference"] for row in after["urgent"]] == [new.reference]
    assert after["newest"]["id"] == new.pk and calm.pk < new.pk
    # A time works too: what was created after it.
    Case.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=2))
    moment = (timezone.now() - timedelta(hours=1)).isoformat()
    assert {row["reference"] for row in poll(client, moment)["urgent"]} == {new.reference}
    # Opened, the urgent case is no longer news.
    actions.mark_read(new, world.officer_a)
    assert poll(client, cursor)["urgent"] == []


def test_bad_cursor_is_a_clear_400(world: World) -> None:
    client = world.client(world.officer_a)
    for since in (
        "yesterday",
        "2026-13-45T99:00",
        "9" * 30,
        "-1",
        # parsed, then out of range once in UTC
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ):
        response = client.get(URL, {"since": since})
        assert response.status_code == 400, since
        assert "since" in json.loads(response.content)["error"]


def test_unread_counts_open_unread_cases_only(world: World) -> None:
    client = world.client(world.officer_a)
    first = world.tip().case
    second = world.tip(CALM).case
    third = urgent_tip(world)
    assert poll(client)["unread"] == 3
    actions.mark_read(first, world.officer_a)
    actions.change_status(second, world.officer_a, Case.Status.CLOSED.value, None)
    Case.objects.filter(pk=second.pk).update(unread=True)  # closed: not counted even if unread
    assert poll(client)["unread"] == 1
    assert poll(client)["newest"]["id"] == third.pk


def test_two_queries_on_cases_whatever_the_number_of_tips(world: World, django_assert_max_num_queries: Any) -> None:
    for _ in range(3):
        urgent_tip(world)
        urgent_tip(world, channel=world.web_b)
    client = world.client(world.supervisor)
    poll(client)  # the session is warm
    # session and user (2), the district's subtree walk (2 levels: district, communes, none
    # below), unread count, new count, newest case, urgent list
    with django_assert_max_num_queries(8) as queries:
        body = poll(client, 0)
    assert len(body["urgent"]) == 6
    assert sum("cases_case" in q["sql"] for q in queries.captured_queries) == 4


def test_each_case_query_is_filtered_or_bounded(world: World) -> None:
    """A poll never reads a unit's every case: the unread count is on status and unread
    (the cases_case_live_unread index), the others carry a LIMIT."""
    client = world.client(world.officer_a)
    poll(client)
    with CaptureQueriesContext(connection) as queries:
        poll(client, 0)
    on_cases = [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]]
    assert on_cases

    def on_unread(sql: str) -> bool:  # in the WHERE clause, not an aggregate's FILTER
        return sql.count("WHERE") == 1 and '"unread"' in sql.split("WHERE")[1] and '"status" IN' in sql.split("WHERE")[1]

    for sql in on_cases:
        assert on_unread(sql) or "LIMIT" in sql, sql
    assert any(on_unread(sql) and "COUNT(" in sql for sql in on_cases)


def test_the_new_count_is_capped(world: World, monkeypatch: Any) -> None:
    from canhgiac.web.cases import views

    monkeypatch.setattr(views, "LIVE_NEW_LIMIT", 2)
    first = world.tip(CALM).case
    for _ in range(3):
        world.tip(CALM)
    client = world.client(world.officer_a)
    assert poll(client, 0)["new"] == 2
    assert poll(client, first.pk)["new"] == 2


def test_not_cached_and_get_only(world: World) -> None:
    client = world.client(world.officer_a)
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"] and response["Content-Type"] == "application/json"
    assert client.post(URL).status_code == 405


def test_logged_out_or_deactivated_is_sent_to_login(world: World) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client = world.client(world.officer_a)
    assert client.get(URL).status_code == 200
    world.officer_a.is_active = False
    world.officer_a.save()
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_viewer_polls_too(world: World) -> None:
    urgent_tip(world)
    assert poll(world.client(world.viewer_a))["unread"] == 1


def test_every_console_page_carries_the_live_header(world: World, settings: Any) -> None:
    settings.CANHGIAC_LIVE_SECONDS = 3
    html = world.client(world.officer_a).get("/console/").content.decode()
    assert 'id="live-count"' in html and 'data-url="/console/live.json"' in html and 'data-seconds="3"' in html
    assert '<script src="/static/live.js" defer></script>' in html and "Bật thông báo trên trình duyệt" in html
    assert 'id="live-new"' in html  # the inbox's "new tips" notice
    case_page = world.client(world.officer_a).get(f"/console/case/{world.tip().case.reference}/").content.decode()
    assert 'id="live-count"' in case_page and 'id="live-new"' not in case_page


def test_the_live_texts_follow_the_chosen_language(world: World) -> None:
    client = world.client(world.officer_a)
    client.post("/language", {"language": "en", "next": "/console/"})
    urgent_tip(world)
    html = client.get("/console/").content.decode()
    assert "Turn on browser notifications" in html and 'data-urgent="Urgent' in html
    assert 'data-text="{n} new tips — tap to reload"' in html and 'data-one="1 new tip — tap to reload"' in html
    assert "Bật thông báo" not in html
    assert poll(client)["urgent"][0]["category"] == "Violence"
