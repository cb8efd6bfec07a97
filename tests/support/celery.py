"""Real Celery workers for tests that need tasks to run (STYLE.md: no eager mode): the one
implementation every test uses (tests/audits/workers.py is a thin layer over it).

    from tests.support import celery as celery_support
    celery_worker = celery_support.celery_worker   # in a test module (or a conftest)

    @pytest.mark.django_db(transaction=True)
    def test_something(celery_worker, catalog):
        ...  # a service schedules a task on commit; the worker runs it against the test database
        celery_worker.wait_for(lambda: Link.objects.get(pk=pk).status == "ok", timeout=30)

    with CeleryWorkers.open(redis_db=11, env={"CELERY_VISIBILITY_TIMEOUT": "6"}) as workers:
        first, second = workers.start_many(2)           # --pool solo: the pid runs the task
        pool = workers.start(pool="prefork", concurrency=2)
        workers.kill(first)                             # SIGKILL by pid, as a crash would
        workers.beat(env={"AUDIT_REQUEUE_INTERVAL_SECONDS": "1"})

Every worker is a `celery worker` subprocess on the TEST database (DATABASE_URL built from the
test connection, DJANGO_SETTINGS_MODULE=config.settings.test, DATABASE_CONN_MAX_AGE=0), on the
test process's broker (settings.CELERY_BROKER_URL, i.e. REDIS_URL; CELERY_TEST_BROKER_URL overrides
it; `redis_db` picks another db of the same Redis), listening on a queue of its own
(`<prefix>-<random>`). This process's Celery app routes every task there while the workers are
open, and the workers and beat publish there too (tests/support/celery_app.py, CELERY_TEST_QUEUE),
so concurrent test runs on the same Redis never take each other's messages. Only that queue is
purged, before and after, with its bindings and its unacknowledged messages: a Redis db is
shared, never flushed. Processes are stopped by pid (TERM, then KILL); `kill` sends SIGKILL.
Tests must be transactional: workers only see committed rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.support.celery_app"
READY_TIMEOUT_S = 60.0


@dataclass
class CeleryWorker:
    """A running worker (or beat) subprocess: its name, pid and log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        """The process's log so far."""
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
    from django.db import connection

    db = connection.settings_dict  # the test database once pytest-django set it up
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(db.get("HOST") or "127.0.0.1"), safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def redis_db_url(base: str, db: int) -> str:
    """`base` (a redis:// URL) on another db of the same server."""
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def celery_app_reconfigure(app: Any, **conf: Any) -> None:
    """Change the Celery app's configuration for this process and drop what it derived from it.

    `app.amqp` caches the default queue, the router and the producer pool, and `app._pool` the
    broker connections: without dropping them, tasks would still go to the previous queue or
    broker after a test. The pool is dropped, not closed: kombu's global pools registry would
    hand the closed one back.
    """
    app.conf.update(**conf)
    app.__dict__.pop("amqp", None)
    app._pool = None


def queue_purge(queue: str) -> None:
    """Empty `queue` on this process's broker: its messages, its bindings (the exchange is named
    after the queue) and its unacknowledged messages (a killed worker's, which a later consumer on
    the same Redis db would otherwise restore into a queue nobody reads). Nothing else in the db
    is touched: the db is shared."""
    from kombu import Queue

    from config import celery_app

    with celery_app.connection_for_write() as connection:
        channel: Any = connection.default_channel  # kombu's Redis channel: its key names
        with contextlib.suppress(Exception):  # a queue that does not exist yet is empty
            Queue(queue, channel=channel).purge()
        client = getattr(channel, "client", None)
        if client is None:  # not Redis
            return
        tables = ("keyprefix_queue", "keyprefix_binding_permanent")
        client.delete(*(getattr(channel, t) % queue for t in tables if hasattr(channel, t)))
        if hasattr(channel, "keyprefix_binding_deadlines"):
            client.zrem(channel.keyprefix_binding_deadlines, queue)
        for tag, raw in client.hscan_iter(channel.unacked_key):
            with contextlib.suppress(ValueError, TypeError):
                _message, _exchange, routing_key = json.loads(raw)
                if routing_key == queue:
                    client.hdel(channel.unacked_key, tag)
                    client.zrem(channel.unacked_index_key, tag)


