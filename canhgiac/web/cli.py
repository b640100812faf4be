"""The web application's commands, added to `canhgiac` (see canhgiac/cli.py)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
import threading
from pathlib import Path
from typing import Any


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canhgiac.web.settings")
    import django

    django.setup()


def private_files() -> None:
    """What the service writes (database, photos, backups) is for its own user only:
    files 0600, folders 0700, from the first one created (core/storage.py)."""
    os.umask(0o077)


def _default_workers() -> int:
    # One process per core, up to four: the engine and Django are CPU-bound and each
    # process is held to one core by Python's global lock.
    return max(1, min(4, os.cpu_count() or 1)) if hasattr(os, "fork") else 1


def _serve_forever(sock: Any, threads: int, worker: bool) -> None:
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from waitress import serve

    from canhgiac.web.tasks.queue import work_forever
    from canhgiac.web.wsgi import application

    stop = threading.Event()
    if worker and settings.CANHGIAC_INLINE_WORKER:
        threading.Thread(target=work_forever, args=(stop,), name="canhgiac-worker", daemon=True).start()
    try:
        # Waitress would drop X-Forwarded-For and -Proto: the application decides which
        # hops to trust (TRUSTED_PROXIES, BEHIND_HTTPS_PROXY in settings.py).
        serve(
            StaticFilesHandler(application),
            sockets=[sock],
            threads=threads,
            ident="canhgiac",
            channel_timeout=30,
            clear_untrusted_proxy_headers=False,
            _quiet=True,
        )
    finally:
        stop.set()


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent died (kill -9) stops, instead of holding the port."""
    import time

    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def cmd_serve(args: argparse.Namespace) -> int:
    private_files()
    setup()
    import signal
    import socket

    from django.core.management import call_command
    from django.db import connections

    from canhgiac.web.core.demo import create_demo, demo_needed
    from canhgiac.web.core.storage import make_private

    call_command("migrate", interactive=False, verbosity=0)
    make_private()
    call_command("createcachetable", verbosity=0)
    if args.demo and demo_needed():
        username, password = create_demo()
        print("Đã tạo dữ liệu demo: huyện Hòa Bình với xã An Phú và Bình Minh.")
        print(f"Tài khoản quản trị: {username}   mật khẩu (chỉ hiện một lần): {password}")
    connections.close_all()  # never share a database connection with forked children
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    workers = args.workers or _default_workers()
    print(f"Cảnh Giác: http://{args.host}:{args.port}/  ({workers} process(es); cán bộ: /console/, kiểm tra: /healthz)", flush=True)
    if workers == 1:
        _serve_forever(sock, args.threads, worker=True)
        return 0
    # Pre-fork: every child accepts on the same socket. The first also runs the
    # background tasks. A child that dies is started again.
    children: dict[int, int] = {}

    def spawn(index: int) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
            try:
                _serve_forever(sock, args.threads, worker=index == 0)
            finally:
                os._exit(0)
        children[pid] = index

    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for number in range(workers):
        spawn(number)
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        died = children.pop(pid, -1)
        if died >= 0 and not stopping:
            spawn(died)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    private_files()
    setup()
    import signal

    from canhgiac.web.core.storage import make_private
    from canhgiac.web.tasks.queue import run_pending, work_forever

    make_private()
    if args.once:
        print(f"{run_pending()} tasks run")
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    work_forever(stop)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    setup()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db.models import Q

    from canhgiac.web.accounts.models import Unit, User
    from canhgiac.web.audit.log import record

    unit = Unit.objects.filter(Q(slug=args.unit) | Q(name=args.unit)).first()
    if unit is None:
        print(f"canhgiac: không có đơn vị {args.unit!r} (units: {', '.join(Unit.objects.values_list('slug', flat=True))})", file=sys.stderr)
        return 2
    if User.objects.filter(username=args.username).exists():
        print(f"canhgiac: đã có người dùng {args.username!r}", file=sys.stderr)
        return 2
    password = os.environ.get("CANHGIAC_PASSWORD", "")
    if not password:
        if not sys.stdin.isatty():
            print("canhgiac: đặt CANHGIAC_PASSWORD hoặc chạy trong terminal để nhập mật khẩu", file=sys.stderr)
            return 2
        password = getpass.getpass("Mật khẩu: ")
        if password != getpass.getpass("Nhập lại: "):
            print("canhgiac: hai lần nhập không khớp", file=sys.stderr)
            return 2
    user = User(username=args.username, unit=unit, role=args.role)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        print("canhgiac: mật khẩu không đạt: " + " ".join(exc.messages), file=sys.stderr)
        return 2
    user.set_password(password)
    user.save()
    record("user.created", actor_label="command", unit=unit, obj=user, role=args.role)
    print(f"Đã tạo {args.username} ({args.role}) tại {unit.name}.")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    setup()
    from canhgiac.web.accounts.models import ApiToken, User
    from canhgiac.web.audit.log import record

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        print(f"canhgiac: không có người dùng {args.username!r}", file=sys.stderr)
        return 2
    token, raw = ApiToken.issue(user, args.name)
    record("token.issued", actor_label="command", unit=user.unit, obj=user, token=token.prefix)
    print(raw)
    return 0


