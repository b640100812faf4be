"""Enqueue and run background tasks.

A task is claimed with one conditional UPDATE (status queued -> running), which is atomic
on SQLite and on PostgreSQL, so several workers never run the same task. A worker that
dies mid-task leaves it locked until ``locked_until``; then another takes it again, so
handlers must be idempotent (they are: they check before they send).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from canhgiac.web.core.db import writing
from canhgiac.web.tasks.models import Task

log = logging.getLogger("canhgiac.tasks")

# Task kinds and the functions that run them ("module:function"), imported when needed.
HANDLERS = {
    "channel.process_event": "canhgiac.web.channels.dispatch:process_event",
    "channel.send": "canhgiac.web.channels.dispatch:send_message",
    "channel.send_text": "canhgiac.web.channels.dispatch:send_text",
    # The names these tasks had before channels shared one adapter: tasks already queued
    # in a deployed database still run.
    "zalo.process_event": "canhgiac.web.channels.dispatch:process_event",
    "zalo.send_message": "canhgiac.web.channels.dispatch:send_message",
    "zalo.send_text": "canhgiac.web.channels.dispatch:send_text",
    "bulletin.fanout": "canhgiac.web.bulletins.sending:fanout",
    "bulletin.deliver": "canhgiac.web.bulletins.sending:deliver",
    "retention.purge": "canhgiac.web.cases.retention:run_task",
    "cases.quiet_answers": "canhgiac.web.cases.actions:close_quiet_answers_task",
    "cases.urgent_alert": "canhgiac.web.cases.alerts:send",
    "accounts.chat_reply": "canhgiac.web.accounts.chats:send_reply",
}
# Run once a day by whichever worker first sees the day (the dedupe key makes it once).
DAILY = ("retention.purge",)
# Run once an hour, likewise: automatic answers nobody questioned resolve within the hour
# their quiet period ends.
HOURLY = ("cases.quiet_answers",)
LOCK = timedelta(minutes=5)


class Retry(Exception):
    """Raise from a handler to try again later without counting it as an error: after
    ``delay`` seconds if given (a send waiting for tomorrow's quota), else with backoff."""

    def __init__(self, message: str = "", *, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


def enqueue(kind: str, payload: dict[str, Any], *, dedupe_key: str | None = None, delay: float = 0) -> Task | None:
    """Queue a task, inside the caller's transaction. With a dedupe key, a second
    enqueue of the same key is a no-op (returns None)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown task kind {kind!r}")
    run_after = timezone.now() + timedelta(seconds=delay)
    if dedupe_key is None:
        return Task.objects.create(kind=kind, payload=payload, run_after=run_after)
    try:
        with transaction.atomic():
            return Task.objects.create(kind=kind, payload=payload, dedupe_key=dedupe_key, run_after=run_after)
    except IntegrityError:
        return None


def _handler(kind: str) -> Callable[[dict[str, Any]], None]:
    module, _, name = HANDLERS[kind].partition(":")
    function: Callable[[dict[str, Any]], None] = getattr(importlib.import_module(module), name)
    return function


def backoff(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: 5 s, 10 s, 20 s ... up to an hour."""
    return float(min(3600, 5 * 2 ** max(0, attempt - 1)))


def claim() -> Task | None:
    now = timezone.now()
    ready = Task.objects.filter(Q(status=Task.Status.QUEUED, run_after__lte=now) | Q(status=Task.Status.RUNNING, locked_until__lt=now))
    for task_id in ready.order_by("run_after", "id").values_list("id", flat=True)[:5]:
        claimed = (
            Task.objects.filter(id=task_id)
            .filter(Q(status=Task.Status.QUEUED) | Q(status=Task.Status.RUNNING, locked_until__lt=now))
            .update(status=Task.Status.RUNNING, locked_until=now + LOCK)
        )
        if claimed:
            task = Task.objects.get(id=task_id)
            Task.objects.filter(id=task_id).update(attempts=task.attempts + 1)
            task.attempts += 1
            return task
    return None


def run_one() -> bool:
    """Run one ready task, if there is one. Returns whether one ran."""
    task = claim()
    if task is None:
        return False
    try:
        _handler(task.kind)(task.payload)
    except Exception as exc:
        retry = isinstance(exc, Retry)
        if task.attempts >= task.max_attempts and not retry:
            Task.objects.filter(id=task.id).update(
                status=Task.Status.FAILED, last_error=traceback.format_exc()[-2000:], finished=timezone.now(), locked_until=None
            )
            log.error("task %s %s failed for good: %s", task.id, task.kind, exc)
        else:
            delay = exc.delay if isinstance(exc, Retry) and exc.delay is not None else backoff(task.attempts)
            Task.objects.filter(id=task.id).update(
                status=Task.Status.QUEUED,
                run_after=timezone.now() + timedelta(seconds=delay),
                last_error=str(exc)[:2000],
                locked_until=None,
            )
            log.warning("task %s %s will retry in %.0fs: %s", task.id, task.kind, delay, exc)
        return True
    Task.objects.filter(id=task.id).update(status=Task.Status.DONE, finished=timezone.now(), locked_until=None, last_error="")
    return True


def run_pending(limit: int = 1000) -> int:
    """Run ready tasks until none is left (or ``limit``): for tests and commands."""
    done = 0
    while done < limit and run_one():
        done += 1
    return done


def schedule_daily() -> None:
    today = timezone.localdate().isoformat()
    with writing():
        for kind in DAILY:
            enqueue(kind, {}, dedupe_key=f"{kind}:{today}")


def schedule_hourly() -> None:
    hour = timezone.localtime().strftime("%Y-%m-%dT%H")
    with writing():
        for kind in HOURLY:
            enqueue(kind, {}, dedupe_key=f"{kind}:{hour}")


def work_forever(stop: threading.Event, idle_sleep: float = 0.5) -> None:
    """The worker loop of `canhgiac worker` and of the thread in `canhgiac serve`."""
    next_schedule = 0.0
    while not stop.is_set():
        try:
            if time.monotonic() >= next_schedule:
                schedule_daily()
                schedule_hourly()
                next_schedule = time.monotonic() + 600
            ran = run_one()
        except Exception:  # the database restarting, say: wait and carry on
            log.exception("worker loop error")
            ran = False
            close_old_connections()
            time.sleep(2)
        if not ran:
            close_old_connections()
            stop.wait(idle_sleep)
