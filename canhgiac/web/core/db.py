"""Writing to SQLite from many threads and processes.

SQLite allows one writer at a time. Writers that find the database locked wait in its
busy handler, which sleeps in growing steps, so under load some wait far longer than the
write takes (p99 near 900 ms, measured with bench/intake_load.py). Instead, writers
queue: threads of one process on a lock, processes on an exclusive ``flock`` of a file
next to the database, which the kernel hands to the next waiter at once. PostgreSQL has
row locks and needs none of this.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, transaction

try:
    import fcntl
except ImportError:  # Windows: one server process, the thread lock is enough
    fcntl = None  # type: ignore[assignment]

_THREADS = threading.Lock()
_LOCK_FILE: dict[str, int] = {}


def _lock_fd() -> int | None:
    if fcntl is None:
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return None
    pid_key = f"{os.getpid()}:{name}"
    fd = _LOCK_FILE.get(pid_key)
    if fd is None:  # one descriptor per process (a forked child opens its own)
        fd = os.open(f"{Path(name)}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        _LOCK_FILE[pid_key] = fd
    return fd


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """A write transaction, queued behind other writers when the database is SQLite."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with _THREADS:
        fd = _lock_fd()
        if fd is not None and fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with transaction.atomic():
                yield
        finally:
            if fd is not None and fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
