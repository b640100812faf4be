"""Every change to people and their tokens made from the console: one function each, one
transaction, one audit row (who, whom, what; never a password or a token).

The rule for who may manage whom is here once (``may_manage``), and every function checks
it again, so a view that forgot a check still could not change anything it should not.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canhgiac.web.accounts.models import ApiToken, OfficerChat, PasswordLink, Unit, User, hash_token
from canhgiac.web.audit.log import record
from canhgiac.web.core.crypto import lookup_hash, lookup_hashes, seal
from canhgiac.web.core.db import writing
from canhgiac.web.intake.models import Channel

# Higher manages lower: an administrator everything of its subtree, a supervisor everyone
# but administrators.
RANK = {User.Role.VIEWER: 0, User.Role.OFFICER: 1, User.Role.SUPERVISOR: 2, User.Role.ADMIN: 3}


class ActionError(Exception):
    """A refusal to show the person, in their language."""


def can_manage_people(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.unit_id is not None and user.role in (User.Role.SUPERVISOR, User.Role.ADMIN)
    )


def rank(role: str) -> int:
    return RANK.get(User.Role(role), -1) if role in User.Role.values else -1


def roles_for(actor: User) -> list[tuple[str, str]]:
    """The roles this person may give: their own and those below it."""
    return [(value, str(label)) for value, label in User.Role.choices if rank(value) <= rank(actor.role)]


def manageable(actor: User) -> list[int]:
    """The units whose people this person manages: their own and every unit under it."""
    return actor.visible_unit_ids() if can_manage_people(actor) else []


def may_manage(actor: User, target: User) -> bool:
    """Someone of the actor's subtree, not above the actor, and not the actor: nobody
    changes their own role or locks themselves out (another supervisor does that)."""
    return (
        can_manage_people(actor) and target.pk != actor.pk and target.unit_id in manageable(actor) and rank(target.role) <= rank(actor.role)
    )


def _check(actor: User, target: User) -> None:
    if not may_manage(actor, target):
        raise PermissionError


def _check_role(actor: User, role: str) -> None:
    if rank(role) < 0:
        raise ActionError(_("Vai trò không hợp lệ."))
    if rank(role) > rank(actor.role):
        raise ActionError(_("Bạn không thể giao vai trò cao hơn vai trò của mình."))


def create_user(actor: User, *, username: str, full_name: str, unit: Unit, role: str, ip: str | None = None) -> User:
    """A new person with no password yet: they set one through a one-time link."""
    if not can_manage_people(actor) or unit.pk not in manageable(actor):
        raise PermissionError
    _check_role(actor, role)
    username = username.strip()
    if not username:
        raise ActionError(_("Cần có tên đăng nhập."))
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ActionError(_("Tên đăng nhập này đã có người dùng."))
        # A Vietnamese full name does not split into first and last name the western way:
        # it is kept whole.
        user = User(username=username, first_name=full_name.strip()[:150], unit=unit, role=role)
        user.set_unusable_password()
        user.save()
        record("user.created", actor=actor, unit=unit, obj=user, ip=ip, role=role)
    return user


def change_role(actor: User, target: User, role: str, ip: str | None = None) -> None:
    _check(actor, target)
    _check_role(actor, role)
    old = target.role
    if old == role:
        return
    with transaction.atomic():
        User.objects.filter(pk=target.pk).update(role=role)
        target.role = role
        record("user.role_changed", actor=actor, unit=target.unit, obj=target, ip=ip, old=old, new=role)


def set_active(actor: User, target: User, active: bool, ip: str | None = None) -> None:
    """Deactivate or reactivate. A deactivated person's sessions stop at their next
    request (Django's backend refuses an inactive user) and their API tokens with them."""
    _check(actor, target)
    if target.is_active == active:
        return
    with transaction.atomic():
        User.objects.filter(pk=target.pk).update(is_active=active)
        target.is_active = active
        record("user.reactivated" if active else "user.deactivated", actor=actor, unit=target.unit, obj=target, ip=ip)


def revoke_token(actor: User, token: ApiToken, ip: str | None = None) -> None:
    """The token is deleted (it has no revoked state): a request with it is refused at once."""
    _check(actor, token.user)
    with transaction.atomic():
        record("token.revoked", actor=actor, unit=token.user.unit, obj=token.user, ip=ip, token=token.prefix, name=token.name)
        token.delete()


def issue_password_link(actor: User, target: User, ip: str | None = None, now: datetime | None = None) -> str:
    """A new one-time token for the target to set a password; the earlier ones stop
    working. Returned once, to be shown once: only its hash is kept."""
    _check(actor, target)
    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=PasswordLink.LIFETIME_HOURS)
    with transaction.atomic():
        # One link per person at a time: an old one, lost or seen by someone, is void.
        PasswordLink.objects.filter(user=target).delete()
        PasswordLink.objects.create(user=target, token_hash=hash_token(raw), created_by=actor, created=now, expires=expires)
        record("user.password_link", actor=actor, unit=target.unit, obj=target, ip=ip, expires=expires.isoformat())
    return raw


