"""The officers' API tokens (made with `canhgiac token USERNAME`), taken two ways, both in
the document's securitySchemes: `Authorization: Bearer <token>` and `X-API-Key: <token>`.
A token acts as its user, whose unit and role decide what it sees and may change."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer

from canhgiac.web.accounts.models import ApiToken, User, hash_token

# last_used is written at most this often: not one UPDATE per request.
LAST_USED_EVERY_SECONDS = 300


def token_user(raw: str) -> User | None:
    """The active user with a unit this token belongs to, or None."""
    raw = raw.strip()
    if not raw:
        return None
    token = ApiToken.objects.select_related("user", "user__unit").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active or token.user.unit_id is None:
        return None
    if token.last_used is None or (timezone.now() - token.last_used).total_seconds() > LAST_USED_EVERY_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user


def _signed_in(request: HttpRequest, user: User | None) -> User | None:
    if user is not None:
        request.user = user  # the token's user, never the session's (no cookie is looked at)
    return user


class BearerToken(HttpBearer):
    openapi_description = "A token made with `canhgiac token USERNAME`: `Authorization: Bearer cg_...`"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return _signed_in(request, token_user(token))


class ApiKeyToken(APIKeyHeader):
    param_name = "X-API-Key"
    openapi_description = "The same token in a header of its own, for clients that cannot set Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _signed_in(request, token_user(key or ""))


# Tried in this order; the first that names a user wins.
TOKEN_AUTH = [BearerToken(), ApiKeyToken()]
