"""The send API of SMS Gateway for Android, in local mode: the phone's own HTTP server on
the office network, with basic authentication (``swagger.json`` of the app: ``POST
/messages`` answers 202 with the message's state; 409 when a message of that ID exists).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT = 10  # seconds: an old phone on Wi-Fi answers slowly, a dead one not at all

# Codes of failures that are the phone's, not the recipient's (for the channel's health).
OFFLINE = -1  # nothing answered: the phone is off, asleep, off the network, or its app stopped
NOT_JSON = -2


class GatewayError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code

    @property
    def about_recipient(self) -> bool:
        """The phone refused this message (a malformed number): trying again changes nothing."""
        return self.code in (400, 422)


@dataclass(frozen=True, slots=True)
class Accepted:
    provider_id: str
    state: str
    already: bool = False  # the phone had it already (a retry of a send that got through)


def send_body(message_id: str, number: str, text: str, sim_number: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": message_id,
        "textMessage": {"text": text},
        "phoneNumbers": [number],
        "withDeliveryReport": True,
    }
    if sim_number:
        body["simNumber"] = sim_number
    return body


def send(base_url: str, username: str, password: str, body: dict[str, Any]) -> Accepted:
    """Hand one message to the phone; it splits it into parts and sends it."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(
        base_url.rstrip("/") + "/messages",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 409:
            return Accepted(str(body["id"]), "Pending", already=True)
        raise GatewayError(exc.code, f"HTTP {exc.code}: {_message(exc)}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise GatewayError(OFFLINE, f"no answer from the phone: {exc}") from exc
    try:
        answer = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise GatewayError(NOT_JSON, "answer is not JSON") from exc
    if not isinstance(answer, dict):
        raise GatewayError(NOT_JSON, "answer is not a JSON object")
    return Accepted(str(answer.get("id") or body["id"]), str(answer.get("state") or ""))


def _message(error: urllib.error.HTTPError) -> str:
    """The phone's explanation of an error, if it gave one."""
    try:
        answer = json.loads(error.read(4096))
    except (ValueError, RecursionError, OSError):
        return ""
    return str(answer.get("message", ""))[:200] if isinstance(answer, dict) else ""
