"""Fixed personas (in the manner of healthchecks' BaseTestCase and Zulip's example users):
an officer of commune A, an officer of commune B, a supervisor of the district above
both, a viewer of commune A, an administrator, and an outsider from another district."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client

from canhgiac.web.accounts.models import Unit, User
from canhgiac.web.cases.actions import Received, receive_message
from canhgiac.web.intake.models import Channel
from tests.web.fake_zalo import FakeZalo

PASSWORD = "mat-khau-thu-nghiem-2026"


@dataclass
class World:
    district: Unit
    commune_a: Unit
    commune_b: Unit
    elsewhere: Unit
    officer_a: User
    officer_b: User
    supervisor: User
    viewer_a: User
    admin: User
    outsider: User
    web_a: Channel
    web_b: Channel
    api_a: Channel
    zalo_a: Channel

    def client(self, user: User | None = None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def tip(
        self,
        text: str = "Nhà số 5 ngõ 12 có người bán ma túy, đêm nào cũng có người lạ ra vào.",
        channel: Channel | None = None,
        **kwargs: Any,
    ) -> Received:
        return receive_message(channel=channel or self.web_a, text=text, **kwargs)


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Any) -> World:
    return make_world(settings, tmp_path)


@pytest.fixture
def zalo(world: World, settings: Any) -> Iterator[FakeZalo]:
    """A fake Zalo API on loopback, where the application sends."""
    with FakeZalo() as fake:
        settings.ZALO_API_BASE = fake.url
        settings.ZALO_OAUTH_BASE = fake.url
        yield fake


@pytest.fixture
def scratch_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        # Not the browser tests' permission to run Django's ORM beside an event loop: a
        # server started from here runs the deployment checks, which refuse it.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "CANHGIAC_DEV": "1",
        "CANHGIAC_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "canhgiac.web.settings",
    }
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        yield env
        return
    import psycopg

    parsed = urlparse(url)
    scratch = f"canhgiac_backup_{secrets.token_hex(4)}"
    admin = dict(host=parsed.hostname, port=parsed.port, user=parsed.username, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as db:  # type: ignore[arg-type]
        db.execute(f"CREATE DATABASE {scratch}")
    try:
        yield {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + scratch}
    finally:
        with psycopg.connect(**admin) as db:  # type: ignore[arg-type]
            db.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


@pytest.fixture
def live_world(transactional_db: Any, settings: Any, tmp_path: Any) -> World:
    """The same personas, committed, for a live server in another thread."""
    return make_world(settings, tmp_path)


def make_world(settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    district = Unit.objects.create(name="Huyện Thử", slug="huyen-thu", kind=Unit.Kind.DISTRICT)
    a = Unit.objects.create(name="Xã A", slug="xa-a", parent=district)
    b = Unit.objects.create(name="Xã B", slug="xa-b", parent=district)
    other_district = Unit.objects.create(name="Huyện Khác", slug="huyen-khac", kind=Unit.Kind.DISTRICT)
    elsewhere = Unit.objects.create(name="Xã Xa", slug="xa-xa", parent=other_district)

    def user(name: str, unit: Unit, role: str) -> User:
        return User.objects.create_user(name, password=PASSWORD, unit=unit, role=role)

    zalo = Channel.objects.create(unit=a, kind=Channel.Kind.ZALO, slug="zalo-a", name="Zalo xã A", app_id="4321098765", oa_id="oa-123")
    zalo.set_secret("oa_secret", "oa-secret-key-for-tests")
    zalo.set_secret("app_secret", "app-secret-for-tests")
    zalo.set_secret("access_token", "access-token-1")
    zalo.set_secret("refresh_token", "refresh-token-1")
    zalo.save()
    return World(
        district=district,
        commune_a=a,
        commune_b=b,
        elsewhere=elsewhere,
        officer_a=user("canbo-a", a, User.Role.OFFICER),
        officer_b=user("canbo-b", b, User.Role.OFFICER),
        supervisor=user("chihuy", district, User.Role.SUPERVISOR),
        viewer_a=user("xem-a", a, User.Role.VIEWER),
        admin=user("quantri", district, User.Role.ADMIN),
        outsider=user("nguoi-ngoai", elsewhere, User.Role.SUPERVISOR),
        web_a=Channel.objects.create(unit=a, kind=Channel.Kind.WEB, slug="xa-a", name="Web xã A"),
        web_b=Channel.objects.create(unit=b, kind=Channel.Kind.WEB, slug="xa-b", name="Web xã B"),
        api_a=Channel.objects.create(unit=a, kind=Channel.Kind.API, slug="xa-a-api", name="API xã A"),
        zalo_a=zalo,
    )
