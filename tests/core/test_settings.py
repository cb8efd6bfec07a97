"""Production settings refuse to start half-configured, and pass `check --deploy` when complete.

Each case runs `manage.py check` in a fresh interpreter: settings are read once per process.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DATABASE_URL": "postgres://fiber@db.internal:5432/fiber",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_API_TOKEN_PEPPER": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "example.com",
}
SETTINGS_VARIABLES = ("DJANGO_", "DATABASE_", "REDIS_", "CELERY_")


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py with exactly `env` as far as our settings are concerned."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=inherited | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_reports_no_issues():
    # when
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    # then
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"])
def test_production_refuses_to_start_without(missing):
    # given
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    # when
    result = _manage("check", env=env)
    # then
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing} must be set in production." in result.stderr


@pytest.mark.parametrize(
    "key", ["too-short", "django-insecure-" + "x" * 60], ids=["short", "django-insecure"]
)
def test_production_refuses_a_secret_key_that_is_not_random(key):
    # when
    result = _manage("check", env=PRODUCTION_ENV | {"DJANGO_SECRET_KEY": key})
    # then
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be a random string of 50 or more characters" in result.stderr


def test_production_refuses_to_start_without_an_api_token_pepper():
    # given
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_API_TOKEN_PEPPER"}
    # when
    result = _manage("check", env=env)
    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_API_TOKEN_PEPPER must be set in production" in (
        result.stderr
    )
    assert "Upgrading one that issued API tokens without it?" in result.stderr


def test_production_refuses_a_hex_pepper_that_is_not_hex():
    # when
    result = _manage("check", env=PRODUCTION_ENV | {"DJANGO_API_TOKEN_PEPPER": "hex:not-hex"})
    # then
    assert result.returncode != 0
    assert "DJANGO_API_TOKEN_PEPPER starts with hex: but the rest is not hex digits" in (
        result.stderr
    )


def _readme_pepper_command() -> str:
    """The command README's configuration table gives for the pepper derived so far."""
    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `DJANGO_API_TOKEN_PEP"))
    return re.findall(r"`(python3 -c [^`]+)`", row)[0]


def test_the_readme_pepper_keeps_the_tokens_issued_without_one(settings):
    """An upgrade sets the pepper to what README's command prints: old digests still match, also
    once the secret key is rotated, and production settings accept the value."""
    # given a token digested with the pepper derived from the secret key (no pepper configured)
    from apps.accounts.tokens import digest_matches, new_secret, secret_digest

    key = secrets.token_urlsafe(64)
    settings.SECRET_KEY, settings.API_TOKEN_PEPPER = key, ""
    secret = new_secret()
    stored = secret_digest(secret)
    # when the operator runs README's command with the production secret key
    printed = subprocess.run(
        ["bash", "-c", _readme_pepper_command()],
        env={"PATH": os.environ["PATH"], "DJANGO_SECRET_KEY": key},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    # then the token still matches with that pepper, whatever the secret key becomes
    settings.API_TOKEN_PEPPER, settings.SECRET_KEY = printed, secrets.token_urlsafe(64)
    assert printed.startswith("hex:")
    assert digest_matches(secret, stored)
    assert not digest_matches(new_secret(), stored)
    settings.API_TOKEN_PEPPER = secrets.token_urlsafe(64)  # a new pepper would lose every token
    assert not digest_matches(secret, stored)
    result = _manage("check", env=PRODUCTION_ENV | {"DJANGO_API_TOKEN_PEPPER": printed})
    assert result.returncode == 0, result.stderr


def test_socket_database_url_keeps_the_socket_path():
    """The launcher's embedded PostgreSQL: postgres://postgres@%2FSome%2FDir:5433/fiber."""
    # given
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(d['HOST'], d['PORT'], d['NAME'], d['USER'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://postgres@%2FSome%2FDir:5433/fiber",
    }
    # when
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES)} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/Some/Dir", "5433", "fiber", "postgres"]
