"""The worker fixture itself (tests/support/celery.py): solo and prefork workers take the test's
tasks from the test's own queue, `kill` is a SIGKILL by pid, and closing leaves nothing of the
queue in the shared Redis db (no FLUSHDB: other runs' keys stay)."""

from __future__ import annotations

import signal
import uuid

import pytest
import redis

from apps.plant.models import Link
from apps.plant.tasks import links_revalidate_task
from tests.factories.plant import parallel_hall
from tests.support.celery import CeleryWorkers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_solo_and_prefork_workers_run_the_tests_tasks_and_leave_no_trace(catalog):
    # given: four links not validated yet, and another run's key in the same Redis db
    build = parallel_hall(links=4)
    ids = [link.pk for link in build.links]
    assert set(Link.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"unknown"}
    with CeleryWorkers.open(prefix="support") as workers:
        client = redis.Redis.from_url(workers.broker_url)
        other = f"another-run-{uuid.uuid4().hex[:8]}"
        client.set(other, "kept", ex=60)
        # when: two solo workers and a prefork pool of two consume the queue
        solo = workers.start_many(2)
        pool = workers.start(pool="prefork", concurrency=2, name="pool")
        for pk in ids:
            links_revalidate_task.delay(hall_id=build.hall.pk, link_ids=[pk])
        # then: every task ran against the test database
        pool.wait_for(
            lambda: (
                set(Link.objects.filter(pk__in=ids).values_list("status", flat=True))
                == {Link.Status.OK}
            ),
            timeout=60,
        )
        assert "concurrency: 2 (prefork)" in pool.output()
        workers.kill(solo[0])
        assert solo[0].process.returncode == -signal.SIGKILL
        queue = workers.queue
    # and: closing stopped every process and removed the queue's keys, nothing else
    assert all(w.process.poll() is not None for w in workers.started)
    assert [k for k in client.scan_iter() if queue.encode() in k] == []
    assert client.get(other) == b"kept"
    client.delete(other)
