"""`canhgiac serve` on gunicorn: the options, the hooks, and the inline task worker.

The master (cli.cmd_serve) migrates and prepares the data folder once, then hands over to
gunicorn, which forks the workers, replaces one that dies or hangs, recycles them after
a number of requests, drains them on SIGTERM and replaces them all on SIGHUP.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

log = logging.getLogger("canhgiac.serve")

# The path without its query string (%(U)s, not %(r)s: a query may carry a follow-up key
# or a token), and no address at all: no citizen's network address is stored, and a log
# file is stored (PRODUCT.md, principle 4).
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# Paths whose next segment is a secret: a one-time password link, a meeting's check-in
# token, a subscriber's bulletin token. Logged as "***", so a copy of the logs opens nothing.
SECRET_PATHS = re.compile(r"(/accounts/password/|/co-mat/|/ban-tin/dang-ky/)[^/\s?]+")


def loggable(text: str) -> str:
    """A log line without secrets in paths, query strings or a client's address."""
    text = SECRET_PATHS.sub(r"\1***", text)
    text = re.sub(r"(/\S*?)\?\S*", r"\1?***", text)  # "Error handling request GET /x?key=..."
    return re.sub(r"ip=\S+", "ip=***", text)  # "Invalid request from ip=...": gunicorn's own words


class _Loggable(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = loggable(record.getMessage()), None
        return True


class Logger(glogging.Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn's logger, with every line passed through ``loggable``."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, _Loggable) for f in log.filters):
                log.addFilter(_Loggable())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["U"] = loggable(str(atoms.get("U", "")))
        return atoms


def options(*, host: str, port: int, workers: int, threads: int, timeout: int, max_requests: int, log_level: str) -> dict[str, Any]:
    """gunicorn's settings for `canhgiac serve` (names as in gunicorn's documentation)."""
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # A worker whose main loop stops answering is killed; a request that runs longer
        # than this ends its worker too (watch_requests): gthread alone would leave it.
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        # The jitter spreads the recycling, so that the workers never restart together.
        "max_requests": max_requests,
        "max_requests_jitter": max_requests // 10,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "logger_class": Logger,
        "loglevel": log_level.lower(),
        "proc_name": "canhgiac",
        # The application decides which forwarded headers to trust (TRUSTED_PROXIES,
        # BEHIND_HTTPS_PROXY in settings.py): gunicorn passes them on untouched.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        # No control socket in $HOME: systemd (or a terminal) controls the master by signals.
        "control_socket_disable": True,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "pre_request": _pre_request,
        "post_request": _post_request,
    }


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn run from Python: the settings are ours, not gunicorn's command line."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        # In each worker, after the fork: no database connection is shared with the master.
        from canhgiac.web.wsgi import application

        return application


# ---------------------------------------------------------------------------- in each worker

_stop = threading.Event()
_threads: list[threading.Thread] = []
_running: dict[int, tuple[float, str]] = {}  # thread -> when its request started, its path
_lock = threading.Lock()


def _post_worker_init(worker: Any) -> None:
    threading.Thread(target=_watch_requests, args=(worker.cfg.timeout,), name="canhgiac-watchdog", daemon=True).start()
    from django.conf import settings

    if settings.CANHGIAC_INLINE_WORKER:
        lock = Path(settings.DATA_DIR) / "inline-worker.lock"
        thread = threading.Thread(target=_inline_worker, args=(lock,), name="canhgiac-worker", daemon=True)
        thread.start()
        _threads.append(thread)


def _worker_exit(server: Any, worker: Any) -> None:
    _stop.set()
    for thread in _threads:  # the task in hand finishes (a Zalo call has its own timeout)
        thread.join(timeout=worker.cfg.graceful_timeout)


def _pre_request(worker: Any, request: Any) -> None:
    with _lock:
        _running[threading.get_ident()] = (time.monotonic(), str(request.path)[:80])


def _post_request(worker: Any, request: Any, environ: Any, response: Any) -> None:
    with _lock:
        _running.pop(threading.get_ident(), None)


def _watch_requests(timeout: int) -> None:
    """A request running longer than ``timeout`` ends its worker, which gunicorn replaces:
    a thread cannot be stopped from outside, and a stuck one would hold its slot forever."""
    while timeout > 0 and not _stop.wait(1):
        with _lock:
            late = [path for started, path in _running.values() if time.monotonic() - started > timeout]
        if late:
            log.error("request to %s took over %d s: worker %d restarts", late[0], timeout, os.getpid())
            logging.shutdown()
            os._exit(1)


def _inline_worker(lock_path: Path) -> None:
    """Background tasks (CANHGIAC_INLINE_WORKER) in one worker of the machine at a time:
    the one holding the lock file. Whichever worker ends (recycled, killed), the lock goes
    with it, and another takes it within seconds."""
    from canhgiac.web.tasks.queue import work_forever

    with open(lock_path, "a+b") as lock:  # opened in this process: flock is per open file
        while not _stop.is_set():
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                _stop.wait(5)
                continue
            try:
                work_forever(_stop)
            finally:
                with contextlib.suppress(OSError):
                    fcntl.flock(lock, fcntl.LOCK_UN)
