"""`canhgiac serve` on gunicorn, as real processes: one worker at a time runs the
background tasks, and takes over when that one dies; `kill -9` of the master leaves no
worker holding the port; a request over the time limit ends its worker."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(condition: Callable[[], bool], what: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}\n{log.read_text(errors='replace')[-3000:]}"
        time.sleep(0.2)


def _answers(port: int) -> bool:
    try:
        status: int = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status
        return status == 200
    except OSError:
        return False


def _lock_holder(lock: Path) -> int | None:
    """The process holding the inline worker's lock file, from /proc/locks (or None)."""
    if not lock.exists():
        return None
    inode = lock.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()  # 1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF
        if fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            return int(fields[4])
    return None


def _workers(master: int) -> set[int]:
    done = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False)
    return {int(pid) for pid in done.stdout.split()}


@pytest.fixture
def server(scratch_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = _free_port()
    env = {**scratch_env, "CANHGIAC_INLINE_WORKER": "1"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "canhgiac.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait(lambda: _answers(port), "serve did not start", log)
        yield process, port, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def test_one_worker_runs_the_tasks_and_another_takes_over(server: tuple[subprocess.Popen[bytes], int, Path], tmp_path: Path) -> None:
    process, port, log = server
    lock = tmp_path / "data" / "inline-worker.lock"
    _wait(lambda: _lock_holder(lock) in _workers(process.pid), "no worker runs the background tasks", log)
    _wait(lambda: len(_workers(process.pid)) == 2, "the second worker never started", log)
    first = _lock_holder(lock)
    assert first is not None
    os.kill(first, signal.SIGKILL)  # gunicorn starts another worker; the other one takes the tasks
    _wait(lambda: _lock_holder(lock) not in (None, first) and _lock_holder(lock) in _workers(process.pid), "nobody took over", log)
    assert _answers(port)


def test_kill_9_of_the_master_frees_the_port(server: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    process, port, log = server
    # The server answers once one worker is up; the second may still be starting.
    _wait(lambda: len(_workers(process.pid)) == 2, "the second worker never started", log)
    workers = _workers(process.pid)
    process.kill()  # the master only, as an OOM killer would
    process.wait(timeout=30)

    def gone() -> bool:
        return all(not Path(f"/proc/{pid}").exists() or "zombie" in _state(pid) for pid in workers)

    _wait(gone, "workers outlived their master", log, seconds=20)
    with socket.socket() as s:
        # As a new server binds (closed connections may wait in TIME_WAIT): refused while
        # any process still listens there.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0].lower()
    except (OSError, IndexError):
        return "zombie"


def test_a_request_over_the_time_limit_ends_its_worker(tmp_path: Path) -> None:
    # The watchdog of web/serving.py, on its own in a process: a request that started
    # three seconds ago, with a limit of one second.
    code = (
        "import time, threading\n"
        "from canhgiac.web import serving\n"
        "serving._running[threading.get_ident()] = (time.monotonic() - 3, '/console/slow')\n"
        "serving._watch_requests(1)\n"
        "print('still running')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "still running" not in done.stdout
    assert "request to /console/slow took over 1 s" in done.stderr, done.stderr
    # A request within the limit leaves the worker alone (two rounds of the watchdog).
    within = code.replace("- 3", "+ 0").replace(
        "serving._watch_requests(1)\n",
        "threading.Thread(target=serving._watch_requests, args=(60,), daemon=True).start()\ntime.sleep(2.5)\n",
    )
    done = subprocess.run([sys.executable, "-c", within], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "still running\n"), done.stderr


def test_serve_refuses_a_bad_option_in_one_line(cli: Callable[..., subprocess.CompletedProcess[bytes]]) -> None:
    done = cli("serve", "--threads", "0")
    assert done.returncode == 2 and done.stderr.decode() == "canhgiac: --threads phải từ 1 trở lên\n"
    assert b"--max-requests" in cli("serve", "--help").stdout


def test_log_lines_carry_no_secret_and_no_address() -> None:
    """What gunicorn writes passes through serving.loggable: its own warning about a
    malformed request names the client's address, and an exception names the query."""
    from canhgiac.web.serving import loggable

    assert loggable("Invalid request from ip=203.0.113.9: Invalid HTTP method") == "Invalid request from ip=*** Invalid HTTP method"
    assert loggable("Error handling request GET /theo-doi/?key=BIMAT") == "Error handling request GET /theo-doi/?***"
    assert loggable("/accounts/password/Ab_cD-12/") == "/accounts/password/***/"
    assert loggable("/ban-tin/dang-ky/tok/") == "/ban-tin/dang-ky/***/"
    assert loggable("/console/case/CG-7K2/") == "/console/case/CG-7K2/"
