"""Two writers at once on one case or one channel: neither silently undoes the other.

Each writer runs in its own thread with its own database connection, on committed data
(SQLite: the test database is a file in WAL mode, see tests/settings.py; PostgreSQL when
DATABASE_URL is set). The first writer is held inside its transaction, after its
change and before its commit; the second starts, and the test waits until it is queued
behind the first (SQLite: in ``writing()``'s queue; PostgreSQL: on the row lock) before
letting the first commit. Each second writer holds an object read before the first
writer's change, as a view or a worker does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from canhgiac.web.audit.log import record
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases import actions
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.channels.zalo import client as zalo_client
from canhgiac.web.channels.zalo.client import ZaloClient
from canhgiac.web.core import db
from canhgiac.web.intake.models import Channel
from tests.web.conftest import World
from tests.web.fake_zalo import FakeZalo

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 20  # seconds: only reached when something is broken


class Writer(threading.Thread):
    """A function run in a thread of its own, with its own connection, closed after."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # handed to the test, which decides
            self.error = exc
        finally:
            connection.close()

    def finish(self) -> Any:
        self.join(WAIT)
        assert not self.is_alive(), "writer did not finish"
        return self.result


class QueueWatch:
    """``writing()``'s queue for the threads of a process, noting when a writer waits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waiting = threading.Event()

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            self.waiting.set()
            self._lock.acquire()

    def __exit__(self, *args: object) -> None:
        self._lock.release()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Callable[[Writer], None]:
    """Returns once ``second`` waits for the first writer's lock (or finished without
    waiting for it, which the test's assertions then show to be wrong)."""
    if connection.vendor == "sqlite":
        watch = QueueWatch()
        monkeypatch.setattr(db, "_THREADS", watch)

        def waiting() -> bool:
            return watch.waiting.is_set()

    else:

        def waiting() -> bool:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                row = cursor.fetchone()
            return bool(row and row[0])

    def wait(second: Writer) -> None:
        deadline = time.monotonic() + WAIT
        while not waiting() and second.is_alive():
            assert time.monotonic() < deadline, "the second writer neither waited nor finished"
            time.sleep(0.01)  # polling a condition: the time only bounds the wait

    return wait


