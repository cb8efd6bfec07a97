"""Audit reads, scoped like the plant: a run is visible when its project is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import APIToken, User
from apps.accounts.selectors import project_list
from apps.audits.models import AuditFinding, AuditRun


def audit_run_list(
    *, user: User, token: APIToken | None = None, hall_id: int | None = None
) -> QuerySet[AuditRun]:
    """Runs the request may see (newest first), with their hall for the stale flag."""
    runs = AuditRun.objects.filter(
        project_id__in=project_list(user=user, token=token).values("pk")
    ).select_related("hall")
    if hall_id is not None:
        runs = runs.filter(hall_id=hall_id)
    return runs.order_by("-created", "-pk")


def hall_current_audit(*, hall_id: int) -> AuditRun | None:
    """The hall's current audit: its latest complete run (failed or cancelled never count)."""
    return (
        AuditRun.objects.filter(hall_id=hall_id, status=AuditRun.Status.DONE)
        .order_by("-created", "-pk")
        .first()
    )


def audit_run_is_stale(*, run: AuditRun) -> bool:
    """True when the hall's plant changed after the run was planned (hall loaded with the run)."""
    return run.hall.plant_revision > run.plant_revision


def audit_finding_list(
    *,
    run: AuditRun,
    code: str | None = None,
    severity: str | None = None,
    rack_id: int | None = None,
    row_id: int | None = None,
) -> QuerySet[AuditFinding]:
    """The run's findings, filtered; none until the run is done (findings appear on completion)."""
    if run.status != AuditRun.Status.DONE:
        return AuditFinding.objects.none()
    findings = AuditFinding.objects.filter(run_id=run.pk)
    if code:
        findings = findings.filter(code=code)
    if severity:
        findings = findings.filter(severity=severity)
    if rack_id is not None:
        findings = findings.filter(rack_id=rack_id)
    if row_id is not None:
        findings = findings.filter(row_id=row_id)
    return findings.order_by("pk")


@dataclass(frozen=True)
class AuditDiff:
    """A run against the previous complete run of its hall, by fingerprint."""

    run: AuditRun
    previous: AuditRun | None
    new: QuerySet[AuditFinding]
    fixed: QuerySet[AuditFinding]
    unchanged: int


def audit_diff(*, run: AuditRun) -> AuditDiff:
    """New (here, not before), fixed (before, not here) and unchanged findings of a done run.

    When the previous run has been pruned, `fixed` is empty and the stored counts remain.
    """
    none = AuditFinding.objects.none()
    if run.status != AuditRun.Status.DONE:
        return AuditDiff(run, None, none, none, 0)
    previous = (
        AuditRun.objects.filter(pk=run.previous_run_id).first() if run.previous_run_id else None
    )
    mine = AuditFinding.objects.filter(run_id=run.pk)
    if previous is None:
        return AuditDiff(run, None, mine.order_by("pk"), none, 0)
    before = AuditFinding.objects.filter(run_id=previous.pk)
    new = mine.exclude(fingerprint__in=before.values("fingerprint")).order_by("pk")
    fixed = before.exclude(fingerprint__in=mine.values("fingerprint")).order_by("pk")
    unchanged: Any = run.diff.get("unchanged", 0)
    return AuditDiff(run, previous, new, fixed, int(unchanged))
