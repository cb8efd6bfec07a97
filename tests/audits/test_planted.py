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
