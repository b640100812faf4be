from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_GET, require_POST


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers; load balancers and `canhgiac serve` check it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "vi")
    if language not in dict(settings.LANGUAGES):
        language = "vi"
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    activate(language)
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax", secure=settings.SECURE)
    return response


DATABASE_DOWN = "Hệ thống tạm thời không kết nối được cơ sở dữ liệu nên tin của bạn CHƯA được nhận. Vui lòng thử lại sau ít phút; việc khẩn cấp hãy gọi 113."
SERVER_ERROR = "Đã có lỗi ở máy chủ; tin của bạn có thể CHƯA được nhận. Vui lòng thử lại; việc khẩn cấp hãy gọi 113."


BAD_REQUEST = "Yêu cầu không hợp lệ (quá nhiều trường, quá nhiều tệp hoặc dữ liệu hỏng) nên CHƯA được nhận. Hãy gửi lại, tối đa 3 ảnh."


def _plain(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """An error page with no template and no database: it must work when they do not."""
    if request.path.startswith(("/api/", "/channels/")):
        return JsonResponse({"error": code, "message": message}, status=status)
    page = (
        '<!doctype html><html lang="vi"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Cảnh Giác</title><link rel="stylesheet" href="{settings.STATIC_URL}canhgiac.css"><main><p>{message}</p></main></html>'
    )
    return HttpResponse(page, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _plain(request, 400, "bad_request", BAD_REQUEST)


def server_error(request: HttpRequest) -> HttpResponse:
    """Any uncaught error. The database being away (restarting, say) is a 503 saying
    plainly that nothing was received, so people and Zalo try again; nothing here touches
    the database or a template that might."""
    failure = sys.exc_info()[1]
    down = isinstance(failure, (OperationalError, InterfaceError))
    status, code, message = (503, "database_unavailable", DATABASE_DOWN) if down else (500, "server_error", SERVER_ERROR)
    response = _plain(request, status, code, message)
    if down:
        response["Retry-After"] = "30"
    return response
