"""Who sees which meetings: as for cases (a commune sees its own, a district its
communes), in one place for every view."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from canhgiac.web.accounts.models import User
from canhgiac.web.meetings.models import Session, Topic


def visible_sessions(user: User) -> QuerySet[Session]:
    if not user.is_authenticated or not user.is_active:
        return Session.objects.none()
    return Session.objects.filter(unit_id__in=user.visible_unit_ids())


def session_for(user: User, session_id: int) -> Session:
    """The session, if this user may see it; 404 otherwise (never 403: another unit's
    sessions are not to be probed)."""
    try:
        return visible_sessions(user).select_related("unit", "topic").get(pk=session_id)
    except Session.DoesNotExist:
        raise Http404("no such session") from None


def visible_topics(user: User) -> QuerySet[Topic]:
    if not user.is_authenticated or not user.is_active:
        return Topic.objects.none()
    return Topic.objects.filter(unit_id__in=user.visible_unit_ids())
