"""The webhook signature of SMS Gateway for Android: the one place its formula lives.

From the app's source (``PayloadSingingPlugin.kt``): header ``X-Signature`` is the hex
HMAC-SHA256, keyed with the signing key set in the app (its UTF-8 bytes), of the raw
request body immediately followed by the ``X-Timestamp`` header (Unix seconds).
"""

from __future__ import annotations

import hashlib
import hmac


def expected_signature(signing_key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def signature_matches(header: str, signing_key: str, body: bytes, timestamp: str) -> bool:
    given = header.strip().lower()
    if not given or not signing_key or not timestamp:
        return False
    return hmac.compare_digest(given.encode(), expected_signature(signing_key, body, timestamp).encode())
