"""The web application's commands, added to `canhgiac` (see canhgiac/cli.py).

They find the configuration the same way as the server (canhgiac/cli.py has loaded the
env file before any of them runs), speak the run's language (`say`, and Django's
translations activated in `setup`), and turn a configuration or database that cannot
work into one line saying what to do.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import getpass
import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from canhgiac import cli as _cli
from canhgiac.cli import CliError, language, say

# The two keys without which settings.py refuses to start (outside CANHGIAC_DEV=1).
KEYS = ("SECRET_KEY", "CANHGIAC_ENCRYPTION_KEY")


def missing_keys() -> list[str]:
    """The keys neither the environment nor the env file gave (development has its own)."""
    from canhgiac.web.core.env import envbool, envsecret

    try:
        if envbool("CANHGIAC_DEV", False):
            return []
    except ValueError as exc:
        raise CliError(say(f"cấu hình sai: {exc}", f"bad configuration: {exc}")) from None
    return [name for name in KEYS if not envsecret(name)]


def setup(database: bool = False) -> None:
    """Django with this run's configuration and language; with ``database``, also a
    database that is there and up to date."""
    missing = missing_keys()
    if missing:
        names = say(" và ", " and ").join(missing)
        raise CliError(
            say(
                f"chưa đặt {names}: ghi vào ./canhgiac.env (hoặc tệp --env-file, hoặc biến môi trường); `canhgiac keys` tạo khóa mới",
                f"{names} not set: put them in ./canhgiac.env (or the --env-file, or the environment); `canhgiac keys` makes new ones",
            )
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canhgiac.web.settings")
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.utils import translation

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads settings.py: a bad value fails here, not mid-command)
    except (ImproperlyConfigured, ValueError) as exc:
        raise CliError(say(f"cấu hình sai: {exc}", f"bad configuration: {exc}")) from None
    django.setup()
    translation.activate(language())
    if database:
        _database_ready()


def _database_ready() -> None:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CliError(_database_problem(exc)) from None
    if pending:
        raise CliError(
            say(
                "cơ sở dữ liệu chưa được tạo hoặc chưa cập nhật: chạy `canhgiac manage migrate` (`canhgiac serve` cũng tự làm)",
                "the database is not created or not up to date: run `canhgiac manage migrate` (`canhgiac serve` does it too)",
            )
        )


def _database_problem(exc: Exception) -> str:
    from django.conf import settings

    where = settings.DATABASES["default"]["NAME"]
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return say(f"không dùng được cơ sở dữ liệu {where}: {reason}", f"cannot use the database {where}: {reason}")


def _command(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A web command whose database fails (PostgreSQL away, a locked file) ends in one line."""

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        from django.db import OperationalError

        try:
            return run(args)
        except OperationalError as exc:
            raise CliError(_database_problem(exc)) from None

    return wrapper


def private_files() -> None:
    """What the service writes (database, photos, backups) is for its own user only:
    files 0600, folders 0700, from the first one created (core/storage.py)."""
    os.umask(0o077)


def _default_workers() -> int:
    # One process per core, up to four: the engine and Django are CPU-bound and each
    # process is held to one core by Python's global lock.
    return max(1, min(4, os.cpu_count() or 1)) if hasattr(os, "fork") else 1


def _can_listen(host: str, port: int) -> None:
    """Say in one line that the address is taken, before gunicorn retries it five times."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CliError(say(f"không mở được {host}:{port}: {exc.strerror}", f"cannot listen on {host}:{port}: {exc.strerror}")) from None


def _collect_static() -> None:
    """Static files into STATIC_ROOT, compressed and with hashed names (settings.py), once
    per version: compressing them all takes seconds, so a start with the same sources
    (the same files, sizes and times) skips it."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    sources = sorted(
        f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}"
        for finder in get_finders()
        for path, storage in finder.list([])
        for stat in [os.stat(storage.path(path))]
    )
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    fingerprint = "\n".join([backend, *sources])
    stamp = Path(settings.STATIC_ROOT) / ".collected"
    with contextlib.suppress(OSError):
        if stamp.read_text(encoding="utf-8") == fingerprint:
            return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint, encoding="utf-8")


