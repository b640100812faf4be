"""The console's map in a real browser, on a phone: Leaflet from our own static files, tiles
from a stub tile server on loopback (set as CANHGIAC_MAP_TILES), clusters and markers for
cases that carry a place, a popup that leads to its case, and no CSP violation."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.browser.test_citizen_and_officer import PHONE, browser, no_horizontal_scroll, shot  # noqa: F401  (the browser fixture)
from tests.browser.test_csp import no_violations, watched
from tests.web.conftest import PASSWORD, World


def _tile() -> bytes:
    raw = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 235, 222)).save(raw, format="PNG")
    return raw.getvalue()


class TileStub(ThreadingHTTPServer):
    """A tile server on loopback: the same 256x256 PNG for any /{z}/{x}/{y}.png."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), TileHandler)
        self.png = _tile()
        self.paths: list[str] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class TileHandler(BaseHTTPRequestHandler):
    server: TileStub

    def do_GET(self) -> None:
        parts = self.path.strip("/").removesuffix(".png").split("/")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or not self.path.endswith(".png"):
            self.send_error(404)
            return
        with self.server.lock:
            self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.server.png)))
        self.end_headers()
        self.wfile.write(self.server.png)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the test counts the requests


@pytest.fixture
def tiles(settings: Any) -> Iterator[TileStub]:
    stub = TileStub()
    thread = threading.Thread(target=stub.serve_forever, daemon=True)
    thread.start()
    settings.CANHGIAC_MAP_TILES = stub.url + "/{z}/{x}/{y}.png"
    settings.CANHGIAC_MAP_ATTRIBUTION = "© Bản đồ thử"
    try:
        yield stub
    finally:
        stub.shutdown()
        stub.server_close()
        thread.join(timeout=5)


def test_map_shows_clusters_and_a_marker_leads_to_its_case(browser: Browser, live_server: Any, live_world: World, tiles: TileStub) -> None:  # noqa: F811
    # Three tips from one street (a cluster), one from across the commune (a marker of its own),
    # one without a place, and one of another commune: neither of the last two is on the map.
    for i in range(3):
        live_world.tip(f"Có người bán ma túy ở đầu hẻm {i + 5}, tối nào cũng có.", location=(21.0285 + i * 0.00001, 105.8542))
    alone = live_world.tip("Có người trộm xe máy trước cổng chợ lúc sáng.", location=(21.0600, 105.9000)).case
    live_world.tip("Có người đánh bạc ở nhà văn hóa thôn Đông.")
    other = live_world.tip("Có người đánh nhau ở bến xe.", channel=live_world.web_b, location=(21.04, 105.87)).case

    context = browser.new_context(**PHONE)
    page, console = watched(context)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/accounts/login/?next=/console/map/")
    page.fill("#username", "canbo-a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    expect(page.locator("#map")).to_have_attribute("data-loaded", "4")
    expect(page.locator("#map-status")).to_have_text("4 tin có vị trí, trong 5 tin khớp bộ lọc.")
    expect(page.locator(".marker-cluster")).to_have_count(1)
    expect(page.locator(".marker-cluster")).to_have_text("3")
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
    assert tiles.paths, "no tile was asked of the tile server"
    assert page.locator(f'.leaflet-marker-icon[title="{other.reference}"]').count() == 0

    # Scripts and styles from our static files; nothing from anywhere but the site and the tiles.
    static = {urlsplit(url).path for url in requested if url.startswith(live_server.url)}
    assert {"/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet.markercluster/leaflet.markercluster.js"} <= static
    assert "/static/vendor/leaflet/leaflet.css" in static
    assert {url.split("/")[2] for url in requested} <= {urlsplit(live_server.url).netloc, urlsplit(tiles.url).netloc}
    no_horizontal_scroll(page)
    no_violations(page, console)
    shot(page, "11-map-phone")

    page.locator(f'.leaflet-marker-icon[title="{alone.reference}"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(alone.reference)
    expect(popup).to_contain_text(alone.get_status_display())
    popup.locator("a.map-case").click()
    expect(page).to_have_url(f"{live_server.url}/console/case/{alone.reference}/")
    expect(page.locator("body")).to_contain_text("Có người trộm xe máy trước cổng chợ")
    no_violations(page, console)
    context.close()
