"""Real Celery workers for the audit tests.

Each worker is a `celery worker --pool=solo` subprocess (so its pid is the process that runs the
task: SIGKILL it and the task dies mid-chunk) with the TEST database's name in DATABASE_URL and
its own Redis database (db 11 on the test's Redis), purged before the first worker starts. The
test process publishes to the same Redis database. Workers are stopped by pid.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_REDIS_DB = 11
VISIBILITY_TIMEOUT_S = 6


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(db.get("HOST") or "127.0.0.1"), safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def _redis_url(base: str, db: int) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def set_broker(url: str) -> str:
    """Point this process's Celery app at `url`; returns the previous URL."""
    from config.celery import app as celery_app

    app: Any = celery_app  # private pool attributes: celery's own _after_fork resets them so
    previous = str(app.conf.broker_url)
    app.conf.update(broker_url=url)
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


@dataclass
class Workers:
    database_url: str
    redis_url: str
    previous_broker: str
    started: list[Worker] = field(default_factory=list)
    logdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="audit-workers-")))

    @classmethod
    def for_test(cls, settings: Any) -> Workers:
        import redis

        url = _redis_url(settings.REDIS_URL, WORKER_REDIS_DB)
        redis.Redis.from_url(url).flushdb()  # the queue (and unacked set) purged first
        return cls(_database_url(), url, set_broker(url))

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=self.database_url,
            DATABASE_CONN_MAX_AGE="0",
            REDIS_URL=self.redis_url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT_S),
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def start(self, *, chunk_delay_s: float = 0.0, name: str = "") -> Worker:
        """Start one worker and wait until it consumes."""
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
            "-n",
            f"{name}@%h",
        ]
        extra = {"AUDIT_TEST_CHUNK_DELAY_S": str(chunk_delay_s)} if chunk_delay_s else {}
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
        set_broker(self.previous_broker)

    def logs(self) -> str:
        return "\n".join(f"--- {w.log.name}\n{w.log.read_text()[-4000:]}" for w in self.started)