@_command
def cmd_serve(args: argparse.Namespace) -> int:
    for name, least in (("threads", 1), ("workers", 0), ("timeout", 0), ("max_requests", 0)):
        if getattr(args, name) < least:
            option = "--" + name.replace("_", "-")
            raise CliError(say(f"{option} phải từ {least} trở lên", f"{option} must be at least {least}"))
    private_files()
    setup()
    from django.conf import settings as django_settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connections

    from canhgiac.web.core.demo import create_demo, demo_needed
    from canhgiac.web.core.env import envstr
    from canhgiac.web.core.storage import make_private
    from canhgiac.web.serving import Server, options

    workers = args.workers or getattr(django_settings, "CANHGIAC_WORKERS", 0) or _default_workers()
    # The deployment checks judge the number of processes this server really starts.
    django_settings.CANHGIAC_WORKERS = workers
    try:
        # Refuses to start on an error (public development mode, unusable keys, a data
        # folder it cannot write); warnings are printed and the server starts.
        call_command("check", deploy=True, fail_level="ERROR")
    except SystemCheckError as exc:
        raise CliError(str(exc).strip()) from None
    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    make_private()
    call_command("createcachetable", verbosity=0)
    if args.demo and demo_needed():
        username, password = create_demo()
        print(
            say(
                "Đã tạo dữ liệu demo: huyện Hòa Bình với xã An Phú và Bình Minh.",
                "Demo data created: Hòa Bình district with the communes An Phú and Bình Minh.",
            )
        )
        print(
            say(
                f"Tài khoản quản trị: {username}   mật khẩu (chỉ hiện một lần): {password}",
                f"Administrator: {username}   password (shown once): {password}",
            )
        )
        print(say(f"Quên mật khẩu: canhgiac setpassword {username}", f"Lost it: canhgiac setpassword {username}"))
    _collect_static()
    connections.close_all()  # never share a database connection with forked children
    _can_listen(args.host, args.port)
    # Which configuration this server runs with, so that the other commands can be given the same.
    source = str(_cli.loaded_env_file) if _cli.loaded_env_file else say("biến môi trường", "the environment")
    print(
        say(
            f"Cảnh Giác: http://{args.host}:{args.port}/  ({workers} tiến trình; cán bộ: /console/, kiểm tra: /healthz; cấu hình: {source})",
            f"Cảnh Giác: http://{args.host}:{args.port}/  ({workers} process(es); officers: /console/, health: /healthz; configuration: {source})",
        ),
        flush=True,
    )
    config = options(
        host=args.host,
        port=args.port,
        workers=workers,
        threads=args.threads,
        timeout=args.timeout,
        max_requests=args.max_requests,
        log_level=envstr("LOG_LEVEL", "INFO"),
    )
    Server(config).run()  # returns when gunicorn has stopped its workers (SIGTERM, SIGINT)
    return 0


@_command
def cmd_worker(args: argparse.Namespace) -> int:
    private_files()
    setup(database=True)
    import signal

    from canhgiac.web.core.storage import make_private
    from canhgiac.web.tasks.queue import run_pending, work_forever

    make_private()
    if args.once:
        done = run_pending()
        print(say(f"đã chạy {done} việc", f"{done} tasks run"))
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    work_forever(stop)
    return 0


# ---------------------------------------------------------------------------- accounts


