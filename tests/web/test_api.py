"""The JSON API, every response checked against the OpenAPI document it serves."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.urls import get_resolver

from canhgiac.web.accounts.models import ApiToken
from canhgiac.web.cases.models import Case, Message
from tests.web.conftest import World

PREFIX = "/api/v1"


@pytest.fixture
def spec(world: World) -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    jsonschema.Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    return document


def conforms(spec: dict[str, Any], path: str, method: str, response: Any) -> dict[str, Any]:
    """The response's status is documented for this operation and its body fits the schema."""
    operation = spec["paths"][PREFIX + path][method]
    documented = operation["responses"]
    assert str(response.status_code) in documented, f"{method.upper()} {path} -> {response.status_code} is not documented"
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    body: dict[str, Any] = response.json()
    resolver_schema = {"$ref": "#/x", "components": spec["components"], "x": schema}
    jsonschema.validate(body, resolver_schema)
    return body


def post(client: Client, path: str, data: Any, **headers: Any) -> Any:
    return client.post(f"/api/v1{path}", data=json.dumps(data), content_type="application/json", **headers)


def auth(user: Any) -> dict[str, Any]:
    _, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_every_route_is_documented(spec: dict[str, Any]) -> None:
    routes = set()
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) == "api/v1/":
            for sub in getattr(pattern, "url_patterns", []):
                routes.add("/api/v1/" + str(sub.pattern).replace("<reference>", "{reference}"))
    routes -= {"/api/v1/openapi.json", "/api/v1/"}  # the document, and ninja's root (a 404)
    assert routes == set(spec["paths"])


def test_public_intake_and_followup(world: World, spec: dict[str, Any]) -> None:
    client = Client()
    response = post(client, "/intake", {"channel": "xa-a-api", "text": "Có người bán pháo nổ ở chợ xã A", "contact": "Anh Nam"})
    body = conforms(spec, "/intake", "post", response)
    assert body["analysis"]["intent"] == "tip" and body["reference"].startswith("CG-")
    case = Case.objects.get(reference=body["reference"])
    assert case.channel == world.api_a and case.reporter.contact_sealed
    from canhgiac.web.cases.actions import reply

    reply(case, world.officer_a, "Đã chuyển tổ trinh sát.")
    thread = conforms(spec, "/followup", "post", post(client, "/followup", {"reference": body["reference"], "key": body["followup_key"]}))
    assert [m["direction"] for m in thread["messages"]] == ["in", "auto", "out"]
    more = conforms(
        spec,
        "/followup/messages",
        "post",
        post(client, "/followup/messages", {"reference": body["reference"], "key": body["followup_key"], "text": "Họ bán ở sạp số 12"}),
    )
    assert more["reference"] == body["reference"]
    assert (
        conforms(spec, "/followup", "post", post(client, "/followup", {"reference": body["reference"], "key": "wrong"}))["error"]
        == "not_found"
    )


def test_check_stores_nothing(world: World, spec: dict[str, Any]) -> None:
    body = conforms(
        spec, "/check", "post", post(Client(), "/check", {"text": "Chúc mừng bạn trúng thưởng xe SH, nhận quà tại shopee-qua.vip"})
    )
    assert body["is_scam"] is True and body["reasons"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        (b"not json", "application/json"),
        (b"[1,2]", "application/json"),
        (b'{"text": 5}', "application/json"),
        (b'{"text": "x"}', "text/plain"),
        (b"\xff\xfe", "application/json"),
        (b"{}", "application/json"),
    ],
)
def test_bad_input_is_a_clear_400_and_stores_nothing(world: World, spec: dict[str, Any], payload: bytes, content_type: str) -> None:
    response = Client().post("/api/v1/check", data=payload, content_type=content_type)
    body = conforms(spec, "/check", "post", response)
    assert response.status_code == 400 and body["message"]
    response = Client().post("/api/v1/intake", data=payload, content_type=content_type)
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_intake_unknown_channel_and_rate_limit(world: World, spec: dict[str, Any], settings: Any) -> None:
    settings.CANHGIAC_INTAKE_RATE = 3
    client = Client()
    # A Zalo channel takes no API intake; the refused request still counts towards the limit.
    assert conforms(spec, "/intake", "post", post(client, "/intake", {"channel": "zalo-a", "text": "x"}))["error"] == "not_found"
    for _ in range(2):
        assert post(client, "/intake", {"channel": "xa-a-api", "text": "Có trộm ở chợ"}).status_code == 201
    limited = post(client, "/intake", {"channel": "xa-a-api", "text": "Có trộm ở chợ"})
    assert conforms(spec, "/intake", "post", limited)["error"] == "rate_limited"
    assert Case.objects.count() == 2


