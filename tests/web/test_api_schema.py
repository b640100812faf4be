"""The API against the OpenAPI document it generates: schemathesis (in process, through
the WSGI application, CSRF checks on as in production) sends what the document allows and
what it does not, as an officer with a token and as nobody, and every answer must be a
documented status with a body that fits its schema, never a 500. Then the requests no
schema generates: NUL characters, out-of-range pages, hostile bodies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from canhgiac.web.accounts.models import ApiToken
from canhgiac.web.api.views import api
from canhgiac.web.cases.models import Case, Message
from tests.web.conftest import World
from tests.web.test_api import PREFIX, auth, conforms, spec  # noqa: F401  (spec is a fixture)

# The document as served is what clients read; it is made without the database.
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix=PREFIX + "/"))
# Bounded so that the file runs in well under a minute; the same examples every run.
SCHEMA.config.generation.update(max_examples=12, deterministic=True, database="none")
SCHEMA.config.phases.update(phases=["examples", "coverage", "fuzzing"])
# The database, the token and the case are made once per test and shared by its examples, on purpose.
SHARED_FIXTURES = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def app(world: World, settings: Any) -> Iterator[WSGIHandler]:
    """Django's WSGI application, as a server runs it. Each request would close the
    database connection at its end (the test's transaction with it): not here, as in
    Django's own test client."""
    settings.CANHGIAC_INTAKE_RATE = 10_000  # the limits have their own tests (test_api, test_limits)
    settings.CANHGIAC_FOLLOWUP_ATTEMPTS = 10_000
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def exercise(case: schemathesis.Case[Any], app: WSGIHandler, headers: dict[str, str], reference: str) -> None:
    before = Case.objects.count(), Message.objects.count()
    response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
    if response.status_code >= 400:
        assert (Case.objects.count(), Message.objects.count()) == before, f"{case.method} {case.formatted_path} refused but stored"
    if "reference" in (case.path_parameters or {}):
        # Random references are all 404: the same request on a real case of the token's unit.
        case.path_parameters = {**case.path_parameters, "reference": reference}
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)


@pytest.fixture
def commune_a_case(world: World) -> str:
    return world.tip("Trộm xe máy ở chợ").case.reference


@pytest.fixture
def officer_token(world: World) -> str:
    return ApiToken.issue(world.officer_a)[1]


@SCHEMA.parametrize()
@SHARED_FIXTURES
def test_as_an_officer(case: schemathesis.Case[Any], app: WSGIHandler, officer_token: str, commune_a_case: str) -> None:
    exercise(case, app, {"Authorization": f"Bearer {officer_token}"}, commune_a_case)


@SCHEMA.parametrize()
@SHARED_FIXTURES
def test_anonymously(case: schemathesis.Case[Any], app: WSGIHandler, commune_a_case: str) -> None:
    exercise(case, app, {}, commune_a_case)


# ---------------------------------------------------------------------------- the document


