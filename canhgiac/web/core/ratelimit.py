"""Fixed-window rate limits on Django's cache (shared between workers with CACHE_URL=db)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, its address is what REMOTE_ADDR holds; trust X-Forwarded-For only
    # when told to (TRUST_X_FORWARDED_FOR=1), or anyone could pick their own address.
    from django.conf import settings

    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def allow(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one hit; False when ``key`` has used up ``limit`` hits in this window."""
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    name = f"rl:{digest}"
    if cache.add(name, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window)
        count = 1
    return count <= limit


def reset(scope: str, key: str) -> None:
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache.delete(f"rl:{digest}")
