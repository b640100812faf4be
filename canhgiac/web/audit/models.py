"""The audit log: who changed what, when, from where. Rows are only ever added.

Append-only is enforced twice: here, so that a mistaken ``save()`` or ``delete()`` fails
at once with a clear error, and in the database (migration 0003), so that a queryset
``update()``/``delete()`` or raw SQL fails too. The one change the database allows is a
reference to a deleted user or unit becoming NULL: ``actor_label`` keeps who it was.

Caution for later migrations: on SQLite, Django alters a table by building a new one and
dropping the old, which drops its triggers; a migration that changes this table must
install them again (tests/web/test_audit.py fails if they are missing).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CITIZEN_LABEL_PREFIX = "channel:"


class AuditEvent(models.Model):
    created = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)
    # SET_NULL, not DO_NOTHING without a constraint: no row ever points at a user or unit
    # that is gone (the console joins on it), and the database triggers allow exactly
    # this one update, a reference becoming NULL, and nothing else.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("người làm")
    )
    actor_label = models.CharField(_("ai"), max_length=150, help_text="who, kept when the user is deleted")
    action = models.CharField(_("thao tác"), max_length=60, db_index=True)
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("đơn vị"))
    object_type = models.CharField(_("loại đối tượng"), max_length=40, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=40, blank=True)
    # An officer's address only: a citizen's is never stored (PRODUCT.md, principle 4).
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký thao tác")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    @property
    def by_citizen(self) -> bool:
        """Written on behalf of a citizen's message (a channel), not by an officer."""
        return self.actor_id is None and self.actor_label.startswith(CITIZEN_LABEL_PREFIX)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        if self.by_citizen:
            # Whatever a caller passes: an address next to a tip would unmask its reporter.
            self.ip = None
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events cannot be deleted")