def password_link(raw: str, now: datetime | None = None) -> PasswordLink | None:
    """The link of this token if it can still be used: unused, not expired, its person active."""
    now = now or timezone.now()
    link = PasswordLink.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if link is None or link.used is not None or link.expires <= now or not link.user.is_active:
        return None
    return link


def set_password(raw: str, password: str, ip: str | None = None, now: datetime | None = None) -> User:
    """Use the link: the password must pass the site's validators, and the link is spent in
    the same transaction (of two tabs sending at once, one wins)."""
    now = now or timezone.now()
    link = password_link(raw, now)
    if link is None:
        raise ActionError(_("Liên kết này không còn dùng được (đã dùng hoặc đã hết hạn). Hãy xin chỉ huy một liên kết mới."))
    user = link.user
    validate_password(password, user)  # ValidationError: the form shows it
    with transaction.atomic():
        if not PasswordLink.objects.filter(pk=link.pk, used__isnull=True, expires__gt=now).update(used=now):
            raise ActionError(_("Liên kết này không còn dùng được (đã dùng hoặc đã hết hạn). Hãy xin chỉ huy một liên kết mới."))
        user.set_password(password)
        user.save(update_fields=["password"])
        record("user.password_set", actor=user, unit=user.unit, obj=user, ip=ip)
    return user


# An officer's own Zalo account, linked to their console account: urgent tips of their
# units reach them there (canhgiac/web/cases/alerts.py).

LINK_KIND = "officer-link"  # what a link code's keyed hash is keyed with
CHAT_KINDS = (Channel.Kind.ZALO,)


def chat_channels(user: User) -> list[Channel]:
    """The chat channels an officer may link through, nearest first: their unit's, those
    of the units above it, then those of the units they see below it (a district officer
    whose district has no OA of its own follows a commune's)."""
    if user.unit is None:
        return []
    order = user.unit.ancestor_ids() + [pk for pk in user.visible_unit_ids() if pk != user.unit_id]
    found = Channel.objects.filter(kind__in=CHAT_KINDS, active=True, unit_id__in=order).select_related("unit")
    return sorted(found, key=lambda channel: (order.index(channel.unit_id), channel.pk))


def chat_of(user: User) -> OfficerChat | None:
    return OfficerChat.objects.select_related("channel").filter(user=user).first()