def cmd_import_indicators(args: argparse.Namespace) -> int:
    setup()
    from canhgiac.cli import Progress
    from canhgiac.web.indicators.registry import import_csv

    with open(args.file, encoding="utf-8-sig", newline="") as f:
        total = max(sum(1 for _ in f) - 1, 1)
        f.seek(0)
        progress = Progress("import", total)
        try:
            result = import_csv(f, source=args.source or os.path.basename(args.file), progress=progress)
        except ValueError as exc:
            print(f"canhgiac: {exc}", file=sys.stderr)
            return 2
    print(f"{result.rows} dòng: thêm {result.added}, đã có {result.already}, bỏ qua {result.skipped}.")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    import secrets

    from cryptography.fernet import Fernet

    print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
    print(f"CANHGIAC_ENCRYPTION_KEY={Fernet.generate_key().decode()}")
    return 0


def cmd_rotate_keys(args: argparse.Namespace) -> int:
    setup()
    from canhgiac.web.core.crypto import rotate_keys

    if args.batch < 1:
        print("canhgiac: --batch must be at least 1", file=sys.stderr)
        return 2
    try:
        changed = rotate_keys(batch_size=args.batch)
    except ValueError as exc:  # a value no configured key opens: stop, what is done stays done
        print(f"canhgiac: {exc}", file=sys.stderr)
        return 2
    for name, n in changed.items():
        print(f"{name}: {n}")
    print(f"{sum(changed.values())} values sealed or hashed again under the first key; when a run finds none, the old keys can go")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    setup()
    from dataclasses import asdict

    from canhgiac.web.cases.retention import purge

    result = purge(dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb}: " + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in asdict(result).items()))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    private_files()
    setup()
    from django.conf import settings
    from django.utils import timezone

    from canhgiac.web.core.backup import ARCHIVE_NAME, archive_name, backup, prune
    from canhgiac.web.core.storage import private_folder

    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
    else:
        out = private_folder(Path(settings.DATA_DIR) / "backups") / archive_name(timezone.now())
    manifest = backup(out)
    rows = sum(manifest.counts.values())
    print(f"backup of {manifest.database} written to {out} ({out.stat().st_size // 1024} KiB, {rows} rows)")
    keep = settings.CANHGIAC_BACKUP_KEEP if args.keep is None else args.keep
    if ARCHIVE_NAME.fullmatch(out.name):  # one of the series: an archive named otherwise prunes nothing
        for old in prune(out.parent, keep):
            print(f"deleted old backup {old.name} (keeping the newest {keep})")
    print("keep CANHGIAC_ENCRYPTION_KEY apart from it: without the key the contacts in it cannot be read")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    private_files()
    setup()
    from canhgiac.web.core.backup import BackupError, read_manifest, readable_with_current_keys, restore

    try:
        manifest = read_manifest(Path(args.archive))
    except (BackupError, OSError, ValueError) as exc:
        print(f"cannot restore: {exc}", file=sys.stderr)
        return 2
    print(f"backup of {manifest.database} made {manifest.created}, {sum(manifest.counts.values())} rows")
    readable, missing = readable_with_current_keys(manifest)
    if readable and missing:
        print(f"note: the backup also listed keys not configured now ({', '.join(missing)}); values still under them will not decrypt")
    if not readable and not args.ignore_key:
        print(
            "cannot restore: the contacts in this backup were sealed with another CANHGIAC_ENCRYPTION_KEY; "
            "set that key (or list it after the current one), or pass --ignore-key to restore without them",
            file=sys.stderr,
        )
        return 2
    if not args.yes:
        print("this replaces the whole database and the photos; stop the site, then run again with --yes", file=sys.stderr)
        return 2
    try:
        restore(Path(args.archive))
    except BackupError as exc:
        print(f"cannot restore: {exc}", file=sys.stderr)
        return 2
    print("restored")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canhgiac.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["canhgiac manage", *args.rest])
    return 0


