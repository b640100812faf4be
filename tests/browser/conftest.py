from tests.web.conftest import live_world  # noqa: F401  (a fixture shared with the web tests)
