"""Debian's Chromium for the browser tests (pytest-playwright), never a downloaded browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_or_skip() -> None:
    """Skip with a printed reason when Chromium is absent, unless CI is set (then fail)."""
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason + " and CI is set: the browser tests must run")
    print(f"SKIPPED browser tests: {reason}")
    pytest.skip(reason)
