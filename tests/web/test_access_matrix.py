"""Every console route × every persona, enumerated from the URL configuration, so a new
page cannot slip in without an access rule: commune A's objects in every URL, looked at
by each persona. Another unit's object is a 404 (its ID reveals nothing); a list shows
nothing of commune A to those who may not see it; no page is open without a login; no
POST goes through without a CSRF token."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.cases.actions import Photo
from canhgiac.web.core.images import clean_image
from canhgiac.web.indicators.actions import can_set_status
from canhgiac.web.indicators.models import Indicator, IndicatorReport
from canhgiac.web.knowledge.models import Entry, Warning
from canhgiac.web.meetings import actions as meetings
from tests.web.conftest import PASSWORD, World
from tests.web.test_api import auth

MARKER = "Chuỗi riêng của xã A 7Q4K"


def console_routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str = "") -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))
        return found

    return [route for route in walk(get_resolver().url_patterns) if route.startswith("console/")]


@pytest.fixture
def objects(world: World) -> dict[str, str]:
    """Commune A's object for each URL parameter."""
    raw = io.BytesIO()
    Image.new("RGB", (8, 8)).save(raw, format="PNG")
    received = world.tip(f"{MARKER}: có người bán ma túy", photos=[Photo(clean_image(raw.getvalue(), 10**6))])
    case = received.case
    entry = Entry.objects.create(unit=world.commune_a, title=MARKER, questions="hỏi", answer="đáp")
    warning = Warning.objects.create(unit=world.commune_a, title=MARKER, example="x", signs="y", advice="z")
    bulletin = Bulletin.objects.create(unit=world.commune_a, title=MARKER, body="b")
    bulletin.image.save("a.jpg", ContentFile(clean_image(raw.getvalue(), 10**6).data))
    indicator = Indicator.objects.create(kind="phone", value="+84912000111", report_count=1)
    IndicatorReport.objects.create(indicator=indicator, unit=world.commune_a, case=case)
    meeting = meetings.SessionFields(world.commune_a, meetings.topics_for(world.commune_a)[0], MARKER, "x", timezone.now())
    session = meetings.save_session(world.officer_a, meeting, material=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    return {
        "<int:session_id>": str(session.pk),
        "<str:kind>": "svg",
        "<str:reference>": case.reference,
        "<int:attachment_id>": str(case.messages.first().attachments.get().pk),  # type: ignore[union-attr]
        "<int:indicator_id>": str(indicator.pk),
        "<int:entry_id>": str(entry.pk),
        "<int:warning_id>": str(warning.pk),
        "<int:bulletin_id>": str(bulletin.pk),
        "<str:fmt>": "csv",
        "<int:user_id>": str(world.officer_a.pk),
        "<reference>": case.reference,  # the API's routes (django-ninja writes them untyped)
    }


def url_for(route: str, objects: dict[str, str]) -> str:
    url = "/" + route
    for parameter, value in objects.items():
        url = url.replace(parameter, value)
    assert "<" not in url, f"no test object for a parameter of {route}: add it to the objects fixture"
    return url


# Indicators are shared across units (a scam number is a scam number everywhere); which
# case reported one is not: other units see a count and a date, never the reference.
SHARED = ("console/indicators/",)
# The audit log and managing people: supervisors and administrators only.
SUPERVISORS_ONLY = ("console/audit/", "console/officers/")


def test_anonymous_is_sent_to_login_everywhere(world: World, objects: dict[str, str]) -> None:
    for route in console_routes():
        response = Client().get(url_for(route, objects))
        assert response.status_code in (302, 405), route
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), route


@pytest.mark.parametrize("persona", ["officer_b", "outsider"])
def test_other_units_see_nothing_of_commune_a(world: World, objects: dict[str, str], persona: str) -> None:
    client = world.client(getattr(world, persona))
    for route in console_routes():
        url = url_for(route, objects)
        response = client.get(url)
        has_object = any(p in route for p in objects if p != "<str:fmt>")
        if has_object and not route.startswith(SHARED):
            # Pages for supervisors refuse an officer whatever the object (403 reveals nothing).
            refused = (404, 405, 403) if route.startswith(SUPERVISORS_ONLY) else (404, 405)
            assert response.status_code in refused, f"{persona} {url}: {response.status_code}"
        elif response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
            assert objects["<str:reference>"].encode() not in body, f"{persona} sees commune A's case on {url}"
            if not route.startswith(SHARED):
                assert MARKER.encode() not in body, f"{persona} sees commune A on {url}"


@pytest.mark.parametrize("persona", ["officer_a", "supervisor"])
def test_those_responsible_reach_every_page(world: World, objects: dict[str, str], persona: str) -> None:
    client = world.client(getattr(world, persona))
    for route in console_routes():
        response = client.get(url_for(route, objects))
        allowed = (200, 405) if persona == "supervisor" or not route.startswith(SUPERVISORS_ONLY) else (403,)
        assert response.status_code in allowed, f"{persona} {route}: {response.status_code}"


