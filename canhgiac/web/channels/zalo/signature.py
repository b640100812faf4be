"""Zalo's webhook signature: the one place its formula lives.

Known from public write-ups (../shared/ZALO.md): header ``X-ZEvent-Signature`` is the hex
SHA-256 of ``app_id + raw body + timestamp + OA secret key``, the timestamp taken from
the body, sometimes with a ``mac=`` prefix. Other accounts differ (an HMAC, the app
secret); this has not been checked against a live event, so if Zalo's real events fail
to verify, this function is what to correct.
"""

from __future__ import annotations

import hashlib
import hmac


def expected_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def signature_matches(header: str, app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    if not given or not oa_secret_key:
        return False
    return hmac.compare_digest(given.lower(), expected_signature(app_id, body, timestamp, oa_secret_key))
