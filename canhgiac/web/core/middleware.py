"""Refuse oversized requests before anything reads them, and drop NUL characters from
query strings (PostgreSQL refuses them in any text it is asked to compare; forms already
refuse them, and JSON bodies are cleaned where they are read, core/text.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict

from canhgiac.web.core.text import clean


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.CANHGIAC_MAX_REQUEST_BYTES:
            message = "Nội dung gửi lên quá lớn."
            if request.path.startswith(("/api/", "/channels/")):
                return JsonResponse({"error": "too_large", "message": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(clean(key), [clean(value) for value in values])
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]
        return self.get_response(request)
