"""Real Celery workers for the audit tests: a thin layer over tests/support/celery.py.

The audit tests' workers run `tests.audits.celery_app` (AUDIT_TEST_CHUNK_DELAY_S slows every
chunk's commit; AUDIT_TEST_QUEUE keeps re-queues on the test's queue), on Redis db 11 of the test's
Redis, with a short broker visibility timeout (VISIBILITY_TIMEOUT_S) so that redelivery can be
tested. Everything else (the test database, a queue of its own per test purged before and after,
solo workers stopped or SIGKILLed by pid, beat) is `tests.support.celery.CeleryWorkers`.

    workers = Workers.for_test(settings)
    worker = workers.start(chunk_delay_s=2)     # each chunk sleeps before it commits (kill tests)
    workers.kill(worker)                        # SIGKILL, as a crash would
"""

from __future__ import annotations

from typing import Any

from tests.support.celery import CeleryWorker, CeleryWorkers, celery_app_reconfigure

WORKER_REDIS_DB = 11
VISIBILITY_TIMEOUT_S = 6

Worker = CeleryWorker


def set_broker(url: str, queue: str | None = None) -> tuple[str, str]:
    """Point this process's Celery app at `url` (and its default queue at `queue`, if given);
    returns the previous URL and default queue."""
    from config.celery import app

    previous = (str(app.conf.broker_url), str(app.conf.task_default_queue))
    conf = {"broker_url": url} | ({} if queue is None else {"task_default_queue": queue})
    celery_app_reconfigure(app, **conf)
    return previous


class Workers(CeleryWorkers):
    """`CeleryWorkers` with the audit tests' app, Redis db, visibility timeout and chunk delay."""

    @classmethod
    def for_test(cls, settings: Any) -> Workers:
        """Open the test's queue on db WORKER_REDIS_DB of the test's broker (the Celery app's,
        i.e. the settings' REDIS_URL; `settings` is kept for the callers)."""
        del settings
        workers = cls.open(
            redis_db=WORKER_REDIS_DB,
            prefix="audits",
            app="tests.audits.celery_app",
            env={"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S)},
        )
        workers.extra_env["AUDIT_TEST_QUEUE"] = workers.queue
        return workers

    @property
    def redis_url(self) -> str:
        return self.broker_url

    @property
    def previous_broker(self) -> tuple[str, str]:
        return self.previous

    def env(self, **extra: str) -> dict[str, str]:
        """A worker's environment, with `extra` on top."""
        return self.process_env(extra)

    def start(
        self,
        *,
        chunk_delay_s: float = 0.0,
        name: str = "",
        env: dict[str, str] | None = None,
        **options: Any,
    ) -> Worker:
        """Start one worker and wait until it consumes (`env`: more environment, e.g. settings;
        `chunk_delay_s`: each chunk sleeps that long between its claim and its commit)."""
        extra = {"AUDIT_TEST_CHUNK_DELAY_S": str(chunk_delay_s)} if chunk_delay_s else {}
        return super().start(name=name, env=extra | (env or {}), **options)

    def stop_all(self) -> None:
        self.close()
