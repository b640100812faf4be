"""Encryption at rest for what could identify a reporter: contact details, channel user
IDs, and channel secrets.

``CANHGIAC_ENCRYPTION_KEY`` holds one or more Fernet keys, comma-separated: the first
encrypts, all decrypt, so a key can be rotated without losing old data. Values that must
be found again (a Zalo user's ID, to thread their messages) are also stored as a keyed
hash, never in the clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["lookup_hash", "new_key", "seal", "unseal"]


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
    except ValueError as exc:
        raise ValueError("CANHGIAC_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes); make one with: canhgiac keys") from exc


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(value: str) -> str:
    """Encrypt a value for the database; "" stays "" (nothing to hide)."""
    if not value:
        return ""
    return _fernet(settings.ENCRYPTION_KEY).encrypt(value.encode("utf-8")).decode()


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.ENCRYPTION_KEY).decrypt(token.encode()).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong CANHGIAC_ENCRYPTION_KEY?") from exc


def lookup_hash(kind: str, value: str) -> str:
    """A keyed hash to find a value again without storing it."""
    first_key = settings.ENCRYPTION_KEY.split(",")[0].strip().encode()
    secret = hashlib.sha256(b"canhgiac-lookup:" + base64.urlsafe_b64decode(first_key)).digest()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
