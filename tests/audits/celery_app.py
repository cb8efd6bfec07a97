"""The project's Celery app for test workers; AUDIT_TEST_CHUNK_DELAY_S slows every chunk.

AUDIT_TEST_QUEUE: the default queue of the test's workers and beat (tests/audits/workers.py), so
that the chunks they publish (re-queues included) stay on the test's own queue.

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

if os.environ.get("AUDIT_TEST_QUEUE"):
    app.conf.task_default_queue = os.environ["AUDIT_TEST_QUEUE"]

if DELAY_S:
    import django

    django.setup()
    from apps.audits import services

    _commit = services._chunk_commit

    def _slow_commit(**kwargs: Any) -> bool:
        time.sleep(DELAY_S)
        return _commit(**kwargs)

    services._chunk_commit = _slow_commit
