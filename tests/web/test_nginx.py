"""A real nginx from Debian, configured by the site file we ship (deploy/nginx-canhgiac.conf,
with only its ports, paths and certificate replaced), in front of `canhgiac serve
--workers 2` on gunicorn, with production settings (no development mode): what a district
IT officer installs, on loopback.

Citizens are simulated by connecting from different loopback addresses (127.0.0.2,
127.0.0.3...: all of 127/8 is the loopback interface on Linux). nginx is needed: when
it is missing this test fails, it does not skip (`./dev test` installs it).
"""

from __future__ import annotations

import datetime
import http.client
import io
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from canhgiac.web import settings as shipped

RATE = 5
ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx-canhgiac.conf"
# Debian's nginx.conf around the site, with everything it writes in the test's folder.
NGINX_CONF = """
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    default_type application/octet-stream;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/site.conf;
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


def render_site(folder: Path, *, http_port: int, https_port: int, app_port: int) -> str:
    """The shipped site file with what an installer fills in: each replacement must find
    its line, so that the test follows the file."""
    site = SITE.read_text(encoding="utf-8")
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("/etc/letsencrypt/live/canhgiac.example.vn/fullchain.pem", str(folder / "cert.pem")),
        ("/etc/letsencrypt/live/canhgiac.example.vn/privkey.pem", str(folder / "key.pem")),
        ("/var/log/nginx/", f"{folder}/"),
        ("canhgiac.example.vn", "localhost"),
    ]:
        assert old in site, f"{SITE.name} no longer has {old!r}"
        site = site.replace(old, new)
    return site


def self_signed(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (folder / "key.pem").write_bytes(key_pem)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Stack:
    http_port: int
    https_port: int
    folder: Path
    tls: ssl.SSLContext

    def send(
        self,
        method: str,
        path: str,
        *,
        source: str = "127.0.0.2",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        https: bool = True,
    ) -> Response:
        connection: http.client.HTTPConnection
        if https:
            connection = http.client.HTTPSConnection("localhost", self.https_port, timeout=60, source_address=(source, 0), context=self.tls)
        else:
            connection = http.client.HTTPConnection("localhost", self.http_port, timeout=60, source_address=(source, 0))
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def tip(self, source: str, **headers: str) -> int:
        body = json.dumps({"channel": "an-phu-api", "text": "Có người lạ trộm xe máy ở chợ An Phú tối qua"}).encode()
        return self.send("POST", "/api/v1/intake", source=source, body=body, headers={"Content-Type": "application/json", **headers}).status

    def logs(self, tail: int = 3000) -> str:
        return "\n".join(f.read_text(errors="replace")[-tail:] for f in sorted(self.folder.glob("*.log")))


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@contextmanager
def scratch_database() -> Iterator[dict[str, str]]:
    """On PostgreSQL (DATABASE_URL set), a database of the stack's own, dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        yield {}
        return
    import psycopg

    parsed = urlparse(url)
    scratch = f"canhgiac_nginx_{secrets.token_hex(4)}"
    admin = dict(host=parsed.hostname, port=parsed.port, user=parsed.username, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as db:  # type: ignore[arg-type]
        db.execute(f"CREATE DATABASE {scratch}")
    try:
        yield {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + scratch}
    finally:
        with psycopg.connect(**admin) as db:  # type: ignore[arg-type]
            db.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx = nginx_binary()
    folder = tmp_path_factory.mktemp("stack")
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    self_signed(folder)
    (folder / "site.conf").write_text(render_site(folder, http_port=http_port, https_port=https_port, app_port=app_port))
    # Started as root, nginx's workers would run as nobody, who cannot enter pytest's folders.
    user = "user root root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(NGINX_CONF.format(dir=folder, user=user))
    with scratch_database() as database:
        # Production settings, as the env file in deploy/ gives them.
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("CANHGIAC_DEV", "TRUST_X_FORWARDED_FOR", "DATABASE_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
            },
            **database,
            "CANHGIAC_DEV": "0",  # and not from ./canhgiac.env, which `./dev run` writes with 1
            "SECRET_KEY": secrets.token_urlsafe(50),
            "CANHGIAC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "CANHGIAC_DATA_DIR": str(folder / "data"),
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": "https://localhost",
            # The browser is on https://localhost:<port>, while nginx passes Host without the port.
            "CSRF_TRUSTED_ORIGINS": f"https://localhost:{https_port}",
            "TRUSTED_PROXIES": "1",
            "BEHIND_HTTPS_PROXY": "1",
            "CANHGIAC_INTAKE_RATE": str(RATE),
            "CANHGIAC_INLINE_WORKER": "0",
            "DJANGO_SETTINGS_MODULE": "canhgiac.web.settings",
        }
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
        tls = ssl.create_default_context(cafile=str(folder / "cert.pem"))
        running = Stack(http_port=http_port, https_port=https_port, folder=folder, tls=tls)
        try:
            deadline = time.monotonic() + 180
            while True:
                assert app.poll() is None and proxy.poll() is None, running.logs()
                try:
                    if running.send("GET", "/healthz", source="127.0.0.1").status == 200:
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


