"""Importing blocklists into the registry (an indicator's status and reports: actions.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from canhgiac.engine import Blocklist
from canhgiac.web.accounts.models import User
from canhgiac.web.audit.log import record
from canhgiac.web.core.text import clean
from canhgiac.web.indicators.models import Indicator

BATCH = 2000


@dataclass(slots=True)
class ImportResult:
    rows: int = 0
    added: int = 0
    already: int = 0
    skipped: int = 0


def _parse(rows: Iterable[dict[str, str]]) -> Iterable[tuple[str, str] | None]:
    for row in rows:
        value = (row.get("text") or row.get("indicator") or row.get("value") or "").strip()
        kind = (row.get("kind") or "").strip() or None
        one = Blocklist()
        filed = one.add(value, kind)
        if filed == "phone":
            yield ("phone", next(iter(one.phones)))
        elif filed == "bank_account":
            yield ("bank_account", next(iter(one.bank_accounts)))
        elif filed == "domain":
            yield ("domain", next(iter(one.domains)))
        elif filed == "page":
            yield ("page", next(iter(one.pages)))
        else:
            yield None


def import_csv(
    text: str | io.TextIOBase,
    *,
    source: str,
    user: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a blocklist CSV (a ``text`` or ``indicator`` column, optional ``kind``) as
    confirmed indicators. Pages on big platforms stay pages. Runs in batches, so 24,000
    rows take seconds, and an existing indicator is confirmed, not duplicated."""
    # Universal newlines: a lone "\r" (old Mac files, some exports) is a line end, not an error.
    stream = io.StringIO(text, newline=None) if isinstance(text, str) else text
    lines = (clean(line) for line in stream)
    try:
        with transaction.atomic():  # all or nothing: a bad line late in the file leaves no half import
            return _import(csv.DictReader(lines), source, user, progress)
    except csv.Error as exc:
        raise ValueError(f"CSV không đọc được (CSV could not be read): {exc}") from exc


def _import(reader: csv.DictReader[str], source: str, user: User | None, progress: Callable[[int], None] | None) -> ImportResult:
    if not reader.fieldnames or not {"text", "indicator", "value"} & set(reader.fieldnames):
        raise ValueError("Tệp CSV cần cột 'text' hoặc 'indicator' (CSV needs a text or indicator column).")
    result = ImportResult()
    now = timezone.now()
    batch: dict[tuple[str, str], None] = {}

    def flush() -> None:
        if not batch:
            return
        keys = list(batch)
        with transaction.atomic():
            existing = set(Indicator.objects.filter(value__in=[v for _, v in keys]).values_list("kind", "value"))
            new = [
                Indicator(kind=k, value=v, status=Indicator.Status.CONFIRMED, source=source[:100], first_seen=now, last_seen=now)
                for k, v in keys
                if (k, v) not in existing
            ]
            Indicator.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
            stale = [v for k, v in keys if (k, v) in existing]
            Indicator.objects.filter(value__in=stale, status=Indicator.Status.REPORTED).update(
                status=Indicator.Status.CONFIRMED, last_seen=now
            )
        result.added += len(new)
        result.already += len(keys) - len(new)
        batch.clear()

    for parsed in _parse(reader):
        result.rows += 1
        if parsed is None:
            result.skipped += 1
        elif parsed in batch:
            result.already += 1
        else:
            batch[parsed] = None
        if len(batch) >= BATCH:
            flush()
            if progress is not None:
                progress(result.rows)
    flush()
    if progress is not None:
        progress(result.rows)
    record(
        "indicators.imported",
        actor=user,
        actor_label="command",
        unit=user.unit if user else None,
        source=source,
        rows=result.rows,
        added=result.added,
    )
    return result
