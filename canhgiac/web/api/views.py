"""The JSON API on django-ninja: the schemas (schemas.py) validate what comes in, shape
what goes out and make the OpenAPI document served at /api/v1/openapi.json.

Public endpoints (intake, check, follow-up) need no token and are rate-limited per
address; officer endpoints need a token (auth.py). Every change goes through the same
actions as the console and the channels; nothing here changes state itself."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Query
from ninja.decorators import decorate_view
from ninja.renderers import JSONRenderer
from ninja.responses import Status

from canhgiac.web.accounts.models import User
from canhgiac.web.api import schemas
from canhgiac.web.api.auth import TOKEN_AUTH
from canhgiac.web.api.errors import ApiError, JsonBody, error, install_handlers
from canhgiac.web.cases import actions, queries
from canhgiac.web.cases.access import case_for
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.cases.views import PAGE_SIZE
from canhgiac.web.core.engine import engine
from canhgiac.web.core.ratelimit import allow, client_ip, refund
from canhgiac.web.intake.models import Channel


class Utf8Json(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Vietnamese as it is (as before): readable, shorter than \\u escapes


api = NinjaAPI(
    title="Cảnh Giác API",
    version="1",
    description="Public intake and scam checks; officers' case API (token). Errors: {error, message}, the message in Vietnamese.",
    urls_namespace="api",
    docs_url=None,  # Swagger UI comes from a CDN and runs inline scripts: neither is allowed here
    parser=JsonBody(),
    renderer=Utf8Json(),
)
install_handlers(api)

Run = Callable[..., HttpResponse]


def refusals(*statuses: int) -> dict[Any, Any]:
    """The documented error responses of an operation, each with the Error schema."""
    return {status: schemas.Error for status in statuses}


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]  # set by the token check (auth.py)
    return user


# ---------------------------------------------------------------------------- limits
# Applied around the whole operation, before the body is read: a malformed request
# counts like any other.


def public(scope: str, limit_setting: str) -> Callable[[Run], Run]:
    def decorate(run: Run) -> Run:
        @wraps(run)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allow(scope, client_ip(request), getattr(settings, limit_setting), settings.CANHGIAC_INTAKE_WINDOW):
                return error(429, "rate_limited", "Gửi quá nhiều trong thời gian ngắn; hãy thử lại sau.")
            return run(request, *args, **kwargs)

        return wrapper

    return decorate


def followup_attempt(run: Run) -> Run:
    """A guess at a follow-up key, counted before the body is read (a malformed guess is a
    guess); the right key gives its hit back (followup_case), so exactly
    CANHGIAC_FOLLOWUP_ATTEMPTS wrong ones are allowed."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not allow("followup", client_ip(request), settings.CANHGIAC_FOLLOWUP_ATTEMPTS, 900):
            return error(429, "rate_limited", "Nhập sai quá nhiều lần; hãy thử lại sau 15 phút.")
        return run(request, *args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------- shapes


def message_out(m: Message) -> schemas.MessageOut:
    return schemas.MessageOut(
        direction=Message.Direction(m.direction), body=m.body, created=m.created, delivery=Message.Delivery(m.delivery)
    )


def case_fields(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "unit": case.unit.name,
        "status": case.status,
        "intent": case.intent,
        "category": case.category or None,
        "urgent": case.urgent,
        "scam_score": round(case.scam_score, 4),
        "verdict": case.verdict,
        "assigned_to": case.assigned_to.get_username() if case.assigned_to else None,
        "created": case.created,
        "last_activity": case.last_activity,
        "unread": case.unread,
        "preview": case.preview,
    }


def case_out(case: Case) -> schemas.CaseOut:
    return schemas.CaseOut(**case_fields(case))


def case_detail_out(case: Case) -> schemas.CaseDetailOut:
    return schemas.CaseDetailOut(
        **case_fields(case),
        reasons=case.reasons,
        indicators=case.indicators,
        messages=[message_out(m) for m in case.messages.all()],
    )


# ---------------------------------------------------------------------------- public


@api.post("/intake", response={201: schemas.IntakeOut, **refusals(400, 404, 413, 429, 503)}, tags=["public"])
@decorate_view(public("intake", "CANHGIAC_INTAKE_RATE"))
def intake(request: HttpRequest, payload: schemas.IntakeIn) -> Status[schemas.IntakeOut]:
    """Send a tip, a question or a message to check (public, rate-limited)."""
    channel = (
        Channel.objects.select_related("unit")
        .filter(slug=payload.channel, kind__in=[Channel.Kind.API, Channel.Kind.WEB], active=True)
        .first()
    )
    if channel is None:
        raise ApiError(404, "not_found", "Không có kênh này.")
    received = actions.receive_message(channel=channel, text=payload.text, contact=payload.contact or "")
    return Status(
        201,
        schemas.IntakeOut(
            reference=received.case.reference,
            followup_key=received.followup_key,
            analysis=schemas.AnalysisOut(**received.analysis.to_dict()),
            reply=received.reply.body if received.reply else None,
        ),
    )


@api.post("/check", response={200: schemas.AnalysisOut, **refusals(400, 413, 429)}, tags=["public"])
@decorate_view(public("check", "CANHGIAC_INTAKE_RATE"))
def check(request: HttpRequest, payload: schemas.CheckIn) -> schemas.AnalysisOut:
    """Check a message for a scam, storing nothing: the verdict, reasons and advice (public, rate-limited)."""
    return schemas.AnalysisOut(**engine().analyze(payload.text).to_dict())


def followup_case(request: HttpRequest, payload: schemas.FollowupIn) -> Case:
    """The case the reference and key open; 404 for a wrong pair, in the same time either way."""
    reference = payload.reference.strip().upper()
    case = Case.objects.filter(reference=reference).exclude(followup_key_hash="").select_related("channel", "unit").first()
    expected = case.followup_key_hash if case else actions.hash_key("no such case")
    if case is None or not hmac.compare_digest(actions.hash_key(payload.key.strip()), expected):
        raise Http404("no such case")
    refund("followup", client_ip(request))
    return case


@api.post("/followup", response={200: schemas.ThreadOut, **refusals(400, 404, 413, 429)}, tags=["public"])
@decorate_view(followup_attempt)
def followup(request: HttpRequest, payload: schemas.FollowupIn) -> schemas.ThreadOut:
    """Read a case with its reference and secret key."""
    case = followup_case(request, payload)
    thread = case.messages.exclude(direction="note")
    return schemas.ThreadOut(reference=case.reference, status=Case.Status(case.status), messages=[message_out(m) for m in thread])


@api.post("/followup/messages", response={201: schemas.FollowupMessageOut, **refusals(400, 404, 409, 413, 429, 503)}, tags=["public"])
# decorate_view wraps in the order given, the last outermost: the intake limit is counted first.
@decorate_view(followup_attempt, public("intake", "CANHGIAC_INTAKE_RATE"))
def followup_message(request: HttpRequest, payload: schemas.FollowupMessageIn) -> Status[schemas.FollowupMessageOut]:
    """Write more on a case, anonymously."""
    case = followup_case(request, payload)
    if not case.is_open:
        raise ApiError(409, "closed", "Tin này đã đóng.")
    received = actions.receive_message(channel=case.channel, text=payload.text, case=case)
    return Status(201, schemas.FollowupMessageOut(reference=case.reference, reply=received.reply.body if received.reply else None))


# ---------------------------------------------------------------------------- officers


@api.get("/cases", auth=TOKEN_AUTH, response={200: schemas.CaseListOut, **refusals(400, 401, 413)}, tags=["officers"])
def case_list(request: HttpRequest, filters: Query[schemas.CaseFilters]) -> schemas.CaseListOut:
    """Cases the token's user may see, triaged, a page at a time."""
    chosen = queries.Filters.from_params(filters.model_dump(by_alias=True, exclude={"page"}))
    listing = queries.case_list(_user(request), chosen)
    page = max(1, filters.page)
    rows = list(listing.lines.select_related("unit", "assigned_to")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    counts = listing.counts()
    return schemas.CaseListOut(
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        filters=listing.filters.as_dict(),
        # As in the inbox: every matching case counted, near-duplicates listed under the
        # first of their group unless group=0 (cases/queries.py).
        count=schemas.CountOut(total=counts.total, lines=counts.lines, merged=counts.merged),
        cases=[case_out(c) for c in rows[:PAGE_SIZE]],
    )


@api.get("/cases/{reference}", auth=TOKEN_AUTH, response={200: schemas.CaseDetailOut, **refusals(401, 404, 413)}, tags=["officers"])
def case_get(request: HttpRequest, reference: str) -> schemas.CaseDetailOut:
    """One case with its reasons, indicators and thread (another unit's case: 404)."""
    return case_detail_out(case_for(_user(request), reference))


@api.post(
    "/cases/{reference}/messages",
    auth=TOKEN_AUTH,
    response={201: schemas.MessageOut, **refusals(400, 401, 403, 404, 413, 429, 503)},
    tags=["officers"],
)
def case_reply(request: HttpRequest, reference: str, payload: schemas.ReplyIn) -> Status[schemas.MessageOut]:
    """Reply to the reporter through the channel they wrote on."""
    user = _user(request)
    case = case_for(user, reference)
    return Status(201, message_out(actions.reply(case, user, payload.text, client_ip(request))))


@api.post(
    "/cases/{reference}/status",
    auth=TOKEN_AUTH,
    response={200: schemas.CaseOut, **refusals(400, 401, 403, 404, 413, 429)},
    tags=["officers"],
)
def case_status(request: HttpRequest, reference: str, payload: schemas.StatusIn) -> schemas.CaseOut:
    """Change a case's status."""
    user = _user(request)
    case = case_for(user, reference)
    actions.change_status(case, user, payload.status, client_ip(request))
    return case_out(case)


@api.post(
    "/cases/{reference}/assign",
    auth=TOKEN_AUTH,
    response={200: schemas.CaseOut, **refusals(400, 401, 403, 404, 413, 429)},
    tags=["officers"],
)
def case_assign(request: HttpRequest, reference: str, payload: schemas.AssignIn) -> schemas.CaseOut:
    """Assign a case to an officer who may act on it (username null or empty: unassign)."""
    user = _user(request)
    case = case_for(user, reference)
    assignee = User.objects.filter(username=payload.username).first() if payload.username else None
    if payload.username and assignee is None:
        raise actions.ActionError("Không có người dùng này.")
    actions.assign(case, user, assignee, client_ip(request))
    return case_out(case)


@api.post(
    "/cases/{reference}/answer",
    auth=TOKEN_AUTH,
    response={200: schemas.CaseOut, **refusals(400, 401, 403, 404, 413, 429)},
    tags=["officers"],
)
def case_answer(request: HttpRequest, reference: str, payload: schemas.ReviewIn) -> schemas.CaseOut:
    """An officer's word on an automatic answer, as the console's buttons: right (the case is
    resolved) or not (the officer takes it, and the question joins the unanswered)."""
    user = _user(request)
    case = case_for(user, reference)
    actions.review_answer(case, user, payload.right, client_ip(request))
    return case_out(case)
