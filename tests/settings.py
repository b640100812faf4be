"""Settings for the test run: development keys, a throw-away data folder, then the real
settings unchanged (DATABASE_URL still picks PostgreSQL when set)."""

import os
import tempfile

os.environ.setdefault("CANHGIAC_DEV", "1")
os.environ.setdefault("CANHGIAC_DATA_DIR", tempfile.mkdtemp(prefix="canhgiac-test-"))
os.environ.setdefault("CANHGIAC_INLINE_WORKER", "0")

from canhgiac.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405  (fast hashing in tests only)

if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3"):  # noqa: F405
    # A file, as in production (WAL: readers never wait for the writer), so that a test
    # can run writers in threads of their own (tests/web/test_concurrency.py); the
    # shared in-memory database would refuse a reader while another thread writes.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.mkdtemp(prefix="canhgiac-testdb-"), "test.sqlite3")}  # noqa: F405
