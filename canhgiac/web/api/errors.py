"""Every refusal in one shape, {"error": code, "message": sentence}, with the status codes
the document lists (also the middleware's 400/413/429 for bodies, core/middleware.py):
django-ninja's own shapes (422 with pydantic's details, {"detail": ...}) never reach a client."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from canhgiac.web.core.storage import StorageFull
from canhgiac.web.core.text import clean_json

E = TypeVar("E", bound=Exception)


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False})


class ApiError(Exception):
    """A refusal raised from an endpoint (a channel that does not exist, a closed case)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BadBody(ValueError):
    """A body that is not one JSON object."""


class JsonBody(Parser):
    """JSON objects only, with NUL characters removed (core/text.py). The middleware has
    bounded the size and the nesting already (core/middleware.py)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise BadBody("Gửi JSON với Content-Type: application/json.")
        try:
            # ValueError: also numbers longer than Python converts.
            data = json.loads(request.body.decode("utf-8"))
        except (ValueError, RecursionError):
            raise BadBody("Nội dung không phải JSON hợp lệ (UTF-8).") from None
        if not isinstance(data, dict):
            raise BadBody("Nội dung phải là một đối tượng JSON.")
        cleaned: dict[str, Any] = clean_json(data)
        return cleaned


# Where a field needs more than the general sentence.
FIELD_MESSAGES = {"page": "'page' phải là số từ 1 đến 100000."}


def field_message(detail: dict[str, Any]) -> str:
    """One sentence naming the field, from the first of pydantic's errors."""
    location = [str(part) for part in detail.get("loc", ()) if part not in ("body", "query", "path", "payload", "filters")]
    if not location:
        return "Nội dung phải là một đối tượng JSON."
    field = ".".join(location)
    kind = detail.get("type", "")
    context = detail.get("ctx") or {}
    if field in FIELD_MESSAGES:
        return FIELD_MESSAGES[field]
    if kind in ("missing", "string_too_short", "blank"):
        return f"Thiếu '{field}'."
    if kind == "string_type":
        return f"'{field}' phải là chuỗi."
    if kind == "string_too_long":
        return f"'{field}' quá dài (tối đa {context.get('max_length')} ký tự)."
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", "")).replace(" or ", ", ")
        return f"'{field}' phải là một trong: {expected}."
    if kind.startswith("bool"):
        return f"'{field}' phải là true hoặc false."
    return f"'{field}' không hợp lệ."


def install_handlers(api: NinjaAPI) -> None:
    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error(400, "invalid", field_message(exc.errors[0]) if exc.errors else "Nội dung không hợp lệ.")

    def http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, BadBody):  # ninja wraps what the parser raised
            return error(400, "invalid", str(exc.__cause__))
        if isinstance(exc, AuthenticationError):
            return error(401, "unauthorized", "Cần token hợp lệ: Authorization: Bearer <token> (hoặc X-API-Key: <token>).")
        return error(exc.status_code, "invalid" if exc.status_code == 400 else "error", str(exc))

    def refused(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error(exc.status, exc.code, exc.message)

    def invalid(request: HttpRequest, exc: ValueError) -> HttpResponse:
        # ActionError (cases/actions.py) and BadPeriod (a date in a filter) say why.
        return error(400, "invalid", str(exc))

    def forbidden(request: HttpRequest, exc: PermissionError) -> HttpResponse:
        return error(403, "forbidden", "Không có quyền.")

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(404, "not_found", "Không tìm thấy.")

    def full(request: HttpRequest, exc: StorageFull) -> HttpResponse:
        return error(503, "storage_full", str(exc))

    handle(api, ValidationError, validation)
    handle(api, HttpError, http)
    handle(api, ApiError, refused)
    handle(api, ValueError, invalid)
    handle(api, PermissionError, forbidden)
    handle(api, Http404, not_found)
    handle(api, StorageFull, full)


def handle(api: NinjaAPI, kind: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    # ninja's annotation says a handler may be given the class instead of the exception;
    # it never is (NinjaAPI.on_exception passes what was raised).
    api.add_exception_handler(kind, handler)  # type: ignore[arg-type]


def json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a method an operation lacks with a bare text line: the same refusal,
    in the API's shape (wraps keeps the view's csrf_exempt)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error(405, "method_not_allowed", f"Chỉ nhận {allowed}.")
            response["Allow"] = allowed
        return response

    return wrapper
