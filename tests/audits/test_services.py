"""Audit services called directly (no worker): planning, chunks, finalisation, diff, cancel,
re-queue, pruning, staleness and the chunk loader's query budget.

The halls are tests/factories/plant.py's parallel hall: Method B parallel links

    [sw SR4]--B cord--[panel]==TRK-B 30 m==[panel]--B cord--[sw SR4]

and a planted fault: a link whose trunk is type A (TRK-...-A-...): POLARITY_REVERSED on the link,
PERMANENT_LINK_POLARITY on the trunk between its panels.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audits import services
from apps.audits.models import AuditChunk, AuditFinding, AuditRun
from apps.audits.selectors import audit_diff, audit_finding_list, hall_current_audit
from apps.core.exceptions import ApplicationError
from apps.plant import services as plant
from apps.plant.models import Hall
from tests.factories.plant import ParallelHall, parallel_hall, parallel_link

WRONG_TRUNK = "TRK-B12-MPO12-A-FF-OM4"


def run_all(run: AuditRun) -> AuditRun:
    """Execute every chunk of the run in this process, then reload it."""
    for chunk_id in run.chunks.order_by("index").values_list("pk", flat=True):
        services.audit_chunk_execute(chunk_id=chunk_id)
    run.refresh_from_db()
    return run


def audit(hall: Hall) -> AuditRun:
    run, created = services.audit_start(hall=hall, enqueue=False)
    assert created
    return run_all(run)


@pytest.fixture
def faulty(hall: Any) -> Any:
    """Two good links and one with a type A trunk (the planted fault)."""
    build = parallel_hall(hall, links=2)
    bad = parallel_link(build, 2, trunk_code=WRONG_TRUNK)
    return build, bad


def test_good_hall_audit_completes_with_no_findings(hall, settings):
    # given
    settings.AUDIT_CHUNK_SIZE = 2
    parallel_hall(hall, links=3)
    # when
    run = audit(hall)
    # then
    assert run.status == AuditRun.Status.DONE
    assert run.links_total == 3
    # the 3 trunks in slices of 2 (the first with the hall-wide checks), 2 link chunks, the
    # link and trunk slices alternating after the hall chunk
    assert run.chunks_total == 4
    kinds = list(run.chunks.order_by("index").values_list("kind", "links_count", "cable_ids"))
    assert [(kind, n, len(cables)) for kind, n, cables in kinds] == [
        ("hall", 0, 2),
        ("links", 2, 0),
        ("trunk", 0, 1),
        ("links", 1, 0),
    ]
    assert run.findings_total == 0
    assert run.counts == {"by_code": {}, "by_severity": {}}
    assert run.started is not None
    assert run.finished is not None
    assert run.engine_version.startswith("engine-")
    assert hall_current_audit(hall_id=hall.pk) == run


def test_planted_wrong_trunk_is_found_on_the_link_and_its_permanent_link(faulty):
    build, bad = faulty
    run = audit(build.hall)
    findings = list(audit_finding_list(run=run))
    by_subject = {(f.subject, f.code) for f in findings if not f.consequence}
    assert ("link", "POLARITY_REVERSED") in by_subject
    assert ("permanent_link", "PERMANENT_LINK_POLARITY") in by_subject
    assert {f.link_id for f in findings if f.subject == "link"} == {bad.pk}
    trunk = build.cables["trunk2"]
    assert {f.subject_key for f in findings if f.subject == "permanent_link"} == {
        f"{trunk.label} A1-B1"
    }
    assert run.counts["by_code"]["POLARITY_REVERSED"] >= 1
    assert sum(run.counts["by_severity"].values()) == run.findings_total == len(findings)
    assert all(f.rack_id == build.racks[0].pk for f in findings if f.subject == "link")
    assert all(f.row_id == build.racks[0].row_id for f in findings)


def test_second_start_returns_the_active_run(hall, no_enqueue):
    parallel_hall(hall, links=1)
    first, created = services.audit_start(hall=hall)
    again, created_again = services.audit_start(hall=hall)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert no_enqueue == list(first.chunks.order_by("pk").values_list("pk", flat=True))


def test_a_chunk_run_twice_writes_its_findings_once(faulty):
    build, _bad = faulty
    run, _ = services.audit_start(hall=build.hall, enqueue=False)
    chunk = run.chunks.get(kind="links")
    assert services.audit_chunk_execute(chunk_id=chunk.pk) is True
    written = AuditFinding.objects.filter(chunk=chunk).count()
    assert services.audit_chunk_execute(chunk_id=chunk.pk) is False
    assert AuditFinding.objects.filter(chunk=chunk).count() == written > 0
    chunk.refresh_from_db()
    assert (chunk.status, chunk.attempts) == ("done", 1)


def test_duplicate_that_finishes_second_does_not_write(faulty):
    """Two copies computed at once: the second commit sees the chunk done and writes nothing."""
    build, _bad = faulty
    run, _ = services.audit_start(hall=build.hall, enqueue=False)
    chunk = run.chunks.get(kind="links")
    findings = services.link_findings(link_ids=chunk.link_ids)
    copy = services.link_findings(link_ids=chunk.link_ids)
    assert services._chunk_commit(run_id=run.pk, chunk_id=chunk.pk, findings=findings)
    assert not services._chunk_commit(run_id=run.pk, chunk_id=chunk.pk, findings=copy)
    assert AuditFinding.objects.filter(run=run).count() == len(findings)


def test_findings_appear_only_when_the_run_completes(faulty):
    build, _bad = faulty
    run, _ = services.audit_start(hall=build.hall, enqueue=False)
    services.audit_chunk_execute(chunk_id=run.chunks.get(kind="links").pk)
    run.refresh_from_db()
    assert run.status == "running"
    assert AuditFinding.objects.filter(run=run).exists()
    assert not audit_finding_list(run=run).exists()
    assert hall_current_audit(hall_id=build.hall.pk) is None


def test_cancelled_run_stops_chunks_and_keeps_the_previous_current_audit(faulty):
    build, _bad = faulty
    done = audit(build.hall)
    run, _ = services.audit_start(hall=build.hall, enqueue=False)
    services.audit_cancel(run=run)
    for chunk in run.chunks.all():
        assert services.audit_chunk_execute(chunk_id=chunk.pk) is False
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert not AuditFinding.objects.filter(run=run).exists()
    assert set(run.chunks.values_list("status", flat=True)) == {"pending"}
    assert hall_current_audit(hall_id=build.hall.pk) == done
    assert services.audit_cancel(run=run).status == "cancelled"  # idempotent
    with pytest.raises(ApplicationError) as error:
        services.audit_cancel(run=done)
    assert error.value.code == "not_active"


def test_run_is_stale_once_the_hall_plant_moves_past_it(faulty):
    build, _bad = faulty
    run = audit(build.hall)
    run = AuditRun.objects.select_related("hall").get(pk=run.pk)
    assert run.hall.plant_revision == run.plant_revision
    plant.cable_update(cable=build.cables["trunk0"], length_mm=31000)
    run = AuditRun.objects.select_related("hall").get(pk=run.pk)
    assert run.hall.plant_revision > run.plant_revision


def test_diff_against_the_previous_complete_run_by_fingerprint(faulty):
    # given: a first audit with the fault on link 2
    build, bad = faulty
    first = audit(build.hall)
    first_fps = set(AuditFinding.objects.filter(run=first).values_list("fingerprint", flat=True))
    # when: the fault is repaired (link and trunk deleted) and a new fault is planted on link 3
    bad_id = bad.pk
    plant.link_delete(link=bad)
    plant.cable_delete(cable=build.cables["trunk2"])
    new_bad = parallel_link(build, 3, trunk_code=WRONG_TRUNK)
    second = audit(build.hall)
    # then
    diff = audit_diff(run=second)
    assert diff.previous == first
    assert {f.link_id for f in diff.new if f.subject == "link"} == {new_bad.pk}
    assert {f.link_id for f in diff.fixed if f.subject == "link"} == {bad_id}
    assert second.diff == {
        "new": diff.new.count(),
        "fixed": diff.fixed.count(),
        "unchanged": diff.unchanged,
    }
    assert not set(f.fingerprint for f in diff.new) & first_fps


def test_fingerprints_are_stable_from_run_to_run(faulty):
    build, _bad = faulty
    first, second = audit(build.hall), audit(build.hall)
    fps = [
        sorted(AuditFinding.objects.filter(run=r).values_list("fingerprint", flat=True))
        for r in (first, second)
    ]
    assert fps[0] == fps[1]
    assert second.diff == {"new": 0, "fixed": 0, "unchanged": len(fps[0])}


def test_keeps_the_last_n_runs_per_hall(hall, settings):
    settings.AUDIT_KEEP_RUNS = 2
    parallel_hall(hall, links=1)
    runs = [audit(hall) for _ in range(4)]
    kept = set(AuditRun.objects.filter(hall=hall).values_list("pk", flat=True))
    assert kept == {runs[2].pk, runs[3].pk}
    assert not AuditChunk.objects.filter(run_id__in=[runs[0].pk, runs[1].pk]).exists()


def test_failed_run_never_replaces_the_current_audit(hall, settings):
    settings.AUDIT_CHUNK_MAX_ATTEMPTS = 2
    parallel_hall(hall, links=1)
    done = audit(hall)
    run, _ = services.audit_start(hall=hall, enqueue=False)
    AuditChunk.objects.filter(run=run).update(
        status="running", attempts=2, heartbeat=timezone.now() - timedelta(hours=1)
    )
    assert services.audit_chunks_requeue(enqueue=False) == []
    run.refresh_from_db()
    assert run.status == "failed"
    assert "after 2 attempts" in run.error
    assert hall_current_audit(hall_id=hall.pk) == done


def test_requeue_picks_stale_running_chunks_and_quiet_pending_ones(hall):
    parallel_hall(hall, links=1)
    run, _ = services.audit_start(hall=hall, enqueue=False)
    links, whole = run.chunks.order_by("index")
    old = timezone.now() - timedelta(hours=1)
    AuditChunk.objects.filter(pk=links.pk).update(status="running", attempts=1, heartbeat=old)
    AuditChunk.objects.filter(pk=whole.pk).update(heartbeat=old)
    # when
    requeued = services.audit_chunks_requeue(enqueue=False)
    # then: both (the run was quiet); a second beat right after re-queues nothing
    assert requeued == [links.pk, whole.pk]
    assert services.audit_chunks_requeue(enqueue=False) == []
    # and the re-queued chunks still complete the run
    run = run_all(run)
    assert run.status == "done"


def test_pending_chunks_of_a_progressing_run_are_not_requeued(hall):
    parallel_hall(hall, links=1)
    run, _ = services.audit_start(hall=hall, enqueue=False)
    links, whole = run.chunks.order_by("index")
    AuditChunk.objects.filter(pk=whole.pk).update(heartbeat=timezone.now() - timedelta(hours=1))
    assert services.audit_chunks_requeue(enqueue=False) == []


def test_broker_down_answers_queue_unavailable_and_leaves_nothing(hall, settings):
    from tests.audits.workers import set_broker

    parallel_hall(hall, links=1)
    previous = set_broker("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(ApplicationError) as error:
            services.audit_start(hall=hall)
    finally:
        set_broker(*previous)
    assert (error.value.code, error.value.status_code) == ("queue_unavailable", 503)
    assert not AuditRun.objects.filter(hall=hall).exists()


def test_chunk_loader_query_count_does_not_grow_with_the_slice(hall):
    build = parallel_hall(hall, links=6)
    ids = [link.pk for link in build.links]
    services.link_findings(link_ids=ids[:1])  # warm the catalog cache
    with CaptureQueriesContext(connection) as one:
        services.link_findings(link_ids=ids[:1])
    with CaptureQueriesContext(connection) as six:
        services.link_findings(link_ids=ids)
    # link ends, the reach, its ports with matings and legs, halls, revisions, catalog version
    assert len(one) == len(six) <= 6


def test_hall_chunk_query_count_does_not_grow_with_the_trunks(hall):
    build: ParallelHall = parallel_hall(hall, links=1)
    services.hall_findings(hall_id=hall.pk)
    with CaptureQueriesContext(connection) as one:
        services.hall_findings(hall_id=hall.pk)
    for n in range(1, 5):
        parallel_link(build, n, trunk_code=WRONG_TRUNK if n == 3 else "TRK-B12-MPO12-B-FF-OM4")
    with CaptureQueriesContext(connection) as five:
        found = services.hall_findings(hall_id=hall.pk)
    assert len(one) == len(five) <= 10
    assert {f.code for f in found if not f.consequence} == {"PERMANENT_LINK_POLARITY"}


def test_hall_mixing_cassette_methods_gets_one_mixed_polarity_warning(hall):
    from tests.factories.plant import RackFactory, RowFactory, enclosure_make, module_make

    rack = RackFactory.create(row=RowFactory.create(hall=hall, index=0), position=0)
    enclosure = enclosure_make(rack)
    module_make(enclosure, "CAS-B12-6LC-B-OM4", 1)
    module_make(enclosure, "CAS-B12-6LC-B-OM4", 2)
    odd = module_make(enclosure, "CAS-B12-6LC-A-OM4", 3)
    found = services.hall_findings(hall_id=hall.pk)
    assert [(f.subject, f.code, f.severity, f.element_ref) for f in found] == [
        ("hall", "MIXED_POLARITY_METHODS", "warning", f"module:{odd.pk}")
    ]
    assert (found[0].rack_id, found[0].row_id) == (rack.pk, rack.row_id)
