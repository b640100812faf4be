"""The audit log and citizens' anonymity: no citizen's network address is stored
anywhere, the addresses earlier versions stored are forgotten by a migration, and the
log is append-only in the database itself (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.audit.log import record
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.models import Case
from canhgiac.web.channels.zalo.signature import expected_signature
from canhgiac.web.intake.models import InboundEvent
from tests.web.conftest import PASSWORD, World
from tests.web.test_zalo import SECRET, event

CITIZEN = "198.51.100.237"  # TEST-NET-2: distinctive, found nowhere by chance
OFFICER = "203.0.113.58"  # TEST-NET-3
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField, models.BinaryField)


def everything_stored() -> str:
    """Every text, JSON, address and binary column of every table, decoded sessions, and
    on SQLite the whole database as SQL (tables that are not models included)."""
    parts: list[str] = []
    for model in apps.get_models():
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if columns:
            parts.extend(repr(row) for row in model._base_manager.values_list(*columns))
    parts.extend(repr(session.get_decoded()) for session in Session.objects.all())
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        parts.extend(connection.connection.iterdump())
    return "\n".join(parts)


def _receipt(html: str) -> tuple[str, str]:
    found = re.search(r'id="reference">([^<]+)<.*?id="key">([^<]+)<', html, re.S)
    assert found, html[:500]
    return found.group(1), found.group(2)


def test_no_citizen_address_is_stored_by_any_channel(world: World) -> None:
    citizen = Client(REMOTE_ADDR=CITIZEN)
    page = citizen.post("/gui/xa-a/", {"text": "Có người bán ma túy ở bến xe, tối nào cũng thấy"}, follow=True)
    assert page.status_code == 200
    reference, key = _receipt(page.content.decode())
    assert citizen.post("/theo-doi/", {"reference": reference, "key": key}).status_code == 302
    assert citizen.post(f"/theo-doi/{reference}/", {"text": "Thêm: họ đi xe máy màu đỏ"}).status_code == 302

    api = Client(REMOTE_ADDR=CITIZEN)

    def post(path: str, data: dict[str, str]) -> dict[str, Any]:
        response = api.post(f"/api/v1/{path}", json.dumps(data), content_type="application/json")
        assert response.status_code == 201, response.content
        body: dict[str, Any] = response.json()
        return body

    opened = post("intake", {"channel": "xa-a-api", "text": "Trộm xe máy ở chợ thôn Đông", "contact": "0912 345 678"})
    post("followup/messages", {"reference": opened["reference"], "key": opened["followup_key"], "text": "Xe Wave biển 29"})

    body = event("user_send_text")
    data = json.loads(body)
    signature = expected_signature(data["app_id"], body, str(data["timestamp"]), SECRET)
    webhook = Client(REMOTE_ADDR=CITIZEN).post(
        "/channels/zalo/zalo-a/webhook", data=body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=signature
    )
    assert webhook.status_code == 200 and InboundEvent.objects.count() == 1

    assert Case.objects.count() == 2 and AuditEvent.objects.filter(action="case.message_received").count() == 2
    officer = Client(REMOTE_ADDR=OFFICER)
    officer.force_login(world.officer_a)
    replied = officer.post(f"/console/case/{reference}/action/", {"action": "reply", "body": "Cảm ơn, chúng tôi đã nhận."})
    assert replied.status_code == 302

    stored = everything_stored()
    assert OFFICER in stored  # the scan finds an address where there is one: officers keep theirs
    assert CITIZEN not in stored

    supervisor = Client(REMOTE_ADDR=OFFICER)
    supervisor.force_login(world.supervisor)
    audit_page = supervisor.get("/console/audit/").content.decode()
    assert "Người dân (kênh xa-a)" in audit_page and OFFICER in audit_page and CITIZEN not in audit_page


def test_an_address_given_for_a_channel_row_is_dropped(world: World) -> None:
    """Whatever a caller passes, a row written for a citizen's message has no address."""
    row = record("case.opened", actor_label="channel:xa-a", unit=world.commune_a, ip=CITIZEN)
    assert AuditEvent.objects.get(pk=row.pk).ip is None
    officer_row = record("case.replied", actor=world.officer_a, unit=world.commune_a, ip=OFFICER)
    assert AuditEvent.objects.get(pk=officer_row.pk).ip == OFFICER


