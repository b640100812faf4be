"""Content-Security-Policy on every page, pages that need nothing inline, and HSTS when
served over HTTPS. The pages are enumerated from the URL configuration, as in
test_access_matrix.py, so a new page cannot slip in with an inline script."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from canhgiac.web.bulletins import sending
from canhgiac.web.bulletins.models import Bulletin
from canhgiac.web.cases.models import Case, Reporter
from canhgiac.web.core.admin_site import site
from canhgiac.web.core.security import POLICY, policy, tile_origin
from tests.web.conftest import World
from tests.web.test_access_matrix import objects, url_for  # noqa: F401  (objects is a fixture)

ROOT = Path(__file__).resolve().parents[2]


def routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str = "") -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))
        return found

    return walk(get_resolver().url_patterns)


class Inline(HTMLParser):
    """What a strict policy refuses: inline scripts, event handler attributes, inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"<{tag} {name}=...>" for name in sorted(names) if name.startswith("on") or name == "style"]


def inline_parts(html: str) -> list[str]:
    parser = Inline()
    parser.feed(html)
    return parser.found


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def check(response: Any, url: str) -> str:
    """The policy is on the response; an HTML page has nothing the policy would refuse."""
    # The map page alone also allows images from its tile server (tests/web/test_map.py).
    expected = policy((tile_origin(settings.CANHGIAC_MAP_TILES),)) if url == "/console/map/" else POLICY
    if url.startswith("/console/attachment/"):  # a file a citizen sent runs nothing (tests/web/test_zalo.py)
        expected = "sandbox"
    assert response["Content-Security-Policy"] == expected, url
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    html = body(response).decode()
    assert inline_parts(html) == [], url
    return html


@pytest.fixture
def pages(world: World, objects: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """A value for every parameter of every route: commune A's objects, and the public ones."""
    case = Case.objects.get(reference=objects["<str:reference>"])
    Bulletin.objects.filter(pk=objects["<int:bulletin_id>"]).update(status=Bulletin.Status.SENT)
    reporter = Reporter.objects.get(pk=case.reporter_id)
    return {**objects, "<slug:slug>": "xa-a", "<str:token>": sending.manage_token(reporter)}


def test_every_page_carries_the_policy_and_nothing_inline(world: World, pages: dict[str, str]) -> None:
    officer, citizen = world.client(world.supervisor), Client()
    seen = 0
    for route in routes():
        if route.startswith("admin/"):
            continue  # below, as the admin user
        url = url_for(route, pages)
        client = officer if route.startswith("console/") else citizen
        html = check(client.get(url), url)
        seen += bool(html)
    assert seen >= 20  # the console, the citizen pages and the login were all looked at
    # Pages that only a step shows: the receipt, a case followed up, the login, a 404.
    sent = citizen.post("/gui/xa-a/", {"text": "Có người lạ bán ma túy ở đầu hẻm 12 mỗi tối."}, follow=True)
    assert "CG-" in check(sent, "receipt")
    received = world.tip("Có người trộm xe máy ở chợ.")
    citizen.post("/theo-doi/", {"reference": received.case.reference, "key": received.followup_key})
    assert received.case.reference in check(citizen.get(f"/theo-doi/{received.case.reference}/"), "followup")
    check(Client().get("/accounts/login/"), "login")
    check(Client().get("/khong-co-trang-nay/"), "404")
    check(Client().post("/theo-doi/", {"reference": "x"}), "followup form with errors")


def test_admin_pages_carry_the_policy_and_nothing_inline(world: World) -> None:
    admin = world.client(world.admin)
    check(Client().get("/admin/login/"), "admin login")
    check(admin.get("/admin/"), "admin index")
    for model in site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        check(admin.get(reverse(f"{name}_changelist")), name)
        add = admin.get(reverse(f"{name}_add"))
        if add.status_code == 200:  # the audit log cannot be added to
            check(add, f"{name}_add")
        first = model._default_manager.first()
        if first is not None:
            check(admin.get(reverse(f"{name}_change", args=[first.pk])), f"{name}_change")


def test_the_intake_page_loads_its_script_from_a_file(world: World) -> None:
    html = Client().get("/gui/xa-a/").content.decode()
    assert '<script src="/static/canhgiac.js" defer></script>' in html
    # The texts the script shows come translated, from the page.
    assert 'data-busy="Đang lấy vị trí..."' in html and 'data-fail="Không lấy được vị trí."' in html
    script = (ROOT / "canhgiac" / "web" / "static" / "canhgiac.js").read_text(encoding="utf-8")
    assert "getCurrentPosition" in script and "window.print()" in script


def test_the_policy_allows_only_this_site(world: World) -> None:
    policy = dict(part.strip().split(" ", 1) for part in Client().get("/gui/xa-a/")["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    assert "unsafe" not in " ".join(policy.values())


@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=False)
def test_hsts_on_https_only(world: World) -> None:
    assert Client().get("/gui/xa-a/", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in Client().get("/gui/xa-a/")


@override_settings(SECURE_HSTS_SECONDS=31_536_000, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_hsts_behind_an_https_proxy(world: World) -> None:
    assert Client().get("/gui/xa-a/", HTTP_X_FORWARDED_PROTO="https")["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in Client().get("/gui/xa-a/", HTTP_X_FORWARDED_PROTO="http")


def hsts_settings(**env: str) -> tuple[int, bool]:
    """SECURE_HSTS_SECONDS and SECURE_HSTS_INCLUDE_SUBDOMAINS as the settings compute them
    from this environment (a fresh process: settings are read once, at start)."""
    code = (
        "import json; from canhgiac.web import settings as s; print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS]))"
    )
    base = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "k" * 50, "CANHGIAC_ENCRYPTION_KEY": "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="}
    done = subprocess.run([sys.executable, "-c", code], env={**base, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seconds, subdomains = json.loads(done.stdout)
    return int(seconds), bool(subdomains)


def test_hsts_is_on_in_production_and_can_be_changed() -> None:
    assert hsts_settings() == (31_536_000, False)  # production: secure cookies, so HTTPS
    assert hsts_settings(BEHIND_HTTPS_PROXY="1", SECURE_COOKIES="0") == (31_536_000, False)
    assert hsts_settings(HSTS_SECONDS="0") == (0, False)
    assert hsts_settings(HSTS_SECONDS="600", HSTS_INCLUDE_SUBDOMAINS="1") == (600, True)
    assert hsts_settings(SECURE_COOKIES="0") == (0, False)  # plain http on purpose
    assert hsts_settings(CANHGIAC_DEV="1") == (0, False)  # development: localhost over http
