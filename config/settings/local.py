"""Developer settings: debug on, and a secret key made once and kept under var/."""

import secrets

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, SECRET_KEY, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if not SECRET_KEY:
    _key_file = BASE_DIR / "var" / "secret_key"
    if not _key_file.exists():
        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()
