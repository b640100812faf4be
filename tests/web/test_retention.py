"""Retention: past a unit's period, closed cases and quiet reporters' contacts are
deleted for real (rows, photo files, and on SQLite the bytes in the file), and the
deletion is in the audit log without the contents."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from PIL import Image

from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.actions import Photo, add_note, change_status, correct, reply
from canhgiac.web.cases.models import Attachment, Case, Label, Message, Reporter
from canhgiac.web.cases.retention import RAW_DAYS, purge
from canhgiac.web.core.crypto import unseal
from canhgiac.web.core.images import clean_image
from canhgiac.web.intake.models import InboundEvent
from canhgiac.web.tasks.models import Task
from canhgiac.web.tasks.queue import DAILY, run_pending, schedule_daily
from tests.web.conftest import World

ROOT = Path(__file__).resolve().parents[2]


def _photo() -> Photo:
    raw = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 0)).save(raw, format="JPEG")
    return Photo(clean_image(raw.getvalue(), 10**6))


def _age(case: Case, days: int) -> None:
    when = timezone.now() - timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(last_activity=when, created=when)
    Reporter.objects.filter(pk=case.reporter_id).update(last_message_at=when)


def test_closed_cases_past_retention_are_deleted_with_their_photos(world: World, django_capture_on_commit_callbacks: Any) -> None:
    world.commune_a.retention_days = 365
    world.commune_a.save()
    old = world.tip("Nhà số 9 có người bán ma túy, đây là ảnh.", photos=[_photo()], contact="0912 345 678").case
    correct(old, world.officer_a, "category", "drugs")
    change_status(old, world.officer_a, Case.Status.CLOSED)
    _age(old, 400)
    photo_path = Path(Attachment.objects.get(message__case=old).file.path)
    assert photo_path.exists()
    still_open = world.tip("Trộm chó ở thôn Đông, chưa xử lý xong").case
    _age(still_open, 400)
    recent = world.tip("Đánh bạc ở nhà văn hóa").case
    change_status(recent, world.officer_a, Case.Status.CLOSED)
    elsewhere = world.tip("Tiếng ồn karaoke quá khuya", channel=world.web_b).case  # commune B keeps 730 days
    change_status(elsewhere, world.officer_b, Case.Status.CLOSED)
    _age(elsewhere, 400)

    counted = purge(dry_run=True)
    assert (counted.cases, counted.photos) == (1, 1) and Case.objects.filter(pk=old.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are gone
        result = purge()
    assert (result.cases, result.photos) == (1, 1)
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not Message.objects.filter(case_id=old.pk).exists() and not Label.objects.filter(case_id=old.pk).exists()
    assert not photo_path.exists()
    assert not Reporter.objects.filter(pk=old.reporter_id).exists()
    assert set(Case.objects.values_list("pk", flat=True)) == {still_open.pk, recent.pk, elsewhere.pk}
    event = AuditEvent.objects.get(action="retention.purged", details__cases=1)
    assert event.details["references"] == [old.reference] and event.unit == world.commune_a
    assert "ma túy" not in json.dumps(event.details, ensure_ascii=False) and "0912" not in json.dumps(event.details)
    assert purge().total() == 0  # nothing more to do


def test_quiet_reporters_lose_their_contact_subscribers_stay(world: World) -> None:
    case = world.tip("Có người lạ hỏi mua đất", contact="Zalo 0987 654 321").case
    change_status(case, world.officer_a, Case.Status.IN_PROGRESS)
    _age(case, 800)
    reporter = Reporter.objects.get(pk=case.reporter_id)
    assert "0987" in unseal(reporter.contact_sealed)
    subscriber = Reporter.objects.create(channel=world.zalo_a, subscribed=True, contact_sealed=reporter.contact_sealed)
    Reporter.objects.filter(pk=subscriber.pk).update(last_message_at=timezone.now() - timedelta(days=800))
    result = purge()
    assert result.contacts_cleared == 2 and result.reporters == 0
    assert Reporter.objects.get(pk=reporter.pk).contact_sealed == ""  # the open case stays, the contact goes
    assert Reporter.objects.get(pk=subscriber.pk).subscribed is True


def test_raw_webhook_events_and_old_tasks_go_after_a_month(world: World) -> None:
    old = timezone.now() - timedelta(days=RAW_DAYS + 1)
    InboundEvent.objects.create(
        channel=world.zalo_a, external_id="old", event_name="user_send_text", payload={"sender": {"id": "1"}}, received=old, processed=old
    )
    InboundEvent.objects.create(channel=world.zalo_a, external_id="new", event_name="user_send_text", payload={}, processed=timezone.now())
    # Never processed, or failed: past the period nobody retries them, and they hold the same.
    InboundEvent.objects.create(channel=world.zalo_a, external_id="unprocessed", event_name="user_send_text", payload={}, received=old)
    InboundEvent.objects.create(
        channel=world.zalo_a,
        external_id="failed",
        event_name="user_send_text",
        payload={},
        received=old,
        processed=old,
        error="rate_limited",
    )
    Task.objects.create(kind="zalo.send_text", payload={"text": "x"}, status=Task.Status.DONE, finished=old)
    Task.objects.create(kind="zalo.send_text", payload={"text": "y"}, status=Task.Status.QUEUED)
    assert purge(dry_run=True).webhook_events == 3 and InboundEvent.objects.count() == 4
    result = purge()
    assert (result.webhook_events, result.tasks) == (3, 1)
    assert set(InboundEvent.objects.values_list("external_id", flat=True)) == {"new"}
    assert Task.objects.get().payload == {"text": "y"}
    event = AuditEvent.objects.get(action="retention.purged", details__webhook_events=3)
    assert event.unit == world.commune_a and event.details["days"] == RAW_DAYS


def test_raw_webhook_events_follow_a_shorter_unit_period(world: World) -> None:
    """A unit that keeps data 7 days: its channels' raw payloads go after 7 days too, not
    after the month; another unit's stay."""
    world.commune_a.retention_days = 7
    world.commune_a.save()
    eight_days = timezone.now() - timedelta(days=8)
    for channel, name in ((world.zalo_a, "a-old"), (world.web_b, "b-old")):
        InboundEvent.objects.create(channel=channel, external_id=name, event_name="user_send_text", payload={}, received=eight_days)
    InboundEvent.objects.create(
        channel=world.zalo_a, external_id="a-recent", event_name="user_send_text", payload={}, received=timezone.now() - timedelta(days=6)
    )
    assert purge().webhook_events == 1
    assert set(InboundEvent.objects.values_list("external_id", flat=True)) == {"b-old", "a-recent"}
    assert AuditEvent.objects.get(action="retention.purged", details__webhook_events=1).details["days"] == 7


