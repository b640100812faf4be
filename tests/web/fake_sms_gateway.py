"""A fake SMS Gateway for Android on loopback, for tests: the phone's send API (``POST
/messages``, basic auth, 202 / 409 as the app answers) recording what it is sent, a phone
that can go offline and come back on the same address, and the webhook events the phone
would send, signed as the app signs them."""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.test import Client

from canhgiac.web.channels.sms.signature import expected_signature

DEVICE = "ffffffffceb0b1db0000018e937c815b"


class FakeSmsGateway:
    def __init__(self, username: str = "sms", password: str = "mat-khau-dien-thoai") -> None:
        self.username, self.password = username, password
        self.requests: list[dict[str, Any]] = []  # every send request, taken or not
        self.sent: list[dict[str, Any]] = []  # the messages the phone took (one per ID)
        self.fail_next = 0  # answer HTTP 500 this many times
        self.drop_after_taking_next = 0  # take the message, then drop the connection unanswered
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # ---------------------------------------------------------------- the phone's server

    def _handler(self) -> type[BaseHTTPRequestHandler]:
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
                if self.path != "/messages":
                    self._answer(404, {"message": "not found"})
                    return
                expected = "Basic " + base64.b64encode(f"{fake.username}:{fake.password}".encode()).decode()
                body = json.loads(raw)
                fake.requests.append(body)
                if self.headers.get("Authorization") != expected:
                    self._answer(401, {"message": "Unauthorized"})
                    return
                if fake.fail_next > 0:
                    fake.fail_next -= 1
                    self._answer(500, {"message": "internal error"})
                    return
                if not body.get("phoneNumbers") or not str(body["phoneNumbers"][0]).startswith("+"):
                    self._answer(400, {"message": "invalid phone number"})
                    return
                if any(s["id"] == body.get("id") for s in fake.sent):
                    self._answer(409, {"message": "Message with such ID already exists"})
                    return
                message = {"id": body.get("id") or secrets.token_urlsafe(15)[:21], **{k: v for k, v in body.items() if k != "id"}}
                fake.sent.append(message)
                if fake.drop_after_taking_next > 0:
                    fake.drop_after_taking_next -= 1
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(2)
                    return
                recipients = [{"phoneNumber": n, "state": "Pending"} for n in body["phoneNumbers"]]
                self._answer(202, {"id": message["id"], "deviceId": DEVICE, "state": "Pending", "recipients": recipients})

        return Handler

    def _start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def go_offline(self) -> None:
        """The phone is off: nothing listens at its address (connection refused)."""
        self._stop()

    def come_back(self) -> None:
        self._start()

    def __enter__(self) -> FakeSmsGateway:
        self._start()
        return self

    def __exit__(self, *args: Any) -> None:
        self._stop()

    def texts(self) -> list[str]:
        return [str(s["textMessage"]["text"]) for s in self.sent]

    # --------------------------------------------------------------- the phone's webhooks

    @staticmethod
    def event(name: str, payload: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "deviceId": DEVICE,
            "event": name,
            "id": event_id or secrets.token_urlsafe(15)[:21],
            "payload": payload,
            "webhookId": "LreFUt-Z3sSq0JufY9uWB",
        }

    @staticmethod
    def post(url: str, body: bytes, signing_key: str, *, timestamp: int | None = None, signature: str | None = None) -> Any:
        """POST a webhook as the app does: signed over the body and the timestamp."""
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        if signature is None:
            signature = expected_signature(signing_key, body, stamp)
        return Client().post(url, data=body, content_type="application/json", HTTP_X_SIGNATURE=signature, HTTP_X_TIMESTAMP=stamp)

    def report(self, index: int, name: str, reason: str = "") -> dict[str, Any]:
        """The phone's report on the ``index``-th message it took."""
        message = self.sent[index]
        payload: dict[str, Any] = {"messageId": message["id"], "recipient": message["phoneNumbers"][0], "simNumber": 1}
        payload["phoneNumber"] = payload["recipient"]
        if name == "sms:delivered":
            payload["deliveredAt"] = "2026-11-30T15:05:00.000+07:00"
        elif name == "sms:failed":
            payload.update(failedAt="2026-11-30T15:05:00.000+07:00", reason=reason)
        elif name == "sms:sent":
            payload.update(sentAt="2026-11-30T15:04:30.000+07:00", partsCount=1)
        return self.event(name, payload)
