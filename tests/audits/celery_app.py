"""The project's Celery app for test workers; AUDIT_TEST_CHUNK_DELAY_S slows every chunk.

The delay sits between a chunk's claim (status running, heartbeat) and its commit, so a test can
SIGKILL the worker in the middle of a chunk. Production code has no such hook.
"""

from __future__ import annotations

import os
import time
from typing import Any

from config.celery import app

__all__ = ["app"]

DELAY_S = float(os.environ.get("AUDIT_TEST_CHUNK_DELAY_S") or 0)

if DELAY_S:
    import django

    django.setup()
    from apps.audits import services

    _commit = services._chunk_commit

    def _slow_commit(**kwargs: Any) -> bool:
        time.sleep(DELAY_S)
        return _commit(**kwargs)

    services._chunk_commit = _slow_commit
