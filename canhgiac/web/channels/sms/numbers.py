"""Phone numbers as the phone reports them and as we send to them, in one form.

The phone gives a sender as it came from the network ("+84912345678", sometimes
"0912345678" or "84912345678"): all three are the same person, so they must be the same
channel identity, or a follow-up would open a second case.
"""

from __future__ import annotations

import re

_NOT_DIGITS = re.compile(r"\D+")


def normalise(raw: str) -> str:
    """A Vietnamese number as +84 and its national significant digits; any other number
    (a short code, a foreign number) as its digits, with its + if it had one."""
    raw = raw.strip()
    plus = raw.startswith("+")
    digits = _NOT_DIGITS.sub("", raw)[:20]
    if not digits:
        return ""
    if digits.startswith("84") and (plus or len(digits) in (11, 12)):
        return "+84" + digits[2:].lstrip("0")
    if digits.startswith("0") and not plus and len(digits) in (10, 11):
        return "+84" + digits[1:]
    if not plus and len(digits) == 9 and digits[0] in "35789":  # a mobile number without its 0
        return "+84" + digits
    return ("+" if plus else "") + digits
