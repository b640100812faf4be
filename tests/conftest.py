"""Shared test set-up: development settings and a throw-away data folder (before Django
loads), fixed personas for the web tests, and a helper to run the real command."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("CANHGIAC_DEV", "1")
os.environ.setdefault("CANHGIAC_DATA_DIR", tempfile.mkdtemp(prefix="canhgiac-test-"))
os.environ.setdefault("CANHGIAC_INLINE_WORKER", "0")

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """Run the real ``canhgiac`` command in a fresh process."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "canhgiac.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
        check=False,
    )


@pytest.fixture
def cli() -> object:
    return run_cli


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers() -> Iterator[None]:
    """Transactional tests end with a flush, on SQLite a DELETE of every table, which the
    audit log's append-only triggers refuse: they are lifted for the flush only."""
    from django.db.backends.base.operations import BaseDatabaseOperations
    from django.db.backends.sqlite3.base import DatabaseWrapper  # the module first: its operations import it back

    DatabaseOperations = DatabaseWrapper.ops_class
    append_only = importlib.import_module("canhgiac.web.audit.migrations.0003_append_only")
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: Iterable[str]) -> None:
        append_only.uninstall(self.connection)
        try:
            original(self, sql_list)
        finally:
            append_only.install(self.connection)

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
