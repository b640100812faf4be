"""The data folder: refusing intake when the disk is nearly full, and keeping what is
stored readable by the service user only.

A tip that was acknowledged must be in the database. When the data folder has less than
``CANHGIAC_MIN_FREE_MB`` left, or the database itself reports it is full, intake answers
503 with a message saying the tip was NOT received, so the citizen tries again or calls;
the write transaction is rolled back whole, so nothing is stored half-way.

The database, the photos and the backups hold what citizens sent: another account on
the machine must not read them. The commands that write there set the umask to 077
(files 0600, folders 0700), Django stores uploads the same way (FILE_UPLOAD_PERMISSIONS),
and ``make_private`` corrects what an earlier version, or another command, left open.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# SQLite: "database or disk is full"; PostgreSQL: SQLSTATE 53100 disk_full.
_FULL_MARKERS = ("database or disk is full", "no space left on device", "disk full", "could not extend file")


class StorageFull(Exception):
    def __init__(self) -> None:
        super().__init__(_("Máy chủ đang hết chỗ lưu trữ nên tin của bạn CHƯA được nhận. Vui lòng thử lại sau; việc khẩn cấp hãy gọi 113."))


def _existing(folder: Path) -> Path:
    """The folder, or its nearest existing parent (the folder may not be made yet)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def free_bytes() -> int:
    folders = {Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT)}
    return min(shutil.disk_usage(_existing(folder)).free for folder in folders)


def check_room() -> None:
    """Raise StorageFull when the data folder is nearly full."""
    if free_bytes() < settings.CANHGIAC_MIN_FREE_BYTES:
        raise StorageFull()


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Turn the database's "disk full" into StorageFull (the transaction is already undone)."""
    try:
        yield
    except DatabaseError as exc:
        sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
        if sqlstate == "53100" or any(marker in str(exc).lower() for marker in _FULL_MARKERS):
            raise StorageFull() from exc
        raise
    except OSError as exc:  # a photo that did not fit on the disk
        if exc.errno == errno.ENOSPC:
            raise StorageFull() from exc
        raise


def private_folder(folder: Path) -> Path:
    """The folder, made if missing, readable by the service user only."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    folder.chmod(PRIVATE_FOLDER)
    return folder


def make_private() -> None:
    """Close what is open: the data, media and backup folders (0700: nothing inside can be
    reached by another account, whatever the files' own modes) and the SQLite files (0600)."""
    data = Path(settings.DATA_DIR)
    for folder in (data, Path(settings.MEDIA_ROOT), data / "backups"):
        if folder.is_dir():
            folder.chmod(PRIVATE_FOLDER)
    database = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(f"{database['NAME']}{suffix}", PRIVATE_FILE)