class Hold:
    """Holds the writer that records ``action`` in the audit log (inside its transaction,
    after its change) until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, action: str) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()
        real = record

        def held(name: str, **kwargs: Any) -> AuditEvent:
            if name == action and not self.inside.is_set():
                self.inside.set()
                assert self.release.wait(WAIT)
            return real(name, **kwargs)

        monkeypatch.setattr("canhgiac.web.cases.actions.record", held)


def race(first: Writer, second: Callable[[], Any], hold: Hold, queued: Callable[[Writer], None]) -> Writer:
    """Run ``first`` until it holds the lock, then ``second`` until it waits for it, then
    let both finish."""
    first.start()
    assert hold.inside.wait(WAIT), "the first writer never got to its change"
    other = Writer(second)
    other.start()
    try:
        queued(other)
    finally:
        hold.release.set()
        first.finish()
        other.finish()
    assert first.error is None, first.error
    return other


@pytest.fixture
def waiting(world: World) -> Case:
    """A case waiting for its reporter, unassigned and read."""
    case = world.tip("Có nhóm người lạ hay tụ tập đánh bạc ở bãi đất sau chợ xã vào tối thứ bảy.").case
    Case.objects.filter(pk=case.pk).update(status=Case.Status.WAITING_REPORTER, unread=False)
    return Case.objects.get(pk=case.pk)


def test_follow_up_while_an_officer_assigns_keeps_both(world: World, waiting: Case, queued: Any, monkeypatch: Any) -> None:
    stale = Case.objects.get(pk=waiting.pk)  # what the follow-up page read
    before = stale.last_activity
    hold = Hold(monkeypatch, "case.assigned")
    officer = Writer(lambda: actions.assign(Case.objects.get(pk=waiting.pk), world.officer_a, world.officer_a))
    citizen = race(
        officer, lambda: actions.receive_message(channel=world.web_a, text="Tối nay họ lại tụ tập ở đó.", case=stale), hold, queued
    )
    assert citizen.error is None, citizen.error
    case = Case.objects.get(pk=waiting.pk)
    assert case.assigned_to_id == world.officer_a.pk  # the officer's
    assert case.status == Case.Status.IN_PROGRESS and case.unread and case.last_activity > before  # the follow-up's
    assert case.messages.filter(direction=Message.Direction.IN).count() == 2


def test_web_follow_up_while_an_officer_closes_is_refused(world: World, waiting: Case, queued: Any, monkeypatch: Any) -> None:
    stale = Case.objects.get(pk=waiting.pk)
    hold = Hold(monkeypatch, "case.status")
    officer = Writer(lambda: actions.change_status(Case.objects.get(pk=waiting.pk), world.officer_a, Case.Status.CLOSED))
    citizen = race(officer, lambda: actions.receive_message(channel=world.web_a, text="Còn một việc nữa.", case=stale), hold, queued)
    assert isinstance(citizen.error, actions.ActionError) and str(citizen.error) == "Tin này đã đóng."
    case = Case.objects.get(pk=waiting.pk)
    assert case.status == Case.Status.CLOSED and case.closed_at is not None
    assert case.messages.filter(direction=Message.Direction.IN).count() == 1


def test_chat_follow_up_while_an_officer_closes_opens_a_new_case(world: World, queued: Any, monkeypatch: Any) -> None:
    first = actions.receive_message(channel=world.zalo_a, text="Có người đốt rác thải nhựa ở bãi sông mỗi tối.", channel_user_id="u-1").case
    hold = Hold(monkeypatch, "case.status")
    officer = Writer(lambda: actions.change_status(Case.objects.get(pk=first.pk), world.officer_a, Case.Status.CLOSED))
    citizen = race(
        officer, lambda: actions.receive_message(channel=world.zalo_a, text="Tối nay họ lại đốt.", channel_user_id="u-1"), hold, queued
    )
    assert citizen.error is None, citizen.error
    assert Case.objects.get(pk=first.pk).status == Case.Status.CLOSED
    assert citizen.result.new_case and citizen.result.case.pk != first.pk


def test_correction_while_a_follow_up_arrives_keeps_it_unread(world: World, waiting: Case, queued: Any, monkeypatch: Any) -> None:
    stale = Case.objects.get(pk=waiting.pk)  # the officer's page, read before the message
    hold = Hold(monkeypatch, "case.message_received")
    citizen = Writer(
        lambda: actions.receive_message(channel=world.web_a, text="Tối nay có cả trẻ con.", case=Case.objects.get(pk=waiting.pk))
    )
    officer = race(citizen, lambda: actions.correct(stale, world.officer_a, "urgent", "true"), hold, queued)
    assert officer.error is None, officer.error
    case = Case.objects.get(pk=waiting.pk)
    assert case.urgent and case.unread and case.status == Case.Status.IN_PROGRESS
    assert stale.unread and stale.urgent  # the officer's object shows the row as it now is


def _audit_chain(case: Case, action: str) -> list[tuple[Any, Any]]:
    return [(e.details["old"], e.details["new"]) for e in AuditEvent.objects.filter(action=action, object_id=str(case.pk)).order_by("id")]


def test_two_officers_assigning_at_once(world: World, waiting: Case, queued: Any, monkeypatch: Any) -> None:
    stale = Case.objects.get(pk=waiting.pk)
    hold = Hold(monkeypatch, "case.assigned")
    first = Writer(lambda: actions.assign(Case.objects.get(pk=waiting.pk), world.officer_a, world.officer_a))
    second = race(first, lambda: actions.assign(stale, world.supervisor, world.supervisor), hold, queued)
    assert second.error is None, second.error
    assert Case.objects.get(pk=waiting.pk).assigned_to_id == world.supervisor.pk
    # The log tells the story as it happened: each change starts where the last one ended.
    assert _audit_chain(waiting, "case.assigned") == [(None, world.officer_a.pk), (world.officer_a.pk, world.supervisor.pk)]


@pytest.mark.parametrize(
    ("first_status", "second_status", "chain"),
    [
        ("resolved", "closed", [("waiting_reporter", "resolved"), ("resolved", "closed")]),
        ("closed", "closed", [("waiting_reporter", "closed")]),  # the second finds it done: nothing to log
    ],
)
def test_two_officers_changing_status_at_once(
    world: World, waiting: Case, queued: Any, monkeypatch: Any, first_status: str, second_status: str, chain: list[tuple[str, str]]
) -> None:
    stale = Case.objects.get(pk=waiting.pk)
    hold = Hold(monkeypatch, "case.status")
    first = Writer(lambda: actions.change_status(Case.objects.get(pk=waiting.pk), world.officer_a, first_status))
    second = race(first, lambda: actions.change_status(stale, world.supervisor, second_status), hold, queued)
    assert second.error is None, second.error
    case = Case.objects.get(pk=waiting.pk)
    assert case.status == second_status and _audit_chain(case, "case.status") == chain
    assert case.resolved_at is not None and case.closed_at is not None
    if first_status == "resolved":  # resolved by the first, closed later by the second
        assert case.resolved_at < case.closed_at


def test_two_workers_refreshing_the_zalo_token_spend_it_once(world: World, zalo: FakeZalo, queued: Any, monkeypatch: Any) -> None:
    # Two workers, each with the channel as it read it: the same refresh token.
    mine, theirs = ZaloClient(Channel.objects.get(pk=world.zalo_a.pk)), ZaloClient(Channel.objects.get(pk=world.zalo_a.pk))
    inside, release = threading.Event(), threading.Event()
    real = zalo_client._post

    def held_post(url: str, **kwargs: Any) -> dict[str, Any]:
        if url.endswith("/v4/oa/access_token") and not inside.is_set():
            inside.set()  # the first worker is at Zalo, holding the channel
            assert release.wait(WAIT)
        return real(url, **kwargs)

    monkeypatch.setattr(zalo_client, "_post", held_post)
    first = Writer(mine.refresh)
    first.start()
    assert inside.wait(WAIT)
    second = Writer(theirs.refresh)
    second.start()
    try:
        queued(second)
    finally:
        release.set()
        first.finish()
        second.finish()
    assert first.error is None and second.error is None, (first.error, second.error)
    assert [r["refresh_token"] for r in zalo.refreshes] == ["refresh-token-1"]
    assert mine.channel.secret("access_token") == theirs.channel.secret("access_token") == "access-token-2"
    stored = Channel.objects.get(pk=world.zalo_a.pk)
    assert stored.secret("refresh_token") == "refresh-token-2" and stored.secret("access_token") == "access-token-2"
