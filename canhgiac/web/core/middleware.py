"""Refuse oversized requests before anything reads them, refuse JSON bodies too large or
too deeply nested before anything parses them, and drop NUL characters from query
strings (PostgreSQL refuses them in any text it is asked to compare; forms already
refuse them, and JSON bodies are cleaned where they are read, core/text.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.request import RawPostDataException
from django.shortcuts import render

from canhgiac.web.core.ratelimit import allow, client_ip
from canhgiac.web.core.text import clean

log = logging.getLogger("canhgiac.requests")

# Where bodies are JSON, whatever the Content-Type says: the Zalo webhook parses its body
# as JSON without looking at the header.
JSON_PATHS = ("/api/", "/channels/")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# A string runs to its closing quote, or to the end of the input when it has none: every
# match then succeeds where it starts, and the scan stays linear even on '"\"\"\"...'
# (every quote but the first escaped), which would otherwise be rescanned from each quote.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes
_UNSAFE = re.compile(r"[^\w/.-]", re.ASCII)


def json_depth(raw: bytes) -> int:
    """How deeply ``raw`` nests, counting brackets outside strings, without parsing it.

    Python's parser recurses once per level (and so does everything that walks the
    result): ``[`` * 100000 is a RecursionError, a 500, where this is a few C loops.
    Malformed input gets a number too, and the parser refuses it afterwards.
    """
    steps = _STRING.sub(b"", raw).translate(_STEP, _NOT_BRACKETS)
    return max(accumulate(memoryview(steps).cast("b"), initial=0))


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
            if request.path.startswith(JSON_PATHS):
                return JsonResponse({"error": "too_large", "message": message}, status=413)
            # A page, not a bare line: a citizen's phone photos are the usual cause (intake).
            return render(request, "intake/too_large.html", {"limit_mb": settings.CANHGIAC_MAX_REQUEST_BYTES // 1_000_000}, status=413)
        if request.method in BODY_METHODS and request.path.startswith(JSON_PATHS):
            problem = _json_problem(request, length)
            if problem:
                return _refuse(request, problem, length)
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(clean(key), [clean(value) for value in values])
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]
        return self.get_response(request)


def _json_problem(request: HttpRequest, length: int) -> str:
    if length > settings.CANHGIAC_MAX_JSON_BYTES:
        return "too_large"  # refused unread
    try:
        body = request.body  # kept by Django: the view (and the signature check) read it again
    except (RequestDataTooBig, RawPostDataException, OSError, ValueError):  # ValueError: a Content-Length that is no number
        return "unreadable"
    if len(body) > settings.CANHGIAC_MAX_JSON_BYTES:
        return "too_large"
    if json_depth(body) > settings.CANHGIAC_MAX_JSON_DEPTH:
        return "too_deep"
    return ""


MESSAGES = {
    "too_large": "Nội dung JSON quá lớn.",
    "too_deep": "Nội dung JSON lồng quá nhiều cấp.",
    "unreadable": "Không đọc được nội dung gửi lên.",
}


def _refuse(request: HttpRequest, problem: str, length: int) -> JsonResponse:
    # A refused body counts against its sender: a flood of them ends in 429, like any other.
    limited = not allow("bad-request", client_ip(request), settings.CANHGIAC_INTAKE_RATE, settings.CANHGIAC_INTAKE_WINDOW)
    status = 429 if limited else 400
    # One short line, with neither the body nor the address in it.
    log.warning("%d %s %s: %s, %d bytes", status, (request.method or "")[:8], _UNSAFE.sub("?", request.path[:80]), problem, length)
    if limited:
        return JsonResponse({"error": "rate_limited", "message": "Gửi quá nhiều yêu cầu hỏng; hãy thử lại sau."}, status=429)
    return JsonResponse({"error": problem, "message": MESSAGES[problem]}, status=400)
