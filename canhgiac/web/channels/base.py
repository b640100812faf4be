"""What a channel provides, so that cases, bulletins and the console never name a provider.

A channel is a folder under ``canhgiac/web/channels/`` (``zalo/``, ``sms/``...) holding its
webhook view, its client, its settings, fixtures and tests, and one ``adapter.py`` whose
module-level ``ADAPTER`` implements :class:`ChannelAdapter`. ``adapter_for(kind)`` finds it
from ``Channel.kind``; adding a channel is adding a folder and its line in ``ADAPTERS``.

Incoming: the channel's webhook verifies and stores the event (``InboundEvent``) before
acknowledging; a background task turns it into an :class:`Inbound` (or a
:class:`DeliveryReport`) with ``parse`` and hands it to the generic actions.
Outgoing: the generic actions store the answer, then enqueue ``channel.send`` for
channels that push; the task calls ``send_text`` / ``send_image`` and keeps the provider's
message id, which later delivery reports refer to.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from canhgiac.web.intake.models import Channel, InboundEvent

AttachmentKind = Literal["image", "audio", "video", "file", "sticker", "link"]
DeliveryState = Literal["sent", "delivered", "read", "failed"]


@dataclass(frozen=True)
class InboundAttachment:
    """Something sent with a message, still on the provider's servers (``url``) or
    already in hand (``content``); the generic side downloads, checks and stores it."""

    kind: AttachmentKind
    url: str = ""
    content: bytes = b""
    name: str = ""
    mime: str = ""
    size: int | None = None


@dataclass(frozen=True)
class Inbound:
    """One message from a citizen, whatever the channel."""

    event_id: str  # the provider's id of this message: processing it twice changes nothing
    sender: str  # the citizen's identity on this channel (Zalo user id, phone number): never shown
    text: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    location: tuple[float, float] | None = None  # (latitude, longitude) the citizen chose to share
    quoted_message_id: str = ""  # the provider's id of the message this one replies to, if any
    received_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """The provider says what became of something we sent."""

    provider_message_ids: tuple[str, ...]
    state: DeliveryState
    at: datetime | None = None
    error: str = ""


@dataclass(frozen=True)
class Subscription:
    """The citizen followed or unfollowed the channel (Zalo follow/unfollow)."""

    sender: str
    subscribed: bool
    event_id: str = ""


Parsed = Inbound | DeliveryReport | Subscription | None


@dataclass(frozen=True)
class Sent:
    """What a send returned: the provider's ids of the parts sent (one per part)."""

    provider_message_ids: tuple[str, ...] = ()
    parts: int = 1


@dataclass(frozen=True)
class Quote:
    """What one text costs each person on a channel that charges by the part (SMS), and
    what the unit may still send today: shown before a bulletin goes out."""

    parts: int  # as written
    plain_parts: int  # without diacritics
    sends_plain: bool  # the unit's rule sends this text without diacritics
    daily_cap: int  # parts a day for the whole unit
    used_today: int
    resume_at: datetime  # when what is over the cap goes
    plain_text: str = ""  # the text as it goes without diacritics


class SendError(Exception):
    """A send that failed. ``permanent`` failures are not retried (the recipient cannot be
    reached); others are retried by the task queue. ``code`` is the provider's code.

    Two failures are waits, not errors, and are never given up on: ``resume_at`` says the
    send may not go before then (a unit's daily SMS cap), and ``waits`` says the provider
    is out of reach for now (the office phone switched off) and the send goes once it is
    back, however long that takes; the console says so meanwhile."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        permanent: bool = False,
        waits: bool = False,
        resume_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent
        self.waits = waits
        self.resume_at = resume_at


class ChannelAdapter(Protocol):
    kind: str
    # Answers are pushed to the citizen through the provider (Zalo, SMS); the web page and
    # the API show them when the citizen looks, and nothing is sent.
    pushes: bool
    # The longest text one send takes without splitting (bulletins are never split).
    max_text: int
    # The provider lets a broadcast reach one person only so often (Zalo: once a day,
    # four times a month); bulletins that would go over are skipped, not refused.
    limits_broadcasts: bool
    # The provider carries images (Zalo); where it does not (SMS), the reply form offers
    # no photo and an answer with one is refused before any of it goes.
    sends_images: bool

    def parse(self, event: InboundEvent) -> Parsed:
        """A stored event as the generic side understands it; None for events that carry
        nothing to act on."""
        ...

    def send_text(
        self, channel: Channel, recipient: str, text: str, *, reply_to: str = "", key: str = "", plain: bool | None = None
    ) -> Sent:
        """Send ``text`` to ``recipient`` (a channel identity); raise SendError.

        ``key`` names this send among the channel's (``<message pk>.<part>`` for a part of
        an answer, ``b<delivery pk>`` for a bulletin): a provider that takes our ID for a
        message sends a retried key once. ``plain`` asks a channel that charges by the
        part for the form without diacritics (None: its own rule). Channels without
        either ignore them."""
        ...

    def send_image(self, channel: Channel, recipient: str, image: bytes, mime: str, *, caption: str = "") -> Sent:
        """Send an image (uploaded to the provider first where it needs that)."""
        ...

    def cost(self, text: str) -> int:
        """How many billable parts ``text`` takes on this channel (1 where sends are free)."""
        ...

    def quote(self, channel: Channel, text: str) -> Quote | None:
        """What ``text`` costs each person on ``channel``; None where sending is free."""
        ...

    def apply_report(self, channel: Channel, report: DeliveryReport) -> None:
        """The channel's own record of what became of a send (the SMS channel's send
        rows), before the generic side marks the answers and bulletins; nothing for a
        channel that keeps none. Called within ``writing()``."""
        ...


@dataclass
class Registry:
    """Adapters by ``Channel.kind``, imported on first use ("module:attribute")."""

    paths: dict[str, str]
    _loaded: dict[str, ChannelAdapter] = field(default_factory=dict)

    def __call__(self, kind: str) -> ChannelAdapter | None:
        if kind not in self.paths:
            return None
        if kind not in self._loaded:
            module, _, attribute = self.paths[kind].partition(":")
            adapter: Any = getattr(importlib.import_module(module), attribute)
            self._loaded[kind] = adapter
        return self._loaded[kind]


def mark_received(sent: Any, state: DeliveryState, at: datetime) -> int:
    """Apply a delivery or read report to what was sent (answers, bulletin deliveries:
    querysets of rows with ``delivered_at`` and ``read_at``). The first report of each
    kind wins; read implies delivered. Returns how many rows changed."""
    if state not in ("delivered", "read"):
        return 0
    changed: int = sent.filter(delivered_at__isnull=True).update(delivered_at=at)
    if state == "read":
        changed = max(changed, sent.filter(read_at__isnull=True).update(read_at=at))
    return changed


# Channels whose answers travel through a provider. The web page and the API have no
# adapter: their answers are read, not sent.
ADAPTERS = {
    "zalo": "canhgiac.web.channels.zalo.adapter:ADAPTER",
    "sms": "canhgiac.web.channels.sms.adapter:ADAPTER",
}
adapter_for = Registry(ADAPTERS)
