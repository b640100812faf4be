"""Template helpers of the officers' console: the score as everywhere, the channel banner,
the audit sentences."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from canhgiac.engine.labels import score_text
from canhgiac.web.audit import sentences
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.intake import health

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    """A scam score as it is shown everywhere: "82/100"."""
    return "" if value is None else score_text(float(value))


@register.inclusion_tag("channel_health.html", takes_context=True)
def channel_health(context: dict[str, Any]) -> dict[str, Any]:
    """The banner of every console page when a channel of the user's units cannot send."""
    user = context.get("user")
    units = user.visible_unit_ids() if user is not None and getattr(user, "unit_id", None) else []
    return {"failing": health.failing(units) if units else []}


@register.simple_tag
def audit_sentences(events: Any) -> list[tuple[AuditEvent, SafeString]]:
    """Events with their sentences, for a list of them on a page (one lookup per kind)."""
    return sentences.sentences(events)
