"""Django settings, all from the environment (see README "Production").

Defaults are safe: DEBUG is off, and there is no default secret key or encryption key:
outside development (CANHGIAC_DEV=1, which `./dev run` writes to ./canhgiac.env and the
tests set) the application refuses to start without them.

The environment may come from an env file: every `canhgiac` command loads it before
Django (canhgiac/cli.py); a WSGI server started some other way names it in
CANHGIAC_ENV_FILE, read here, so that both find the same configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from canhgiac import cli
from canhgiac.web.core.env import envbool, envint, envlist, envsecret, envstr

if cli.loaded_env_file is None and envstr("CANHGIAC_ENV_FILE"):
    try:
        cli.load_env_file(Path(envstr("CANHGIAC_ENV_FILE")))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"CANHGIAC_ENV_FILE: {exc}") from exc

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("CANHGIAC_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEV = envbool("CANHGIAC_DEV", False)
DEBUG = envbool("DEBUG", False)

SECRET_KEY = envsecret("SECRET_KEY")
ENCRYPTION_KEY = envsecret("CANHGIAC_ENCRYPTION_KEY")
if DEV:
    # Development only: fixed, clearly labelled keys. Never used in production, where
    # the checks below refuse to start without real ones.
    SECRET_KEY = SECRET_KEY or "dev-only-secret-key-not-for-production-use-0123456789"
    ENCRYPTION_KEY = ENCRYPTION_KEY or "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="
if not SECRET_KEY or not ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY and CANHGIAC_ENCRYPTION_KEY must be set: in the environment, in the env file "
        "(./canhgiac.env, --env-file or CANHGIAC_ENV_FILE), or as SECRET_KEY_FILE and "
        "CANHGIAC_ENCRYPTION_KEY_FILE. Generate them with: canhgiac keys"
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEV or DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "canhgiac.web.core",
    "canhgiac.web.accounts",
    "canhgiac.web.audit",
    "canhgiac.web.tasks",
    "canhgiac.web.indicators",
    "canhgiac.web.knowledge",
    "canhgiac.web.cases",
    "canhgiac.web.intake",
    "canhgiac.web.reports",
    "canhgiac.web.bulletins",
    "canhgiac.web.meetings",
    "canhgiac.web.api",
    "canhgiac.web.channels.zalo",
    "canhgiac.web.channels.sms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files answered here, before sessions and the database (README "Production").
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "canhgiac.web.core.security.ContentSecurityPolicyMiddleware",
    "canhgiac.web.core.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language switch, never the browser: Vietnamese unless English was chosen.
    "canhgiac.web.core.i18n.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "canhgiac.web.urls"
WSGI_APPLICATION = "canhgiac.web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:inbox"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]


def _database(url: str) -> dict[str, object]:
    if not url:
        DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # the service user's only (core/storage.py)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "canhgiac.sqlite3",
            # WAL and a busy timeout: readers never wait for the writer, and a writer
            # waits its turn instead of failing (see core/apps.py for the pragmas).
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parsed.scheme!r} (use postgresql://)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or "") or envsecret("DATABASE_PASSWORD"),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": _database(envsecret("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Rate limits count in the database (core/ratelimit.py), not in Django's cache, so that
# every process and every machine agrees. The cache itself is the database's too, shared
# by every process (`serve` creates its table); CACHE_URL=locmem keeps one per process,
# which the deploy check refuses with several workers (core/checks.py).
CACHE_URL = envstr("CACHE_URL", "db")
if CACHE_URL not in ("db", "locmem"):
    raise ImproperlyConfigured(f"CACHE_URL must be db or locmem, not {CACHE_URL!r}")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "canhgiac_cache"}
    if CACHE_URL == "db"
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Server processes `canhgiac serve` starts: 0 means one per core, up to four.
CANHGIAC_WORKERS = envint("CANHGIAC_WORKERS", 0)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(DATA_DIR / "static")))
# `canhgiac serve` collects the static files into STATIC_ROOT at start, compressed (gzip,
# brotli) and under names with their hash, which whitenoise serves as cacheable for a
# year. Development and the tests serve them as they are, with no collection first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEV
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Development and tests: whitenoise finds the files in the source folders, edits show at
# once, and an empty STATIC_ROOT is no warning.
WHITENOISE_USE_FINDERS = DEV
WHITENOISE_AUTOREFRESH = DEV
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(DATA_DIR / "media")))

# Request and upload limits: a tip is text and a few photos, never more.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("CANHGIAC_MAX_BODY_BYTES", 2_500_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
# Photos are readable by the service user only, like the database (core/storage.py).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
# More files than photos allowed, so that a fourth photo gets the form's own message
# ("Tối đa 3 ảnh") rather than Django's bare 400.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Photos are shrunk in the browser (canhgiac.js), but without the script three ordinary
# phone photos (6-8 MB each) still fit, and are re-encoded smaller on the server.
CANHGIAC_MAX_REQUEST_BYTES = envint("CANHGIAC_MAX_REQUEST_BYTES", 30_000_000)
# JSON bodies (the API, the Zalo webhook): refused before parsing when larger, or nested
# deeper, than any real one (a message is at most 5,000 characters; Zalo nests 3 deep).
CANHGIAC_MAX_JSON_BYTES = envint("CANHGIAC_MAX_JSON_BYTES", 256_000)
CANHGIAC_MAX_JSON_DEPTH = 32
CANHGIAC_MAX_PHOTO_BYTES = envint("CANHGIAC_MAX_PHOTO_BYTES", 10_000_000)
# Recordings, videos and files a citizen sends through a chat channel are kept up to this
# size; a larger one is not, and the case says so.
CANHGIAC_MAX_CHANNEL_FILE_BYTES = envint("CANHGIAC_MAX_CHANNEL_FILE_BYTES", 25_000_000)
# Intake refuses (503, "not received") below this much free space in the data folder.
CANHGIAC_MIN_FREE_BYTES = envint("CANHGIAC_MIN_FREE_MB", 200) * 1_000_000
# `canhgiac backup` keeps this many of its archives in their folder and deletes older
# ones, so what retention deleted leaves the backups too (0: keep them all).
CANHGIAC_BACKUP_KEEP = envint("CANHGIAC_BACKUP_KEEP", 14)
CANHGIAC_MAX_PHOTOS = 3
CANHGIAC_MAX_MESSAGE_CHARS = 5_000

# Public intake: requests per window, per IP and per channel user.
CANHGIAC_INTAKE_RATE = envint("CANHGIAC_INTAKE_RATE", 20)
CANHGIAC_INTAKE_WINDOW = envint("CANHGIAC_INTAKE_WINDOW", 600)
# Failed logins per account, and per address (an office shares one), per 15 minutes.
CANHGIAC_LOGIN_ATTEMPTS = envint("CANHGIAC_LOGIN_ATTEMPTS", 5)
CANHGIAC_LOGIN_ADDRESS_ATTEMPTS = envint("CANHGIAC_LOGIN_ADDRESS_ATTEMPTS", 50)
CANHGIAC_FOLLOWUP_ATTEMPTS = envint("CANHGIAC_FOLLOWUP_ATTEMPTS", 10)
CANHGIAC_OVERDUE_HOURS = envint("CANHGIAC_OVERDUE_HOURS", 48)
# How often an open console page asks for new and urgent tips (static/live.js).
CANHGIAC_LIVE_SECONDS = envint("CANHGIAC_LIVE_SECONDS", 15)
# The console's map: the tile server's URL template and whose map it is. OpenStreetMap's by
# default; a district with its own tile server names it here. Only the map page's
# Content-Security-Policy allows images from this server (core/security.py).
CANHGIAC_MAP_TILES = envstr("CANHGIAC_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
CANHGIAC_MAP_ATTRIBUTION = envstr("CANHGIAC_MAP_ATTRIBUTION", "© OpenStreetMap contributors")
if not CANHGIAC_MAP_TILES.startswith(("https://", "http://")) or not all(p in CANHGIAC_MAP_TILES for p in ("{z}", "{x}", "{y}")):
    raise ImproperlyConfigured(
        f"CANHGIAC_MAP_TILES must be an http(s) URL template with {{z}}, {{x}} and {{y}}, not {CANHGIAC_MAP_TILES!r}"
    )
# An automatic answer nobody questioned for this long is taken as right (the case resolves).
CANHGIAC_AUTO_ANSWER_QUIET_HOURS = envint("CANHGIAC_AUTO_ANSWER_QUIET_HOURS", 72)
# Run background tasks in a thread of `canhgiac serve` (one machine), or leave them to
# `canhgiac worker` processes (several machines).
CANHGIAC_INLINE_WORKER = envbool("CANHGIAC_INLINE_WORKER", True)
ZALO_API_BASE = envstr("ZALO_API_BASE", "https://openapi.zalo.me")
ZALO_OAUTH_BASE = envstr("ZALO_OAUTH_BASE", "https://oauth.zaloapp.com")
ZALO_SIGNATURE_MAX_AGE = envint("ZALO_SIGNATURE_MAX_AGE", 600)
# SMS Gateway for Android: webhooks signed longer ago than this are refused (seconds).
SMS_SIGNATURE_MAX_AGE = envint("SMS_SIGNATURE_MAX_AGE", 300)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SECURE = envbool("SECURE_COOKIES", not (DEV or DEBUG))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# How many proxies (nginx, a load balancer) stand in front, each appending to
# X-Forwarded-For: the client's address is the N-th entry from the right. 0: the header
# is ignored, or anyone could choose their address. TRUST_X_FORWARDED_FOR=1 means 1.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 1 if envbool("TRUST_X_FORWARDED_FOR", False) else 0)
BEHIND_HTTPS_PROXY = envbool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxy, the proxy redirects http to https (deploy/nginx-canhgiac.conf): the
# application sees only what came through it, so Django's own redirect would be a no-op.
SILENCED_SYSTEM_CHECKS = ["security.W008"] if BEHIND_HTTPS_PROXY else []
if DEV or DEBUG:
    # Development serves plain HTTP on purpose (no HSTS, no secure cookies, no redirect);
    # `serve` runs the deployment checks at every start, and these would only be noise.
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]
# Served over HTTPS in production: browsers are told to come back only over HTTPS for a
# year. SecurityMiddleware sends the header on HTTPS responses only. HSTS_SECONDS=0 turns
# it off; subdomains are left out unless asked, as the commune's other sites may be http.
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 31_536_000) if (BEHIND_HTTPS_PROXY or SECURE) and not (DEV or DEBUG) else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # gunicorn's own loggers (gunicorn.error, gunicorn.access) get their handlers from
    # `canhgiac serve` (web/serving.py): stderr and stdout, which systemd keeps in the journal.
    # WeasyPrint (the monthly report's PDF) logs a dozen progress lines per file at INFO.
    "loggers": {"django.request": {"level": "ERROR"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