def test_officer_endpoints_need_a_token(world: World, spec: dict[str, Any]) -> None:
    response = Client().get("/api/v1/cases")
    assert conforms(spec, "/cases", "get", response)["error"] == "unauthorized"
    response = Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer cg_wrong")
    assert response.status_code == 401


def test_officer_sees_and_works_their_cases(world: World, spec: dict[str, Any]) -> None:
    mine = world.tip("Có nhóm thanh niên đua xe trên đường tỉnh 8").case
    theirs = world.tip("Có người đốt rác ở xã B", channel=world.web_b).case
    headers = auth(world.officer_a)
    client = Client()
    listing = conforms(spec, "/cases", "get", client.get("/api/v1/cases", **headers))
    assert [c["reference"] for c in listing["cases"]] == [mine.reference]
    detail = conforms(spec, "/cases/{reference}", "get", client.get(f"/api/v1/cases/{mine.reference}", **headers))
    assert detail["messages"][0]["direction"] == "in"
    assert conforms(spec, "/cases/{reference}", "get", client.get(f"/api/v1/cases/{theirs.reference}", **headers))["error"] == "not_found"
    sent = conforms(
        spec,
        "/cases/{reference}/messages",
        "post",
        post(client, f"/cases/{mine.reference}/messages", {"text": "Đã nhận, sẽ xử lý."}, **headers),
    )
    assert sent["direction"] == "out"
    status = conforms(
        spec, "/cases/{reference}/status", "post", post(client, f"/cases/{mine.reference}/status", {"status": "resolved"}, **headers)
    )
    assert status["status"] == "resolved"
    bad = conforms(
        spec, "/cases/{reference}/status", "post", post(client, f"/cases/{mine.reference}/status", {"status": "gone"}, **headers)
    )
    assert bad["error"] == "invalid"
    assigned = conforms(
        spec, "/cases/{reference}/assign", "post", post(client, f"/cases/{mine.reference}/assign", {"username": "canbo-a"}, **headers)
    )
    assert assigned["assigned_to"] == "canbo-a"
    refused = post(client, f"/cases/{mine.reference}/assign", {"username": "canbo-b"}, **headers)
    assert conforms(spec, "/cases/{reference}/assign", "post", refused)["error"] == "invalid"
    assert (
        conforms(
            spec, "/cases/{reference}/messages", "post", post(client, f"/cases/{theirs.reference}/messages", {"text": "x"}, **headers)
        )["error"]
        == "not_found"
    )
    assert Message.objects.filter(case=theirs, direction="out").count() == 0


def test_viewer_token_cannot_change_anything(world: World, spec: dict[str, Any]) -> None:
    case = world.tip("Có người đánh bạc ở nhà văn hóa thôn").case
    response = post(Client(), f"/cases/{case.reference}/messages", {"text": "x"}, **auth(world.viewer_a))
    assert conforms(spec, "/cases/{reference}/messages", "post", response)["error"] == "forbidden"


def test_search_with_sql_metacharacters_is_harmless(world: World) -> None:
    world.tip("Có người bán ma túy ở bến xe")
    headers = auth(world.supervisor)
    for q in ["' OR 1=1 --", "%", "_", "\\", '"; DROP TABLE cases_case; --']:
        response = Client().get("/api/v1/cases", {"q": q, "status": "all"}, **headers)
        assert response.status_code == 200 and response.json()["cases"] == []
    assert Case.objects.count() == 1
