"""Transient counters for rate limits, shared by every process through the database."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Hits by one address (or account, or chat user) in one scope, until ``expires``.

    No address is stored: ``digest`` is an HMAC of the scope and the address under the
    secret key, and the row is deleted once its window is over (core/ratelimit.py).
    """

    digest = models.CharField(max_length=64, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(db_index=True)  # Unix seconds: the end of the window

    def __str__(self) -> str:
        return f"{self.digest[:8]}… {self.hits}"
