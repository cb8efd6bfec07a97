"""Audits on real Celery workers (Redis db 11, the test database, workers stopped by pid):
distribution over two workers, a worker SIGKILLed in the middle of a chunk (its chunk re-queued
by the service, redelivered by the broker's visibility timeout alone, or re-queued by a real beat
alone), cancellation while chunks run, and concurrent start requests racing on the unique index.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from apps.audits import services
from apps.audits.models import AuditChunk, AuditFinding, AuditRun
from tests.audits.workers import VISIBILITY_TIMEOUT_S
from tests.factories.plant import parallel_hall, parallel_link

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WRONG_TRUNK = "TRK-B12-MPO12-A-FF-OM4"


def wait_for(condition: Callable[[], Any], timeout: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition}")


def run_status(run: AuditRun) -> str:
    return str(AuditRun.objects.filter(pk=run.pk).values_list("status", flat=True).get())


def expected_findings(hall: Any) -> Counter[tuple[Any, ...]]:
    """What the audit must store: every link and the hall chunk computed in this process."""
    from apps.plant.models import Link
    from apps.plant.selectors import link_ids_for_hall

    ids = Link.objects.filter(pk__in=link_ids_for_hall(hall_id=hall.pk)).values_list("pk")
    found = services.link_findings(link_ids=[pk for (pk,) in ids])
    found += services.hall_findings(hall_id=hall.pk)
    return Counter((f.subject_key, f.code, f.fingerprint) for f in found)


def stored_findings(run: AuditRun) -> Counter[tuple[Any, ...]]:
    rows = AuditFinding.objects.filter(run=run).values_list("subject_key", "code", "fingerprint")
    return Counter(rows)


@pytest.fixture
def faulty_hall(hall: Any, settings: Any) -> Any:
    """Five links (the fourth with a type A trunk), two links per chunk: 3 link chunks + 1."""
    settings.AUDIT_CHUNK_SIZE = 2
    build = parallel_hall(hall, links=3)
    parallel_link(build, 3, trunk_code=WRONG_TRUNK)
    parallel_link(build, 4)
    return build.hall


def test_audit_runs_on_two_workers_and_stores_exactly_the_findings(celery_workers, faulty_hall):
    # given
    expected = expected_findings(faulty_hall)
    first, second = celery_workers.start(), celery_workers.start()
    # when
    run, created = services.audit_start(hall=faulty_hall)
    # then
    assert created
    wait_for(lambda: run_status(run) == "done", 60, celery_workers.logs())
    run.refresh_from_db()
    assert stored_findings(run) == expected
    assert run.findings_total == sum(expected.values()) > 0
    assert set(run.chunks.values_list("status", "attempts")) == {("done", 1)}
    logs = [w.log.read_text() for w in (first, second)]
    assert all("audit_chunk_execute_task" in log for log in logs), "both workers took chunks"


def test_worker_killed_mid_chunk_the_run_still_completes_nothing_lost_or_doubled(
    celery_workers, faulty_hall
):
    # given: a worker whose chunks take 3 s between claim and commit
    expected = expected_findings(faulty_hall)
    slow = celery_workers.start(chunk_delay_s=3, name="slow")
    run, _ = services.audit_start(hall=faulty_hall)
    claimed = wait_for(
        lambda: AuditChunk.objects.filter(run=run, status="running").first(), 30, "a claim"
    )
    # when: the worker dies in the middle of that chunk, a fresh worker comes, beat re-queues
    celery_workers.kill(slow)
    assert AuditChunk.objects.get(pk=claimed.pk).status == "running"
    celery_workers.start(name="fresh")
    requeued = services.audit_chunks_requeue(stale_after=timedelta(0))
    # then
    assert claimed.pk in requeued
    wait_for(lambda: run_status(run) == "done", 60, celery_workers.logs())
    run.refresh_from_db()
    assert stored_findings(run) == expected
    killed = AuditChunk.objects.get(pk=claimed.pk)
    assert (killed.status, killed.attempts >= 2) == ("done", True)
    per_chunk = Counter(AuditFinding.objects.filter(run=run).values_list("chunk_id", flat=True))
    assert dict(per_chunk) == {
        pk: n for pk, n in run.chunks.values_list("pk", "findings_count") if n
    }


def test_chunk_of_a_killed_worker_is_redelivered_by_the_broker_visibility_timeout(
    celery_workers, faulty_hall
):
    """No beat, no re-queue call: the broker gives the unacknowledged message back once it is
    older than CELERY_VISIBILITY_TIMEOUT (6 s here), to the next worker that polls."""
    # given: a worker dies in the middle of a chunk (its message delivered, not acknowledged)
    expected = expected_findings(faulty_hall)
    slow = celery_workers.start(chunk_delay_s=3, name="slow")
    run, _ = services.audit_start(hall=faulty_hall)
    claimed = wait_for(
        lambda: AuditChunk.objects.filter(run=run, status="running").first(), 30, "a claim"
    )
    celery_workers.kill(slow)
    # when: the visibility timeout passes and a worker starts (it restores visible messages)
    time.sleep(VISIBILITY_TIMEOUT_S + 1)
    celery_workers.start(name="fresh")
    # then
    wait_for(lambda: run_status(run) == "done", 60, celery_workers.logs())
    run.refresh_from_db()
    assert stored_findings(run) == expected
    killed = AuditChunk.objects.get(pk=claimed.pk)
    assert (killed.status, killed.attempts) == ("done", 2)


def test_beat_requeues_the_chunk_of_a_killed_worker(celery_workers, faulty_hall):
    """A visibility timeout of an hour (the broker will not redeliver): beat's re-queue task,
    every second, with chunks stale after 1 s, re-publishes the chunk; nothing is doubled."""
    no_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "3600"}
    expected = expected_findings(faulty_hall)
    slow = celery_workers.start(chunk_delay_s=3, name="slow", env=no_redelivery)
    run, _ = services.audit_start(hall=faulty_hall)
    claimed = wait_for(
        lambda: AuditChunk.objects.filter(run=run, status="running").first(), 30, "a claim"
    )
    # when
    celery_workers.kill(slow)
    celery_workers.start(name="fresh", env=no_redelivery | {"AUDIT_HEARTBEAT_STALE_SECONDS": "1"})
    celery_workers.beat(env={"AUDIT_REQUEUE_INTERVAL_SECONDS": "1"})
    # then
    wait_for(lambda: run_status(run) == "done", 60, celery_workers.logs())
    run.refresh_from_db()
    assert stored_findings(run) == expected
    killed = AuditChunk.objects.get(pk=claimed.pk)
    assert (killed.status, killed.attempts >= 2) == ("done", True)
    per_chunk = Counter(AuditFinding.objects.filter(run=run).values_list("chunk_id", flat=True))
    assert dict(per_chunk) == {
        pk: n for pk, n in run.chunks.values_list("pk", "findings_count") if n
    }


def test_cancel_while_chunks_run_stops_the_run(celery_workers, faulty_hall):
    celery_workers.start(chunk_delay_s=1.5, name="slow")
    run, _ = services.audit_start(hall=faulty_hall)
    wait_for(lambda: run_status(run) == "running", 30, "running")
    services.audit_cancel(run=run)
    time.sleep(4)  # the chunk in flight commits nothing; the queued ones return at once
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert not AuditFinding.objects.filter(run=run).exists()
    assert run.chunks.exclude(status="done").exists()


def test_concurrent_start_requests_make_one_run(hall, no_enqueue, monkeypatch):
    """Both requests pass the pre-check; the partial unique index decides, in real transactions."""
    parallel_hall(hall, links=1)
    barrier = threading.Barrier(2, timeout=10)
    real = services._active_run
    seen: dict[int, int] = {}

    def racing(hall_id: int) -> AuditRun | None:
        me = threading.get_ident()
        seen[me] = seen.get(me, 0) + 1
        if seen[me] == 1:  # the pre-check: both find nothing, then insert together
            barrier.wait()
            return None
        return real(hall_id)

    monkeypatch.setattr(services, "_active_run", racing)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            run, created = services.audit_start(hall=hall)
            results.append((run.pk, created))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(created for _pk, created in results) == [False, True]
    assert len({pk for pk, _created in results}) == 1
    assert AuditRun.objects.filter(hall=hall).count() == 1
