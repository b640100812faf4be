"""System checks for a deployment, in the manner of healthchecks' ``hc/api/apps.py``.

Django runs the ones without a tag before every management command and at ``canhgiac
serve``; ``canhgiac manage check --deploy`` adds those tagged ``deploy``. Each says what
is wrong and what to write in the env file, so a district IT officer can fix it without
reading the code. IDs are stable (``canhgiac.E001``...) so that one can be silenced in
SILENCED_SYSTEM_CHECKS when a deployment knowingly differs.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

# The fixed development keys of settings.py: public, so never acceptable outside development.
DEV_SECRET_PREFIX = "dev-only-"
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="


def _is_local(host: str) -> bool:
    """localhost, a loopback address or a name only this machine resolves."""
    host = host.strip("[]").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_allowed(host: str, allowed: Sequence[str]) -> bool:
    for pattern in allowed:
        if pattern == "*" or pattern == host:
            return True
        if pattern.startswith(".") and (host == pattern[1:] or host.endswith(pattern)):
            return True
    return False


def _workers() -> int:
    """The number of server processes `canhgiac serve` starts (settings.CANHGIAC_WORKERS;
    0 means one per core, as serve decides)."""
    configured: int = getattr(settings, "CANHGIAC_WORKERS", 0)
    return configured or max(1, min(4, os.cpu_count() or 1))


@register(Tags.security)
def check_keys(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The keys exist (settings.py refuses to start without them); here: they are usable,
    and the public development keys never reach production."""
    from cryptography.fernet import Fernet

    errors: list[CheckMessage] = []
    for number, key in enumerate(k.strip() for k in str(settings.ENCRYPTION_KEY).split(",")):
        try:
            Fernet(key)
        except ValueError:
            errors.append(
                Error(
                    f"CANHGIAC_ENCRYPTION_KEY: key {number + 1} is not a Fernet key (32 bytes, url-safe base64).",
                    hint="Generate one with `canhgiac keys`; keep the old one after the new one while rotating.",
                    id="canhgiac.E001",
                )
            )
    if not settings.DEV and (str(settings.SECRET_KEY).startswith(DEV_SECRET_PREFIX) or DEV_ENCRYPTION_KEY in str(settings.ENCRYPTION_KEY)):
        errors.append(
            Error(
                "The public development keys are set outside development.",
                hint="Generate real keys with `canhgiac keys` and put them in the env file.",
                id="canhgiac.E002",
            )
        )
    return errors


@register()
def check_folders(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Photos and (on SQLite) the database are written where the service can write."""
    errors: list[CheckMessage] = []
    folders = {"MEDIA_ROOT": Path(settings.MEDIA_ROOT)}
    if str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        folders["CANHGIAC_DATA_DIR"] = Path(settings.DATA_DIR)
    for name, folder in folders.items():
        # A folder not made yet is made at first use: its nearest existing parent counts.
        existing = folder
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            errors.append(
                Error(
                    f"{name} ({folder}) is not writable by this user ({_user()}).",
                    hint=f"chown the folder to the service user, or point {name} at a folder it owns.",
                    id="canhgiac.E003",
                )
            )
    return errors


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())


@register(Tags.security, deploy=True)
def check_hosts(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    site_host = urlparse(settings.SITE_URL).hostname or ""
    if not _host_allowed(site_host, settings.ALLOWED_HOSTS):
        messages.append(
            Warning(
                f"SITE_URL's host {site_host!r} is not in ALLOWED_HOSTS: links in bulletins and notifications would be refused.",
                hint=f"Add {site_host} to ALLOWED_HOSTS, or correct SITE_URL.",
                id="canhgiac.W001",
            )
        )
    public = [h for h in [*settings.ALLOWED_HOSTS, site_host] if h and not _is_local(h)]
    if (settings.DEV or settings.DEBUG) and public:
        messages.append(
            Error(
                f"Development mode (CANHGIAC_DEV or DEBUG) with public hosts: {', '.join(sorted(set(public)))}.",
                hint="Remove CANHGIAC_DEV and DEBUG from the env file of a public server: they use public keys and plain-HTTP cookies.",
                id="canhgiac.E004",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_proxy(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if settings.BEHIND_HTTPS_PROXY and settings.TRUSTED_PROXIES == 0:
        return [
            Warning(
                "BEHIND_HTTPS_PROXY is set but TRUSTED_PROXIES is 0: every citizen appears to come from the proxy's "
                "address, so one person can use up the public intake limit for everyone.",
                hint="Set TRUSTED_PROXIES to the number of proxies in front (1 for nginx on the same machine).",
                id="canhgiac.W002",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def check_cache(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    backend = str(settings.CACHES["default"]["BACKEND"])
    if backend.endswith("LocMemCache") and _workers() > 1:
        return [
            Warning(
                f"A per-process cache (CACHE_URL=locmem) with {_workers()} server processes: each process would see its own cache.",
                hint="Leave CACHE_URL unset (the database cache, shared by every process), or run with --workers 1.",
                id="canhgiac.W003",
            )
        ]
    return []
