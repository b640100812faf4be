"""The console's map: the page (its own Content-Security-Policy for the tile server, the
vendored Leaflet) and its points, which are the inbox's cases that carry a place: the same
scope, the same filters and counts, the latest place the reporter shared, and nothing about
the reporter."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from canhgiac.web.cases import actions
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.core.security import POLICY
from canhgiac.web.intake.models import Channel
from tests.web.conftest import World
from tests.web.test_security_headers import ROOT, inline_parts

POINT_KEYS = {
    "reference",
    "category",
    "category_name",
    "status",
    "status_name",
    "urgent",
    "created",
    "created_text",
    "latitude",
    "longitude",
    "url",
}


def points(client: Any, query: str = "") -> dict[str, Any]:
    response = client.get(f"/console/map/points.json?{query}")
    assert response.status_code == 200, response.content
    return dict(response.json())


def references(body: dict[str, Any]) -> set[str]:
    return {point["reference"] for point in body["points"]}


def inbox_total(client: Any, query: str) -> int:
    html = client.get(f"/console/?{query}").content.decode()
    found = re.search(r'id="counts" data-total="(\d+)"', html)
    assert found, html[:500]
    return int(found.group(1))


def test_points_are_the_located_cases_each_user_may_see(world: World) -> None:
    elsewhere = Channel.objects.create(unit=world.elsewhere, kind=Channel.Kind.WEB, slug="xa-xa", name="Web xã Xa")
    a = world.tip("Có người bán ma túy ở đầu hẻm 5.", location=(21.0285, 105.8542)).case
    world.tip("Có người trộm xe máy ở chợ, không rõ chỗ.")  # commune A, no place: not on the map
    b = world.tip("Có người đánh bạc ở nhà văn hóa.", channel=world.web_b, location=(21.03, 105.86)).case
    far = world.tip("Có người bán pháo nổ trước cổng trường.", channel=elsewhere, location=(10.77, 106.70)).case

    assert references(points(world.client(world.officer_a))) == {a.reference}
    assert references(points(world.client(world.viewer_a))) == {a.reference}
    assert references(points(world.client(world.officer_b))) == {b.reference}
    assert references(points(world.client(world.supervisor))) == {a.reference, b.reference}
    assert references(points(world.client(world.outsider))) == {far.reference}
    # Another commune's case never appears, whatever the query asks for.
    asked = points(world.client(world.officer_a), f"unit={world.commune_b.pk}&status=all&q={b.reference}")
    assert far.reference not in json.dumps(asked) and b.reference not in json.dumps(asked)
    (point,) = points(world.client(world.officer_a))["points"]
    assert (point["latitude"], point["longitude"]) == (21.0285, 105.8542)
    assert point["url"] == f"/console/case/{a.reference}/"


def test_points_say_nothing_about_the_reporter(world: World) -> None:
    world.tip(
        "Có người lạ bán ma túy ở cuối hẻm 27, tôi là Nguyễn Văn Bình.",
        channel=world.zalo_a,
        channel_user_id="zalo-user-8812",
        contact="0912 345 678",
        location=(21.0, 105.8),
    )
    response = world.client(world.officer_a).get("/console/map/points.json")
    (point,) = response.json()["points"]
    assert set(point) == POINT_KEYS
    text = response.content.decode()
    for secret in ("zalo-user-8812", "0912", "Bình", "Binh", "Nguyễn", "reporter"):
        assert secret not in text
    assert "no-store" in response["Cache-Control"]


def test_the_point_is_the_latest_place_the_reporter_shared(world: World) -> None:
    received = world.tip("Có người trộm chó ở thôn Đông.", location=(21.0, 105.8))
    actions.reply(received.case, world.officer_a, "Cảm ơn, bạn ở đâu?")
    world.tip("Giờ họ chạy sang thôn Tây.", case=received.case, location=(21.2, 105.9))
    world.tip("Họ đã đi rồi.", case=received.case)  # a later message without a place keeps the last one
    assert Message.objects.filter(case=received.case, latitude__isnull=False).count() == 2
    (point,) = points(world.client(world.officer_a))["points"]
    assert (point["latitude"], point["longitude"]) == (21.2, 105.9)


def test_the_map_is_filtered_and_counted_as_the_inbox_is(world: World) -> None:
    texts = [
        "Có người bán ma túy ở đầu hẻm 5 mỗi tối.",
        "Có người trộm xe máy ở chợ sáng nay.",
        "Có người đánh bạc ở nhà văn hóa thôn Đông.",
        "Có nhóm thanh niên đánh nhau có dao ở bến xe, khẩn cấp!",
        "Cho hỏi làm căn cước cho con cần giấy tờ gì?",
    ]
    cases = [world.tip(text, location=(21.0 + i / 100, 105.8)).case for i, text in enumerate(texts)]
    world.tip("Có người trộm gà ở thôn Tây.", channel=world.web_b, location=(21.1, 105.9))
    # A near-duplicate: the inbox shows it as one line with its first, and counts both.
    world.tip(texts[0], location=(21.05, 105.85))
    actions.change_status(cases[1], world.officer_a, Case.Status.CLOSED)
    Case.objects.filter(pk=cases[3].pk).update(urgent=True)
    category = cases[0].category
    queries = [
        "",
        "status=all",
        f"status={Case.Status.CLOSED}",
        "urgent=1",
        f"category={category}",
        "q=ma+tuy",
        f"unit={world.commune_b.pk}",
        f"unit={world.commune_a.pk}&status=all",
        "from=2000-01-01&to=2000-01-31",
        "status=nothing&category=nothing",  # values that name nothing are ignored by both
    ]
    client = world.client(world.supervisor)
    seen = []
    for query in queries:
        body = points(client, query)
        total = inbox_total(client, query)
        assert body["total"] == total, query
        assert len(body["points"]) == total and not body["truncated"], query  # every case here has a place
        seen.append(total)
    assert len(set(seen)) >= 5  # the filters did narrow the list, in different ways
    assert seen[queries.index("from=2000-01-01&to=2000-01-31")] == 0


def test_a_bad_period_is_a_400_on_the_page_and_the_points(world: World) -> None:
    client = world.client(world.officer_a)
    page = client.get("/console/map/?from=2026-13-45")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/plain")
    response = client.get("/console/map/points.json?from=2026-13-45")
    assert response.status_code == 400 and response.json()["error"]


def test_the_points_take_two_queries_however_many_there_are(world: World) -> None:
    client = world.client(world.supervisor)

    def queries_for_points() -> tuple[int, int]:
        points(client)  # the session and the user, loaded once
        with CaptureQueriesContext(connection) as captured:
            count = len(points(client)["points"])
        return count, len(captured)

    world.tip("Có người bán ma túy ở đầu hẻm 5.", location=(21.0, 105.8))
    few, few_queries = queries_for_points()
    for i in range(8):
        world.tip(
            f"Có người trộm xe máy số {i} ở chợ {i}.", channel=world.web_b if i % 2 else world.web_a, location=(21.0, 105.8 + i / 100)
        )
    many, many_queries = queries_for_points()
    assert (few, many) == (1, 9)
    assert many_queries == few_queries <= 6


def test_viewer_sees_the_map_and_cannot_act_from_it(world: World) -> None:
    case = world.tip("Có người bán ma túy ở đầu hẻm 5.", location=(21.0, 105.8)).case
    client = world.client(world.viewer_a)
    page = client.get("/console/map/")
    assert page.status_code == 200
    assert references(points(client)) == {case.reference}
    assert client.post("/console/map/", {"action": "status", "status": "closed"}).status_code == 405
    assert client.post("/console/map/points.json", {"action": "status", "status": "closed"}).status_code == 405
    # Opening the case from the map is the case page, where a viewer still cannot act.
    assert client.post(f"/console/case/{case.reference}/action/", {"action": "status", "status": "closed"}).status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.NEW


def test_the_page_loads_leaflet_from_our_files_and_allows_the_tile_server_there_only(world: World, settings: Any) -> None:
    settings.CANHGIAC_MAP_TILES = "https://{s}.tiles.huyen-thu.example/{z}/{x}/{y}.png"
    settings.CANHGIAC_MAP_ATTRIBUTION = "Bản đồ huyện Thử <b>"
    client = world.client(world.officer_a)
    response = client.get("/console/map/?status=all&category=drugs")
    html = response.content.decode()
    assert inline_parts(html) == []
    for script in ("vendor/leaflet/leaflet.js", "vendor/leaflet.markercluster/leaflet.markercluster.js", "map.js"):
        assert f'<script src="/static/{script}" defer></script>' in html
    assert 'href="/static/vendor/leaflet/leaflet.css"' in html
    assert 'data-tiles="https://{s}.tiles.huyen-thu.example/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="Bản đồ huyện Thử &lt;b&gt;"' in html
    assert 'data-points="/console/map/points.json?status=all&amp;category=drugs"' in html
    assert 'id="nav-map"' in html
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["img-src"] == "'self' data: blob: https://*.tiles.huyen-thu.example"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'" and policy["default-src"] == "'self'"
    # Every other page keeps the site-only policy, the points included.
    assert client.get("/console/")["Content-Security-Policy"] == POLICY
    assert client.get("/console/map/points.json")["Content-Security-Policy"] == POLICY
    assert "tiles" not in POLICY


def test_the_vendored_files_are_there() -> None:
    """./dev fetched them (python -m canhgiac.web.core.vendor): the page's scripts exist."""
    vendor = ROOT / "canhgiac" / "web" / "static" / "vendor"
    for name in (
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/images/marker-icon.png",
        "leaflet.markercluster/leaflet.markercluster.js",
    ):
        assert (vendor / name).is_file(), f"{name} missing: run python -m canhgiac.web.core.vendor"
    assert "Leaflet 1.9.4" in (vendor / "leaflet" / "leaflet.js").read_text(encoding="utf-8")[:300]


