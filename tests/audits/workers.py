"""Real Celery workers for the audit tests.

Each worker is a `celery worker --pool=solo` subprocess (so its pid is the process that runs the
task: SIGKILL it and the task dies mid-chunk) with the TEST database's URL
(`tests.support.celery.test_database_url`), on Redis db 11 of the test's Redis and, as in
tests/support/celery.py, on a queue of its own (`audits-<random>`): the test process, the workers
and beat all route tasks there (AUDIT_TEST_QUEUE), so concurrent test runs on the same Redis never
take each other's chunks. The queue is purged before and after. Workers are stopped by pid.

tests/support/celery.py's `celery_worker` (one plain worker) serves tests that need no more; these
tests need several workers, SIGKILL, a slowed chunk commit, worker settings and beat.

    workers = Workers.for_test(settings)
    worker = workers.start(chunk_delay_s=2)     # each chunk sleeps before it commits (kill tests)
    workers.kill(worker)                        # SIGKILL, as a crash would
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kombu import Queue

from tests.support.celery import test_database_url

ROOT = Path(__file__).resolve().parents[2]
WORKER_REDIS_DB = 11
VISIBILITY_TIMEOUT_S = 6


def _redis_url(base: str, db: int) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def set_broker(url: str, queue: str | None = None) -> tuple[str, str]:
    """Point this process's Celery app at `url` (and its default queue at `queue`, if given);
    returns the previous URL and default queue."""
    from config.celery import app as celery_app

    app: Any = celery_app  # private pool attributes: celery's own _after_fork resets them so
    previous = (str(app.conf.broker_url), str(app.conf.task_default_queue))
    app.conf.update(broker_url=url)
    if queue is not None:
        app.conf.update(task_default_queue=queue)
    app._pool = None  # not closed: kombu's global pools registry would hand the closed one back
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    return previous


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def _purge(queue: str) -> None:
    from config.celery import app

    with app.connection_for_write() as connection:
        Queue(queue, channel=connection.default_channel).purge()


@dataclass
class Workers:
    database_url: str
    redis_url: str
    queue: str
    previous_broker: tuple[str, str]
    started: list[Worker] = field(default_factory=list)
    logdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="audit-workers-")))

    @classmethod
    def for_test(cls, settings: Any) -> Workers:
        url = _redis_url(settings.REDIS_URL, WORKER_REDIS_DB)
        queue = f"audits-{uuid.uuid4().hex[:12]}"
        previous = set_broker(url, queue)
        _purge(queue)
        return cls(test_database_url(), url, queue, previous)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=self.database_url,
            DATABASE_CONN_MAX_AGE="0",
            REDIS_URL=self.redis_url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT_S),
            AUDIT_TEST_QUEUE=self.queue,
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def start(
        self, *, chunk_delay_s: float = 0.0, name: str = "", env: dict[str, str] | None = None
    ) -> Worker:
        """Start one worker and wait until it consumes (`env`: more environment, e.g. settings)."""
        name = name or f"w{len(self.started)}"
        log = self.logdir / f"{name}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.audits.celery_app",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "--queues",
            self.queue,
            "-n",
            f"{name}@%h",
        ]
        extra = {"AUDIT_TEST_CHUNK_DELAY_S": str(chunk_delay_s)} if chunk_delay_s else {}
        extra.update(env or {})
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env(**extra), stdout=out, stderr=subprocess.STDOUT
            )
        worker = Worker(process, log)
        self.started.append(worker)
        deadline = time.monotonic() + 30
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        return worker

    def beat(self, *, env: dict[str, str] | None = None) -> Worker:
        """Start `celery beat` (the settings' schedule) on the broker; stopped like a worker."""
        log = self.logdir / f"beat{len(self.started)}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.audits.celery_app",
            "beat",
            "--loglevel=INFO",
            "-s",
            str(self.logdir / "beat-schedule"),
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env(**(env or {})), stdout=out, stderr=subprocess.STDOUT
            )
        beat = Worker(process, log)
        self.started.append(beat)
        return beat

    def kill(self, worker: Worker) -> None:
        """SIGKILL, as a crash or an OOM kill would."""
        os.kill(worker.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)

    def stop(self, worker: Worker) -> None:
        if worker.process.poll() is not None:
            return
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.started:
            self.stop(worker)
        _purge(self.queue)
        set_broker(*self.previous_broker)

    def logs(self) -> str:
        return "\n".join(f"--- {w.log.name}\n{w.log.read_text()[-4000:]}" for w in self.started)
