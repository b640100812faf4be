"""Who sees which cases: one place, used by every view and API endpoint."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from canhgiac.web.accounts.models import User
from canhgiac.web.cases.models import Case


def visible_cases(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(unit_id__in=user.visible_unit_ids())


def case_for(user: User, reference: str) -> Case:
    """The case, if this user may see it; 404 otherwise (never 403: another unit's case
    references are not to be probed)."""
    try:
        return visible_cases(user).select_related("unit", "channel", "reporter", "assigned_to").get(reference=reference)
    except Case.DoesNotExist:
        raise Http404("no such case") from None
