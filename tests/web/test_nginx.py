"""A real nginx from Debian in front of `canhgiac serve --workers 2`, as in production:
citizens are told apart by the address nginx saw, not by what they write in
X-Forwarded-For, and a limit is exact however many processes count it.

Citizens are simulated by connecting from different loopback addresses (127.0.0.2,
127.0.0.3...: all of 127/8 is the loopback interface on Linux). nginx is needed: when
it is missing this test fails, it does not skip (`./dev test` installs it).
"""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

RATE = 5
ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    log_format fwd "$remote_addr [$proxy_add_x_forwarded_for] $status";
    access_log {dir}/access.log fwd;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size {max_body};
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    assert found, "nginx is needed for this test: apt-get install nginx-light (./dev test does it)"
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Stack:
    port: int
    folder: Path

    def request(
        self, method: str, path: str, *, source: str = "127.0.0.2", body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(source, 0))
        try:
            data = json.dumps(body).encode() if body is not None else None
            connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def tip(self, source: str, **headers: str) -> int:
        body = {"channel": "an-phu-api", "text": "Có người lạ trộm xe máy ở chợ An Phú tối qua"}
        return self.request("POST", "/api/v1/intake", source=source, body=body, headers=headers)[0]

    def logs(self) -> str:
        return "\n".join(f.read_text(errors="replace")[-3000:] for f in sorted(self.folder.glob("*.log")))


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture
def stack(scratch_env: dict[str, str], tmp_path: Path) -> Iterator[Stack]:
    nginx = nginx_binary()
    folder = tmp_path / "stack"
    folder.mkdir()
    max_body = 12_000_000
    env = {
        **scratch_env,
        "TRUSTED_PROXIES": "1",
        "CANHGIAC_INTAKE_RATE": str(RATE),
        "CANHGIAC_MAX_REQUEST_BYTES": str(max_body),
        "CANHGIAC_INLINE_WORKER": "0",
    }
    env.pop("TRUST_X_FORWARDED_FOR", None)
    app_port, port = free_port(), free_port()
    (folder / "nginx.conf").write_text(NGINX_CONF.format(dir=folder, port=port, app_port=app_port, max_body=max_body))
    with (folder / "serve.log").open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "canhgiac.cli", "serve", "--host", "127.0.0.1", "--port", str(app_port), "--workers", "2", "--demo"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        proxy = subprocess.Popen(
            [nginx, "-p", str(folder), "-e", str(folder / "nginx-error.log"), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Stack(port=port, folder=folder)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert app.poll() is None and proxy.poll() is None, running.logs()
            try:
                if running.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, running.logs()
            time.sleep(0.2)
        yield running
    finally:
        _stop(proxy)
        _stop(app)


def test_citizens_are_told_apart_by_the_address_nginx_saw(stack: Stack) -> None:
    first = [stack.tip("127.0.0.2") for _ in range(RATE + 1)]
    assert first == [201] * RATE + [429], stack.logs()
    assert stack.tip("127.0.0.3") == 201  # another citizen, the same proxy in front
    # Writing any address in front of the one nginx appends changes nothing.
    assert stack.tip("127.0.0.2", **{"X-Forwarded-For": "203.0.113.77"}) == 429
    assert stack.tip("127.0.0.3", **{"X-Forwarded-For": "127.0.0.2"}) == 201


def test_a_limit_is_exact_across_two_processes(stack: Stack) -> None:
    # Sent all at once, so that both processes take some: each would have allowed RATE
    # on its own if it counted in its memory.
    sources = ["127.0.0.4"] * (3 * RATE) + ["127.0.0.5"] * (3 * RATE)
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        statuses = list(pool.map(stack.tip, sources))
    by_source = {s: sorted(code for src, code in zip(sources, statuses, strict=True) if src == s) for s in set(sources)}
    for codes in by_source.values():
        assert codes == [201] * RATE + [429] * (2 * RATE), stack.logs()