@dataclass
class CeleryWorkers:
    """Worker and beat processes of one test, all on the test's own queue; see the module doc."""

    queue: str
    broker_url: str
    database_url: str
    previous: tuple[str, str]
    app: str = APP
    extra_env: dict[str, str] = field(default_factory=dict)
    started: list[CeleryWorker] = field(default_factory=list)
    logdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="celery-workers-")))
    keep_logs: bool = False

    @classmethod
    def open(
        cls,
        *,
        redis_db: int | None = None,
        prefix: str = "test",
        app: str = APP,
        env: dict[str, str] | None = None,
        logdir: Path | None = None,
    ) -> Self:
        """Route this process's tasks to a new queue of its own and purge it; start nothing yet.

        `redis_db`: another db of the broker's Redis; `app`: the Celery app module the processes
        load (it must honour CELERY_TEST_QUEUE); `env`: more environment for every process (worker
        settings); `logdir`: keep the logs there (`<name>.log`) instead of a temporary folder.
        """
        from config import celery_app

        base = os.environ.get("CELERY_TEST_BROKER_URL") or str(celery_app.conf.broker_url)
        broker = redis_db_url(base, redis_db) if redis_db is not None else base
        queue = f"{prefix}-{uuid.uuid4().hex[:12]}"
        previous = (str(celery_app.conf.broker_url), str(celery_app.conf.task_default_queue))
        celery_app_reconfigure(celery_app, broker_url=broker, task_default_queue=queue)
        queue_purge(queue)
        workers = cls(queue, broker, test_database_url(), previous, app, dict(env or {}))
        if logdir is not None:
            logdir.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(workers.logdir, ignore_errors=True)
            workers.logdir, workers.keep_logs = logdir, True
        return workers

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def process_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of a worker or beat: the test database, the broker, the queue."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=self.database_url,
            DATABASE_CONN_MAX_AGE="0",
            REDIS_URL=self.broker_url,
            CELERY_TEST_QUEUE=self.queue,
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        env.update(extra or {})
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None) -> CeleryWorker:
        log = self.logdir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", self.app, *command],
                cwd=ROOT,
                env=self.process_env(env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started = CeleryWorker(name, process, log)
        self.started.append(started)
        return started

    def start(
        self,
        *,
        name: str = "",
        pool: str = "solo",
        concurrency: int = 1,
        env: dict[str, str] | None = None,
    ) -> CeleryWorker:
        """Start one worker on the queue and wait until it consumes.

        `pool`: "solo" (the default: the pid is the process that runs the task, so `kill` kills
        the task) or "prefork" with `concurrency` children; `env`: more environment (settings).
        """
        name = name or f"w{len(self.started)}"
        command = ["worker", "--pool", pool, "--queues", self.queue]
        command += ["--hostname", f"{name}.{self.queue}@%h", "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if pool != "solo":
            command += ["--concurrency", str(concurrency)]
        worker = self._spawn(name, command, env)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while " ready." not in worker.output():
            if worker.process.poll() is not None or time.monotonic() > deadline:
                self.stop(worker)
                pytest.fail(f"Celery worker {name} did not start:\n{worker.output()[-3000:]}")
            time.sleep(0.1)
        return worker

    def start_many(self, count: int, **options: Any) -> list[CeleryWorker]:
        """`count` workers started one after the other (the options of `start`, but the name)."""
        return [self.start(**options) for _ in range(count)]

    def beat(self, *, env: dict[str, str] | None = None) -> CeleryWorker:
        """Start `celery beat` (the settings' schedule) publishing to the queue."""
        name = f"beat{len(self.started)}"
        schedule = self.logdir / f"{name}-schedule"
        return self._spawn(name, ["beat", "--loglevel", "INFO", "-s", str(schedule)], env)

    def kill(self, worker: CeleryWorker) -> None:
        """SIGKILL by pid, as a crash or an OOM kill would (a prefork pool's children are left to
        notice their parent is gone)."""
        os.kill(worker.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)

    def stop(self, worker: CeleryWorker) -> None:
        """TERM by pid (a warm shutdown), then KILL if it has not exited within 15 s."""
        if worker.process.poll() is not None:
            return
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=10)

    def close(self) -> None:
        """Stop every process, purge the queue and give the Celery app its broker back."""
        from config import celery_app

        for worker in self.started:
            self.stop(worker)
        try:
            queue_purge(self.queue)
        finally:
            celery_app_reconfigure(
                celery_app, broker_url=self.previous[0], task_default_queue=self.previous[1]
            )
            if not self.keep_logs:
                shutil.rmtree(self.logdir, ignore_errors=True)

    def logs(self) -> str:
        """The tail of every process's log, for a failure message."""
        return "\n".join(f"--- {w.log.name}\n{w.output()[-4000:]}" for w in self.started)


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[CeleryWorker]:
    """One real solo worker on the test database, on its own queue; stopped by pid at the end."""
    with CeleryWorkers.open() as workers:
        yield workers.start()