def add_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the web application (migrates first)")
    serve.add_argument("--host", default=os.environ.get("CANHGIAC_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("CANHGIAC_PORT", "8000")))
    serve.add_argument("--threads", type=int, default=2, help="threads per process (waitress reads requests before a thread takes them)")
    serve.add_argument("--workers", type=int, default=0, help="processes (default: one per core, up to 4; 1 where there is no fork)")
    serve.add_argument("--demo", action="store_true", help="on an empty database, create the demo district")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background tasks (Zalo replies...) until stopped")
    worker.add_argument("--once", action="store_true", help="run what is ready, then exit")
    worker.set_defaults(func=cmd_worker)

    createuser = sub.add_parser("createuser", help="create an officer account (password from CANHGIAC_PASSWORD or a prompt)")
    createuser.add_argument("username")
    createuser.add_argument("--unit", required=True, help="the unit's slug or name")
    createuser.add_argument("--role", required=True, choices=["admin", "supervisor", "officer", "viewer"])
    createuser.set_defaults(func=cmd_createuser)

    token = sub.add_parser("token", help="print a new API token for a user")
    token.add_argument("username")
    token.add_argument("--name", default="api")
    token.set_defaults(func=cmd_token)

    imp = sub.add_parser("import-indicators", help="import a blocklist CSV into the indicator registry")
    imp.add_argument("file")
    imp.add_argument("--source")
    imp.set_defaults(func=cmd_import_indicators)

    keys = sub.add_parser("keys", help="print a new SECRET_KEY and CANHGIAC_ENCRYPTION_KEY")
    keys.set_defaults(func=cmd_keys)

    rotate = sub.add_parser("rotate-keys", help="seal everything again under the first CANHGIAC_ENCRYPTION_KEY (after new,old)")
    rotate.add_argument("--batch", type=int, default=500, help="rows per transaction")
    rotate.set_defaults(func=cmd_rotate_keys)

    purge = sub.add_parser("purge", help="delete what is past each unit's retention period (the worker does it daily)")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    purge.set_defaults(func=cmd_purge)

    back = sub.add_parser("backup", help="write the database and the photos to one archive (safe while the site runs)")
    back.add_argument("--out", help="the archive (default: DATA_DIR/backups/canhgiac-<time>.tar.gz)")
    back.add_argument(
        "--keep",
        type=int,
        help="keep the newest N canhgiac-<time>.tar.gz archives in the folder, delete older ones (default: CANHGIAC_BACKUP_KEEP, 14; 0: all)",
    )
    back.set_defaults(func=cmd_backup)

    rest = sub.add_parser("restore", help="replace the database and the photos with a backup's (stop the site first)")
    rest.add_argument("archive")
    rest.add_argument("--yes", action="store_true", help="really replace everything")
    rest.add_argument("--ignore-key", action="store_true", help="restore even if the contacts were sealed with another key")
    rest.set_defaults(func=cmd_restore)

    manage = sub.add_parser("manage", help="Django's manage.py commands (migrate, shell...)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