def _password_problems(password: str, user: Any) -> list[str]:
    """What AUTH_PASSWORD_VALIDATORS find wrong, in the run's language."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user)
    except ValidationError as exc:
        problems = []
        for error in exc.error_list:
            if error.code == "password_too_short" and error.params and language() == "vi":
                # Django's Vietnamese catalogue lacks this message's current wording (as in admin_site.py).
                problems.append(f"Mật khẩu quá ngắn: cần ít nhất {error.params['min_length']} ký tự.")
            else:
                problems.extend(error.messages)
        return problems
    return []


def _new_password(user: Any) -> str:
    """From $CANHGIAC_PASSWORD, or typed twice at a terminal; refused unless the password
    validators accept it."""
    password = os.environ.get("CANHGIAC_PASSWORD", "")
    if not password:
        if not sys.stdin.isatty():
            raise CliError(
                say(
                    "đặt CANHGIAC_PASSWORD hoặc chạy trong terminal để nhập mật khẩu",
                    "set CANHGIAC_PASSWORD, or run it in a terminal to type the password",
                )
            )
        password = getpass.getpass(say("Mật khẩu: ", "Password: "))
        if password != getpass.getpass(say("Nhập lại: ", "Again: ")):
            raise CliError(say("hai lần nhập không khớp", "the two entries differ"))
    problems = _password_problems(password, user)
    if problems:
        raise CliError(say("mật khẩu không đạt: ", "password refused: ") + " ".join(problems))
    return password


def _unit(slug_or_name: str) -> Any:
    from django.db.models import Q

    from canhgiac.web.accounts.models import Unit

    unit = Unit.objects.filter(Q(slug=slug_or_name) | Q(name=slug_or_name)).first()
    if unit is not None:
        return unit
    known = ", ".join(Unit.objects.values_list("slug", flat=True))
    if not known:
        raise CliError(
            say(
                f"không có đơn vị {slug_or_name!r}: chưa có đơn vị nào, tạo bằng `canhgiac createunit SLUG --name TÊN`",
                f"no unit {slug_or_name!r}: there are no units yet, make one with `canhgiac createunit SLUG --name NAME`",
            )
        )
    raise CliError(say(f"không có đơn vị {slug_or_name!r} (các đơn vị: {known})", f"no unit {slug_or_name!r} (units: {known})"))


@_command
def cmd_createunit(args: argparse.Namespace) -> int:
    setup(database=True)
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from canhgiac.web.accounts.models import Unit
    from canhgiac.web.audit.log import record

    if not re.fullmatch(r"[-a-z0-9_]+", args.slug):
        raise CliError(
            say(
                f"slug {args.slug!r}: chỉ gồm chữ thường không dấu, số, - và _ (ví dụ xa-an-phu)",
                f"slug {args.slug!r}: lower-case letters without accents, digits, - and _ only (e.g. xa-an-phu)",
            )
        )
    parent = _unit(args.parent) if args.parent else None
    if Unit.objects.filter(slug=args.slug).exists():
        raise CliError(say(f"đã có đơn vị {args.slug!r}", f"there is already a unit {args.slug!r}"))
    unit = Unit(name=args.name, slug=args.slug, kind=args.kind, parent=parent)
    try:
        unit.full_clean()
    except ValidationError as exc:
        raise CliError(" ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())) from None
    with transaction.atomic():
        unit.save()
        record("admin.added", actor_label="cli", unit=unit, obj=unit, fields=["name", "slug", "kind", "parent"])
    print(say(f"Đã tạo đơn vị {unit.name} ({unit.slug}).", f"Unit {unit.name} ({unit.slug}) created."))
    return 0


@_command
def cmd_createuser(args: argparse.Namespace) -> int:
    setup(database=True)
    from django.db import transaction

    from canhgiac.web.accounts.models import User
    from canhgiac.web.audit.log import record

    unit = _unit(args.unit)
    if User.objects.filter(username=args.username).exists():
        raise CliError(say(f"đã có người dùng {args.username!r}", f"there is already a user {args.username!r}"))
    user = User(username=args.username, unit=unit, role=args.role)
    user.set_password(_new_password(user))
    with transaction.atomic():
        user.save()
        record("user.created", actor_label="cli", unit=unit, obj=user, role=args.role)
    print(say(f"Đã tạo {args.username} ({args.role}) tại {unit.name}.", f"{args.username} ({args.role}) created in {unit.name}."))
    return 0


@_command
def cmd_setpassword(args: argparse.Namespace) -> int:
    """A new password for an account, e.g. the administrator whose printed one was lost."""
    setup(database=True)
    from django.db import transaction

    from canhgiac.web.accounts.models import User
    from canhgiac.web.audit.log import record
    from canhgiac.web.core.ratelimit import reset

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise CliError(say(f"không có người dùng {args.username!r}", f"no user {args.username!r}"))
    user.set_password(_new_password(user))
    with transaction.atomic():
        user.save(update_fields=["password"])
        # Audited as the same change made in /admin/ would be, by the command line.
        record("admin.changed", actor_label="cli", unit=user.unit, obj=user, fields=["new_password"])
    # Whoever forgot a password has usually locked the account by trying: the login page
    # counts failures per lower-cased username (accounts/views.py), the new password works now.
    reset("login-user", user.username.lower())
    print(say(f"Đã đặt mật khẩu mới cho {user.username}.", f"New password set for {user.username}."))
    return 0


@_command
def cmd_token(args: argparse.Namespace) -> int:
    setup(database=True)
    from canhgiac.web.accounts.models import ApiToken, User
    from canhgiac.web.audit.log import record

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        raise CliError(say(f"không có người dùng {args.username!r}", f"no user {args.username!r}"))
    token, raw = ApiToken.issue(user, args.name)
    record("token.issued", actor_label="cli", unit=user.unit, obj=user, token=token.prefix)
    print(raw)
    return 0


# ---------------------------------------------------------------------------- data


@_command
def cmd_import_indicators(args: argparse.Namespace) -> int:
    setup(database=True)
    from canhgiac.cli import Progress
    from canhgiac.web.indicators.registry import import_csv

    with open(args.file, encoding="utf-8-sig", newline="") as f:
        try:
            total = max(sum(1 for _ in f) - 1, 1)
        except UnicodeDecodeError:
            raise CliError(say(f"{args.file}: không phải văn bản UTF-8", f"{args.file}: not UTF-8 text")) from None
        f.seek(0)
        progress = Progress(say("nhập", "import"), total)
        try:
            result = import_csv(f, source=args.source or os.path.basename(args.file), progress=progress)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    rows, added, already, skipped = result.rows, result.added, result.already, result.skipped
    print(
        say(
            f"{rows} dòng: thêm {added}, đã có {already}, bỏ qua {skipped}.",
            f"{rows} rows: {added} added, {already} already there, {skipped} skipped.",
        )
    )
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    import secrets

    from cryptography.fernet import Fernet

    # NAME=value lines only, so that `canhgiac keys >> canhgiac.env` is the whole setup.
    print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
    print(f"CANHGIAC_ENCRYPTION_KEY={Fernet.generate_key().decode()}")
    return 0


@_command
def cmd_rotate_keys(args: argparse.Namespace) -> int:
    if args.batch < 1:
        raise CliError(say("--batch phải từ 1 trở lên", "--batch must be at least 1"))
    setup(database=True)
    from canhgiac.web.core.crypto import rotate_keys

    try:
        changed = rotate_keys(batch_size=args.batch)
    except ValueError as exc:  # a value no configured key opens: stop, what is done stays done
        raise CliError(str(exc)) from None
    for name, n in changed.items():
        print(f"{name}: {n}")
    total = sum(changed.values())
    print(
        say(
            f"{total} giá trị đã niêm phong hoặc băm lại bằng khóa đầu tiên; khi một lần chạy không còn giá trị nào, có thể bỏ các khóa cũ",
            f"{total} values sealed or hashed again under the first key; when a run finds none, the old keys can go",
        )
    )
    return 0


# What retention.purge counts (cases/retention.py's Purged), named for a Vietnamese reader.
_PURGED_VI = {
    "cases": "tin",
    "photos": "ảnh",
    "contacts_cleared": "liên hệ đã xóa",
    "reporters": "người gửi",
    "webhook_events": "sự kiện webhook",
    "tasks": "việc nền",
}


@_command
def cmd_purge(args: argparse.Namespace) -> int:
    setup(database=True)
    from dataclasses import asdict

    from canhgiac.web.cases.retention import purge

    result = purge(dry_run=args.dry_run)
    counts = ", ".join(f"{n} {say(_PURGED_VI.get(name, name), name.replace('_', ' '))}" for name, n in asdict(result).items())
    verb = say("sẽ xóa" if args.dry_run else "đã xóa", "would remove" if args.dry_run else "removed")
    print(f"{verb}: {counts}")
    return 0


@_command
def cmd_backup(args: argparse.Namespace) -> int:
    private_files()
    setup(database=True)
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
    rows, kib = sum(manifest.counts.values()), out.stat().st_size // 1024
    print(
        say(
            f"đã sao lưu {manifest.database} vào {out} ({kib} KiB, {rows} dòng)",
            f"backup of {manifest.database} written to {out} ({kib} KiB, {rows} rows)",
        )
    )
    keep = settings.CANHGIAC_BACKUP_KEEP if args.keep is None else args.keep
    if ARCHIVE_NAME.fullmatch(out.name):  # one of the series: an archive named otherwise prunes nothing
        for old in prune(out.parent, keep):
            print(
                say(
                    f"đã xóa bản sao lưu cũ {old.name} (giữ {keep} bản mới nhất)",
                    f"deleted old backup {old.name} (keeping the newest {keep})",
                )
            )
    print(
        say(
            "hãy cất CANHGIAC_ENCRYPTION_KEY riêng khỏi bản sao lưu: không có khóa thì không đọc được thông tin liên hệ trong đó",
            "keep CANHGIAC_ENCRYPTION_KEY apart from it: without the key the contacts in it cannot be read",
        )
    )
    return 0


@_command
def cmd_restore(args: argparse.Namespace) -> int:
    private_files()
    setup()  # the database may be empty or older: restore replaces it
    from canhgiac.web.core.backup import BackupError, read_manifest, readable_with_current_keys, restore

    cannot = say("không khôi phục được: ", "cannot restore: ")
    try:
        manifest = read_manifest(Path(args.archive))
    except (BackupError, OSError, ValueError) as exc:
        raise CliError(f"{cannot}{exc}") from None
    rows = sum(manifest.counts.values())
    print(
        say(
            f"bản sao lưu {manifest.database} lúc {manifest.created}, {rows} dòng",
            f"backup of {manifest.database} made {manifest.created}, {rows} rows",
        )
    )
    readable, missing = readable_with_current_keys(manifest)
    if readable and missing:
        names = ", ".join(missing)
        print(
            say(
                f"lưu ý: bản sao lưu còn ghi các khóa không có trong cấu hình hiện nay ({names}); giá trị còn niêm phong bằng chúng sẽ không giải mã được",
                f"note: the backup also listed keys not configured now ({names}); values still under them will not decrypt",
            )
        )
    if not readable and not args.ignore_key:
        raise CliError(
            cannot
            + say(
                "thông tin liên hệ trong bản sao lưu này được niêm phong bằng một CANHGIAC_ENCRYPTION_KEY khác; "
                "hãy đặt khóa đó (hoặc ghi nó sau khóa hiện nay), hoặc dùng --ignore-key để khôi phục không kèm chúng",
                "the contacts in this backup were sealed with another CANHGIAC_ENCRYPTION_KEY; "
                "set that key (or list it after the current one), or pass --ignore-key to restore without them",
            )
        )
    if not args.yes:
        raise CliError(
            say(
                "lệnh này thay toàn bộ cơ sở dữ liệu và ảnh; hãy dừng trang web rồi chạy lại với --yes",
                "this replaces the whole database and the photos; stop the site, then run again with --yes",
            )
        )
    try:
        restore(Path(args.archive))
    except BackupError as exc:
        raise CliError(f"{cannot}{exc}") from None
    print(say("đã khôi phục", "restored"))
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["canhgiac manage", *args.rest])
    return 0


def _port(default: int) -> int:
    value = os.environ.get("CANHGIAC_PORT", "")
    if not value.strip():
        return default
    if not value.strip().isdigit():
        raise CliError(say(f"CANHGIAC_PORT={value!r} không phải là số", f"CANHGIAC_PORT={value!r} is not a number"))
    return int(value)


def add_commands(sub: Any) -> None:
    serve = sub.add_parser(
        "serve",
        help=say(
            "chạy ứng dụng web trên gunicorn (cập nhật cơ sở dữ liệu trước); SIGTERM: dừng êm, SIGHUP: thay mới các tiến trình",
            "run the web application on gunicorn (migrates first); SIGTERM: stops gracefully, SIGHUP: replaces the processes",
        ),
    )
    serve.add_argument(
        "--host",
        default=os.environ.get("CANHGIAC_HOST", "127.0.0.1"),
        help=say("địa chỉ (mặc định $CANHGIAC_HOST hoặc 127.0.0.1)", "address (default $CANHGIAC_HOST or 127.0.0.1)"),
    )
    serve.add_argument(
        "--port",
        type=int,
        default=_port(8000),
        help=say("cổng (mặc định $CANHGIAC_PORT hoặc 8000)", "port (default $CANHGIAC_PORT or 8000)"),
    )
    serve.add_argument(
        "--threads",
        type=int,
        default=2,
        help=say("số luồng mỗi tiến trình (mặc định 2)", "threads per process (default 2)"),
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=0,
        help=say(
            "số tiến trình (mặc định: $CANHGIAC_WORKERS, hoặc mỗi lõi một, tối đa 4); việc nền chạy trong một tiến trình trừ khi CANHGIAC_INLINE_WORKER=0",
            "processes (default: $CANHGIAC_WORKERS, or one per core, up to 4); background tasks run in one of them unless CANHGIAC_INLINE_WORKER=0",
        ),
    )
    serve.add_argument(
        "--timeout",
        type=int,
        default=30,
        help=say(
            "giây: yêu cầu chạy lâu hơn thì tiến trình của nó được thay mới (mặc định 30; 0: không giới hạn)",
            "seconds: a request running longer has its process replaced (default 30; 0: no limit)",
        ),
    )
    serve.add_argument(
        "--max-requests",
        type=int,
        default=5000,
        help=say(
            "thay mới mỗi tiến trình sau chừng ấy yêu cầu, cộng thêm tới 10%% ngẫu nhiên (mặc định 5000; 0: không bao giờ)",
            "replace each process after this many requests, plus up to 10%% at random (default 5000; 0: never)",
        ),
    )
    serve.add_argument(
        "--demo", action="store_true", help=say("cơ sở dữ liệu trống thì tạo huyện demo", "on an empty database, create the demo district")
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker", help=say("chạy việc nền (trả lời Zalo...) đến khi dừng", "run background tasks (Zalo replies...) until stopped")
    )
    worker.add_argument("--once", action="store_true", help=say("chạy những việc đã đến hạn rồi thoát", "run what is ready, then exit"))
    worker.set_defaults(func=cmd_worker)

    createunit = sub.add_parser(
        "createunit", help=say("tạo một đơn vị (xã, phường, huyện...)", "create a unit (commune, ward, district...)")
    )
    createunit.add_argument("slug", help=say("tên ngắn trong địa chỉ, ví dụ xa-an-phu", "short name used in addresses, e.g. xa-an-phu"))
    createunit.add_argument("--name", required=True, help=say('tên đầy đủ, ví dụ "Xã An Phú"', 'full name, e.g. "Xã An Phú"'))
    createunit.add_argument("--kind", default="commune", choices=["commune", "district", "province"])
    createunit.add_argument("--parent", help=say("đơn vị cấp trên (slug hoặc tên)", "the unit above it (slug or name)"))
    createunit.set_defaults(func=cmd_createunit)

    createuser = sub.add_parser(
        "createuser",
        help=say(
            "tạo tài khoản cán bộ (mật khẩu từ CANHGIAC_PASSWORD hoặc nhập vào)",
            "create an officer account (password from CANHGIAC_PASSWORD or a prompt)",
        ),
    )
    createuser.add_argument("username")
    createuser.add_argument("--unit", required=True, help=say("slug hoặc tên của đơn vị", "the unit's slug or name"))
    createuser.add_argument("--role", required=True, choices=["admin", "supervisor", "officer", "viewer"])
    createuser.set_defaults(func=cmd_createuser)

    setpassword = sub.add_parser(
        "setpassword",
        help=say(
            "đặt mật khẩu mới cho một tài khoản (từ CANHGIAC_PASSWORD hoặc nhập vào)",
            "set a new password for an account (from CANHGIAC_PASSWORD or a prompt)",
        ),
    )
    setpassword.add_argument("username")
    setpassword.set_defaults(func=cmd_setpassword)

    token = sub.add_parser("token", help=say("in một mã API mới cho người dùng", "print a new API token for a user"))
    token.add_argument("username")
    token.add_argument("--name", default="api")
    token.set_defaults(func=cmd_token)

    imp = sub.add_parser(
        "import-indicators", help=say("nhập danh sách CSV vào sổ dấu hiệu lừa đảo", "import a blocklist CSV into the indicator registry")
    )
    imp.add_argument("file")
    imp.add_argument("--source")
    imp.set_defaults(func=cmd_import_indicators)

    keys = sub.add_parser(
        "keys", help=say("in SECRET_KEY và CANHGIAC_ENCRYPTION_KEY mới", "print a new SECRET_KEY and CANHGIAC_ENCRYPTION_KEY")
    )
    keys.set_defaults(func=cmd_keys)

    rotate = sub.add_parser(
        "rotate-keys",
        help=say(
            "niêm phong lại mọi thứ bằng CANHGIAC_ENCRYPTION_KEY đầu tiên (sau khi đặt mới,cũ)",
            "seal everything again under the first CANHGIAC_ENCRYPTION_KEY (after new,old)",
        ),
    )
    rotate.add_argument("--batch", type=int, default=500, help=say("số dòng mỗi giao dịch", "rows per transaction"))
    rotate.set_defaults(func=cmd_rotate_keys)

    purge = sub.add_parser(
        "purge",
        help=say(
            "xóa những gì quá thời hạn lưu trữ của từng đơn vị (việc nền làm hằng ngày)",
            "delete what is past each unit's retention period (the worker does it daily)",
        ),
    )
    purge.add_argument("--dry-run", action="store_true", help=say("chỉ đếm những gì sẽ bị xóa", "only count what would go"))
    purge.set_defaults(func=cmd_purge)

    back = sub.add_parser(
        "backup",
        help=say(
            "ghi cơ sở dữ liệu và ảnh vào một tệp (chạy được khi trang đang chạy)",
            "write the database and the photos to one archive (safe while the site runs)",
        ),
    )
    back.add_argument(
        "--out",
        help=say(
            "tệp lưu (mặc định: DATA_DIR/backups/canhgiac-<giờ>.tar.gz)", "the archive (default: DATA_DIR/backups/canhgiac-<time>.tar.gz)"
        ),
    )
    back.add_argument(
        "--keep",
        type=int,
        help=say(
            "giữ N tệp canhgiac-<giờ>.tar.gz mới nhất trong thư mục, xóa các tệp cũ hơn (mặc định: CANHGIAC_BACKUP_KEEP, 14; 0: giữ tất cả)",
            "keep the newest N canhgiac-<time>.tar.gz archives in the folder, delete older ones (default: CANHGIAC_BACKUP_KEEP, 14; 0: all)",
        ),
    )
    back.set_defaults(func=cmd_backup)

    rest = sub.add_parser(
        "restore",
        help=say(
            "thay cơ sở dữ liệu và ảnh bằng bản sao lưu (dừng trang trước)",
            "replace the database and the photos with a backup's (stop the site first)",
        ),
    )
    rest.add_argument("archive")
    rest.add_argument("--yes", action="store_true", help=say("thay thật mọi thứ", "really replace everything"))
    rest.add_argument(
        "--ignore-key",
        action="store_true",
        help=say(
            "khôi phục cả khi thông tin liên hệ được niêm phong bằng khóa khác", "restore even if the contacts were sealed with another key"
        ),
    )
    rest.set_defaults(func=cmd_restore)

    manage = sub.add_parser(
        "manage", help=say("các lệnh manage.py của Django (migrate, shell...)", "Django's manage.py commands (migrate, shell...)")
    )
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
