"""Backup and restore, by the real commands in fresh processes, on the database this run
uses (SQLite in a file; in the PostgreSQL run, a scratch database on that server): a
round trip gives back exactly what was backed up, rows and photos."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

from canhgiac.web.core.backup import read_manifest

ROOT = Path(__file__).resolve().parents[2]

SNAPSHOT = """
import hashlib, io, json, sys
import django; django.setup()
from pathlib import Path
from django.conf import settings
from django.core.management import call_command
out = io.StringIO()
call_command("dumpdata", "--all", "--indent", "0", stdout=out, exclude=["sessions"])
rows = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in json.loads(out.getvalue()))
media = Path(settings.MEDIA_ROOT)
files = sorted((str(p.relative_to(media)), hashlib.sha256(p.read_bytes()).hexdigest()) for p in media.rglob("*") if p.is_file()) if media.exists() else []
print(json.dumps({"rows": rows, "files": files}))
"""

SEED = """
import io
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from PIL import Image
from canhgiac.web.cases.actions import Photo, receive_message
from canhgiac.web.core.demo import create_demo
from canhgiac.web.core.images import clean_image
from canhgiac.web.intake.models import Channel
create_demo()
raw = io.BytesIO(); Image.new("RGB", (30, 20), (10, 120, 40)).save(raw, format="PNG")
receive_message(channel=Channel.objects.get(slug="an-phu"), text="Ảnh xe chở gỗ lậu đêm qua", contact="0912 345 678",
                photos=[Photo(clean_image(raw.getvalue(), 10**6))])
"""

DAMAGE = """
import django; django.setup()
from django.conf import settings
from pathlib import Path
from canhgiac.web.accounts.models import Unit
from canhgiac.web.cases.models import Case
Case.objects.filter(status="new").update(status="closed", preview="sửa sai")
Unit.objects.create(name="Đơn vị thêm sau", slug="them-sau")
for p in Path(settings.MEDIA_ROOT).rglob("*.jpg"):
    p.unlink()
"""


def python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # In English, the language these tests read (the command speaks Vietnamese by default).
    return subprocess.run(
        [sys.executable, "-m", "canhgiac.cli", "--lang", "en", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )


def test_round_trip_gives_back_rows_and_photos(scratch_env: dict[str, str], tmp_path: Path) -> None:
    python(SEED, scratch_env)
    before = json.loads(python(SNAPSHOT, scratch_env))
    assert len(before["rows"]) > 100 and len(before["files"]) == 1
    archive = tmp_path / "backup.tar.gz"
    made = cli(scratch_env, "backup", "--out", str(archive))
    assert made.returncode == 0, made.stderr
    assert "CANHGIAC_ENCRYPTION_KEY" in made.stdout

    python(DAMAGE, scratch_env)
    damaged = json.loads(python(SNAPSHOT, scratch_env))
    assert damaged != before and damaged["files"] == []

    refused = cli(scratch_env, "restore", str(archive))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert json.loads(python(SNAPSHOT, scratch_env)) == damaged  # nothing touched without --yes

    restored = cli(scratch_env, "restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(python(SNAPSHOT, scratch_env)) == before


def test_restore_refuses_another_key_and_a_hostile_archive(scratch_env: dict[str, str], tmp_path: Path) -> None:
    python(SEED, scratch_env)
    archive = tmp_path / "backup.tar.gz"
    assert cli(scratch_env, "backup", "--out", str(archive)).returncode == 0
    other_key = {**scratch_env, "CANHGIAC_ENCRYPTION_KEY": "b3RoZXIta2V5LW9mLTMyLWJ5dGVzLWZvci10ZXN0cyE="}
    refused = cli(other_key, "restore", str(archive), "--yes")
    assert refused.returncode == 2 and "another CANHGIAC_ENCRYPTION_KEY" in refused.stderr

    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(hostile, "w:gz") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member) if member.isfile() else None)
        evil = tarfile.TarInfo("../../escaped.txt")
        evil.size = 4
        out.addfile(evil, io.BytesIO(b"evil"))
    bad = cli(scratch_env, "restore", str(hostile), "--yes")
    assert bad.returncode == 2 and "refusing archive member" in bad.stderr
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()
    assert cli(scratch_env, "restore", str(tmp_path / "missing.tar.gz"), "--yes").returncode == 2


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_photos_database_and_backups_are_for_the_service_user_only(scratch_env: dict[str, str], tmp_path: Path) -> None:
    """Files 0600 and folders 0700, for a photo stored by a process with an open umask
    (Django's upload permissions), for what the commands create (their umask), and for a
    database file left open by an earlier version (closed again when the worker starts)."""
    os.umask(old := os.umask(0o022))
    assert old & 0o077 != 0o077  # the umask of this run is open, or nothing below would show
    python(SEED, scratch_env)
    data = Path(scratch_env["CANHGIAC_DATA_DIR"])
    photos = [p for p in (data / "media").rglob("*") if p.is_file()]
    assert len(photos) == 1 and mode(photos[0]) == 0o600
    folders = [p for p in photos[0].parents if data in (p, *p.parents)]
    assert data in folders and {mode(p) for p in folders} == {0o700}

    made = cli(scratch_env, "backup")
    assert made.returncode == 0, made.stderr
    [archive] = (data / "backups").iterdir()
    assert mode(archive) == 0o600 and mode(data / "backups") == 0o700

    out = tmp_path / "usb" / "copies" / "manual.tar.gz"
    assert cli(scratch_env, "backup", "--out", str(out)).returncode == 0
    assert mode(out) == 0o600 and mode(tmp_path / "usb") == 0o700 and mode(tmp_path / "usb" / "copies") == 0o700

    database = data / "canhgiac.sqlite3"
    if "DATABASE_URL" not in scratch_env:
        database.chmod(0o644)
    data.chmod(0o755)
    worker = cli(scratch_env, "worker", "--once")
    assert worker.returncode == 0, worker.stderr
    assert mode(data) == 0o700
    if "DATABASE_URL" not in scratch_env:
        assert mode(database) == 0o600


def test_old_backups_beyond_the_count_are_deleted(scratch_env: dict[str, str]) -> None:
    python(SEED, scratch_env)
    backups = Path(scratch_env["CANHGIAC_DATA_DIR"]) / "backups"
    backups.mkdir()
    old = [f"canhgiac-2025010{day}-020000.tar.gz" for day in range(1, 6)]
    for name in old:
        (backups / name).write_bytes(b"old")
    others = {"canhgiac-truoc-khi-nang-cap.tar.gz", "ghi-chu.txt"}  # not of the series: never touched
    for name in others:
        (backups / name).write_text("keep")

    made = cli(scratch_env, "backup", "--keep", "3")
    assert made.returncode == 0, made.stderr
    names = {p.name for p in backups.iterdir()}
    [new] = names - set(old) - others
    assert names == {new, old[3], old[4], *others}
    assert f"deleted old backup {old[0]}" in made.stdout and read_manifest(backups / new).database

    again = cli({**scratch_env, "CANHGIAC_BACKUP_KEEP": "1"}, "backup")
    assert again.returncode == 0, again.stderr
    series = [p.name for p in backups.iterdir() if p.name not in others]
    assert len(series) == 1 and series[0] not in old
    assert {p.name for p in backups.iterdir()} >= others

    assert cli({**scratch_env, "CANHGIAC_BACKUP_KEEP": "0"}, "backup").returncode == 0  # 0: keep them all
    assert len([p for p in backups.iterdir() if p.name not in others]) >= 1