def _enum(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The values of an enum, a reference to one, or an enum-or-null."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        (schema,) = [s for s in schema["anyOf"] if s.get("type") != "null"]
    values: list[str] = schema["enum"]
    return values


def test_the_document_takes_its_enums_from_the_models_and_the_engine(world: World, spec: dict[str, Any]) -> None:  # noqa: F811
    from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES
    from canhgiac.web.cases.queries import SORTS

    schemas = spec["components"]["schemas"]
    for name in ("CaseOut", "CaseDetailOut", "AnalysisOut"):
        properties = schemas[name]["properties"]
        assert _enum(spec, properties["intent"]) == list(INTENT_NAMES)
        assert _enum(spec, properties["category"]) == list(CATEGORY_NAMES)
        assert _enum(spec, properties["verdict"]) == list(VERDICT_NAMES)
    assert _enum(spec, schemas["CaseOut"]["properties"]["status"]) == Case.Status.values
    assert _enum(spec, schemas["ThreadOut"]["properties"]["status"]) == Case.Status.values
    assert _enum(spec, schemas["StatusIn"]["properties"]["status"]) == Case.Status.values
    assert _enum(spec, schemas["MessageOut"]["properties"]["direction"]) == Message.Direction.values
    assert _enum(spec, schemas["MessageOut"]["properties"]["delivery"]) == Message.Delivery.values
    query = {p["name"]: p["schema"] for p in spec["paths"][PREFIX + "/cases"]["get"]["parameters"]}
    assert query["status"]["enum"] == ["open", "all", *Case.Status.values]
    assert query["intent"]["enum"] == list(INTENT_NAMES)
    assert query["category"]["enum"] == list(CATEGORY_NAMES)
    assert query["verdict"]["enum"] == list(VERDICT_NAMES)
    assert query["sort"]["enum"] == list(SORTS)
    # What the engine says of a victim reaches the document too.
    assert {"victim", "victim_evidence", "known_indicators", "explanation"} <= set(schemas["AnalysisOut"]["required"])


def test_every_way_a_token_is_taken_is_in_the_document(world: World, spec: dict[str, Any]) -> None:  # noqa: F811
    """Each scheme the document lists opens the officers' endpoints, and each refuses a wrong token."""
    schemes = spec["components"]["securitySchemes"]
    assert schemes == {
        "BearerToken": {"type": "http", "scheme": "bearer", "description": schemes["BearerToken"]["description"]},
        "ApiKeyToken": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": schemes["ApiKeyToken"]["description"]},
    }
    from django.test import Client

    _, raw = ApiToken.issue(world.officer_a)
    ways = {"BearerToken": ("Authorization", f"Bearer {raw}"), "ApiKeyToken": ("X-API-Key", raw)}
    assert set(ways) == set(schemes)
    for header, value in ways.values():
        assert Client().get(PREFIX + "/cases", headers={header: value}).status_code == 200
        assert Client().get(PREFIX + "/cases", headers={header: value[:-2]}).status_code == 401
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path.startswith(PREFIX + "/cases"):
                assert operation["security"] == [{"BearerToken": []}, {"ApiKeyToken": []}], f"{method} {path}"
            else:
                assert "security" not in operation, f"{method} {path} is public"


def test_every_refusal_is_documented_in_the_error_shape(world: World, spec: dict[str, Any]) -> None:  # noqa: F811
    """Those the middleware gives too (413 too large, 400 and 429 for bodies refused unread)."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"413"} | ({"400", "429"} if method == "post" else set()) | ({"401"} if "security" in operation else set())
            assert expected <= set(responses), f"{method} {path}: {sorted(responses)}"
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(spec["components"]["schemas"]["Error"]["required"]) == {"error", "message"}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/check", {"text": "x" * 5001}, "'text' quá dài (tối đa 5000 ký tự)."),
        ("/check", {"text": "   "}, "Thiếu 'text'."),
        ("/intake", {"text": "Có trộm"}, "Thiếu 'channel'."),
        ("/intake", {"channel": ["xa-a-api"], "text": "Có trộm"}, "'channel' phải là chuỗi."),
        ("/cases/{reference}/status", {"status": "gone"}, "'status' phải là một trong: 'new', 'in_progress', 'waiting_reporter',"),
        ("/cases/{reference}/answer", {"right": "yes"}, "'right' phải là true hoặc false."),
    ],
    ids=["too long", "blank", "missing", "not a string", "not a status", "not a boolean"],
)
def test_a_validation_error_is_a_400_in_vietnamese(world: World, spec: dict[str, Any], path: str, body: Any, message: str) -> None:  # noqa: F811
    """Not django-ninja's 422 with pydantic's English: the API's own shape, naming the field."""
    from django.test import Client

    reference = world.tip("Trộm xe máy ở chợ").case.reference
    response = Client().post(
        PREFIX + path.replace("{reference}", reference), json.dumps(body), content_type="application/json", **auth(world.officer_a)
    )
    assert response.status_code == 400
    assert conforms(spec, path, "post", response) == {"error": "invalid", "message": response.json()["message"]}
    assert response.json()["message"].startswith(message)


def test_an_officer_confirms_or_rejects_an_automatic_answer(world: World, spec: dict[str, Any]) -> None:  # noqa: F811
    """As the console's buttons do (cases/actions.py review_answer): a wrong answer goes back to an officer."""
    from django.test import Client

    case = world.tip("Có trộm ở chợ").case
    Case.objects.filter(pk=case.pk).update(status=Case.Status.AUTO_ANSWERED)
    url = f"{PREFIX}/cases/{case.reference}/answer"
    viewer = Client().post(url, json.dumps({"right": True}), content_type="application/json", **auth(world.viewer_a))
    assert conforms(spec, "/cases/{reference}/answer", "post", viewer)["error"] == "forbidden"
    response = Client().post(url, json.dumps({"right": False}), content_type="application/json", **auth(world.officer_a))
    assert conforms(spec, "/cases/{reference}/answer", "post", response)["status"] == "in_progress"
    again = Client().post(url, json.dumps({"right": True}), content_type="application/json", **auth(world.officer_a))
    assert conforms(spec, "/cases/{reference}/answer", "post", again)["error"] == "invalid"
    other = world.tip("Có người đốt rác ở xã B", channel=world.web_b).case
    elsewhere = Client().post(
        f"{PREFIX}/cases/{other.reference}/answer", json.dumps({"right": True}), content_type="application/json", **auth(world.officer_a)
    )
    assert elsewhere.status_code == 404


def test_a_session_cookie_alone_opens_no_officer_endpoint(world: World) -> None:
    """The API reads tokens only: an officer signed in to the console, with no token, is refused."""
    from django.test import Client

    from tests.web.conftest import PASSWORD

    client = Client(enforce_csrf_checks=True)
    assert client.login(username=world.officer_a.username, password=PASSWORD)
    case = world.tip("Có trộm ở chợ").case
    assert client.get(PREFIX + "/cases").status_code == 401
    response = client.post(f"{PREFIX}/cases/{case.reference}/messages", json.dumps({"text": "x"}), content_type="application/json")
    assert response.status_code == 401
    assert not Message.objects.filter(case=case, direction="out").exists()


# ---------------------------------------------------------------------------- what no schema generates


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


@pytest.mark.parametrize("page", ["184467440737095518", "-5", "1e3", "0x10", "100001", "7" * 5000])
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
    operations = [(path.removeprefix(PREFIX), method) for path, ops in spec["paths"].items() for method in ops if method != "get"]
    assert len(operations) >= 8
    for path, method in operations:
        cases, messages = Case.objects.count(), Message.objects.count()
        caplog.clear()
        url = PREFIX + path.replace("{reference}", case.reference)
        response = Client().generic(method.upper(), url, HOSTILE_BODIES[kind], content_type="application/json", **headers)
        assert response.status_code == 400, f"{kind}: {method.upper()} {url} -> {response.status_code}"
        conforms(spec, path, method, response)
        assert (Case.objects.count(), Message.objects.count()) == (cases, messages)
        lines = [r.getMessage() for r in caplog.records if r.name == "canhgiac.requests"]
        assert len(lines) <= 1 and all(len(line) <= 200 and "Trộm" not in line for line in lines)
        assert len(lines) == (0 if kind == "a number too long to convert" else 1)  # that one the parser refuses
