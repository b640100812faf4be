"""Backup and restore: one archive with the database and the photos.

The archive is a tar.gz holding ``manifest.json`` (format, database kind, when, row
counts, and fingerprints of the encryption keys, the sealing one first),
``database.sqlite3`` (SQLite's online backup: consistent while the site runs) or
``database.pgdump`` (``pg_dump --format=custom``), and ``media/`` (photos, bulletin
images). The encryption key is *not* in it: keep it apart, or the contacts in the backup
cannot be read, which is also what makes a stolen backup useless for them.

Archives are readable by the service user only (0600). The command names them
``canhgiac-<time>.tar.gz`` and keeps the newest ``CANHGIAC_BACKUP_KEEP`` of those in
their folder: an old backup would otherwise keep what retention has deleted.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from canhgiac.web.core.storage import PRIVATE_FILE, PRIVATE_FOLDER

FORMAT = 1
# Only archives named by `archive_name` are ever pruned: never a file someone put there.
ARCHIVE_NAME = re.compile(r"canhgiac-\d{8}-\d{6}\.tar\.gz")


class BackupError(Exception):
    pass


@dataclass
class Manifest:
    format: int
    database: str
    created: str
    counts: dict[str, int]
    key_fingerprint: str
    key_fingerprints: list[str] = field(default_factory=list)  # absent from backups made before key rotation


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models() if model._meta.managed}


def key_fingerprint() -> str:
    """Which key seals the contacts now (a hash, not the key)."""
    return key_fingerprints()[0]


def key_fingerprints() -> list[str]:
    """Every configured key's fingerprint, the sealing key first: a backup records them
    all, since values not yet rotated are still under an older one."""
    keys = [k.strip() for k in str(settings.ENCRYPTION_KEY).split(",") if k.strip()]
    return [hashlib.sha256(key.encode()).hexdigest()[:16] for key in keys]


def readable_with_current_keys(manifest: Manifest) -> tuple[bool, list[str]]:
    """Whether a backup's contacts can be read with the keys configured now (its sealing
    key is among them, in any place), and the fingerprints of its keys that are not
    (values still under those, if any, will not decrypt)."""
    ours = set(key_fingerprints())
    theirs = manifest.key_fingerprints or [manifest.key_fingerprint]
    return manifest.key_fingerprint in ours, [fp for fp in theirs if fp not in ours]


def _pg_tool(name: str) -> str:
    """Debian puts the versioned tools outside PATH; prefer the newest, then PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def backup(out: Path) -> Manifest:
    manifest = Manifest(FORMAT, connection.vendor, timezone.now().isoformat(), row_counts(), key_fingerprint(), key_fingerprints())
    with tempfile.TemporaryDirectory(prefix="canhgiac-backup-") as tmp:
        if connection.vendor == "sqlite":
            name = "database.sqlite3"
            target = sqlite3.connect(Path(tmp) / name)
            connection.ensure_connection()
            connection.connection.backup(target)  # a consistent copy while others write
            target.close()
        elif connection.vendor == "postgresql":
            name = "database.pgdump"
            args, env = _pg_env()
            subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(Path(tmp) / name), *args], env=env, check=True
            )
        else:
            raise BackupError(f"no backup for {connection.vendor}")
        partial = out.with_name(out.name + ".partial")
        # Private before the first byte is written, whatever the umask of the caller.
        partial.touch(mode=PRIVATE_FILE)
        partial.chmod(PRIVATE_FILE)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                data = json.dumps(manifest.__dict__, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
                archive.add(Path(tmp) / name, arcname=name)
                media = Path(settings.MEDIA_ROOT)
                if media.exists():
                    archive.add(media, arcname="media")
        except BaseException:
            partial.unlink(missing_ok=True)  # no half backup left lying around with data in it
            raise
        partial.replace(out)  # a backup that is there is whole
    return manifest


def archive_name(when: datetime) -> str:
    return f"canhgiac-{when:%Y%m%d-%H%M%S}.tar.gz"


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives named by ``archive_name`` in ``folder``
    (``keep`` <= 0: delete none). Returns what was deleted."""
    if keep <= 0 or not folder.is_dir():
        return []
    archives = sorted(p for p in folder.iterdir() if ARCHIVE_NAME.fullmatch(p.name) and p.is_file())  # names sort by time
    old = archives[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def read_manifest(archive_path: Path) -> Manifest:
    with tarfile.open(archive_path, "r:gz") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError("not a Cảnh Giác backup: no manifest")
        data = json.loads(member.read())
    if data.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {data.get('format')!r}")
    return Manifest(**data)


def restore(archive_path: Path) -> Manifest:
    """Replace the database and the photos with the archive's. Stop the site first."""
    manifest = read_manifest(archive_path)
    if manifest.database != connection.vendor:
        raise BackupError(f"this backup is of {manifest.database}; the configured database is {connection.vendor}")
    with tempfile.TemporaryDirectory(prefix="canhgiac-restore-") as tmp, tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():  # only plain files and folders, inside the folder
            name = Path(member.name)
            if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
                raise BackupError(f"refusing archive member {member.name!r}")
        archive.extractall(tmp)
        if connection.vendor == "sqlite":
            source = sqlite3.connect(Path(tmp) / "database.sqlite3")
            connection.ensure_connection()
            source.backup(connection.connection)  # page by page into the live file, WAL included
            source.close()
        else:
            args, env = _pg_env()
            command = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args]
            subprocess.run([*command, str(Path(tmp) / "database.pgdump")], env=env, check=True)
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        if (Path(tmp) / "media").exists():
            shutil.copytree(Path(tmp) / "media", media)
            media.chmod(PRIVATE_FOLDER)  # an older archive may carry an open mode
    connection.close()
    return manifest
