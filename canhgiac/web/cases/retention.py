"""Retention: what is past its unit's retention period is deleted, really, and what was
removed is written to the audit log (counts and references, never contents).

- A resolved or closed case whose last activity is older than the unit's
  ``retention_days`` is deleted with its messages, photos (the files too), notes and
  labels. Open cases are kept whatever their age: someone is still working on them.
- A reporter who has written nothing for that long loses their contact details; one
  with no case left who does not receive bulletins is deleted altogether.
- Raw webhook payloads (they hold chat user IDs and the text in clear) go with their
  channel's unit's period, and after ``RAW_DAYS`` at the latest, processed or not: a copy
  never outlives what it is a copy of. Finished background tasks go after ``RAW_DAYS``.
- Audit rows stay: they hold references and counts, never what a citizen wrote.

On SQLite the deletion overwrites the freed pages (``secure_delete``) and the WAL is
checkpointed, so the text is gone from the file, not only unlinked.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from canhgiac.web.accounts.models import Unit
from canhgiac.web.audit.log import record
from canhgiac.web.cases.models import Attachment, Case, Reporter
from canhgiac.web.core.db import writing
from canhgiac.web.intake.models import InboundEvent
from canhgiac.web.tasks.models import Task

log = logging.getLogger("canhgiac.retention")

RAW_DAYS = 30
BATCH = 500
CLOSED = (Case.Status.RESOLVED, Case.Status.CLOSED)


@dataclass
class Purged:
    cases: int = 0
    photos: int = 0
    contacts_cleared: int = 0
    reporters: int = 0
    webhook_events: int = 0
    tasks: int = 0

    def total(self) -> int:
        return sum(asdict(self).values())


def due(unit: Unit, now: datetime) -> tuple[list[int], int, int]:
    """What would go for one unit: case IDs, contacts to clear, reporters to delete."""
    cutoff = now - timedelta(days=unit.retention_days)
    cases = list(Case.objects.filter(unit=unit, status__in=CLOSED, last_activity__lt=cutoff).values_list("id", flat=True))
    quiet = Reporter.objects.filter(channel__unit=unit, last_message_at__lt=cutoff)
    contacts = quiet.exclude(contact_sealed="").count()
    return cases, contacts, quiet.filter(subscribed=False, cases__isnull=True).count()


def purge(now: datetime | None = None, *, dry_run: bool = False) -> Purged:
    now = now or timezone.now()
    result = Purged()
    sqlite = connection.vendor == "sqlite"
    if sqlite and not dry_run:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    try:
        for unit in Unit.objects.all():
            for field, value in asdict(_purge_unit(unit, now, dry_run)).items():
                setattr(result, field, getattr(result, field) + value)
            result.webhook_events += _purge_raw_events(unit, now, dry_run)
        tasks = Task.objects.filter(status__in=(Task.Status.DONE, Task.Status.FAILED), finished__lt=now - timedelta(days=RAW_DAYS))
        result.tasks = tasks.count()
        if not dry_run and result.tasks:
            with writing():
                tasks.delete()
                record("retention.purged", actor_label="retention", tasks=result.tasks, days=RAW_DAYS)
    finally:
        if sqlite and not dry_run:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete = OFF")
                if result.total() and not connection.in_atomic_block:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return result


def _purge_unit(unit: Unit, now: datetime, dry_run: bool) -> Purged:
    cutoff = now - timedelta(days=unit.retention_days)
    case_ids, contacts, reporters = due(unit, now)
    photos = Attachment.objects.filter(message__case_id__in=case_ids).exclude(file="")
    result = Purged(cases=len(case_ids), photos=photos.count(), contacts_cleared=contacts, reporters=reporters)
    if dry_run or not (case_ids or contacts or reporters):
        return result
    for start in range(0, len(case_ids), BATCH):
        batch = case_ids[start : start + BATCH]
        with writing():
            files = [a.file for a in Attachment.objects.filter(message__case_id__in=batch).exclude(file="")]
            references = list(Case.objects.filter(id__in=batch).values_list("reference", flat=True))
            Case.objects.filter(id__in=batch).delete()
            record(
                "retention.purged", actor_label="retention", unit=unit, cases=len(batch), references=references, days=unit.retention_days
            )
            # Files after the rows: a crash in between leaves an orphan file, never a row without its file.
            transaction.on_commit(partial(_remove, files))
    with writing():
        quiet = Reporter.objects.filter(channel__unit=unit, last_message_at__lt=cutoff)
        quiet.exclude(contact_sealed="").update(contact_sealed="")
        quiet.filter(subscribed=False, cases__isnull=True).delete()
        if contacts or reporters:
            record(
                "retention.purged",
                actor_label="retention",
                unit=unit,
                contacts_cleared=contacts,
                reporters=reporters,
                days=unit.retention_days,
            )
    return result


def _purge_raw_events(unit: Unit, now: datetime, dry_run: bool) -> int:
    """Raw webhook payloads of the unit's channels past its period (RAW_DAYS at most).

    Failed and never-processed events too: past the period, no one will retry them, and
    their payload is as personal as the others'.
    """
    days = min(RAW_DAYS, unit.retention_days)
    events = InboundEvent.objects.filter(channel__unit=unit, received__lt=now - timedelta(days=days))
    count = events.count()
    if dry_run or not count:
        return count
    with writing():
        events.delete()
        record("retention.purged", actor_label="retention", unit=unit, webhook_events=count, days=days)
    return count


def _remove(files: list[FieldFile]) -> None:
    for file in files:
        try:
            file.storage.delete(file.name or "")
        except OSError:
            log.warning("could not remove %s", file.name)


def run_task(payload: dict[str, object]) -> None:
    """The daily task the worker schedules."""
    result = purge()
    log.info("retention: %s", asdict(result))
