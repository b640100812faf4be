"""Limits that hold whatever stands in front and however many processes serve: the
client's address behind proxies, counters in the database, logins, follow-up keys, and
bodies refused before they are parsed."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client, RequestFactory

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.core import ratelimit
from canhgiac.web.core.models import RateCounter
from canhgiac.web.core.ratelimit import allow, client_ip
from tests.web.conftest import PASSWORD, World
from tests.web.test_intake import _receipt, _submit

# ---------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy declared: the header is anyone's to write
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the citizen wrote is left of the proxy's
        (1, "6.6.6.6,203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),  # load balancer, then nginx
        (2, "10.0.0.2", "127.0.0.1"),  # fewer hops than proxies: none trusted
        (1, "", "127.0.0.1"),
        (1, "6.6.6.6, not-an-address", "127.0.0.1"),
        (1, "6.6.6.6, 203.0.113.9:4711", "127.0.0.1"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_counted_from_the_right(settings: Any, proxies: int, forwarded: str, expected: str) -> None:
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.parametrize(("env", "expected"), [({}, 0), ({"TRUST_X_FORWARDED_FOR": "1"}, 1), ({"TRUSTED_PROXIES": "2"}, 2)])
def test_trusted_proxies_from_the_environment(env: dict[str, str], expected: int, tmp_path: Any) -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("TRUSTED_PROXIES", "TRUST_X_FORWARDED_FOR")}
    out = subprocess.run(
        [sys.executable, "-c", "from canhgiac.web import settings; print(settings.TRUSTED_PROXIES)"],
        env={**base, "CANHGIAC_DEV": "1", "CANHGIAC_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == str(expected)


def test_citizens_behind_one_proxy_have_their_own_limits(world: World, settings: Any) -> None:
    settings.TRUSTED_PROXIES = 1
    settings.CANHGIAC_INTAKE_RATE = 2

    def send(forwarded: str) -> int:
        response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post("/gui/xa-a/", {"text": "Có trộm ở chợ"})
        return 200 if response.status_code == 303 else response.status_code  # received: redirected to its receipt

    assert [send("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert send("203.0.113.2") == 200
    # Writing another address in front changes nothing: nginx appended the real one.
    assert send("198.51.100.7, 203.0.113.1") == 429


# ---------------------------------------------------------------------------- counters


def test_counters_are_exact_keyed_by_a_secret_and_store_no_address(world: World, settings: Any) -> None:
    assert [allow("intake", "203.0.113.9", 3, 600) for _ in range(4)] == [True, True, True, False]
    row = RateCounter.objects.get()
    assert row.hits == 4 and "203.0.113.9" not in row.digest
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert allow("intake", "203.0.113.9", 3, 600)  # a different key: nobody can recompute it without it
    assert RateCounter.objects.count() == 2


def test_a_window_ends_and_its_row_goes(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    now = 1_800_000_000
    monkeypatch.setattr(ratelimit, "_now", lambda: now)
    assert allow("intake", "203.0.113.9", 1, 60)
    assert not allow("intake", "203.0.113.9", 1, 60)
    now += 61
    assert allow("intake", "203.0.113.10", 1, 60)  # a new window starts: ended ones are swept
    assert RateCounter.objects.count() == 1
    assert allow("intake", "203.0.113.9", 1, 60)  # and this address starts afresh


# ---------------------------------------------------------------------------- logins


def login(client: Client, username: str, password: str = PASSWORD, path: str = "/accounts/login/") -> Any:
    return client.post(path, {"username": username, "password": password})


def test_an_office_behind_one_address_can_log_in_all_day(world: World, settings: Any) -> None:
    settings.CANHGIAC_LOGIN_ADDRESS_ATTEMPTS = 3
    officers = [world.officer_a, world.officer_b, world.supervisor, world.viewer_a, world.admin]
    for user in officers:
        assert login(Client(), user.username).status_code == 302
    for _ in range(6):
        assert login(Client(), world.officer_a.username).status_code == 302
    assert AuditEvent.objects.filter(action="user.login").count() == 11
    # Failures do count, per address, whoever they are for.
    for user in officers[:3]:
        assert login(Client(), user.username, "sai").status_code == 401
    response = login(Client(), world.viewer_a.username)
    assert response.status_code == 429


def test_failures_lock_the_account_and_a_success_clears_them(world: World, settings: Any) -> None:
    settings.CANHGIAC_LOGIN_ATTEMPTS = 3
    name = world.officer_b.username
    for _ in range(2):
        assert login(Client(), name, "sai").status_code == 401
    assert login(Client(), name).status_code == 302  # two failures forgotten
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # from anywhere: the lock is the account's
        assert login(Client(REMOTE_ADDR=address), name, "sai").status_code == 401
    response = login(Client(REMOTE_ADDR="10.0.0.4"), name)
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert login(Client(), world.officer_a.username).status_code == 302  # others are not locked
    assert AuditEvent.objects.filter(action="user.login_failed", actor_label=name).count() == 5


def test_an_attempt_refused_for_its_address_is_no_failure_for_the_account(world: World, settings: Any) -> None:
    settings.CANHGIAC_LOGIN_ATTEMPTS, settings.CANHGIAC_LOGIN_ADDRESS_ATTEMPTS = 3, 2
    sprayer = Client(REMOTE_ADDR="10.0.0.66")
    assert [login(sprayer, name, "sai").status_code for name in ("a", "b", world.officer_b.username)] == [401, 401, 429]
    elsewhere = [Client(REMOTE_ADDR=f"10.0.0.{i}") for i in range(1, 5)]
    assert [login(client, world.officer_b.username, "sai").status_code for client in elsewhere] == [401, 401, 401, 429]


def test_admin_login_is_the_console_login(world: World) -> None:
    client = Client()
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    evil = client.get("/admin/login/?next=https://evil.example/")
    assert evil["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # A password posted to the admin's own form is not even looked at.
    posted = login(client, world.admin.username, path="/admin/login/?next=/admin/")
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action__startswith="user.login").exists()
    response = client.post("/accounts/login/?next=%2Fadmin%2F", {"username": world.admin.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="user.login", actor=world.admin).count() == 1


# ---------------------------------------------------------------------------- follow-up keys


def test_followup_keys_exactly_n_wrong_guesses_on_the_api(world: World, settings: Any) -> None:
    settings.CANHGIAC_FOLLOWUP_ATTEMPTS = 4
    received = world.tip(channel=world.api_a)
    right = {"reference": received.case.reference, "key": received.followup_key}
    wrong = {**right, "key": "sai"}
    client = Client()

    def followup(body: dict[str, Any] | bytes) -> int:
        data = body if isinstance(body, bytes) else json.dumps(body)
        return client.post("/api/v1/followup", data=data, content_type="application/json").status_code

    assert [followup(right) for _ in range(5)] == [200] * 5  # reading one's own case costs nothing
    assert followup(b"{not json") == 400  # a malformed guess is a guess
    assert [followup(wrong) for _ in range(3)] == [404, 404, 404]
    assert followup(right) == 429  # the fifth attempt, even with the right key


def test_followup_keys_exactly_n_wrong_guesses_on_the_web(world: World, settings: Any) -> None:
    settings.CANHGIAC_FOLLOWUP_ATTEMPTS = 4
    _, html = _submit(Client(), text="Có người bán pháo nổ ở chợ xã")
    reference, key = _receipt(html)
    client = Client()
    for _ in range(5):
        assert client.post("/theo-doi/", {"reference": reference, "key": key}).status_code == 302
    for _ in range(4):
        assert client.post("/theo-doi/", {"reference": reference, "key": "sai"}).status_code == 200
    assert client.post("/theo-doi/", {"reference": reference, "key": key}).status_code == 429


# ---------------------------------------------------------------------------- bodies


def test_a_flood_of_refused_bodies_ends_in_429(world: World, settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings.CANHGIAC_INTAKE_RATE = 3
    client = Client()
    statuses = [client.post("/api/v1/check", data=b"[" * 600, content_type="application/json").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    assert Client(REMOTE_ADDR="10.0.0.9").post("/api/v1/check", data=b"[" * 600, content_type="application/json").status_code == 400
    refused = [r for r in caplog.records if r.name == "canhgiac.requests"]
    assert len(refused) == 6 and all(len(r.getMessage()) <= 200 for r in refused)


def test_refused_logs_are_short_and_carry_no_body(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    body = b'{"text": "MAT-KHAU-BI-MAT", "x":' + b"[" * 100_000
    response = Client().post("/api/v1/intake/" + "%0A%E1%BA%A1" * 200, data=body, content_type="application/json")
    assert response.status_code == 400
    (record,) = [r for r in caplog.records if r.name == "canhgiac.requests"]
    line = record.getMessage()
    assert len(line) <= 200 and "\n" not in line and "MAT-KHAU" not in line and "127.0.0.1" not in line


def test_a_content_length_that_is_no_number_is_a_400(world: World) -> None:
    response = Client().post("/api/v1/check", data=b'{"text": "x"}', content_type="application/json", CONTENT_LENGTH="12abc")
    assert response.status_code == 400 and response.json()["error"] == "unreadable"
