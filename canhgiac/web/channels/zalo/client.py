"""Zalo's Official Account API: customer-service messages, image uploads, token refresh.
Requests go to ZALO_API_BASE / ZALO_OAUTH_BASE, which tests point at a fake server on
loopback. Every formula Zalo's documentation might correct lives here once
(../shared/ZALO.md)."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
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
    from canhgiac.web.channels.dispatch import split_text as split

    return split(text, limit)


def cs_message_body(user_id: str, text: str = "", reply_to: str = "", attachment_id: str = "") -> dict[str, Any]:
    """The body of a customer-service message. A reply names the user's message twice:
    in the recipient, which makes it count as a reply (in Zalo's free window) rather than
    a paid proactive message, as first documented; and as ``quote_message_id``, which
    shows the citizen which message is answered, as a production implementation sends it.
    An image goes as a media template naming an image uploaded first (``upload_image``)."""
    recipient: dict[str, str] = {"user_id": user_id}
    message: dict[str, Any] = {}
    if text:
        message["text"] = text
    if reply_to:
        recipient["message_id"] = reply_to
        message["quote_message_id"] = reply_to
    if attachment_id:
        element = {"media_type": "image", "attachment_id": attachment_id}
        message["attachment"] = {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
    return {"recipient": recipient, "message": message}


def _multipart(field: str, filename: str, mime: str, data: bytes) -> tuple[bytes, str]:
    boundary = f"canhgiac-{secrets.token_hex(12)}"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'
    return head.encode() + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _post(url: str, *, headers: dict[str, str], data: bytes) -> dict[str, Any]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise ZaloError(exc.code, f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise ZaloError(health.NETWORK, f"network: {exc}") from exc
    try:
        result: dict[str, Any] = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ZaloError(health.NOT_JSON, "response is not JSON") from exc
    if not isinstance(result, dict):
        raise ZaloError(health.NOT_JSON, "response is not a JSON object")
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

        A refusal is the channel's problem, not one message's: it is raised as
        ``health.REFRESH_FAILED`` so the console tells officers the token needs renewing.
        """
        seen = (self.channel.secret("access_token"), self.channel.secret("refresh_token"))
        try:
            with writing():
                channel = Channel.objects.select_for_update().get(pk=self.channel.pk)
                if (channel.secret("access_token"), channel.secret("refresh_token")) != seen and not _expiring(channel):
                    self._take(channel)
                    return
                self._exchange(channel)
                channel.save(update_fields=["access_token_sealed", "refresh_token_sealed", "token_expires_at"])
        except ZaloError as exc:
            if exc.code == health.NETWORK:  # Zalo unreachable says nothing about the token
                raise
            raise ZaloError(health.REFRESH_FAILED, f"token refresh refused: {exc}") from exc
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

    def send_text(self, user_id: str, text: str, reply_to: str = "") -> str:
        """Send one message of at most 2,000 characters; returns Zalo's message ID."""
        return self.send(cs_message_body(user_id, text, reply_to))

    def send_image(self, user_id: str, image: bytes, mime: str, caption: str = "", reply_to: str = "") -> str:
        """Upload an image, then send it (with ``caption`` as the message's text)."""
        attachment_id = self.upload_image(image, mime)
        return self.send(cs_message_body(user_id, caption, reply_to, attachment_id))

    def send(self, body: dict[str, Any]) -> str:
        """Send a customer-service message; returns Zalo's message ID. The outcome is the
        channel's health, shown on every console page (intake/health.py)."""
        payload = json.dumps(body).encode()
        result = self._recorded(
            lambda token: _post(
                f"{settings.ZALO_API_BASE}/v3.0/oa/message/cs",
                headers={"access_token": token, "Content-Type": "application/json"},
                data=payload,
            )
        )
        data = result.get("data")
        return str(data.get("message_id", "")) if isinstance(data, dict) else ""

    def upload_image(self, image: bytes, mime: str) -> str:
        """Upload an image to Zalo; returns the attachment ID a message names."""
        extension = "png" if mime == "image/png" else "jpg"
        data, content_type = _multipart("file", f"image.{extension}", mime, image)
        result = self._recorded(
            lambda token: _post(
                f"{settings.ZALO_API_BASE}/v2.0/oa/upload/image",
                headers={"access_token": token, "Content-Type": content_type},
                data=data,
            )
        )
        found = result.get("data")
        attachment_id = str(found.get("attachment_id", "")) if isinstance(found, dict) else ""
        if not attachment_id:
            raise ZaloError(-3, "upload answered without an attachment_id")
        return attachment_id

    def _recorded(self, call: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        try:
            result = self._with_token(call)
        except ZaloError as exc:
            health.send_failed(self.channel, exc.code, str(exc))
            raise
        health.sent_ok(self.channel)
        return result

    def _with_token(self, call: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """Call Zalo with the access token; an expired token (-216) is refreshed, under the
        channel's lock, and the call made once more."""
        for attempt in range(2):
            result = call(self.access_token())
            code = int(result.get("error", 0) or 0)
            if code == 0:
                return result
            if code in TOKEN_ERRORS and attempt == 0:
                self.refresh()
                continue
            raise ZaloError(code, str(result.get("message", "")))
        raise ZaloError(-3, "token refresh did not help")
