"""DRF authentication by API token: ``Authorization: Bearer <prefix>.<secret>`` (or ``Token …``).

The prefix finds the row (unique index); the secret is HMAC-ed with the pepper and compared in
constant time. Only after the secret matches do we say whether the token is expired or disabled,
so a prefix alone reveals nothing about a token's state.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.accounts import tokens
from apps.accounts.models import APIToken, User

SCHEMES = (b"bearer", b"token")  # NetBox v2 keys under Bearer; Token kept for v1-style clients
LAST_USED_RESOLUTION = timedelta(seconds=60)


def _invalid(detail: str = "Invalid token.") -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(detail, code="token_invalid")


class TokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by API token; ``request.auth`` becomes the APIToken."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, APIToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in SCHEMES:
            return None  # not ours: Session or Basic may still authenticate the request
        if len(parts) != 2:
            raise _invalid("Invalid token header: expected '<scheme> <prefix>.<secret>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise _invalid("Invalid token header: the key must be ASCII.") from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str) -> tuple[User, APIToken]:
        split = tokens.key_split(key)
        if split is None:
            raise _invalid()
        prefix, secret = split
        token = APIToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            # Spend the same HMAC as a real check, so timing does not tell unknown prefixes apart.
            tokens.digest_matches(secret, "0" * 64)
            raise _invalid()
        if not tokens.digest_matches(secret, token.digest):
            raise _invalid()
        now = timezone.now()
        if token.expires is not None and token.expires <= now:
            raise exceptions.AuthenticationFailed("Token has expired.", code="token_expired")
        if not token.enabled:
            raise _invalid("Token is disabled.")
        if not token.user.is_active:
            raise _invalid("User is inactive.")
        self._touch(token, now=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'

    @staticmethod
    def _touch(token: APIToken, *, now: Any) -> None:
        """Record use at most once a minute: skip the write when the row says it is recent.

        The WHERE clause repeats the check so concurrent requests write once between them.
        """
        threshold = now - LAST_USED_RESOLUTION
        if token.last_used is not None and token.last_used >= threshold:
            return
        APIToken.objects.filter(
            Q(last_used__isnull=True) | Q(last_used__lt=threshold), pk=token.pk
        ).update(last_used=now)
        token.last_used = now


def request_token(request: Request) -> APIToken | None:
    """The API token that authenticated this request, or None (session, Basic, anonymous)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, APIToken) else None
