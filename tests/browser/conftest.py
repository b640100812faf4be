from tests.web.conftest import _fresh_cache, live_world  # noqa: F401  (fixtures shared with the web tests)
