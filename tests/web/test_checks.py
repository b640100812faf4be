"""The deployment checks (`canhgiac manage check --deploy`, core/checks.py): each fires on
the mistake it names and stays quiet on a correct production configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

PRODUCTION: dict[str, Any] = {
    "DEV": False,
    "DEBUG": False,
    "SECRET_KEY": "x" * 60,
    "ENCRYPTION_KEY": "q1P9wYd0t3nq2mB4r8Zc5o6Vf7uK1jH3sL0eA9xW2yE=",
    "ALLOWED_HOSTS": ["canhgiac.anphu.gov.vn"],
    "SITE_URL": "https://canhgiac.anphu.gov.vn",
    "BEHIND_HTTPS_PROXY": True,
    "TRUSTED_PROXIES": 1,
    "CANHGIAC_WORKERS": 2,
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "canhgiac_cache"}},
}
# The web tests' fixtures (tests/web/conftest.py) open the database for every test.
pytestmark = pytest.mark.django_db


def ours(**changes: Any) -> set[str]:
    """The IDs of our checks that fire under the production settings with ``changes``."""
    with override_settings(**{**PRODUCTION, **changes}):
        return {m.id for m in run_checks(include_deployment_checks=True) if m.id and m.id.startswith("canhgiac.")}


def test_a_correct_production_configuration_passes() -> None:
    assert ours() == set()


def test_site_url_host_must_be_allowed() -> None:
    assert ours(SITE_URL="https://canhgiac.binhminh.gov.vn") == {"canhgiac.W001"}
    # A leading dot allows the subdomains, as in Django.
    assert ours(ALLOWED_HOSTS=[".anphu.gov.vn"]) == set()


def test_development_mode_with_public_hosts_is_an_error() -> None:
    assert "canhgiac.E004" in ours(DEV=True)
    assert "canhgiac.E004" in ours(DEBUG=True)
    assert "canhgiac.E004" not in ours(DEV=True, ALLOWED_HOSTS=["localhost", "127.0.0.1", "[::1]"], SITE_URL="http://localhost:8000")


def test_https_proxy_without_a_trusted_forwarded_header() -> None:
    assert ours(TRUSTED_PROXIES=0) == {"canhgiac.W002"}
    assert ours(TRUSTED_PROXIES=0, BEHIND_HTTPS_PROXY=False) == set()


def test_per_process_cache_with_several_workers() -> None:
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert ours(CACHES=locmem) == {"canhgiac.W003"}
    assert ours(CACHES=locmem, CANHGIAC_WORKERS=1) == set()


def test_media_folder_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert ours(MEDIA_ROOT=str(blocker / "media")) == {"canhgiac.E003"}
    # A folder not made yet, under one the service may write to, is fine.
    assert ours(MEDIA_ROOT=str(tmp_path / "new" / "media")) == set()


def test_keys_must_be_usable_and_not_the_development_ones() -> None:
    assert ours(ENCRYPTION_KEY="not-a-key") == {"canhgiac.E001"}
    # While rotating, every key listed must be valid.
    assert ours(ENCRYPTION_KEY=PRODUCTION["ENCRYPTION_KEY"] + ",short") == {"canhgiac.E001"}
    assert ours(SECRET_KEY="dev-only-secret-key-not-for-production-use-0123456789") == {"canhgiac.E002"}
    assert ours(ENCRYPTION_KEY="ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=") == {"canhgiac.E002"}


def test_manage_check_deploy_reports_them(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    with override_settings(**{**PRODUCTION, "TRUSTED_PROXIES": 0}):
        call_command("check", deploy=True)
    assert "canhgiac.W002" in capsys.readouterr().err


def test_the_example_env_file_explains_every_setting() -> None:
    """deploy/canhgiac.env.example names every variable settings.py reads, so a district
    IT officer finds each one explained in the file they copy."""
    import re

    root = Path(__file__).resolve().parents[2]
    read = set(re.findall(r"""env(?:str|int|bool|list|secret)\(\s*"([A-Z_]+)\"""", (root / "canhgiac/web/settings.py").read_text()))
    example = (root / "deploy/canhgiac.env.example").read_text()
    assert len(read) > 30
    assert sorted(name for name in read if name not in example) == []


def test_serve_refuses_to_start_on_a_failed_check(tmp_path: Path) -> None:
    """The checks run at every start: a public server in development mode never serves."""
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "CANHGIAC_DEV": "1",
        "CANHGIAC_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "canhgiac.anphu.gov.vn",
        "SITE_URL": "https://canhgiac.anphu.gov.vn",
    }
    serve = [sys.executable, "-m", "canhgiac.cli", "serve", "--port", "1"]
    started = subprocess.run(serve, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert "canhgiac.E004" in started.stderr
    assert not (tmp_path / "canhgiac.sqlite3").exists()  # refused before migrating anything