def start_link(user: User, ip: str | None = None, now: datetime | None = None) -> tuple[str, datetime]:
    """A new one-time code for the officer to send to the OA ("LK 123456"), and when it
    expires. Returned once, to be shown once: only its keyed hash is kept, so a copy of
    the database does not give the code; an earlier code stops working."""
    if not user.is_active or not chat_channels(user):
        raise ActionError(_("Đơn vị của bạn chưa có kênh Zalo OA để liên kết."))
    now = now or timezone.now()
    expires = now + timedelta(minutes=OfficerChat.CODE_MINUTES)
    with writing():
        # Six digits are few: a code still pending for another officer is not given twice,
        # so a code names one person.
        while True:
            code = f"{secrets.randbelow(1_000_000):06d}"
            taken = OfficerChat.objects.filter(code_hash__in=lookup_hashes(LINK_KIND, code), code_expires__gt=now).exists()
            if not taken:
                break
        chat, _created = OfficerChat.objects.get_or_create(user=user)
        OfficerChat.objects.filter(pk=chat.pk).update(code_hash=lookup_hash(LINK_KIND, code), code_expires=expires)
        record("user.chat_link_started", actor=user, unit=user.unit, obj=user, ip=ip, expires=expires.isoformat())
    return code, expires


def confirm_link(channel: Channel, chat_user_id: str, code: str, now: datetime | None = None) -> OfficerChat | None:
    """The code came to ``channel`` from ``chat_user_id``: that chat user is now the
    officer's, and the code is spent. None when no officer has this code pending (wrong,
    expired, already used), or the officer may not link through this channel."""
    now = now or timezone.now()
    with writing():
        chat = (
            OfficerChat.objects.select_for_update(of=("self",))
            .select_related("user", "user__unit")
            .filter(code_hash__in=lookup_hashes(LINK_KIND, code), code_expires__gt=now)
            .first()
        )
        if chat is None or not chat.user.is_active or channel.pk not in {c.pk for c in chat_channels(chat.user)}:
            return None
        user_hash = lookup_hash(f"{channel.kind}:{channel.pk}", chat_user_id)
        # A chat account is one person's: another officer who had linked it (a phone handed
        # on) is unlinked, so alerts of units they see do not go to whoever holds it now.
        hashes = lookup_hashes(f"{channel.kind}:{channel.pk}", chat_user_id)
        for other in OfficerChat.objects.filter(channel=channel, chat_user_hash__in=hashes).exclude(pk=chat.pk).select_related("user"):
            _clear_link(other)
            record("user.chat_unlinked", actor_label=f"channel:{channel.slug}", unit=other.user.unit, obj=other.user, replaced=True)
        chat.channel = channel
        chat.chat_user_hash = user_hash
        chat.chat_user_sealed = seal(chat_user_id)
        chat.verified_at = now
        chat.code_hash, chat.code_expires = "", None
        chat.save(update_fields=["channel", "chat_user_hash", "chat_user_sealed", "verified_at", "code_hash", "code_expires"])
        record("user.chat_linked", actor=chat.user, unit=chat.user.unit, obj=chat.user, channel=channel.slug)
    return chat


def _clear_link(chat: OfficerChat) -> None:
    OfficerChat.objects.filter(pk=chat.pk).update(channel=None, chat_user_hash="", chat_user_sealed="", verified_at=None)


def unlink(user: User, ip: str | None = None) -> bool:
    """The officer's chat account is forgotten (a pending code too); returns whether
    there was anything to forget."""
    with writing():
        chat = OfficerChat.objects.select_for_update().filter(user=user).first()
        if chat is None or (not chat.linked and not chat.code_hash):
            return False
        _clear_link(chat)
        OfficerChat.objects.filter(pk=chat.pk).update(code_hash="", code_expires=None)
        record("user.chat_unlinked", actor=user, unit=user.unit, obj=user, ip=ip)
    return True


def set_alerts(user: User, on: bool, ip: str | None = None) -> None:
    """Whether urgent tips of the officer's units reach their linked chat account."""
    with writing():
        chat, _created = OfficerChat.objects.select_for_update().get_or_create(user=user)
        if chat.urgent_alerts == on:
            return
        OfficerChat.objects.filter(pk=chat.pk).update(urgent_alerts=on)
        record("user.chat_alerts", actor=user, unit=user.unit, obj=user, ip=ip, on=on)
