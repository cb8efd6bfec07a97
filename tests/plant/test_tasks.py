"""Background re-validation after plant edits, with a real Celery worker (no eager mode).

[sw QSFP28-SR4]--B cord--[panel]==TRK-B 30 m==[panel]--B cord--[sw QSFP28-SR4]   (parallel_hall)
"""

from __future__ import annotations

import logging
import time

import pytest

from apps.plant import services
from apps.plant.models import Link, Mating
from apps.plant.tasks import links_revalidate_task
from tests.factories.plant import ParallelHall, cable_make, leg, parallel_hall, port
from tests.support import celery as celery_support

celery_worker = celery_support.celery_worker  # the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _ok_link() -> tuple[ParallelHall, Link]:
    build = parallel_hall()
    link = build.links[0]
    services.links_revalidate(hall_id=build.hall.pk)
    link.refresh_from_db()
    assert link.status == Link.Status.OK
    assert not link.needs_revalidation
    return build, link


def test_unplugging_a_cord_revalidates_its_link_in_the_background(celery_worker, catalog):
    # given: a validated link
    build, link = _ok_link()
    cord = build.cables["cord_b0"]
    # when: the far cord is pulled out (the service schedules the task on commit)
    services.leg_disconnect(leg=leg(cord, "A1"))
    # then: the worker stores the link's new status
    celery_worker.wait_for(lambda: Link.objects.get(pk=link.pk).status == Link.Status.ERROR)
    stored = Link.objects.get(pk=link.pk)
    assert not stored.needs_revalidation
    assert stored.last_report is not None
    assert "OPEN_FIBER" in {f["code"] for f in stored.last_report["findings"]}
    # and when: plugged back in
    services.leg_connect(
        leg=leg(cord, "A1"), port=port(build.transceivers[0][1], "1"), side="front"
    )
    celery_worker.wait_for(lambda: Link.objects.get(pk=link.pk).status == Link.Status.OK)


def test_deleting_a_trunk_and_creating_a_link_are_revalidated(celery_worker, catalog):
    build, link = _ok_link()
    services.cable_delete(cable=build.cables["trunk0"])
    celery_worker.wait_for(lambda: Link.objects.get(pk=link.pk).status == Link.Status.ERROR)
    trunk = cable_make(build.hall, "TRK-B12-MPO12-B-FF-OM4", "TRK-new", 30000)
    services.leg_connect(leg=leg(trunk, "A1"), port=port(build.panels[0][0], "1"), side="rear")
    services.leg_connect(leg=leg(trunk, "B1"), port=port(build.panels[1][0], "1"), side="rear")
    celery_worker.wait_for(lambda: Link.objects.get(pk=link.pk).status == Link.Status.OK)


def test_a_down_broker_does_not_fail_the_write_and_leaves_the_link_marked(
    catalog, monkeypatch, caplog
):
    # given: a validated link, and a broker on a closed port
    from config import celery_app

    build, link = _ok_link()
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    # when
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="apps.core.tasks"):
        services.leg_disconnect(leg=leg(build.cables["cord_b0"], "A1"))
    # then: the write landed, fast, and the link waits for re-validation
    assert time.monotonic() - started < 5
    stored = Link.objects.get(pk=link.pk)
    assert stored.needs_revalidation
    assert stored.status == Link.Status.OK  # the old status, not re-computed
    assert not Mating.objects.filter(leg=leg(build.cables["cord_b0"], "A1")).exists()
    assert "Could not enqueue apps.plant.tasks.links_revalidate_task" in caplog.text


def test_the_task_is_idempotent_and_ignores_a_deleted_hall(catalog):
    build, link = _ok_link()
    assert links_revalidate_task(build.hall.pk, [link.pk]) == 1
    assert links_revalidate_task(build.hall.pk, [link.pk]) == 1
    assert Link.objects.get(pk=link.pk).status == Link.Status.OK
    assert links_revalidate_task(10**9) == 0
