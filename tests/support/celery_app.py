"""The project's Celery app for test workers and beat (tests/support/celery.py starts them with
`-A tests.support.celery_app`): CELERY_TEST_QUEUE becomes the default queue, so that what a worker
or beat publishes (a task scheduling another, beat's re-queues) stays on the test's own queue.
"""

from __future__ import annotations

import os

from config.celery import app

__all__ = ["app"]

if os.environ.get("CELERY_TEST_QUEUE"):
    app.conf.task_default_queue = os.environ["CELERY_TEST_QUEUE"]