def test_migration_forgets_the_addresses_earlier_versions_stored(transactional_db: Any) -> None:
    """Migrated back to 0001, rows written as earlier versions did, then forward: the
    citizens' addresses are gone, the officers' stay (the real migration code runs)."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("audit")
    executor.migrate([("audit", "0001_initial")])
    try:
        executor.loader.build_graph()
        old = executor.loader.project_state([("audit", "0001_initial")]).apps.get_model("audit", "AuditEvent")
        user = User.objects.create_user("canbo-cu", password=PASSWORD)
        rows = {
            "tip": old.objects.create(actor_label="channel:xa-a", action="case.opened", ip="198.51.100.1"),
            "followup": old.objects.create(actor_label="channel:zalo-a", action="case.message_received", ip="2001:db8::7"),
            "unlabelled": old.objects.create(actor_label="system", action="case.message_received", ip="198.51.100.2"),
            "officer": old.objects.create(actor_id=user.pk, actor_label=user.username, action="case.replied", ip="203.0.113.9"),
            "failed_login": old.objects.create(actor_label="ai-do", action="user.login_failed", ip="203.0.113.10"),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    ips = {name: AuditEvent.objects.get(pk=row.pk).ip for name, row in rows.items()}
    assert ips == {"tip": None, "followup": None, "unlabelled": None, "officer": "203.0.113.9", "failed_login": "203.0.113.10"}
    with pytest.raises(IntegrityError), transaction.atomic():  # and the triggers are back
        AuditEvent.objects.update(action="x")


def _refused(change: Callable[[], object]) -> None:
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        change()


def test_the_database_refuses_to_change_or_delete_audit_rows(world: World) -> None:
    world.tip("Có người bán ma túy ở bến xe")  # case.opened, by the channel
    row = record("user.login", actor=world.officer_a, unit=world.commune_a, ip=OFFICER)
    before = list(AuditEvent.objects.order_by("pk").values())
    assert len(before) >= 2
    table = AuditEvent._meta.db_table

    def raw(sql: str) -> Callable[[], None]:
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

        return run

    _refused(lambda: AuditEvent.objects.update(action="x"))
    _refused(lambda: AuditEvent.objects.all().delete())
    _refused(lambda: AuditEvent.objects.filter(pk=row.pk).delete())
    _refused(raw(f"UPDATE {table} SET action = 'x'"))
    _refused(raw(f"DELETE FROM {table}"))
    _refused(lambda: AuditEvent.objects.filter(pk=row.pk).update(actor=world.officer_b))  # pinned on someone else
    _refused(lambda: AuditEvent.objects.filter(pk=row.pk).update(unit=world.commune_b))
    _refused(lambda: AuditEvent.objects.filter(actor__isnull=True).update(actor=world.officer_a))
    # Every column but the two references, so a column added later must be covered too.
    new_values: dict[str, object] = {
        "id": row.pk + 1000,
        "created": timezone.now() + timedelta(days=1),
        "actor_label": "someone-else",
        "action": "x",
        "object_type": "x",
        "object_id": "x",
        "ip": "192.0.2.1",
        "details": {"x": 1},
    }
    columns = {f.attname for f in AuditEvent._meta.concrete_fields} - {"actor_id", "unit_id"}
    assert columns == set(new_values)
    for name, value in new_values.items():
        _refused(lambda name=name, value=value: AuditEvent.objects.filter(pk=row.pk).update(**{name: value}))  # type: ignore[misc]
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    assert list(AuditEvent.objects.order_by("pk").values()) == before


def test_deleting_a_user_or_unit_keeps_their_audit_rows(world: World) -> None:
    """The one change allowed: a reference to a deleted user or unit becomes NULL; who it
    was stays in ``actor_label``."""
    unit = Unit.objects.create(name="Xã Giải Thể", slug="xa-giai-the")
    leaving = User.objects.create_user("canbo-nghi", password=PASSWORD, unit=unit, role=User.Role.OFFICER)
    row = record("user.login", actor=leaving, unit=unit, ip=OFFICER, note="lần cuối")
    leaving.delete()
    unit.delete()
    kept = AuditEvent.objects.get(pk=row.pk)
    assert (kept.actor_id, kept.unit_id, kept.actor_label, kept.action, kept.ip, kept.details) == (
        None,
        None,
        "canbo-nghi",
        "user.login",
        OFFICER,
        {"note": "lần cuối"},
    )
