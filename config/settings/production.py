"""Production settings: refuse to start without a database, a broker, a real secret key and an API
token pepper."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env

for _name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"):
    if not env(_name, default=""):
        raise ImproperlyConfigured(f"{_name} must be set in production.")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):  # noqa: F405
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random string of 50 or more characters."
    )
if not env("DJANGO_API_TOKEN_PEPPER", default=""):
    raise ImproperlyConfigured(
        "DJANGO_API_TOKEN_PEPPER must be set in production: a random string of 50 or more "
        "characters for a new installation. Upgrading one that issued API tokens without it? Set "
        "it to the pepper derived from DJANGO_SECRET_KEY so far (README, Configuration, prints "
        "it), or every API token stops working."
    )
if API_TOKEN_PEPPER.startswith("hex:"):  # noqa: F405
    try:
        bytes.fromhex(API_TOKEN_PEPPER.removeprefix("hex:"))  # noqa: F405
    except ValueError:
        raise ImproperlyConfigured(
            "DJANGO_API_TOKEN_PEPPER starts with hex: but the rest is not hex digits."
        ) from None

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers and container healthchecks probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
