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

from canhgiac.web.core.db import writing
from canhgiac.web.intake import health
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


def _expiring(channel: Channel) -> bool:
    expires = channel.token_expires_at
    return not channel.access_token_sealed or (expires is not None and expires <= timezone.now() + timedelta(minutes=5))


class ZaloClient:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def access_token(self) -> str:
        if _expiring(self.channel):
            self.refresh()
        return self.channel.secret("access_token")

    def refresh(self) -> None:
        """Exchange the refresh token for a new access token (and a new refresh token).

        Zalo's refresh token is good for one exchange, and several workers send at once:
        the channel's row is locked for the exchange, and a worker that finds the tokens
        changed since it read them takes the other worker's instead of spending the same
        refresh token again (which Zalo would refuse, leaving the channel with none).
        The lock is held during the request: on SQLite other writers wait that long too,
        about once a day, at most ``TIMEOUT`` seconds.
        """
        seen = (self.channel.secret("access_token"), self.channel.secret("refresh_token"))
        with writing():
            channel = Channel.objects.select_for_update().get(pk=self.channel.pk)
            if (channel.secret("access_token"), channel.secret("refresh_token")) != seen and not _expiring(channel):
                self._take(channel)
                return
            self._exchange(channel)
            channel.save(update_fields=["access_token_sealed", "refresh_token_sealed", "token_expires_at"])
        self._take(channel)

    def _take(self, channel: Channel) -> None:
        for field in ("access_token_sealed", "refresh_token_sealed", "token_expires_at"):
            setattr(self.channel, field, getattr(channel, field))

    def _exchange(self, channel: Channel) -> None:
        form = urllib.parse.urlencode(
            {"refresh_token": channel.secret("refresh_token"), "app_id": channel.app_id, "grant_type": "refresh_token"}
        )
        result = _post(
            f"{settings.ZALO_OAUTH_BASE}/v4/oa/access_token",
            headers={"secret_key": channel.secret("app_secret"), "Content-Type": "application/x-www-form-urlencoded"},
            data=form.encode(),
        )
        if "access_token" not in result:
            raise ZaloError(
                int(result.get("error", -3) or -3), str(result.get("message") or result.get("error_description") or "no access_token")
            )
        channel.set_secret("access_token", str(result["access_token"]))
        if result.get("refresh_token"):
            channel.set_secret("refresh_token", str(result["refresh_token"]))
        channel.token_expires_at = timezone.now() + timedelta(seconds=int(result.get("expires_in", 90000)))

    def send_text(self, user_id: str, text: str, reply_to: str = "", image_url: str = "") -> str:
        """Send one message of at most 2,000 characters; returns Zalo's message ID. The
        outcome is the channel's health, shown on every console page (intake/health.py)."""
        try:
            message_id = self._send_text(user_id, text, reply_to, image_url)
        except ZaloError as exc:
            health.send_failed(self.channel, exc.code, str(exc))
            raise
        health.sent_ok(self.channel)
        return message_id

    def _send_text(self, user_id: str, text: str, reply_to: str, image_url: str) -> str:
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
