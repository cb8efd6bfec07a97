"""A real Celery worker for tests that need tasks to run (STYLE.md: no eager mode).

    from tests.support import celery as celery_support
    celery_worker = celery_support.celery_worker   # in a test module (or a conftest)

    @pytest.mark.django_db(transaction=True)
    def test_something(celery_worker, catalog):
        ...  # a service schedules a task on commit; the worker runs it against the test database
        celery_worker.wait_for(lambda: Link.objects.get(pk=pk).status == "ok", timeout=30)

The fixture starts `celery -A config worker --pool solo` as a subprocess on the TEST database
(DATABASE_URL built from settings.DATABASES, DJANGO_SETTINGS_MODULE=config.settings.test), on the
test process's broker (settings.CELERY_BROKER_URL, i.e. REDIS_URL; set CELERY_TEST_BROKER_URL to
use another Redis db), listening on a queue of its own (`test-<random>`) that this process's
Celery app routes every task to while the fixture is active: concurrent test runs on the same
Redis never steal each other's tasks. The queue is purged before and after; the worker is stopped
by its pid (TERM, then KILL), and its log is printed if a test fails while waiting.
Tests must be transactional: the worker only sees committed rows.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CeleryWorker:
    """A running worker subprocess: its queue, pid and log."""

    queue: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        """The worker's log so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Poll `condition` until it holds; fail with the worker's log after `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited:\n{self.output()}")
            time.sleep(0.2)
        pytest.fail(f"condition not met within {timeout} s; worker log:\n{self.output()}")


def test_database_url() -> str:
    """A DATABASE_URL for the test database this process uses."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    name = connection.settings_dict["NAME"]  # the test database once pytest-django set it up
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


def _purge(app: object, queue: str) -> None:
    from kombu import Queue

    with (
        app.connection_for_write() as connection,  # type: ignore[attr-defined]
        contextlib.suppress(Exception),  # a queue that does not exist yet is empty
    ):
        Queue(queue, channel=connection.default_channel).purge()


def _start(queue: str, broker: str, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=test_database_url(),
        REDIS_URL=broker,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool", "solo", "--queues", queue, "--hostname", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "INFO",
    ]  # fmt: skip
    handle = log.open("wb")
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def celery_app_reconfigure(app: Any, **conf: Any) -> None:
    """Change the Celery app's configuration for this process and drop what it derived from it.

    `app.amqp` caches the default queue and the router, and `app._pool` the broker connections:
    without dropping them, tasks would still go to the previous queue or broker after a test.
    """
    app.conf.update(**conf)
    app.__dict__.pop("amqp", None)
    app._pool = None


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[CeleryWorker]:
    """A real worker on the test database, on its own queue; stopped by pid at the end."""
    from config import celery_app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    broker = os.environ.get("CELERY_TEST_BROKER_URL") or str(celery_app.conf.broker_url)
    saved = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    celery_app_reconfigure(celery_app, broker_url=broker, task_default_queue=queue)
    log = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
    _purge(celery_app, queue)
    process = _start(queue, broker, log)
    worker = CeleryWorker(queue, process, log)
    try:
        deadline = time.monotonic() + 60
        while "ready." not in worker.output():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{worker.output()}")
            time.sleep(0.2)
        yield worker
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        _purge(celery_app, queue)
        celery_app_reconfigure(celery_app, broker_url=saved[0], task_default_queue=saved[1])
        log.unlink(missing_ok=True)