def test_a_purge_keeps_the_audit_rows_and_they_hold_no_text(world: World, django_capture_on_commit_callbacks: Any) -> None:
    """The audit log is append-only: retention never deletes a row of it, so no row may
    carry what the citizen wrote. After the purge the case's rows are still there, with
    references and counts only."""
    world.commune_a.retention_days = 30
    world.commune_a.save()
    secret = "Nhà số 7 ngõ Hoa có người bán ma túy, SĐT 0912 345 678"
    case = world.tip(secret, contact="Zalo 0987 654 321").case
    add_note(case, world.officer_a, "Ghi chú nội bộ: đã xác minh ngõ Hoa")
    reply(case, world.officer_a, "Cảm ơn, ngõ Hoa đã được báo cho tổ tuần tra")
    correct(case, world.officer_a, "category", "drugs")
    change_status(case, world.officer_a, Case.Status.CLOSED)
    _age(case, 31)
    rows = AuditEvent.objects.filter(object_type="case", object_id=str(case.pk))
    assert {"case.opened", "case.note", "case.replied", "case.status"} <= set(rows.values_list("action", flat=True))
    rows_before = rows.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge().cases == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert rows.count() == rows_before
    every_row = json.dumps([[e.actor_label, e.action, e.object_id, e.details] for e in AuditEvent.objects.all()], ensure_ascii=False)
    for fragment in ("ngõ Hoa", "ma túy", "0912", "0987", "tuần tra"):
        assert fragment not in every_row


def test_the_worker_schedules_it_once_a_day(world: World) -> None:
    schedule_daily()
    schedule_daily()
    assert Task.objects.filter(kind__in=DAILY).count() == 1
    assert run_pending() == 1 and Task.objects.get(kind="retention.purge").status == Task.Status.DONE


def test_purge_command_on_sqlite_leaves_no_trace_in_the_file(tmp_path: Path) -> None:
    """In a real SQLite file (not the test run's in-memory one): the text is in the file
    before the purge and nowhere in it, nor in the WAL, after."""
    marker = "DauVetCanXoa" + "7Q4"
    env = {**os.environ, "CANHGIAC_DEV": "1", "CANHGIAC_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "canhgiac.web.settings"}
    env.pop("DATABASE_URL", None)
    setup = textwrap.dedent(
        f"""
        import django; django.setup()
        from datetime import timedelta
        from django.core.management import call_command
        from django.utils import timezone
        call_command("migrate", verbosity=0)
        from canhgiac.web.accounts.models import Unit
        from canhgiac.web.cases.actions import receive_message
        from canhgiac.web.cases.models import Case
        from canhgiac.web.intake.models import Channel
        unit = Unit.objects.create(name="Xã", slug="xa", retention_days=30)
        channel = Channel.objects.create(unit=unit, kind="web", slug="xa", name="Web")
        case = receive_message(channel=channel, text="Có người bán hàng cấm ở chợ, mật danh {marker} " * 20).case
        Case.objects.filter(pk=case.pk).update(status="closed", last_activity=timezone.now() - timedelta(days=31))
        """
    )
    subprocess.run([sys.executable, "-c", setup], env=env, cwd=ROOT, check=True, timeout=120)

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.glob("canhgiac.sqlite3*"))

    assert marker.encode() in files()
    out = subprocess.run(
        [sys.executable, "-m", "canhgiac.cli", "--lang", "en", "purge"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    ).stdout
    assert "removed: 1 cases" in out
    assert marker.encode() not in files() and marker.lower().encode() not in files()
