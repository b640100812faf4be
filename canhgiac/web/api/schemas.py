"""What the API takes and gives: the one description of it. Request validation, response
checking and the OpenAPI document (/api/v1/openapi.json) all come from these classes, and
every enum from the codes the models and the engine use, so the document cannot drift."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, StrictBool
from pydantic_core import PydanticCustomError

from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES
from canhgiac.web.cases.models import Case, Message
from canhgiac.web.cases.queries import SORTS

MAX_PAGE = 100_000
REFERENCE_PATTERN = r"^CG-[0-9A-Z]{4}-[0-9A-Z]{4}$"

if TYPE_CHECKING:
    Intent = str
    Category = str
    Verdict = str
else:
    from typing import Literal

    # Literal types built from the engine's tables (a Literal of a tuple is the Literal of
    # its items): pydantic checks the values and the document lists them.
    Intent = Literal[tuple(INTENT_NAMES)]
    Category = Literal[tuple(CATEGORY_NAMES)]
    Verdict = Literal[tuple(VERDICT_NAMES)]


def _not_blank(value: str) -> str:
    # As the forms do: text of spaces only is no text (str.strip, which also drops the
    # separators \x1c-\x1f that JSON Schema's \S would keep).
    if not value.strip():
        raise PydanticCustomError("blank", "blank")
    return value


NotBlank = AfterValidator(_not_blank)
MessageText = Annotated[str, Field(min_length=1, max_length=settings.CANHGIAC_MAX_MESSAGE_CHARS), NotBlank]
ReplyText = Annotated[str, Field(min_length=1, max_length=10_000), NotBlank]
ChannelSlug = Annotated[str, Field(min_length=1, max_length=50), NotBlank]
Reference = Annotated[str, Field(min_length=1, max_length=16), NotBlank]
FollowupKey = Annotated[str, Field(min_length=1, max_length=64), NotBlank]
Contact = Annotated[str | None, Field(max_length=200)]
Username = Annotated[str | None, Field(max_length=150)]


# ---------------------------------------------------------------------------- errors


class Error(Schema):
    """Every refusal: a code for programs, a sentence (in Vietnamese) for people."""

    error: str = Field(description="invalid, unauthorized, forbidden, not_found, closed, too_large, too_deep, rate_limited, ...")
    message: str


# ---------------------------------------------------------------------------- requests


class IntakeIn(Schema):
    channel: ChannelSlug = Field(description="the API or web channel's slug")
    text: MessageText
    contact: Contact = Field(None, description="contact details, only if the citizen chooses to leave them (stored encrypted)")


class CheckIn(Schema):
    text: MessageText


class FollowupIn(Schema):
    reference: Reference
    key: FollowupKey = Field(description="the follow-up key given with the reference")


class FollowupMessageIn(FollowupIn):
    text: MessageText


class ReplyIn(Schema):
    text: ReplyText


class StatusIn(Schema):
    status: Case.Status


class AssignIn(Schema):
    username: Username = Field(None, description="null or empty: unassign")


class ReviewIn(Schema):
    right: StrictBool = Field(description="true: the automatic answer was right (the case is resolved); false: an officer takes it")


def _documented(values: Any, description: str = "") -> Any:
    # Query filters are read as the inbox reads them: a value that names nothing is
    # ignored, not refused (cases/queries.py). The document lists the values that work
    # (and no default, "", which is not one of them: leaving the filter out is).
    def extra(schema: dict[str, Any]) -> None:
        schema["enum"] = [*values]
        schema.pop("default", None)

    return Field("", description=description or None, json_schema_extra=extra)


class CaseFilters(Schema):
    status: str = _documented(["open", "all", *Case.Status.values], "open (the default), all, or one status")
    intent: str = _documented(INTENT_NAMES)
    category: str = _documented(CATEGORY_NAMES)
    urgent: str = _documented(["1"], "1: urgent cases only")
    verdict: str = _documented(VERDICT_NAMES)
    unit: str = Field("", description="a unit's number: that unit and those under it, if the token's user sees them")
    assigned: str = _documented(["me", "none"], "me: mine; none: nobody's")
    q: str = Field("", description="words to search for, with or without diacritics, or a reference")
    sort: str = _documented(SORTS)
    group: str = _documented(["0"], "0: near-duplicates listed one by one")
    start: str = Field("", alias="from", description="first day, YYYY-MM-DD")
    end: str = Field("", alias="to", description="last day, YYYY-MM-DD")
    # No minimum: below 1 reads as the first page, as before.
    page: int = Field(1, le=MAX_PAGE)


# ---------------------------------------------------------------------------- responses


class MessageOut(Schema):
    direction: Message.Direction
    body: str
    created: datetime
    delivery: Message.Delivery


class ReasonOut(Schema):
    code: str
    message: str
    evidence: str = ""
    weight: float = 0


class BankAccountOut(Schema):
    number: str
    bank: str | None


class IndicatorsOut(Schema):
    # Defaults: a case stored before a kind of indicator was extracted has no list for it.
    phones: list[str] = []
    bank_accounts: list[BankAccountOut] = []
    urls: list[str] = []
    domains: list[str] = []
    zalo_links: list[str] = []
    amounts_vnd: list[int] = []


class KnownIndicatorOut(Schema):
    kind: str = Field(description="phone, bank_account, domain or page")
    value: str


class AnalysisOut(Schema):
    """The engine's conclusions about one message, with its reasons (canhgiac.engine)."""

    intent: Intent
    intent_confidence: float
    category: Category | None
    category_confidence: float | None
    urgent: bool
    urgent_evidence: str | None
    scam_score: float = Field(ge=0, le=1)
    is_scam: bool
    verdict: Verdict
    reasons: list[ReasonOut]
    advice: str
    indicators: IndicatorsOut
    known_indicators: list[KnownIndicatorOut]
    normalized: str
    normalization_steps: list[str]
    explanation: list[str]
    victim: bool = Field(description="the sender, or someone close, has already lost money: the advice is what to do now")
    victim_evidence: str | None


class CaseOut(Schema):
    reference: str = Field(pattern=REFERENCE_PATTERN)
    unit: str
    status: Case.Status
    intent: Intent
    category: Category | None
    urgent: bool
    scam_score: float = Field(ge=0, le=1)
    verdict: Verdict
    assigned_to: str | None
    created: datetime
    last_activity: datetime
    unread: bool
    preview: str


class CaseDetailOut(CaseOut):
    reasons: list[ReasonOut]
    indicators: IndicatorsOut
    messages: list[MessageOut]


class CountOut(Schema):
    """As in the inbox: every matching case (total); the lines listed, a group of
    near-duplicates being one line unless group=0; merged = total - lines."""

    total: int = Field(ge=0)
    lines: int = Field(ge=0)
    merged: int = Field(ge=0)


class CaseListOut(Schema):
    page: int
    has_next: bool
    filters: dict[str, str]
    count: CountOut
    cases: list[CaseOut]


class IntakeOut(Schema):
    reference: str
    followup_key: str | None = Field(description="keep it: with the reference it opens the case again")
    analysis: AnalysisOut
    reply: str | None = Field(description="the automatic answer, when there is one")


class ThreadOut(Schema):
    reference: str
    status: Case.Status
    messages: list[MessageOut]


class FollowupMessageOut(Schema):
    reference: str
    reply: str | None
