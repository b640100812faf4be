"""Officers managed in the console (accounts: officers pages and actions): supervisors
and administrators, within their subtree, never above their own role, never on
themselves; one-time links to set a password, stored as a hash, spent once, dead after a
day; every change audited without a password or a token."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from canhgiac.web.accounts import actions
from canhgiac.web.accounts.models import ApiToken, PasswordLink, User, hash_token
from canhgiac.web.audit.models import AuditEvent
from tests.web.conftest import PASSWORD, World

LIST = "/console/officers/"
NEW = "/console/officers/new/"
NEW_PASSWORD = "cau-truc-moi-hai-khong-hai-sau"


def act(client: Client, person: User, **data: Any) -> Any:
    return client.post(f"/console/officers/{person.pk}/action/", data)


def link_of(html: str) -> str:
    found = re.search(r'id="link">(http://testserver/accounts/password/[^<]+/)<', html)
    assert found, "no link on the page"
    return found.group(1).removeprefix("http://testserver")


@pytest.mark.parametrize("persona", ["officer_a", "viewer_a"])
def test_officers_and_viewers_cannot_reach_the_pages(world: World, persona: str) -> None:
    client = world.client(getattr(world, persona))
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"username": "x", "unit": world.commune_a.pk, "role": "officer"}).status_code == 403
    assert act(client, world.officer_b, action="deactivate").status_code == 403
    assert world.client(world.officer_a).get("/console/").content.decode().count('id="nav-officers"') == 0
    assert not User.objects.filter(username="x").exists()
    assert User.objects.get(pk=world.officer_b.pk).is_active


def test_logged_out_is_sent_to_login(world: World) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_supervisor_lists_its_subtree_only(world: World) -> None:
    html = world.client(world.supervisor).get(LIST).content.decode()
    for person in ("canbo-a", "canbo-b", "xem-a", "quantri", "chihuy"):
        assert person in html
    assert "nguoi-ngoai" not in html
    assert 'id="nav-officers"' in html
    # Commune B's officer is another district's business for the outsider: a 404, not a 403.
    assert world.client(world.outsider).get(f"/console/officers/{world.officer_b.pk}/").status_code == 404
    assert act(world.client(world.outsider), world.officer_b, action="deactivate").status_code == 404


def test_supervisor_creates_an_officer_and_gets_a_link_once(world: World) -> None:
    client = world.client(world.supervisor)
    response = client.post(NEW, {"username": "canbo-moi", "full_name": "Trần Thị Mai", "unit": world.commune_a.pk, "role": "officer"})
    assert response.status_code == 200
    person = User.objects.get(username="canbo-moi")
    assert (person.unit, person.role, person.first_name, person.has_usable_password()) == (
        world.commune_a,
        "officer",
        "Trần Thị Mai",
        False,
    )
    path = link_of(response.content.decode())
    assert "no-store" in response["Cache-Control"]
    # The page of the person, opened again, does not show it: only its hash is kept.
    again = client.get(f"/console/officers/{person.pk}/").content.decode()
    assert 'id="link"' not in again
    raw = path.split("/")[-2]
    link = PasswordLink.objects.get(user=person)
    assert link.token_hash == hash_token(raw) and raw not in link.token_hash
    event = AuditEvent.objects.get(action="user.created", object_id=str(person.pk))
    assert event.actor == world.supervisor and event.details == {"role": "officer"}
    assert AuditEvent.objects.filter(action="user.password_link", object_id=str(person.pk)).exists()
    assert not any(raw in str(e.details) for e in AuditEvent.objects.all())


def test_supervisor_cannot_create_an_admin_or_outside_its_subtree(world: World) -> None:
    client = world.client(world.supervisor)
    response = client.post(NEW, {"username": "qt-moi", "unit": world.commune_a.pk, "role": "admin"})
    assert response.status_code == 400 and "qt-moi" not in str(User.objects.values_list("username", flat=True))
    response = client.post(NEW, {"username": "xa-xa-moi", "unit": world.elsewhere.pk, "role": "officer"})
    assert response.status_code == 400
    assert not User.objects.filter(username__in=["qt-moi", "xa-xa-moi"]).exists()
    # The action says no too, whatever a form lets through.
    with pytest.raises(actions.ActionError):
        actions.create_user(world.supervisor, username="qt-moi", full_name="", unit=world.commune_a, role="admin")
    with pytest.raises(PermissionError):
        actions.create_user(world.supervisor, username="xa-xa-moi", full_name="", unit=world.elsewhere, role="officer")
    # An administrator may.
    assert world.client(world.admin).post(NEW, {"username": "qt-moi", "unit": world.commune_a.pk, "role": "admin"}).status_code == 200
    assert User.objects.get(username="qt-moi").role == "admin"


def test_duplicate_or_bad_username_is_a_400_in_vietnamese(world: World) -> None:
    client = world.client(world.supervisor)
    response = client.post(NEW, {"username": "CANBO-A", "unit": world.commune_a.pk, "role": "officer"})
    assert response.status_code == 400 and "Tên đăng nhập này đã có người dùng." in response.content.decode()
    response = client.post(NEW, {"username": "có dấu cách", "unit": world.commune_a.pk, "role": "officer"})
    assert response.status_code == 400 and "không có dấu cách" in response.content.decode()
    assert client.post(NEW, {"username": "ok", "unit": "abc", "role": "officer"}).status_code == 400


def test_roles_change_within_the_subtree_never_above_ones_own(world: World) -> None:
    client = world.client(world.supervisor)
    assert act(client, world.officer_a, action="role", role="supervisor").status_code == 302
    assert User.objects.get(pk=world.officer_a.pk).role == "supervisor"
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.details == {"old": "officer", "new": "supervisor"} and event.object_id == str(world.officer_a.pk)
    # Raising to administrator, acting on an administrator, acting on oneself: refused.
    assert act(client, world.officer_b, action="role", role="admin").status_code == 400
    assert act(client, world.admin, action="role", role="officer").status_code == 403
    assert act(client, world.supervisor, action="role", role="officer").status_code == 403
    assert act(client, world.officer_b, action="role", role="boss").status_code == 400
    assert User.objects.get(pk=world.officer_b.pk).role == "officer"
    assert User.objects.get(pk=world.admin.pk).role == "admin"
    assert User.objects.get(pk=world.supervisor.pk).role == "supervisor"
    assert AuditEvent.objects.filter(action="user.role_changed").count() == 1


def test_nobody_deactivates_themselves(world: World) -> None:
    for person in (world.supervisor, world.admin):
        assert act(world.client(person), person, action="deactivate").status_code == 403
        assert User.objects.get(pk=person.pk).is_active


def test_a_deactivated_officers_session_stops_at_the_next_request(world: World) -> None:
    session = world.client(world.officer_a)
    assert session.get("/console/").status_code == 200
    _token, raw = ApiToken.issue(world.officer_a)
    assert act(world.client(world.supervisor), world.officer_a, action="deactivate").status_code == 302
    response = session.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEvent.objects.filter(action="user.deactivated", object_id=str(world.officer_a.pk), actor=world.supervisor).exists()
    # Reactivated, the person logs in again with their password.
    assert act(world.client(world.supervisor), world.officer_a, action="reactivate").status_code == 302
    assert Client().post("/accounts/login/", {"username": "canbo-a", "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.filter(action="user.reactivated").count() == 1


def test_revoking_a_token_stops_it(world: World) -> None:
    token, raw = ApiToken.issue(world.officer_a, name="máy trực ban")
    other, _other_raw = ApiToken.issue(world.officer_b)
    client = world.client(world.supervisor)
    page = client.get(f"/console/officers/{world.officer_a.pk}/").content.decode()
    assert "máy trực ban" in page and token.prefix in page and raw not in page
    # Another person's token through this person's page: not found, not revoked.
    assert act(client, world.officer_a, action="revoke_token", token=other.pk).status_code == 400
    assert act(client, world.officer_a, action="revoke_token", token="x'; --").status_code == 400
    assert act(client, world.officer_a, action="revoke_token", token=token.pk).status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists() and ApiToken.objects.filter(pk=other.pk).exists()
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    event = AuditEvent.objects.get(action="token.revoked")
    assert event.details == {"token": token.prefix, "name": "máy trực ban"} and raw not in str(event.details)


def test_the_link_sets_a_password_once(world: World) -> None:
    response = act(world.client(world.supervisor), world.officer_a, action="password_link")
    assert response.status_code == 200
    path = link_of(response.content.decode())
    citizen = Client()
    assert citizen.get(path).status_code == 200
    # Django's validators apply, in Vietnamese.
    short = citizen.post(path, {"password1": "ngan", "password2": "ngan"})
    assert short.status_code == 400 and "Mật khẩu quá ngắn" in short.content.decode()
    mismatch = citizen.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "không giống nhau" in mismatch.content.decode()
    done = citizen.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    assert User.objects.get(pk=world.officer_a.pk).check_password(NEW_PASSWORD)
    # Spent: a second use changes nothing.
    assert citizen.get(path).status_code == 404
    assert citizen.post(path, {"password1": "mot-mat-khau-khac-2026", "password2": "mot-mat-khau-khac-2026"}).status_code == 404
    assert User.objects.get(pk=world.officer_a.pk).check_password(NEW_PASSWORD)
    set_event = AuditEvent.objects.get(action="user.password_set")
    assert set_event.actor_id == world.officer_a.pk
    assert not any(NEW_PASSWORD in str(e.details) for e in AuditEvent.objects.all())


def test_the_link_dies_after_a_day_and_with_a_newer_one(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = actions.issue_password_link(world.supervisor, world.officer_a)
    later = timezone.now() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client = Client()
    assert client.get(f"/accounts/password/{raw}/").status_code == 404
    assert client.post(f"/accounts/password/{raw}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 404
    assert User.objects.get(pk=world.officer_a.pk).check_password(PASSWORD)
    monkeypatch.undo()
    # Just before a day is out it works; a newer link voids the older.
    almost = actions.issue_password_link(world.supervisor, world.officer_a)
    assert actions.password_link(almost, timezone.now() + timedelta(hours=23, minutes=59)) is not None
    newer = actions.issue_password_link(world.supervisor, world.officer_a)
    assert client.get(f"/accounts/password/{almost}/").status_code == 404
    assert client.get(f"/accounts/password/{newer}/").status_code == 200
    assert PasswordLink.objects.filter(user=world.officer_a).count() == 1


def test_a_link_for_a_deactivated_person_does_not_work(world: World) -> None:
    raw = actions.issue_password_link(world.supervisor, world.officer_a)
    actions.set_active(world.supervisor, world.officer_a, False)
    assert Client().get(f"/accounts/password/{raw}/").status_code == 404


def test_every_post_needs_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.supervisor)
    assert client.post(NEW, {"username": "x", "unit": world.commune_a.pk, "role": "officer"}).status_code == 403
    assert act(client, world.officer_a, action="deactivate").status_code == 403
    assert User.objects.get(pk=world.officer_a.pk).is_active


def test_audit_log_reads_the_new_actions_as_sentences(world: World) -> None:
    client = world.client(world.supervisor)
    act(client, world.officer_a, action="role", role="viewer")
    act(client, world.officer_a, action="deactivate")
    act(client, world.officer_a, action="password_link")
    html = client.get("/console/audit/").content.decode()
    assert "đã đổi vai trò của canbo-a từ «Cán bộ» sang «Xem»" in html
    assert "đã khóa tài khoản canbo-a" in html
