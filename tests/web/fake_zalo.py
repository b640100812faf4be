"""A fake Zalo Official Account API on loopback, for tests: it records what it is sent
and can be told to fail, stall, or report an expired token."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeZalo:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.refreshes: list[dict[str, str]] = []
        self.fail_next = 0  # answer HTTP 500 this many times
        self.stall_next = 0  # answer after `stall_seconds` this many times
        self.stall_seconds = 2.0  # a stalled request ends in 504, not taken
        self.latency = 0.0  # seconds before every answer, as over a real network
        self.expired_next = 0  # answer error -216 (token expired) this many times
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

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/v4/oa/access_token":
                    form = dict(urllib.parse.parse_qsl(raw.decode()))
                    fake.refreshes.append({**form, "secret_key": self.headers.get("secret_key", "")})
                    token = f"access-token-{len(fake.refreshes) + 1}"
                    fake.valid_tokens.add(token)
                    self._answer(
                        200, {"access_token": token, "refresh_token": f"refresh-token-{len(fake.refreshes) + 1}", "expires_in": "90000"}
                    )
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
                if fake.expired_next > 0 or self.headers.get("access_token") not in fake.valid_tokens:
                    fake.expired_next = max(0, fake.expired_next - 1)
                    self._answer(200, {"error": -216, "message": "Access token is invalid"})
                    return
                body = json.loads(raw)
                # Taken before the answer, as on a real server: a client that dies while
                # waiting has still sent the message.
                fake.sent.append({"body": body, "access_token": self.headers.get("access_token")})
                time.sleep(fake.latency)
                with contextlib.suppress(OSError):  # the client may have died meanwhile
                    self._answer(
                        200,
                        {
                            "error": 0,
                            "message": "Success",
                            "data": {"message_id": f"oa-msg-{len(fake.sent)}", "user_id": body["recipient"]["user_id"]},
                        },
                    )

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
        return [s["body"]["message"]["text"] for s in self.sent]
