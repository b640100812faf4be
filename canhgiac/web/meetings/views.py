"""The meetings console (calendar, past sessions, create, edit, attendance, QR) and the
public check-in page the QR code leads to."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canhgiac.web.accounts.models import Unit
from canhgiac.web.cases import queries
from canhgiac.web.cases.views import officer, officer_required
from canhgiac.web.core.ratelimit import allow, client_ip
from canhgiac.web.meetings import actions, stats
from canhgiac.web.meetings.access import session_for, visible_sessions
from canhgiac.web.meetings.forms import AttendanceForm, SessionForm, TopicForm
from canhgiac.web.meetings.models import Attendance, Session, Topic
from canhgiac.web.reports.period import BadPeriod, Period

# The cookie that stops one phone counting twice: it holds the session's token and
# nothing else, signed so it cannot be forged for another session. It outlives the
# check-in window by a little; after that it is of no use.
CHECKIN_COOKIE = "cg_meeting"
CHECKIN_SALT = "canhgiac.meetings.checkin"
CHECKIN_COOKIE_AGE = int((actions.CHECKIN_OPENS_BEFORE + actions.CHECKIN_CLOSES_AFTER).total_seconds()) + 3600
# Taps from one address (a whole village can share one mobile carrier address, so this is
# generous): enough for a hall full of people on one Wi-Fi, not for a script.
CHECKIN_LIMIT = 300
CHECKIN_WINDOW = 3600
UPCOMING_DAYS = 60


def _forbidden() -> HttpResponseForbidden:
    return HttpResponseForbidden(_("Bạn không có quyền làm việc này."))


def checkin_url(session: Session) -> str:
    """The address the QR code holds: the public site's (SITE_URL), since the code is
    printed and scanned on people's own phones, not on the officer's network."""
    return settings.SITE_URL.rstrip("/") + reverse("meetings_checkin", args=[session.checkin_token])


@officer_required
def session_list(request: HttpRequest) -> HttpResponseBase:
    """Upcoming sessions by day, and past ones filtered by unit, topic and period, with the
    period's figures from stats.summary (the same as the dashboard's)."""
    user = officer(request)
    try:
        period = Period.parse(request.GET.get("from"), request.GET.get("to"), default_days=90)
    except BadPeriod as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    units = queries.chosen_units(user, request.GET.get("unit", ""))
    topic = request.GET.get("topic", "")[:120]
    now = timezone.now()
    sessions = visible_sessions(user).filter(unit_id__in=units).select_related("unit", "topic")
    upcoming = list(sessions.filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=UPCOMING_DAYS)).order_by("starts_at"))
    days: dict[date, list[Session]] = defaultdict(list)
    for item in upcoming:
        days[timezone.localdate(item.starts_at)].append(item)
    past = sessions.filter(starts_at__gte=period.start_at, starts_at__lt=min(period.end_at, now))
    if topic:
        past = past.filter(topic__name=topic)
    past_rows = list(past.order_by("-starts_at")[:200])
    present = _present_by_session(past_rows)
    summary = stats.summary(units, period.start_at, period.end_at)
    context = {
        "days": sorted(days.items()),
        "past": [(item, present.get(item.pk, (0, 0))) for item in past_rows],
        "summary": summary,
        "by_unit": stats.by_unit(units, period.start_at, period.end_at),
        "period": period,
        "units": Unit.objects.filter(pk__in=user.visible_unit_ids()),
        "topics": sorted(set(Topic.objects.filter(unit_id__in=user.visible_unit_ids()).values_list("name", flat=True))),
        "chosen_unit": request.GET.get("unit", ""),
        "chosen_topic": topic,
    }
    return render(request, "meetings/list.html", context)


def _present_by_session(sessions: list[Session]) -> dict[int, tuple[int, int]]:
    """(invited, present) for each session, present counting QR check-ins."""
    totals: dict[int, list[int]] = {item.pk: [0, item.checked_in] for item in sessions}
    for row in Attendance.objects.filter(session__in=sessions).values("session_id", "invited", "present"):
        totals[row["session_id"]][0] += row["invited"]
        totals[row["session_id"]][1] += row["present"]
    return {pk: (invited, present) for pk, (invited, present) in totals.items()}


def _form_unit(request: HttpRequest, session: Session | None) -> Unit:
    """The unit whose topics, officers and materials the form offers."""
    user = officer(request)
    if session is not None:
        return session.unit
    chosen = request.POST.get("unit") or request.GET.get("unit") or ""
    if chosen:
        # Another unit's number is a 404, never quietly the officer's own unit instead.
        if not (chosen.isdigit() and int(chosen) in user.visible_unit_ids()):
            raise Http404
        return Unit.objects.get(pk=int(chosen))
    assert user.unit is not None
    return user.unit


@officer_required
def session_edit(request: HttpRequest, session_id: int | None = None) -> HttpResponseBase:
    user = officer(request)
    session = session_for(user, session_id) if session_id else None
    if not user.can_act:
        return _forbidden()
    unit = _form_unit(request, session)
    actions.topics_for(unit)
    initial: dict[str, object] = {"unit": unit.pk}
    if session is not None:
        initial.update(
            topic=session.topic_id,
            title=session.title,
            place=session.place,
            starts_at=timezone.localtime(session.starts_at),
            ends_at=timezone.localtime(session.ends_at) if session.ends_at else None,
            target_group=session.target_group,
            leaders=list(session.leaders.all()),
            warnings=list(session.warnings.all()),
            bulletins=list(session.bulletins.all()),
        )
    else:
        initial["leaders"] = [user]
    units = [unit.pk] if session is not None else user.visible_unit_ids()
    # A POST that only changes the unit (the page has no script for it) redraws the form
    # with that unit's topics and officers, without saving.
    bound = request.method == "POST" and request.POST.get("refresh") != "1"
    form = SessionForm(request.POST if bound else None, request.FILES if bound else None, units=units, unit=unit, initial=initial)
    if bound and form.is_valid():
        try:
            saved = actions.save_session(
                user,
                form.fields_for_action(),
                session=session,
                material=form.cleaned_data.get("material"),
                remove_material=bool(request.POST.get("remove_material")),
                ip=client_ip(request),
            )
        except actions.ActionError as exc:
            form.add_error(None, str(exc))
        except PermissionError:
            return _forbidden()
        else:
            messages.success(request, _("Đã lưu buổi tuyên truyền."))
            return HttpResponseRedirect(reverse("meetings:detail", args=[saved.pk]))
    status = 400 if bound else 200
    return render(request, "meetings/edit.html", {"form": form, "session": session}, status=status)


@officer_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponseBase:
    user = officer(request)
    session = session_for(user, session_id)
    rows = {row.group: row for row in session.attendance.all()}
    initial: dict[str, object] = {"report": session.report}
    for group, row in rows.items():
        initial[f"invited_{group}"] = row.invited
        initial[f"present_{group}"] = row.present
    form = AttendanceForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if not user.can_act:
            return _forbidden()
        if form.is_valid():
            try:
                actions.record_attendance(
                    user, session, form.counts(), form.cleaned_data.get("report") or "", held=True, ip=client_ip(request)
                )
            except actions.ActionError as exc:
                form.add_error(None, str(exc))
            except PermissionError:
                return _forbidden()
            else:
                messages.success(request, _("Đã lưu số người dự và báo cáo."))
                return HttpResponseRedirect(reverse("meetings:detail", args=[session.pk]))
        status = 400
    invited = sum(row.invited for row in rows.values())
    present = sum(row.present for row in rows.values()) + session.checked_in
    context = {
        "session": session,
        "form": form,
        "attendance": [(row.get_group_display(), row.invited, row.present) for row in rows.values()],
        "invited": invited,
        "present": present,
        "rate": present / invited if invited else None,
        "opens": timezone.localtime(actions.checkin_window(session)[0]),
        "closes": timezone.localtime(actions.checkin_window(session)[1]),
        # The form is shown once the session has begun, or to say why it was refused.
        "started": session.starts_at <= timezone.now() or form.is_bound,
    }
    return render(request, "meetings/detail.html", context, status=status)


@officer_required
@require_POST
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponseBase:
    user = officer(request)
    session = session_for(user, session_id)
    try:
        actions.cancel_session(user, session, ip=client_ip(request))
    except PermissionError:
        return _forbidden()
    messages.success(request, _("Đã hủy buổi tuyên truyền."))
    return HttpResponseRedirect(reverse("meetings:detail", args=[session.pk]))


@officer_required
@require_POST
def session_new_link(request: HttpRequest, session_id: int) -> HttpResponseBase:
    user = officer(request)
    session = session_for(user, session_id)
    try:
        actions.new_checkin_link(user, session, ip=client_ip(request))
    except PermissionError:
        return _forbidden()
    messages.success(request, _("Đã tạo mã QR mới; mã cũ không còn dùng được."))
    return HttpResponseRedirect(reverse("meetings:qr", args=[session.pk]))


@officer_required
def session_qr(request: HttpRequest, session_id: int) -> HttpResponseBase:
    """The printable page with the QR code, for those who may see the session."""
    session = session_for(officer(request), session_id)
    opens, closes = actions.checkin_window(session)
    context = {"session": session, "url": checkin_url(session), "opens": timezone.localtime(opens), "closes": timezone.localtime(closes)}
    return render(request, "meetings/qr.html", context)


@officer_required
def session_qr_image(request: HttpRequest, session_id: int, kind: str) -> HttpResponseBase:
    session = session_for(officer(request), session_id)
    if kind not in ("svg", "png"):
        raise Http404
    code = segno.make(checkin_url(session), error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        code.save(buffer, kind="svg", scale=8, border=2, xmldecl=True, title=session.title[:80])
        content_type = "image/svg+xml"
    else:
        code.save(buffer, kind="png", scale=12, border=2)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="diem-danh-{session.pk}.{kind}"'
    return response


@officer_required
def session_material(request: HttpRequest, session_id: int) -> FileResponse:
    """The uploaded material, only to those who may see the session; always as a download
    (a PDF or an image is never run in the console's origin)."""
    session = session_for(officer(request), session_id)
    if not session.material:
        raise Http404
    suffix = session.material.name.rsplit(".", 1)[-1].lower()
    content_type = actions.MATERIAL_TYPES.get(suffix, (b"", "application/octet-stream"))[1]
    return FileResponse(
        session.material.open("rb"), content_type=content_type, as_attachment=True, filename=session.material_name or f"tai-lieu.{suffix}"
    )


@officer_required
def topic_list(request: HttpRequest) -> HttpResponseBase:
    """The unit's topics: add one, rename one, stop or resume offering one."""
    user = officer(request)
    unit = _form_unit(request, None)
    actions.topics_for(unit)
    form = TopicForm(request.POST if request.method == "POST" and request.POST.get("refresh") != "1" else None)
    if form.is_bound:
        if not user.can_act:
            return _forbidden()
        topic = None
        if request.POST.get("topic", "").isdigit():
            topic = Topic.objects.filter(pk=int(request.POST["topic"]), unit=unit).first()
            if topic is None:
                raise Http404
        if form.is_valid():
            try:
                actions.save_topic(
                    user, unit, form.cleaned_data["name"], topic=topic, active=request.POST.get("active", "1") == "1", ip=client_ip(request)
                )
            except actions.ActionError as exc:
                form.add_error("name", str(exc))
            except PermissionError:
                return _forbidden()
            else:
                messages.success(request, _("Đã lưu chủ đề."))
                return HttpResponseRedirect(reverse("meetings:topics") + f"?unit={unit.pk}")
    context = {
        "form": form,
        "unit": unit,
        "units": Unit.objects.filter(pk__in=user.visible_unit_ids()),
        "topics": Topic.objects.filter(unit=unit).order_by("-active", "name"),
    }
    return render(request, "meetings/topics.html", context, status=400 if form.is_bound else 200)


def _checked_in_here(request: HttpRequest, session: Session) -> bool:
    value = request.get_signed_cookie(CHECKIN_COOKIE, default=None, salt=CHECKIN_SALT, max_age=CHECKIN_COOKIE_AGE)
    return value == session.checkin_token


def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The public page behind the QR code: one tap, counted once per phone, nothing kept."""
    session = Session.objects.filter(checkin_token=token[:64]).select_related("unit", "topic").first()
    if session is None:
        raise Http404
    done = _checked_in_here(request, session)
    error = ""
    status = 200
    if request.method == "POST" and not done:
        if not allow("meetings.checkin", client_ip(request), CHECKIN_LIMIT, CHECKIN_WINDOW):
            error, status = _("Có quá nhiều lượt điểm danh từ mạng này. Vui lòng thử lại sau ít phút."), 429
        else:
            try:
                actions.check_in(session)
            except actions.CheckInClosed as exc:
                error, status = str(exc), 400
            else:
                done = True
                response = render(request, "meetings/checkin.html", {"session": session, "done": True, "just_now": True})
                response.set_signed_cookie(
                    CHECKIN_COOKIE,
                    session.checkin_token,
                    salt=CHECKIN_SALT,
                    max_age=CHECKIN_COOKIE_AGE,
                    path=reverse("meetings_checkin", args=[session.checkin_token]),
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
    opens, closes = actions.checkin_window(session)
    now = timezone.now()
    context = {
        "session": session,
        "done": done,
        "error": error,
        "open": opens <= now <= closes and session.status != Session.Status.CANCELLED,
        "opens": timezone.localtime(opens),
    }
    return render(request, "meetings/checkin.html", context, status=status)
