from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from canhgiac.web.audit.log import record
from canhgiac.web.core.ratelimit import allow, client_ip, refund, reset


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    username = ""
    target = request.POST.get("next") or request.GET.get("next") or reverse("cases:inbox")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("cases:inbox")
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        password = request.POST.get("password", "")
        ip = client_ip(request)
        if _throttled(username.lower(), ip):
            error = _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút.")
            status = 429
        else:
            user = authenticate(request, username=username, password=password)
            if user is not None and user.is_active:
                login(request, user)
                # Only failures use up the budget: the account starts afresh, and the
                # office's shared address gets its hit back.
                reset("login-user", username.lower())
                refund("login-ip", ip)
                record("user.login", actor=user, unit=getattr(user, "unit", None), ip=ip)
                return HttpResponseRedirect(target)
            record("user.login_failed", actor_label=username or "?", ip=ip)
            error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
            status = 401
    return render(request, "accounts/login.html", {"error": error, "username": username, "next": target}, status=status)


def _throttled(username: str, ip: str) -> bool:
    """Count an attempt per account (guessing one password) and per address (spraying
    many); True when either has used up its failures in the last 15 minutes."""
    if not allow("login-user", username, settings.CANHGIAC_LOGIN_ATTEMPTS, 900):
        return True
    if not allow("login-ip", ip, settings.CANHGIAC_LOGIN_ADDRESS_ATTEMPTS, 900):
        refund("login-user", username)  # not tried, so not a failure for the account
        return True
    return False


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("accounts:login"))
