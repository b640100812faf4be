"""Sending through Zalo's Official Account API (customer-service messages), with token
refresh. Requests go to ZALO_API_BASE / ZALO_OAUTH_BASE, which tests point at a fake
server on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from canhgiac.web.intake.models import Channel

MAX_TEXT = 2000
TIMEOUT = 10
# Error codes Zalo gives for an expired or invalid access token.
TOKEN_ERRORS = {-216, -124, -14014}


class ZaloError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long answer into messages Zalo accepts, at line or word breaks."""
    text = text.strip()
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def cs_message_body(user_id: str, text: str, reply_to: str = "", image_url: str = "") -> dict[str, Any]:
    """The body of a customer-service message. Replying with the user's message ID makes
    it count as a reply (in Zalo's free window) rather than a paid proactive message. An
    image goes as a media template that Zalo fetches from ``image_url``."""
    recipient: dict[str, str] = {"user_id": user_id}
    if reply_to:
        recipient["message_id"] = reply_to
    message: dict[str, Any] = {"text": text}
    if image_url:
        element = {"media_type": "image", "url": image_url}
        message["attachment"] = {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
    return {"recipient": recipient, "message": message}


def _post(url: str, *, headers: dict[str, str], data: bytes) -> dict[str, Any]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise ZaloError(exc.code, f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise ZaloError(-1, f"network: {exc}") from exc
    try:
        result: dict[str, Any] = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ZaloError(-2, "response is not JSON") from exc
    return result


class ZaloClient:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def access_token(self) -> str:
        expires = self.channel.token_expires_at
        if not self.channel.access_token_sealed or (expires is not None and expires <= timezone.now() + timedelta(minutes=5)):
            self.refresh()
        return self.channel.secret("access_token")

    def refresh(self) -> None:
        """Exchange the refresh token for a new access token (and a new refresh token)."""
        form = urllib.parse.urlencode(
            {"refresh_token": self.channel.secret("refresh_token"), "app_id": self.channel.app_id, "grant_type": "refresh_token"}
        )
        result = _post(
            f"{settings.ZALO_OAUTH_BASE}/v4/oa/access_token",
            headers={"secret_key": self.channel.secret("app_secret"), "Content-Type": "application/x-www-form-urlencoded"},
            data=form.encode(),
        )
        if "access_token" not in result:
            raise ZaloError(
                int(result.get("error", -3) or -3), str(result.get("message") or result.get("error_description") or "no access_token")
            )
        self.channel.set_secret("access_token", str(result["access_token"]))
        if result.get("refresh_token"):
            self.channel.set_secret("refresh_token", str(result["refresh_token"]))
        self.channel.token_expires_at = timezone.now() + timedelta(seconds=int(result.get("expires_in", 90000)))
        self.channel.save(update_fields=["access_token_sealed", "refresh_token_sealed", "token_expires_at"])

    def send_text(self, user_id: str, text: str, reply_to: str = "", image_url: str = "") -> str:
        """Send one message of at most 2,000 characters; returns Zalo's message ID."""
        for attempt in range(2):
            body = json.dumps(cs_message_body(user_id, text, reply_to, image_url)).encode()
            result = _post(
                f"{settings.ZALO_API_BASE}/v3.0/oa/message/cs",
                headers={"access_token": self.access_token(), "Content-Type": "application/json"},
                data=body,
            )
            code = int(result.get("error", 0) or 0)
            if code == 0:
                data = result.get("data") or {}
                return str(data.get("message_id", "")) if isinstance(data, dict) else ""
            if code in TOKEN_ERRORS and attempt == 0:
                self.refresh()
                continue
            raise ZaloError(code, str(result.get("message", "")))
        raise ZaloError(-3, "token refresh did not help")
