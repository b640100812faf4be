"""What the console's header needs for static/live.js."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def live_seconds() -> int:
    """The polling interval, from settings (a browser test polls every second)."""
    return max(1, int(getattr(settings, "CANHGIAC_LIVE_SECONDS", 15)))
