"""Enqueueing Celery tasks from services: after the commit, and never failing a landed write.

    schedule_after_commit(links_revalidate_task, hall_id=hall.pk, link_ids=[...])

The task is sent when the surrounding transaction commits (at once outside one), so a worker
never reads rows that are not there yet, and nothing is sent for a rolled-back write. A broker
that is down is logged and otherwise ignored: the write has already landed, and whatever the
task would have brought up to date stays marked for it (for plant links `needs_revalidation`, set
by the service before it schedules), so an audit or a later write catches up.

Failing fast: the publish is sent without Celery's publish retries, over a connection whose
connect and socket timeouts are BROKER_SEND_TIMEOUT_S (default 1.5 s; settings may override
`CELERY_BROKER_CONNECTION_TIMEOUT`, which Celery uses for the same purpose), so a down or
unroutable broker costs the request about a second, not Celery's default minutes of retries.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import KombuError, OperationalError

logger = logging.getLogger(__name__)

BROKER_SEND_TIMEOUT_S = 1.5

try:  # redis-py's errors are not all wrapped by kombu (e.g. a timeout while publishing)
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a requirement
    RedisError = OSError  # type: ignore[misc, assignment]

BROKER_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    KombuError,
    RedisError,
    ConnectionError,
    socket.timeout,
    OSError,
)


def _timeout() -> float:
    return float(getattr(settings, "CELERY_BROKER_CONNECTION_TIMEOUT", BROKER_SEND_TIMEOUT_S))


def task_send(task: Task, **kwargs: Any) -> bool:
    """Send the task now; False (logged) when the broker cannot be reached in time."""
    app = task.app
    timeout = _timeout()
    try:
        with app.connection_for_write(
            connect_timeout=timeout,
            transport_options={
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "max_retries": 0,
            },
        ) as connection:
            task.apply_async(kwargs=kwargs, connection=connection, retry=False)  # type: ignore[call-arg]
    except BROKER_ERRORS as error:
        logger.warning(
            "Could not enqueue %s(%s): %s: %s; its work stays pending.",
            task.name,
            ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items())),
            type(error).__name__,
            error,
        )
        return False
    return True


def schedule_after_commit(task: Task, **kwargs: Any) -> None:
    """Send `task(**kwargs)` once the current transaction commits (see the module docstring)."""
    transaction.on_commit(lambda: task_send(task, **kwargs))