def test_viewer_reads_but_no_post_changes_anything(world: World, objects: dict[str, str]) -> None:
    from canhgiac.web.audit.models import AuditEvent
    from canhgiac.web.cases.models import Case

    client = world.client(world.viewer_a)
    audited = AuditEvent.objects.count()
    form = {"action": "status", "status": "closed", "title": "x", "body": "y", "unit": world.commune_a.pk, "questions": "q", "answer": "a"}
    for route in console_routes():
        assert client.get(url_for(route, objects)).status_code in (200, 403, 405), route
        client.post(url_for(route, objects), {**form, "status": "confirmed"} if "indicators" in route else form)
    assert Case.objects.get(reference=objects["<str:reference>"]).status == Case.Status.NEW
    assert Indicator.objects.get(pk=objects["<int:indicator_id>"]).status == Indicator.Status.REPORTED
    assert not Bulletin.objects.filter(title="x").exists() and not Entry.objects.filter(title="x").exists()
    assert Bulletin.objects.get(pk=objects["<int:bulletin_id>"]).status == Bulletin.Status.DRAFT
    assert AuditEvent.objects.count() == audited  # nothing happened, so nothing was logged


def test_every_console_post_needs_the_csrf_token(world: World, objects: dict[str, str]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.supervisor)
    for route in console_routes():
        response = client.post(url_for(route, objects), {"action": "status", "status": "closed"})
        assert response.status_code in (403, 405), f"POST {route} without CSRF: {response.status_code}"


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\\", "a%' OR '1'='1", "'; DROP TABLE cases_case; --", "\u0000"])
def test_search_with_sql_metacharacters_matches_only_what_it_says(world: World, objects: dict[str, str], query: str) -> None:
    from canhgiac.web.cases.models import Case

    client = world.client(world.officer_a)
    response = client.get("/console/", {"q": query})
    assert response.status_code in (200, 400)
    if query != "\u0000":  # NUL is dropped, leaving an empty search: everything, as with no query
        assert objects["<str:reference>"] not in response.content.decode()  # the case does not contain these characters
    assert client.get("/api/v1/cases", {"q": query}, **auth(world.officer_a)).status_code in (200, 400)
    assert Case.objects.filter(reference=objects["<str:reference>"]).exists()


# Who may set an indicator's status (confirm or dismiss it for every unit): the one rule,
# canhgiac.web.indicators.actions.settable_by, row by row. "supervisor" and "admin" are of
# the district above communes A and B; "outsider" a supervisor in another district.
# Reported by: the units with a report of it; () for an imported indicator, no report.
STATUS_RULE = [
    # persona, reported by, allowed
    ("officer_a", ("commune_a",), False),  # an officer does not decide for every unit, even its own report
    ("viewer_a", ("commune_a",), False),
    ("supervisor_a", ("commune_a",), True),  # a supervisor of the unit that reported it
    ("admin_a", ("commune_a",), True),  # an administrator of that unit
    ("supervisor", ("commune_a",), True),  # of the unit above it
    ("admin", ("commune_a",), True),
    ("supervisor_b", ("commune_a",), False),  # of a neighbouring commune that did not report it
    ("outsider", ("commune_a",), False),  # of another district
    ("supervisor_b", ("commune_a", "commune_b"), True),  # once its commune reported it too
    ("outsider", ("commune_a", "elsewhere"), True),
    ("supervisor", (), True),  # an imported list: the top of the tree
    ("supervisor_a", (), False),
    ("outsider", (), False),  # the other district is under no unit here, but it is not the top
]


@pytest.mark.parametrize(("persona", "reported_by", "allowed"), STATUS_RULE)
def test_who_may_set_an_indicators_status(world: World, persona: str, reported_by: tuple[str, ...], allowed: bool) -> None:
    def extra(name: str, unit: Unit, role: str) -> User:
        return User.objects.create_user(name, password=PASSWORD, unit=unit, role=role)

    people = {
        "supervisor_a": extra("chihuy-a", world.commune_a, User.Role.SUPERVISOR),
        "admin_a": extra("quantri-a", world.commune_a, User.Role.ADMIN),
        "supervisor_b": extra("chihuy-b", world.commune_b, User.Role.SUPERVISOR),
    }
    user = people.get(persona) or getattr(world, persona)
    indicator = Indicator.objects.create(kind="phone", value="+84912000999", report_count=len(reported_by))
    for unit in reported_by:
        IndicatorReport.objects.create(indicator=indicator, unit=getattr(world, unit))
    assert can_set_status(user, indicator) == allowed
    response = world.client(user).post(f"/console/indicators/{indicator.pk}/status/", {"status": "confirmed"})
    assert response.status_code == (302 if allowed else 403)
    indicator.refresh_from_db()
    assert (indicator.status == Indicator.Status.CONFIRMED) == allowed
