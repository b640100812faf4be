from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from canhgiac.web.accounts import actions
from canhgiac.web.accounts.forms import CreateForm, SetPasswordForm
from canhgiac.web.accounts.models import ApiToken, OfficerChat, PasswordLink, UrgentAlert, User
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


# Officers managed in the console: supervisors and administrators, within their subtree.


def manager_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        assert isinstance(user, User)
        if not actions.can_manage_people(user):
            return HttpResponseForbidden(_("Chỉ chỉ huy và quản trị viên mới quản lý được cán bộ."))
        return view(request, *args, **kwargs)

    return wrapper


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _person(actor: User, user_id: int) -> User:
    """Someone of the actor's subtree; 404 for anyone else (an ID reveals nothing)."""
    target = User.objects.select_related("unit").filter(pk=user_id, unit_id__in=actions.manageable(actor)).first()
    if target is None:
        raise Http404("no such person")
    return target


@manager_required
def officers(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    people = User.objects.filter(unit_id__in=actions.manageable(actor)).select_related("unit").order_by("unit__name", "username")
    rows = [(person, actions.may_manage(actor, person)) for person in people]
    return render(request, "accounts/officers.html", {"rows": rows})


@manager_required
def officer_new(request: HttpRequest) -> HttpResponse:
    actor = _me(request)
    form = CreateForm(
        request.POST or None, units=actions.manageable(actor), roles=actions.roles_for(actor), initial={"unit": actor.unit_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.create_user(
                actor,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                unit=form.cleaned_data["unit"],
                role=form.cleaned_data["role"],
                ip=client_ip(request),
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        else:
            # The new person has no password: the link to set one is shown now, once.
            raw = actions.issue_password_link(actor, person, client_ip(request))
            messages.success(request, _("Đã tạo tài khoản %(username)s.") % {"username": person.get_username()})
            return _officer_page(request, actor, person, link=raw)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/officer_new.html", {"form": form}, status=status)


def _officer_page(request: HttpRequest, actor: User, person: User, link: str = "", status: int = 200) -> HttpResponse:
    context = {
        "person": person,
        "manageable": actions.may_manage(actor, person),
        "roles": actions.roles_for(actor),
        "tokens": ApiToken.objects.filter(user=person).order_by("-created"),
        "link": request.build_absolute_uri(reverse("accounts:set_password", args=[link])) if link else "",
        "link_hours": PasswordLink.LIFETIME_HOURS,
    }
    response = render(request, "accounts/officer.html", context, status=status)
    if link:
        add_never_cache_headers(response)  # the link is for the supervisor's eyes, once
    return response


@manager_required
def officer(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _me(request)
    return _officer_page(request, actor, _person(actor, user_id))


@manager_required
@require_POST
def officer_action(request: HttpRequest, user_id: int) -> HttpResponseBase:
    actor = _me(request)
    person = _person(actor, user_id)
    action = request.POST.get("action", "")
    ip = client_ip(request)
    try:
        if action == "role":
            actions.change_role(actor, person, request.POST.get("role", ""), ip)
            messages.success(request, _("Đã đổi vai trò."))
        elif action in ("deactivate", "reactivate"):
            actions.set_active(actor, person, action == "reactivate", ip)
            messages.success(request, _("Đã mở lại tài khoản.") if action == "reactivate" else _("Đã khóa tài khoản."))
        elif action == "revoke_token":
            token = ApiToken.objects.filter(user=person, pk=_int(request.POST.get("token"))).first()
            if token is None:
                raise actions.ActionError(_("Không có token này."))
            actions.revoke_token(actor, token, ip)
            messages.success(request, _("Đã thu hồi token."))
        elif action == "password_link":
            raw = actions.issue_password_link(actor, person, ip)
            return _officer_page(request, actor, person, link=raw)
        else:
            raise actions.ActionError(_("Thao tác không hợp lệ."))
    except PermissionError:
        return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return _officer_page(request, actor, person, status=400)
    return HttpResponseRedirect(reverse("accounts:officer", args=[person.pk]))


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 12 else 0


# "Tài khoản của tôi": the person's own account, and the Zalo account urgent tips reach.


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return _my_page(request, _me(request))


def _my_page(request: HttpRequest, user: User, code: str = "", expires: datetime | None = None, status: int = 200) -> HttpResponse:
    chat = actions.chat_of(user)
    channels = actions.chat_channels(user)
    context = {
        "person": user,
        "chat": chat,
        "channel": (chat.channel if chat is not None and chat.linked else None) or (channels[0] if channels else None),
        "can_link": bool(channels) and user.is_active,
        "code": code,
        "expires": expires,
        "minutes": OfficerChat.CODE_MINUTES,
        "last_alert": UrgentAlert.objects.filter(user=user).order_by("-created").first(),
    }
    response = render(request, "accounts/me.html", context, status=status)
    if code:
        add_never_cache_headers(response)  # the code is for the officer's eyes, once
    return response


@login_required
@require_POST
def me_zalo(request: HttpRequest) -> HttpResponseBase:
    user = _me(request)
    action = request.POST.get("action", "")
    ip = client_ip(request)
    try:
        if action == "link":
            code, expires = actions.start_link(user, ip)
            return _my_page(request, user, code=code, expires=expires)
        if action == "unlink":
            actions.unlink(user, ip)
            messages.success(request, _("Đã bỏ liên kết Zalo."))
        elif action in ("alerts_on", "alerts_off"):
            actions.set_alerts(user, action == "alerts_on", ip)
            messages.success(
                request, _("Đã bật nhận tin khẩn cấp qua Zalo.") if action == "alerts_on" else _("Đã tắt nhận tin khẩn cấp qua Zalo.")
            )
        else:
            raise actions.ActionError(_("Thao tác không hợp lệ."))
    except actions.ActionError as exc:
        messages.error(request, str(exc))
        return _my_page(request, user, status=400)
    return HttpResponseRedirect(reverse("accounts:me"))


@never_cache
def set_password(request: HttpRequest, token: str) -> HttpResponse:
    """The page of a one-time link: no login (the link is the proof), no trace of the token."""
    link = actions.password_link(token) if len(token) < 100 else None
    if link is None:
        return render(request, "accounts/set_password.html", {"expired": True}, status=404)
    form = SetPasswordForm(request.POST or None, user=link.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_password(token, form.cleaned_data["password2"], client_ip(request))
        except actions.ActionError as exc:
            return render(request, "accounts/set_password.html", {"expired": True, "error": str(exc)}, status=404)
        messages.success(request, _("Đã đặt mật khẩu. Hãy đăng nhập bằng mật khẩu mới."))
        return HttpResponseRedirect(reverse("accounts:login"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/set_password.html", {"form": form, "person": link.user}, status=status)
