"""The Content-Security-Policy header, on every response.

The pages run no inline script, no inline event handler and no inline style (all of it is
in static/canhgiac.js and static/canhgiac.css), so the policy can refuse them: text that a
citizen or a scammer wrote and that slipped through escaping still could not run. Charts
are SVG drawn on the server, so nothing is loaded from elsewhere; the one exception is the
console's map page, which also allows images from the tile server it is configured with
(settings.CANHGIAC_MAP_TILES), and from no other page.

Why not django-csp: the policy is one string with no nonces and one per-view addition,
so the package would add a runtime dependency (and its settings vocabulary) for one
``response.headers`` line. Django 6.0 ships ``ContentSecurityPolicyMiddleware``: this
module goes when we leave the 5.2 long-term-support release.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.http.response import HttpResponseBase


def policy(images_from: tuple[str, ...] = ()) -> str:
    """The policy, with more origins for images where a page needs them (the map's tiles)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # data: and blob: for a photo previewed before it is sent.
            " ".join(["img-src 'self' data: blob:", *images_from]),
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


POLICY = policy()


def tile_origin(template: str) -> str:
    """The origin a tile URL template loads from, as a CSP source: Leaflet's "{s}" subdomain
    placeholder becomes a wildcard ("https://{s}.tile.example.org/..." -> "https://*.tile.example.org")."""
    parts = urlsplit(template.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # A view that needs its own policy sets it (the map page, for its tiles).
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
