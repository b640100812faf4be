"""The administration pages: the admin role only, each admin within its own unit and the
units under it; secrets written, never shown."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client

from canhgiac.web.accounts.models import ApiToken, Unit, User
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.indicators.models import Indicator
from canhgiac.web.intake.models import Channel
from tests.web.conftest import PASSWORD, World


@pytest.mark.parametrize(("persona", "allowed"), [("admin", True), ("supervisor", False), ("officer_a", False), ("viewer_a", False)])
def test_only_admins_reach_administration(world: World, persona: str, allowed: bool) -> None:
    response = world.client(getattr(world, persona)).get("/admin/")
    assert (response.status_code == 200) == allowed
    if not allowed:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_sets_a_channel_secret_without_ever_seeing_it(world: World) -> None:
    client = world.client(world.admin)
    page = client.get(f"/admin/intake/channel/{world.zalo_a.pk}/change/")
    assert page.status_code == 200
    assert "oa-secret-key-for-tests" not in page.content.decode()
    data = {
        "unit": world.commune_a.pk,
        "kind": "zalo",
        "slug": "zalo-a",
        "name": "Zalo xã A",
        "active": "on",
        "app_id": "4321098765",
        "oa_id": "oa-123",
        "oa_secret": "mot-bi-mat-moi",
    }
    response = client.post(f"/admin/intake/channel/{world.zalo_a.pk}/change/", data)
    assert response.status_code == 302
    channel = Channel.objects.get(pk=world.zalo_a.pk)
    assert channel.secret("oa_secret") == "mot-bi-mat-moi" and channel.secret("app_secret") == "app-secret-for-tests"
    assert "mot-bi-mat-moi" not in channel.oa_secret_sealed
    assert AuditEvent.objects.filter(action="admin.changed", actor=world.admin).exists()


def test_audit_log_is_read_only_in_administration(world: World) -> None:
    world.tip("Có trộm ở chợ")
    event = AuditEvent.objects.first()
    assert event is not None
    client = world.client(world.admin)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# ---------------------------------------------------------------------------- within the unit


def _form_data(page: Any) -> dict[str, Any]:
    """What the browser would post back from an admin change page, unchanged."""
    form = page.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.MultiWidget):
            for i, part in enumerate(field.widget.decompress(value) or []):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def _post(client: Client, url: str, **changes: Any) -> Any:
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(url, {**_form_data(page), **changes})


def _errors(response: Any) -> str:
    assert response.status_code == 200, "expected the form back with errors"
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@pytest.fixture
def admin_a(world: World) -> User:
    """An administrator of commune A alone."""
    return User.objects.create_user("quantri-a", password=PASSWORD, unit=world.commune_a, role=User.Role.ADMIN)


def _listed(client: Client, url: str) -> set[str]:
    page = client.get(url)
    assert page.status_code == 200, url
    return {str(obj) for obj in page.context["cl"].queryset}


def test_lists_hold_only_the_admins_own_subtree(world: World, admin_a: User) -> None:
    ApiToken.issue(world.officer_a, "a")
    ApiToken.issue(world.officer_b, "b")
    world.tip("Có trộm ở chợ xã A")
    world.tip("Có trộm ở chợ xã B", channel=world.web_b)
    world.tip("Chúc mừng bạn trúng thưởng xe SH, nhận quà tại qua-tang-xa-b.top trước 17h", channel=world.web_b)
    commune, district = world.client(admin_a), world.client(world.admin)

    assert _listed(commune, "/admin/accounts/unit/") == {"Xã A"}
    assert _listed(district, "/admin/accounts/unit/") == {"Huyện Thử", "Xã A", "Xã B"}
    assert _listed(commune, "/admin/accounts/user/") == {"canbo-a", "xem-a", "quantri-a"}
    assert _listed(district, "/admin/accounts/user/") == {"canbo-a", "canbo-b", "chihuy", "xem-a", "quantri", "quantri-a"}
    assert _listed(commune, "/admin/intake/channel/") == {"Web xã A", "API xã A", "Zalo xã A"}
    assert set(commune.get("/admin/accounts/apitoken/").context["cl"].queryset.values_list("name", flat=True)) == {"a"}
    assert _listed(commune, "/admin/indicators/indicator/") == set()
    assert _listed(district, "/admin/indicators/indicator/") == {"Tên miền: qua-tang-xa-b.top"}
    events = world.client(admin_a).get("/admin/audit/auditevent/").context["cl"].queryset
    assert events.exists() and set(events.values_list("unit", flat=True)) == {world.commune_a.pk}
    # The unit filter beside the user list names no unit outside the subtree either.
    assert "Xã B" not in commune.get("/admin/accounts/user/").content.decode()


def test_another_units_objects_are_not_found_by_their_address(world: World, admin_a: User) -> None:
    token, _ = ApiToken.issue(world.officer_b, "b")
    world.tip("Chúc mừng bạn trúng thưởng xe SH, nhận quà tại qua-tang-xa-b.top trước 17h", channel=world.web_b)
    event = AuditEvent.objects.filter(unit=world.commune_b).first()
    assert event is not None
    indicator = Indicator.objects.get(value="qua-tang-xa-b.top")
    client = world.client(admin_a)
    for path in (
        f"accounts/user/{world.officer_b.pk}",
        f"accounts/user/{world.admin.pk}",  # the district's admin, above
        f"accounts/unit/{world.commune_b.pk}",
        f"accounts/unit/{world.district.pk}",
        f"intake/channel/{world.web_b.pk}",
        f"accounts/apitoken/{token.pk}",
        f"audit/auditevent/{event.pk}",
        f"indicators/indicator/{indicator.pk}",
    ):
        for page in ("change", "history", "delete"):
            assert client.get(f"/admin/{path}/{page}/").status_code == 404, f"{path}/{page}"
    reset = client.post(
        f"/admin/accounts/user/{world.officer_b.pk}/change/", {"username": "canbo-b", "new_password": "mot-mat-khau-moi-2026"}
    )
    assert reset.status_code == 404
    world.officer_b.refresh_from_db()
    assert world.officer_b.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("persona", "change"),
    [
        ("admin_a", {"unit": "district"}),  # up, to its own parent
        ("admin_a", {"unit": "commune_b"}),  # beside
        ("admin", {"unit": "commune_a"}),  # even down, inside its subtree: not by itself
        ("admin", {"role": User.Role.SUPERVISOR}),
        ("admin", {"is_active": ""}),
    ],
)
def test_an_admin_cannot_change_its_own_unit_or_role(world: World, admin_a: User, persona: str, change: dict[str, str]) -> None:
    me = admin_a if persona == "admin_a" else world.admin
    values = {k: getattr(world, v).pk if k == "unit" else v for k, v in change.items()}
    response = _post(world.client(me), f"/admin/accounts/user/{me.pk}/change/", **values)
    assert _errors(response)
    after = User.objects.get(pk=me.pk)
    assert (after.unit_id, after.role, after.is_active) == (me.unit_id, User.Role.ADMIN, True)


def test_an_admin_places_people_and_channels_only_inside_its_subtree(world: World, admin_a: User) -> None:
    client = world.client(admin_a)
    moved = _post(client, f"/admin/accounts/user/{world.officer_a.pk}/change/", unit=world.district.pk)
    assert "Hãy chọn một lựa chọn hợp lệ" in _errors(moved)
    new = {
        "username": "canbo-moi",
        "unit": world.commune_b.pk,
        "role": "officer",
        "is_active": "on",
        "new_password": "mat-khau-rat-dai-2026",
    }
    assert _errors(client.post("/admin/accounts/user/add/", new))
    channel = _post(client, f"/admin/intake/channel/{world.web_a.pk}/change/", unit=world.commune_b.pk)
    assert _errors(channel)
    assert User.objects.get(pk=world.officer_a.pk).unit == world.commune_a and not User.objects.filter(username="canbo-moi").exists()
    assert Channel.objects.get(pk=world.web_a.pk).unit == world.commune_a
    # Inside it, it may: a new officer of commune A.
    assert client.post("/admin/accounts/user/add/", {**new, "unit": world.commune_a.pk}).status_code == 302
    assert User.objects.get(username="canbo-moi").unit == world.commune_a


def test_units_stay_a_tree_under_the_admin(world: World, admin_a: User) -> None:
    commune, district = world.client(admin_a), world.client(world.admin)
    # Its own unit's parent is not its to change (the field is not even offered).
    assert _post(commune, f"/admin/accounts/unit/{world.commune_a.pk}/change/", parent=world.elsewhere.pk).status_code == 302
    assert Unit.objects.get(pk=world.commune_a.pk).parent == world.district
    assert commune.post(f"/admin/accounts/unit/{world.commune_a.pk}/delete/", {"post": "yes"}).status_code == 403
    # A unit under itself would be a loop; under another district, outside the subtree.
    assert "cấp dưới" in _errors(_post(district, f"/admin/accounts/unit/{world.commune_a.pk}/change/", parent=world.commune_a.pk))
    assert _errors(_post(district, f"/admin/accounts/unit/{world.commune_a.pk}/change/", parent=world.elsewhere.pk))
    assert Unit.objects.get(pk=world.commune_a.pk).parent == world.district
    # A new unit goes under one of the admin's units, never beside them.
    new = {
        "name": "Xã Mới",
        "slug": "xa-moi",
        "kind": "commune",
        "retention_days": "730",
        "created_0": "2026-11-30",
        "created_1": "08:00:00",
    }
    assert _errors(district.post("/admin/accounts/unit/add/", new))
    assert district.post("/admin/accounts/unit/add/", {**new, "parent": world.commune_b.pk}).status_code == 302
    assert Unit.objects.get(slug="xa-moi").parent == world.commune_b


def test_passwords_set_here_meet_the_same_rules_as_createuser(world: World) -> None:
    client = world.client(world.admin)
    weak = _post(client, f"/admin/accounts/user/{world.officer_a.pk}/change/", new_password="12345678")
    assert "Mật khẩu" in _errors(weak) and "quá ngắn" in _errors(weak)
    world.officer_a.refresh_from_db()
    assert world.officer_a.check_password(PASSWORD)
    like_name = _post(client, f"/admin/accounts/user/{world.officer_a.pk}/change/", new_password="canbo-a-2026")
    assert "quá giống" in _errors(like_name)
    new = {"username": "canbo-moi", "unit": world.commune_a.pk, "role": "officer", "is_active": "on"}
    assert "Người dùng mới cần một mật khẩu." in _errors(client.post("/admin/accounts/user/add/", new))
    assert _post(client, f"/admin/accounts/user/{world.officer_a.pk}/change/", new_password="mot-mat-khau-moi-2026").status_code == 302
    world.officer_a.refresh_from_db()
    assert world.officer_a.check_password("mot-mat-khau-moi-2026")
