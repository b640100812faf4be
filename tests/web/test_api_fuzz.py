"""The API against its own OpenAPI document, with random and hostile bodies (in the
manner of schemathesis, on hypothesis): every operation, as an officer with a token and
as nobody, answers a documented status with a body that fits the schema, never a 500,
and a refusal stores nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canhgiac.web.cases.models import Case, Message
from tests.web.conftest import World
from tests.web.test_api import auth, conforms, spec  # noqa: F401  (spec is a fixture)
from tests.web.test_fuzz import JSON, TEXT

FIELDS = ["channel", "text", "contact", "reference", "key", "body", "status", "username", "page", "verdict", "q"]
BODIES = st.dictionaries(st.sampled_from(FIELDS), TEXT | JSON, max_size=5) | JSON


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=BODIES, as_officer=st.booleans(), reference=st.sampled_from(["real", "CG-0000-0000", "../../etc", "' OR 1=1 --"]))
def test_every_operation_answers_as_documented(world: World, spec: dict[str, Any], body: Any, as_officer: bool, reference: str) -> None:  # noqa: F811
    from django.test import Client

    case = Case.objects.filter(unit=world.commune_a).first() or world.tip("Trộm xe máy ở chợ").case
    headers = auth(world.officer_a) if as_officer else {}
    client = Client()
    for path, operations in spec["paths"].items():
        url = "/api/v1" + path.replace("{reference}", case.reference if reference == "real" else reference)
        for method in operations:
            cases, messages = Case.objects.count(), Message.objects.count()
            if method == "get":
                query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()} if isinstance(body, dict) else {}
                response = client.get(url, query, **headers)
            else:
                response = client.generic(method.upper(), url, json.dumps(body), content_type="application/json", **headers)
            assert response.status_code < 500, f"{method.upper()} {url} {body!r} -> {response.status_code}"
            if "{" not in path or reference == "real":
                conforms(spec, path, method, response)
            if response.status_code >= 400:
                assert (Case.objects.count(), Message.objects.count()) == (cases, messages), f"{method.upper()} {url} refused but stored"


def test_nul_characters_are_removed_at_the_door(world: World, zalo: Any) -> None:
    """PostgreSQL refuses NUL in text; a tip carrying one is taken, without it, on both databases."""
    from django.test import Client

    from tests.web.test_zalo import deliver

    response = Client().post(
        "/api/v1/intake",
        json.dumps({"channel": "xa-a-api", "text": "Trộm\x00 xe máy ở chợ", "contact": "09\x0012"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.messages.get(direction="in").body == "Trộm xe máy ở chợ"
    event = {
        "app_id": "4321098765",
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": "77\x0077"},
        "message": {"text": "Có người lạ\x00 đột nhập", "msg_id": "m\x001"},
        "x\x00": "\x00",
    }
    assert deliver(json.dumps(event).encode()).status_code == 200
    from canhgiac.web.tasks.queue import run_pending

    run_pending()
    assert Message.objects.filter(body="Có người lạ đột nhập").exists()


@pytest.mark.parametrize("page", ["184467440737095518", "-5", "1e3", "0x10", "100001"])
def test_page_numbers_out_of_range_are_a_clear_400(world: World, page: str) -> None:
    from django.test import Client

    response = Client().get("/api/v1/cases", {"page": page}, **auth(world.officer_a))
    assert response.status_code == (200 if page == "-5" else 400)  # below 1 reads as the first page
    if response.status_code == 400:
        assert "page" in response.json()["message"]


HOSTILE_BODIES = {
    "nested arrays": b"[" * 600,
    "nested objects": b'{"a":' * 600 + b"1" + b"}" * 600,
    "nested far": b'{"text": "x", "a": ' + b"[" * 200_000,
    "huge": json.dumps({"channel": "xa-a-api", "text": "Trộm " * 60_000}).encode(),
    "a number too long to convert": b'{"text": ' + b"7" * 5000 + b"}",
}


@pytest.mark.parametrize("kind", HOSTILE_BODIES)
def test_hostile_bodies_are_a_400_on_every_operation(
    world: World,
    spec: dict[str, Any],  # noqa: F811
    kind: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before they are parsed, on every JSON operation, with one short log line each."""
    from django.test import Client

    case = world.tip("Trộm xe máy ở chợ").case
    headers = auth(world.officer_a)
    operations = [(path, method) for path, ops in spec["paths"].items() for method in ops if method != "get"]
    assert len(operations) >= 7
    for path, method in operations:
        cases, messages = Case.objects.count(), Message.objects.count()
        caplog.clear()
        url = "/api/v1" + path.replace("{reference}", case.reference)
        response = Client().generic(method.upper(), url, HOSTILE_BODIES[kind], content_type="application/json", **headers)
        assert response.status_code == 400, f"{kind}: {method.upper()} {url} -> {response.status_code}"
        conforms(spec, path, method, response)
        assert (Case.objects.count(), Message.objects.count()) == (cases, messages)
        lines = [r.getMessage() for r in caplog.records if r.name == "canhgiac.requests"]
        assert len(lines) <= 1 and all(len(line) <= 200 and "Trộm" not in line for line in lines)
        assert len(lines) == (0 if kind == "a number too long to convert" else 1)  # that one the parser refuses