def test_settings_refuse_a_tile_server_that_is_not_a_template() -> None:
    base = {"PATH": "/usr/bin:/bin", "CANHGIAC_DEV": "1"}
    code = "from canhgiac.web import settings as s; print(s.CANHGIAC_MAP_TILES)"
    for bad in ("tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tiles.example/{z}/{x}.png", "javascript:alert(1)//{z}{x}{y}"):
        done = subprocess.run(
            [sys.executable, "-c", code], env={**base, "CANHGIAC_MAP_TILES": bad}, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert done.returncode != 0 and "CANHGIAC_MAP_TILES must be" in done.stderr, bad
    done = subprocess.run([sys.executable, "-c", code], env=base, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "https://tile.openstreetmap.org/{z}/{x}/{y}.png", done.stderr


def test_odd_input_is_never_a_500(world: World) -> None:
    world.tip("Có người bán ma túy ở đầu hẻm 5.", location=(21.0, 105.8))
    client = world.client(world.officer_a)
    for query in (
        "q=%00",
        "q=%27+OR+1%3D1+--",
        "q=%25",
        "unit=abc",
        "unit=99999999999999999999",
        "from=0000-00-00",
        "to=9999-12-31",
        "urgent=%FF",
    ):
        for url in ("/console/map/", "/console/map/points.json"):
            assert client.get(f"{url}?{query}").status_code in (200, 400), f"{url}?{query}"


def test_a_long_list_is_cut_and_says_so(world: World, monkeypatch: Any) -> None:
    from canhgiac.web.cases import views

    monkeypatch.setattr(views, "MAP_POINTS_LIMIT", 2)
    for i in range(3):
        world.tip(f"Có người trộm xe máy số {i} ở chợ {i}.", location=(21.0, 105.8 + i / 100))
    body = points(world.client(world.officer_a))
    assert (len(body["points"]), body["total"], body["truncated"]) == (2, 3, True)
    monkeypatch.setattr(views, "MAP_POINTS_LIMIT", 3)
    body = points(world.client(world.officer_a))
    assert (len(body["points"]), body["truncated"]) == (3, False)
