"""Backup and restore, by the real commands in fresh processes, on the database this run
uses (SQLite in a file; in the PostgreSQL run, a scratch database on that server): a
round trip gives back exactly what was backed up, rows and photos."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

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
    return subprocess.run([sys.executable, "-m", "canhgiac.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)


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
