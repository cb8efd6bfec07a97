"""API key material: generate ``<prefix>.<secret>``, split it, and digest the secret.

The secret never touches the database: only HMAC-SHA256(pepper, secret) does. The pepper lives in
settings (DJANGO_API_TOKEN_PEPPER), so a leaked database alone cannot be used to check guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

from django.conf import settings

PREFIX_LENGTH = 12
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
SECRET_BYTES = 32  # token_urlsafe(32): 43 characters, 256 bits
MAX_KEY_LENGTH = 200  # anything longer is not one of ours; refuse before hashing
SEPARATOR = "."


PEPPER_HEX = "hex:"  # a pepper given as raw bytes: "hex:" and their hex digits


def _pepper() -> bytes:
    """The server-side HMAC key: the configured pepper, else one derived from SECRET_KEY.

    production.py requires DJANGO_API_TOKEN_PEPPER; the fallback keeps development and tests
    working and is still secret (it is derived from SECRET_KEY, never stored). The derived pepper
    is raw bytes: an installation upgrading to a configured pepper keeps its tokens by setting
    "hex:" + its hex digits (README, Configuration).
    """
    pepper = str(getattr(settings, "API_TOKEN_PEPPER", "") or "")
    if pepper.startswith(PEPPER_HEX):
        return bytes.fromhex(pepper.removeprefix(PEPPER_HEX))
    if pepper:
        return pepper.encode()
    if not settings.SECRET_KEY:
        raise RuntimeError("API tokens need DJANGO_API_TOKEN_PEPPER or DJANGO_SECRET_KEY.")
    return hmac.new(
        settings.SECRET_KEY.encode(), b"fiber.accounts.api-token-pepper", hashlib.sha256
    ).digest()


def new_prefix() -> str:
    """A short random lookup id; not secret, but unguessable enough to be unique."""
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


def new_secret() -> str:
    """256 random bits, URL-safe base64 (never contains the separator)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def secret_digest(secret: str) -> str:
    """Hex HMAC-SHA256 of the secret, keyed with the pepper."""
    return hmac.new(_pepper(), secret.encode(), hashlib.sha256).hexdigest()


def digest_matches(secret: str, digest: str) -> bool:
    """Constant-time comparison of a presented secret with a stored digest."""
    return hmac.compare_digest(secret_digest(secret), digest)


def key_join(prefix: str, secret: str) -> str:
    """The plaintext key a client sends: ``<prefix>.<secret>``."""
    return f"{prefix}{SEPARATOR}{secret}"


def key_split(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    if len(key) > MAX_KEY_LENGTH:
        return None
    prefix, separator, secret = key.partition(SEPARATOR)
    if not separator or len(prefix) != PREFIX_LENGTH or not secret:
        return None
    if any(character not in PREFIX_ALPHABET for character in prefix):
        return None
    return prefix, secret
