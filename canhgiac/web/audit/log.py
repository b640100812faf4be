"""Writing to the audit log: one function, called by every action."""

from __future__ import annotations

from typing import Any

from django.db import models

from canhgiac.web.audit.models import AuditEvent


def record(
    action: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    unit: Any = None,
    obj: models.Model | None = None,
    ip: str | None = None,
    **details: Any,
) -> AuditEvent:
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor.get_username()
        user = actor
    else:
        label = actor_label or "system"
        user = None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        unit=unit,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=ip,
        details=details,
    )
