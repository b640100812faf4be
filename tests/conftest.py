"""Shared test set-up: development settings and a throw-away data folder (before Django
loads), fixed personas for the web tests, and a helper to run the real command."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
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
