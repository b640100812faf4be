"""The Content-Security-Policy header, on every response.

The pages run no inline script, no inline event handler and no inline style (all of it is
in static/canhgiac.js and static/canhgiac.css), so the policy can refuse them: text that a
citizen or a scammer wrote and that slipped through escaping still could not run. Charts
are SVG drawn on the server, so nothing is loaded from elsewhere.

Why not django-csp: the policy is one fixed string with no nonces or per-view changes,
so the package would add a runtime dependency (and its settings vocabulary) for one
``response.headers`` line. Django 6.0 ships ``ContentSecurityPolicyMiddleware``: this
module goes when we leave the 5.2 long-term-support release.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # data: and blob: for a photo previewed before it is sent.
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # A view that needs its own policy sets it; none does today.
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
