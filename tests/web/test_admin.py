"""The administration pages: the admin role only; secrets written, never shown."""

from __future__ import annotations

import pytest

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.intake.models import Channel
from tests.web.conftest import World


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
