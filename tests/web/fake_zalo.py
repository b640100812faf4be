"""A fake Zalo Official Account API on loopback, for tests: it answers with the recorded
answers in canhgiac/web/channels/zalo/fixtures/api/, records what it is sent and
uploaded, serves the media of incoming events until told their links expired, and can be
told to fail, stall, report an expired token, or refuse a token refresh."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API = Path(__file__).resolve().parents[2] / "canhgiac" / "web" / "channels" / "zalo" / "fixtures" / "api"
CDN = "https://zalo-cdn.example"  # where recorded events say media are: the fake serves them


def answer(name: str, **fill: str) -> dict[str, Any]:
    """A recorded answer with its upper-case placeholders filled in."""
    text = (API / f"{name}.json").read_text(encoding="utf-8")
    for key, value in fill.items():
        text = text.replace(key, value)
    result: dict[str, Any] = json.loads(text)
    return result


class FakeZalo:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.refreshes: list[dict[str, str]] = []
        self.uploads: list[dict[str, Any]] = []
        self.downloads: list[str] = []
        self.media: dict[str, tuple[bytes, str]] = {}  # path -> (content, type), served on GET
        self.media_expired = False  # Zalo's links do not last: every media path answers 404
        self.fail_next = 0  # answer HTTP 500 this many times
        self.stall_next = 0  # answer after `stall_seconds` this many times
        self.stall_seconds = 2.0  # a stalled request ends in 504, not taken
        self.latency = 0.0  # seconds before every answer, as over a real network
        self.expired_next = 0  # answer error -216 (token expired) this many times
        self.refuse_refresh = False  # the refresh token is spent or revoked
        self.valid_tokens = {"access-token-1"}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                fake.downloads.append(self.path)
                if fake.media_expired or self.path not in fake.media:
                    self._answer(404, {"error": 404})
                    return
                content, mime = fake.media[self.path]
                self.send_response(200)
                self.send_header("Content-Type", mime)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def _token_refused(self) -> bool:
                if fake.expired_next > 0 or self.headers.get("access_token") not in fake.valid_tokens:
                    fake.expired_next = max(0, fake.expired_next - 1)
                    self._answer(200, answer("token_expired"))
                    return True
                return False

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/v4/oa/access_token":
                    form = dict(urllib.parse.parse_qsl(raw.decode()))
                    fake.refreshes.append({**form, "secret_key": self.headers.get("secret_key", "")})
                    if fake.refuse_refresh:
                        self._answer(200, answer("refresh_refused"))
                        return
                    n = str(len(fake.refreshes) + 1)
                    fake.valid_tokens.add(f"access-token-{n}")
                    self._answer(200, answer("refresh_ok", ACCESS_TOKEN=f"access-token-{n}", REFRESH_TOKEN=f"refresh-token-{n}"))
                    return
                if self.path == "/v2.0/oa/upload/image":
                    if self._token_refused():
                        return
                    fake.uploads.append({"content_type": self.headers.get("Content-Type", ""), "body": raw})
                    self._answer(200, answer("upload_image_ok", ATTACHMENT_ID=f"att-{len(fake.uploads)}"))
                    return
                if self.path != "/v3.0/oa/message/cs":
                    self._answer(404, {"error": 404})
                    return
                if fake.stall_next > 0:
                    # A gateway that hangs and then gives up: the message is not taken.
                    fake.stall_next -= 1
                    time.sleep(fake.stall_seconds)
                    with contextlib.suppress(OSError):  # the client may have given up
                        self._answer(504, {"error": -1})
                    return
                if fake.fail_next > 0:
                    fake.fail_next -= 1
                    self._answer(500, {"error": -1})
                    return
                if self._token_refused():
                    return
                body = json.loads(raw)
                # Taken before the answer, as on a real server: a client that dies while
                # waiting has still sent the message.
                fake.sent.append({"body": body, "access_token": self.headers.get("access_token")})
                time.sleep(fake.latency)
                with contextlib.suppress(OSError):  # the client may have died meanwhile
                    self._answer(200, answer("message_cs_ok", MESSAGE_ID=f"oa-msg-{len(fake.sent)}", USER_ID=body["recipient"]["user_id"]))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeZalo:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def texts(self) -> list[str]:
        return [s["body"]["message"].get("text", "") for s in self.sent]