def test_http_redirects_to_https_which_carries_hsts(stack: Stack) -> None:
    plain = stack.send("GET", "/gui/an-phu/?x=1", https=False, source="127.0.0.6")
    assert plain.status == 301 and plain.headers["Location"] == "https://localhost/gui/an-phu/?x=1"
    assert "Strict-Transport-Security" not in plain.headers  # meaningless, and ignored, over http
    page = stack.send("GET", "/gui/an-phu/", source="127.0.0.6")
    assert page.status == 200, page.text
    # Sent once, by the application (nginx adds none: the site file says why).
    assert page.headers.get_all("Strict-Transport-Security") == ["max-age=31536000"]
    assert "; secure" in page.headers["Set-Cookie"].lower()  # the app knows it is on https (X-Forwarded-Proto)


def test_static_files_have_hashed_names_compression_and_a_year_of_cache(stack: Stack) -> None:
    page = stack.send("GET", "/gui/an-phu/", source="127.0.0.6").text
    css = re.search(r'href="(/static/canhgiac\.[0-9a-f]{12}\.css)"', page)
    assert css, page
    static = stack.send("GET", css.group(1), headers={"Accept-Encoding": "gzip"}, source="127.0.0.6")
    assert static.status == 200 and static.headers["Content-Encoding"] == "gzip"
    cache = static.headers["Cache-Control"]
    age = re.search(r"max-age=(\d+)", cache)
    assert age and int(age.group(1)) >= 365 * 24 * 3600 and "immutable" in cache, cache
    assert static.headers.get_all("Strict-Transport-Security") == ["max-age=31536000"]
    unhashed = stack.send("GET", "/static/canhgiac.css", source="127.0.0.6")
    assert unhashed.status == 200 and "immutable" not in unhashed.headers["Cache-Control"]  # its content may change


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def _photo_post(stack: Stack, size: int, source: str) -> Response:
    """The citizen's form with three photos, the whole request exactly ``size`` bytes."""
    form = stack.send("GET", "/gui/an-phu/", source=source)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    cookie = re.search(r"csrftoken=([^;]+)", form.headers["Set-Cookie"] or "")
    assert token and cookie, form.text
    boundary = "----canhgiac" + secrets.token_hex(8)

    def part(name: str, value: bytes, filename: str = "") -> bytes:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        kind = "Content-Type: image/jpeg\r\n" if filename else ""
        return f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode() + value + b"\r\n"

    fields = part("csrfmiddlewaretoken", token.group(1).encode()) + part("text", "Ảnh xe lạ đỗ trước trường".encode())
    end = f"--{boundary}--\r\n".encode()
    jpeg = _jpeg()
    empty = [part("photos", jpeg, f"anh{i}.jpg") for i in range(3)]
    # Each photo padded after its end marker (a JPEG decoder stops there) to share the rest.
    padding = size - len(fields) - len(end) - sum(map(len, empty))
    photos = [part("photos", jpeg + b"\0" * (padding // 3 + (i < padding % 3)), f"anh{i}.jpg") for i in range(3)]
    body = fields + b"".join(photos) + end
    assert len(body) == size
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": f"csrftoken={cookie.group(1)}",
        "Origin": f"https://localhost:{stack.https_port}",
    }
    return stack.send("POST", "/gui/an-phu/", body=body, headers=headers, source=source)


def test_photos_up_to_the_limit_pass_and_more_gets_the_vietnamese_page(stack: Stack) -> None:
    limit = shipped.CANHGIAC_MAX_REQUEST_BYTES  # the shipped default
    assert f"client_max_body_size {limit};" in SITE.read_text(encoding="utf-8")  # the site file says the same
    at_limit = _photo_post(stack, limit, "127.0.0.7")
    assert at_limit.status == 303 and at_limit.headers["Location"].startswith("/gui/da-nhan/"), at_limit.text[:2000]
    # One byte more: nginx's page (the site file's), in Vietnamese, never a bare 413 or a 502.
    for over in (_photo_post(stack, limit + 1, "127.0.0.7"), _photo_post(stack, 3 * limit, "127.0.0.7")):
        assert over.status == 413 and "<h1>Chưa gửi được: ảnh quá lớn</h1>" in over.text and "tel:113" in over.text, over.text
        assert over.headers["Content-Type"] == "text/html; charset=utf-8"


def test_no_address_no_query_string_and_no_token_in_any_log(stack: Stack) -> None:
    stack.send("GET", "/theo-doi/?key=BIMAT-123", source="127.0.0.8")
    assert stack.tip("127.0.0.8") == 201
    # Secrets carried in a path: a one-time password link, a check-in token.
    stack.send("GET", "/accounts/password/MATKHAU-456/", source="127.0.0.8")
    stack.send("GET", "/co-mat/DIEMDANH-789/", source="127.0.0.8")
    logs = stack.logs(tail=10_000_000)
    assert '"GET /theo-doi/"' in logs and '"POST /api/v1/intake" 201' in logs  # both access logs, gunicorn's and nginx's
    assert logs.count('"GET /accounts/password/***/"') == 2  # gunicorn's line and nginx's
    assert "BIMAT-123" not in logs and "127.0.0.8" not in logs
    assert "MATKHAU-456" not in logs and "DIEMDANH-789" not in logs
