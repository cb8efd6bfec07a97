"""A generated hall with one link of every planted fault kind (apps.plant.generate), audited on a
real worker: the audit finds exactly the planted faults, each as its named code, and nothing else.

    11 fault links (FAULTS: wrong trunk type, type C trunk, gender, APC/UPC, MPO-12/16, SM/MM,
    reach, budget, missing cable, swapped legs, misrouted) among 40 links over 2 rows x 3 racks
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.audits import services
from apps.audits.models import AuditFinding, AuditRun
from apps.plant.generate import FAULTS, generate_hall
from tests.support import celery as celery_support

celery_worker = celery_support.celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def planted(project: Any, catalog: Any, settings: Any) -> Any:
    """40 links, one of each fault kind, seeded; chunks of 8 links (5 link chunks + the hall's)."""
    settings.AUDIT_CHUNK_SIZE = 8
    generated = generate_hall(
        project=project,
        rows=2,
        racks_per_row=3,
        links=40,
        seed=7,
        faults=dict.fromkeys(FAULTS, 1),
        name="PLANTED",
    )
    assert sorted(generated.manifest.values()) == sorted(FAULTS.values())
    return generated


def test_audit_finds_exactly_the_planted_faults(celery_worker, planted):
    # given
    from apps.plant.models import Hall

    hall = Hall.objects.get(name="PLANTED")
    # when
    run, _ = services.audit_start(hall=hall)
    celery_worker.wait_for(
        lambda: AuditRun.objects.get(pk=run.pk).status not in ("queued", "running"), timeout=90
    )
    # then
    run.refresh_from_db()
    assert run.status == "done", run.error
    findings = AuditFinding.objects.filter(run=run)
    primary = {
        (subject_key, code)
        for subject_key, code in findings.filter(
            subject=AuditFinding.Subject.LINK, severity="error", consequence=False
        ).values_list("subject_key", "code")
    }
    assert primary == set(planted.manifest.items())
    # every link finding belongs to a planted link (consequences included): no false positive
    assert set(findings.filter(subject="link").values_list("subject_key", flat=True)) == set(
        planted.manifest
    )
    # the trunk faults also break their permanent links, and nothing else does
    permanent = set(
        findings.filter(subject="permanent_link", consequence=False).values_list("code", flat=True)
    )
    assert permanent <= {"PERMANENT_LINK_POLARITY"}
    assert run.counts["by_code"]["POLARITY_REVERSED"] >= 2


def test_audit_of_the_demo_hall_finds_exactly_its_mistakes(celery_worker, catalog):
    # given: the demo (`manage.py load_demo`): good links and one link per common mistake
    from django.core.management import call_command

    from apps.plant.demo import MISTAKES, PROJECT
    from apps.plant.models import Hall

    call_command("load_demo")
    hall = Hall.objects.get(project__slug=PROJECT[1])
    # when
    run, _ = services.audit_start(hall=hall)
    celery_worker.wait_for(
        lambda: AuditRun.objects.get(pk=run.pk).status not in ("queued", "running"), timeout=90
    )
    # then: each mistake as its own code, no finding on a good link
    run.refresh_from_db()
    assert run.status == "done", run.error
    findings = AuditFinding.objects.filter(run=run)
    links = findings.filter(subject=AuditFinding.Subject.LINK)
    primary = set(
        links.filter(severity="error", consequence=False).values_list("subject_key", "code")
    )
    assert primary == set(MISTAKES.items())
    assert set(links.values_list("subject_key", flat=True)) == set(MISTAKES)
    assert run.links_total == hall.links.count() == 29
    # the trunk mistakes also break their permanent links, and nothing else does
    permanent = set(
        findings.filter(subject="permanent_link", consequence=False).values_list("code", flat=True)
    )
    assert permanent <= {"PERMANENT_LINK_POLARITY"}
