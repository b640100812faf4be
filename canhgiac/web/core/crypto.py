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
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["is_current", "lookup_hash", "lookup_hashes", "new_key", "reseal", "seal", "unseal"]


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


def _keys() -> list[str]:
    return [k.strip() for k in str(settings.ENCRYPTION_KEY).split(",") if k.strip()]


def _lookup(key: str, kind: str, value: str) -> str:
    secret = hashlib.sha256(b"canhgiac-lookup:" + base64.urlsafe_b64decode(key.encode())).digest()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def lookup_hash(kind: str, value: str) -> str:
    """A keyed hash to find a value again without storing it, under the first key: the
    one to store."""
    return _lookup(_keys()[0], kind, value)


def lookup_hashes(kind: str, value: str) -> list[str]:
    """The hash under every configured key, first key first: what to look for, so that a
    value stored before a key rotation (``new,old``) is still found."""
    return [_lookup(key, kind, value) for key in _keys()]


@lru_cache(maxsize=4)
def _first(key: str) -> Fernet:
    return Fernet(key.encode())


def is_current(token: str) -> bool:
    """Whether a sealed value is already under the first key (nothing to rotate)."""
    if not token:
        return True
    try:
        _first(_keys()[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reseal(token: str) -> str:
    """The same value sealed under the first key (Fernet's rotation: decrypt with any
    key, encrypt with the first)."""
    if not token:
        return ""
    try:
        return _fernet(settings.ENCRYPTION_KEY).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong CANHGIAC_ENCRYPTION_KEY?") from exc


def rotate_keys(batch_size: int = 500, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """After a new key is put first (``CANHGIAC_ENCRYPTION_KEY=new,old``): every sealed
    value (each model's ``*_sealed`` fields: contacts, channel user IDs, channel secrets)
    is sealed again under the new key, and the reporters' lookup hashes recomputed under
    it, so that the old key can then be dropped. In batches, each in its own
    transaction; a value already under the new key is left alone, so running it again
    (or after an interruption) only finishes the work. Returns what changed, by field."""
    from django.apps import apps

    from canhgiac.web.core.db import writing

    changed: dict[str, int] = {}
    for model in apps.get_models():
        sealed = [f.name for f in model._meta.concrete_fields if f.name.endswith("_sealed")]
        hashes = LOOKUP_HASHES.get(model._meta.label)
        if not sealed:
            continue
        for name in sealed:
            changed[f"{model._meta.label}.{name}"] = 0
        if hashes:
            changed[f"{model._meta.label}.{hashes[0]}"] = 0
        last = 0
        while True:
            with writing():
                rows = model._default_manager.select_for_update().filter(pk__gt=last).order_by("pk")
                if hashes:
                    rows = rows.select_related("channel").select_for_update(of=("self",))
                batch = list(rows[:batch_size])
                for row in batch:
                    update = {name: reseal(getattr(row, name)) for name in sealed if not is_current(getattr(row, name))}
                    if hashes and (current := _chat_user_hash(row, *hashes)) != getattr(row, hashes[0]):
                        update[hashes[0]] = current
                    for name in update:
                        changed[f"{model._meta.label}.{name}"] += 1
                    if update:
                        model._default_manager.filter(pk=row.pk).update(**update)
            if not batch:
                break
            last = batch[-1].pk
            if progress is not None:
                progress(model._meta.label, len(batch))
    return changed


# Rows found again by a keyed hash of a sealed chat user ID (hash field, sealed field),
# both scoped by their channel: the hashes are recomputed under the new key as well.
LOOKUP_HASHES = {
    "cases.Reporter": ("channel_user_hash", "channel_user_sealed"),
    "accounts.OfficerChat": ("chat_user_hash", "chat_user_sealed"),
}


def _chat_user_hash(row: Any, hash_field: str, sealed_field: str) -> str:
    """A row's lookup hash under the first key (unchanged where no chat user is sealed)."""
    if not getattr(row, sealed_field) or row.channel is None:
        return str(getattr(row, hash_field))
    return lookup_hash(f"{row.channel.kind}:{row.channel_id}", unseal(getattr(row, sealed_field)))
