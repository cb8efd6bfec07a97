"""Audit writes: start (plan chunks, fan out), execute a chunk, finalise, cancel, re-queue.

Reliability comes from the rows, not from Celery: every chunk is a row (pending, running, done;
attempts; heartbeat). A chunk task may run twice, late, or after its run was cancelled:

* `audit_chunk_execute` returns at once when the chunk is done or its run is no longer active;
* it computes outside any transaction, then writes its findings and its done mark in ONE
  transaction that holds the run's row lock, so two copies of a chunk cannot both write, and the
  transaction that sees no chunk left finalises the run (counts, diff, pruning);
* `audit_chunks_requeue` (beat) re-queues chunks whose heartbeat went stale (a killed worker) and
  fails the run once a chunk has used AUDIT_CHUNK_MAX_ATTEMPTS.

The run records the hall's plant revision when it is planned; the plant is read when each chunk
runs, so an edit during a run marks the run stale (conservative: never a false "fresh"). Link
chunks read it from the worker's cached graph of the hall (`apps.plant.hallgraph`), which is
keyed by the hall's current plant revision and catalog version: a chunk after an edit reloads,
or, when the run is already stale by then, reads its links through the scoped loader.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from apps.accounts.models import User
from apps.audits.models import AuditChunk, AuditFinding, AuditRun
from apps.audits.versions import engine_version
from apps.catalog.models import CatalogVersion, ProductRevision
from apps.core.exceptions import ApplicationError
from apps.engine.permanent import METHODS, mixed_polarity_methods
from apps.plant.hallgraph import link_reports_in_hall
from apps.plant.models import Hall, Link, LinkEnd, Module, Port
from apps.plant.selectors import (
    link_reports,
    permanent_links_for_hall,
    trunk_ids_for_hall,
)

logger = logging.getLogger(__name__)

ACTIVE = [AuditRun.Status.QUEUED, AuditRun.Status.RUNNING]
ACTIVE_CONSTRAINT = "audits_run_one_active_per_hall"


# --- start ---------------------------------------------------------------------------------------


def audit_start(
    *, hall: Hall, by: User | None = None, enqueue: bool = True
) -> tuple[AuditRun, bool]:
    """Start an audit of the hall, or return the active one: (run, created).

    One active run per hall is the partial unique index's job: a concurrent request loses the
    insert, then reads the winner's run. With the broker unreachable nothing is left behind and
    ApplicationError 503 `queue_unavailable` is raised. `enqueue=False` plans without publishing
    (tests, `audit_hall` without workers).
    """
    active = _active_run(hall.pk)
    if active is not None:
        return active, False
    try:
        with transaction.atomic():
            run, chunk_ids = _plan(hall, by)
    except IntegrityError as error:
        name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        active = _active_run(hall.pk)
        if name != ACTIVE_CONSTRAINT or active is None:
            raise
        return active, False
    if enqueue:
        try:
            chunks_enqueue(chunk_ids=chunk_ids)
        except (BrokerError, OSError) as error:
            logger.warning("audit %s: broker unreachable (%s); run withdrawn", run.pk, error)
            AuditRun.objects.filter(pk=run.pk).delete()
            raise ApplicationError(
                "The task queue is unavailable; the audit was not started. Try again shortly.",
                code="queue_unavailable",
                status=503,
            ) from error
    return run, True


def _active_run(hall_id: int) -> AuditRun | None:
    return AuditRun.objects.filter(hall_id=hall_id, status__in=ACTIVE).first()


def _catalog_version() -> int:
    value = CatalogVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    return int(value or 0)


def _plan(hall: Hall, by: User | None) -> tuple[AuditRun, list[int]]:
    """Create the run and its chunks: the hall chunk, then link and trunk slices alternately."""
    now = timezone.now()
    revision = Hall.objects.filter(pk=hall.pk).values_list("plant_revision", flat=True).get()
    link_ids = _links_by_place(hall.pk)
    size = max(1, int(settings.AUDIT_CHUNK_SIZE))
    slices = [link_ids[i : i + size] for i in range(0, len(link_ids), size)]
    # Permanent links in slices of trunks of the same size (most trunks share a checked shape).
    trunk_ids = trunk_ids_for_hall(hall_id=hall.pk)
    trunk_slices = [trunk_ids[i : i + size] for i in range(0, len(trunk_ids), size)] or [[]]
    run = AuditRun.objects.create(
        hall_id=hall.pk,
        project_id=hall.project_id,
        requested_by=by,
        plant_revision=revision,
        catalog_version=_catalog_version(),
        engine_version=engine_version(),
        links_total=len(link_ids),
        chunks_total=len(slices) + len(trunk_slices),
    )
    # The hall chunk first (it also runs the hall-wide checks), then link and trunk chunks
    # alternately: a trunk chunk mostly waits on PostgreSQL, a link chunk computes, so two
    # workers keep both busy (and their first whole-hall loads start at different times).
    kinds: list[tuple[str, list[int]]] = [(AuditChunk.Kind.HALL, trunk_slices[0])]
    rest = trunk_slices[1:]
    for n in range(max(len(slices), len(rest))):
        if n < len(slices):
            kinds.append((AuditChunk.Kind.LINKS, slices[n]))
        if n < len(rest):
            kinds.append((AuditChunk.Kind.TRUNKS, rest[n]))
    chunks = [
        AuditChunk(
            run=run,
            index=i,
            kind=kind,
            link_ids=ids if kind == AuditChunk.Kind.LINKS else [],
            cable_ids=[] if kind == AuditChunk.Kind.LINKS else ids,
            links_count=len(ids) if kind == AuditChunk.Kind.LINKS else 0,
            heartbeat=now,
        )
        for i, (kind, ids) in enumerate(kinds)
    ]
    created = AuditChunk.objects.bulk_create(chunks)
    return run, [chunk.pk for chunk in created]


# The hall's links (its own and those with an end in it), by the port of their first end.
_LINKS_BY_PLACE_SQL = """
SELECT k.id FROM {link} k
LEFT JOIN {end} e ON e.link_id = k.id AND e.role IN (%(a)s, %(parent)s)
WHERE k.hall_id = %(hall)s OR k.id IN (SELECT link_id FROM {end} WHERE hall_id = %(hall)s)
ORDER BY e.port_id NULLS FIRST, k.id
"""


def _links_by_place(hall_id: int) -> list[int]:
    """The hall's link ids grouped by place: in the order of their first end's port (A, parent).

    A device's ports are created together, so this groups links by device and rack (measured
    on the generated 100,000-link hall: the same chunks' reach as ordering by rack, 9,431 ports
    per 2,000 links against 28,905 in link-id order) in one query of the link ends (0.3 s)
    instead of joins through ports, transceivers and devices (1.6 s). The order matters to the
    scoped loader (a chunk's reach) and to the per-chunk memos, never to the findings.
    """
    quote = connection.ops.quote_name
    sql = _LINKS_BY_PLACE_SQL.format(
        link=quote(Link._meta.db_table), end=quote(LinkEnd._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"hall": hall_id, "a": LinkEnd.Role.A.value, "parent": LinkEnd.Role.PARENT.value}
        )
        return [pk for (pk,) in cursor.fetchall()]


def chunks_enqueue(*, chunk_ids: Sequence[int]) -> None:
    """Publish one task per chunk over one broker connection (raises when the broker is down)."""
    from apps.audits.tasks import audit_chunk_execute_task  # tasks import services

    app = audit_chunk_execute_task.app
    with app.producer_or_acquire() as producer:
        for chunk_id in chunk_ids:
            audit_chunk_execute_task.apply_async(
                (chunk_id,),
                producer=producer,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
            )


# --- execute -------------------------------------------------------------------------------------


def audit_chunk_execute(*, chunk_id: int) -> bool:
    """Run one chunk; True when this call wrote it. Safe to call twice, late, or after a cancel."""
    row = (
        AuditChunk.objects.filter(pk=chunk_id)
        .values_list(
            "status",
            "run_id",
            "run__status",
            "run__hall_id",
            "run__plant_revision",
            "kind",
            "link_ids",
            "cable_ids",
        )
        .first()
    )
    if row is None:
        return False
    status, run_id, run_status, hall_id, revision, kind, link_ids, cable_ids = row
    if status == AuditChunk.Status.DONE or run_status not in ACTIVE:
        return False
    now = timezone.now()
    with transaction.atomic():
        AuditChunk.objects.filter(pk=chunk_id).exclude(status=AuditChunk.Status.DONE).update(
            status=AuditChunk.Status.RUNNING, attempts=F("attempts") + 1, heartbeat=now
        )
        AuditRun.objects.filter(pk=run_id, status=AuditRun.Status.QUEUED).update(
            status=AuditRun.Status.RUNNING, started=now
        )
    if kind in (AuditChunk.Kind.HALL, AuditChunk.Kind.TRUNKS):
        findings = hall_findings(
            hall_id=hall_id, cable_ids=cable_ids, mixed=kind == AuditChunk.Kind.HALL
        )
    else:
        findings = link_findings(link_ids=link_ids, hall_id=hall_id, run_revision=revision)
    return _chunk_commit(run_id=run_id, chunk_id=chunk_id, findings=findings)


def _chunk_commit(*, run_id: int, chunk_id: int, findings: list[AuditFinding]) -> bool:
    """Write the chunk's findings and done mark; finalise the run if it was the last chunk."""
    with transaction.atomic():
        # The run's row lock serialises the completions of one run's chunks: exactly one
        # transaction sees "no chunk left", and a cancel cannot interleave with a write.
        run = AuditRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status not in ACTIVE:
            return False
        status = AuditChunk.objects.filter(pk=chunk_id).values_list("status", flat=True).first()
        if status in (None, AuditChunk.Status.DONE):
            return False
        for item in findings:
            item.run_id = run_id
            item.chunk_id = chunk_id
        AuditFinding.objects.bulk_create(findings, batch_size=5000)
        now = timezone.now()
        AuditChunk.objects.filter(pk=chunk_id).update(
            status=AuditChunk.Status.DONE, finished=now, heartbeat=now, findings_count=len(findings)
        )
        if not AuditChunk.objects.filter(run_id=run_id).exclude(status="done").exists():
            _finalise(run, now=now)
    return True


def _finalise(run: AuditRun, *, now: datetime) -> None:
    """Counts, the diff against the previous complete run, status done, pruning to N runs."""
    by_code: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for code, severity, n in (
        AuditFinding.objects.filter(run=run)
        .values_list("code", "severity")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_code[code] = by_code.get(code, 0) + n
        by_severity[severity] = by_severity.get(severity, 0) + n
    previous = (
        AuditRun.objects.filter(hall_id=run.hall_id, status=AuditRun.Status.DONE)
        .exclude(pk=run.pk)
        .order_by("-created", "-pk")
        .first()
    )
    total = sum(by_code.values())
    diff = {"new": total, "fixed": 0, "unchanged": 0}
    if previous is not None:
        before = AuditFinding.objects.filter(run=previous).values("fingerprint")
        now_fps = AuditFinding.objects.filter(run=run).values("fingerprint")
        unchanged = AuditFinding.objects.filter(run=run, fingerprint__in=before).count()
        fixed = AuditFinding.objects.filter(run=previous).exclude(fingerprint__in=now_fps).count()
        diff = {"new": total - unchanged, "fixed": fixed, "unchanged": unchanged}
    run.counts = {"by_code": dict(sorted(by_code.items())), "by_severity": by_severity}
    run.findings_total = total
    run.previous_run = previous
    run.diff = diff
    run.status = AuditRun.Status.DONE
    run.finished = now
    run.save(
        update_fields=[
            "counts",
            "findings_total",
            "previous_run",
            "diff",
            "status",
            "finished",
            "updated",
        ]
    )
    _prune(run)


def _prune(run: AuditRun) -> None:
    """Keep the newest AUDIT_KEEP_RUNS runs of the hall, and always its current audit."""
    keep = list(
        AuditRun.objects.filter(hall_id=run.hall_id)
        .order_by("-created", "-pk")
        .values_list("pk", flat=True)[: max(1, int(settings.AUDIT_KEEP_RUNS))]
    )
    old = list(
        AuditRun.objects.filter(hall_id=run.hall_id)
        .exclude(pk__in=[*keep, run.pk])
        .exclude(status__in=ACTIVE)
        .values_list("pk", flat=True)
    )
    if old:
        # Explicit order: findings (the bulk) by one DELETE, then chunks, then runs.
        AuditFinding.objects.filter(run_id__in=old).delete()
        AuditChunk.objects.filter(run_id__in=old).delete()
        AuditRun.objects.filter(pk__in=old).delete()


# --- findings ------------------------------------------------------------------------------------


def fingerprint(*parts: object) -> str:
    """A stable digest of a finding's identity: subject key, code, element, face, positions."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _positions(item: dict[str, Any]) -> str:
    positions = item.get("positions") or ([item["position"]] if item.get("position") else [])
    return ",".join(str(p) for p in positions)


def _finding(
    item: dict[str, Any],
    *,
    subject: str,
    subject_key: str,
    link_id: int | None,
    names: dict[str, str],
    place: tuple[int | None, int | None],
) -> AuditFinding:
    ref = str(item.get("ref") or "")
    name = names.get(ref, ref)
    position = _positions(item)
    face = str(item.get("face") or "")
    return AuditFinding(
        subject=subject,
        link_id=link_id,
        subject_key=subject_key[:200],
        rack_id=place[0],
        row_id=place[1],
        code=item["code"],
        severity=item["severity"],
        element_ref=ref[:100],
        element_name=name[:200],
        face=face[:20],
        position=position[:100],
        message=item["message"],
        fix=item.get("fix"),
        fingerprint=fingerprint(subject, subject_key, item["code"], name, face, position),
        consequence=item.get("consequence_of") is not None,
    )


def link_findings(
    *, link_ids: Iterable[int], hall_id: int | None = None, run_revision: int | None = None
) -> list[AuditFinding]:
    """Validate the given links from the store (full engine validation): their findings.

    With `hall_id` (a chunk of that hall's audit), on this process's cached graph of the whole
    hall (`apps.plant.hallgraph`: loaded once per worker and plant revision; links crossing into
    another hall, and chunks of a run already stale, take the scoped loader). Without it, the
    plant's scoped loader and validation (`link_reports`, shared with link_validate and the
    re-validation after edits). Both without lane traces, in a fixed number of queries.
    """
    out: list[AuditFinding] = []
    ids = list(link_ids)
    results = (
        link_reports(link_ids=ids, trace=False, findings_only=True)
        if hall_id is None
        else link_reports_in_hall(hall_id=hall_id, link_ids=ids, run_revision=run_revision)
    )
    for result in results:
        report = result.report
        if not report["findings"]:
            continue
        place = (result.rack_id, result.row_id)
        names = report.get("elements") or {}
        for found in report["findings"]:
            out.append(
                _finding(
                    found,
                    subject=AuditFinding.Subject.LINK,
                    subject_key=result.name,
                    link_id=result.link_id,
                    names=names,
                    place=place,
                )
            )
    return out


def _method_of(raw: object) -> str | None:
    """The polarity method a module's catalog `polarity` names ("U1 (Base-8)" -> U1), or None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    first = raw.split()[0].upper().removeprefix("TYPE").removeprefix("METHOD") or raw.upper()
    return first if first in METHODS else None


def hall_findings(
    *, hall_id: int, cable_ids: Sequence[int] | None = None, mixed: bool = True
) -> list[AuditFinding]:
    """Permanent links of the hall (or of the trunks `cable_ids`) against its method, and (if
    `mixed`) mixed methods in the hall."""
    permanent = permanent_links_for_hall(hall_id=hall_id, cable_ids=cable_ids, findings_only=True)
    scope = Module.objects.filter(hall_id=hall_id)
    if not mixed:  # only the places of this slice's ends
        ends = {int(ref[7:]) for pl in permanent for ref in pl.ends if ref.startswith("module:")}
        scope = scope.filter(pk__in=sorted(ends))
    modules = list(
        scope.order_by("pk").values_list(
            "pk", "product_revision_id", "enclosure__rack_id", "enclosure__rack__row_id"
        )
    )
    places: dict[str, tuple[int | None, int | None]] = {
        f"module:{pk}": (rack, row) for pk, _rev, rack, row in modules
    }
    panel_ports = [ref for pl in permanent for ref in pl.ends if ref.startswith("port:")]
    for pk, rack, row in Port.objects.filter(pk__in=[int(r[5:]) for r in panel_ports]).values_list(
        "pk", "module__enclosure__rack_id", "module__enclosure__rack__row_id"
    ):
        places[f"port:{pk}"] = (rack, row)
    out: list[AuditFinding] = []
    for pl in permanent:
        names = {
            f"cable:{pl.cable_id}": pl.cable_label,
            pl.ends[0]: pl.end_names[0],
            pl.ends[1]: pl.end_names[1],
        }
        for found in pl.report["findings"]:
            out.append(
                _finding(
                    found,
                    subject=AuditFinding.Subject.PERMANENT_LINK,
                    subject_key=f"{pl.cable_label} {pl.legs[0]}-{pl.legs[1]}",
                    link_id=None,
                    names=names,
                    place=places.get(pl.ends[0], (None, None)),
                )
            )
    if not mixed:
        return out
    polarity = dict(
        ProductRevision.objects.filter(
            pk__in={m[1] for m in modules}, spec__kind="cassette"
        ).values_list("pk", "spec__polarity")
    )
    methods = [
        (f"module:{pk}", method)
        for pk, rev, _rack, _row in modules
        if (method := _method_of(polarity.get(rev))) is not None
    ]
    hall_name = Hall.objects.filter(pk=hall_id).values_list("name", flat=True).get()
    for warning in mixed_polarity_methods(methods):
        item = {
            "code": warning.code,
            "severity": warning.severity,
            "ref": warning.ref,
            "face": warning.face,
            "position": warning.position,
            "positions": list(warning.positions),
            "message": warning.message,
            "fix": None,  # a hall-level warning: no single part to swap
            "consequence_of": warning.consequence_of,
        }
        out.append(
            _finding(
                item,
                subject=AuditFinding.Subject.HALL,
                subject_key=hall_name,
                link_id=None,
                names={},
                place=places.get(str(item["ref"]), (None, None)),
            )
        )
    return out


# --- cancel, re-queue ----------------------------------------------------------------------------


@transaction.atomic
def audit_cancel(*, run: AuditRun, by: User | None = None) -> AuditRun:
    """Cancel an active run (chunks still out stop at their first check); a no-op if cancelled.

    A done or failed run cannot be cancelled (409 `not_active`).
    """
    locked = AuditRun.objects.select_for_update().get(pk=run.pk)
    if locked.status == AuditRun.Status.CANCELLED:
        return locked
    if locked.status not in ACTIVE:
        raise ApplicationError(
            f"The audit is {locked.status}; only a queued or running audit can be cancelled.",
            code="not_active",
            status=409,
        )
    locked.status = AuditRun.Status.CANCELLED
    locked.finished = timezone.now()
    locked.error = f"cancelled by {by.get_username()}" if by is not None else "cancelled"
    locked.save(update_fields=["status", "finished", "error", "updated"])
    AuditFinding.objects.filter(run=locked).delete()  # never shown: findings appear when done
    return locked


def audit_chunks_requeue(
    *, stale_after: timedelta | None = None, enqueue: bool = True
) -> list[int]:
    """Re-queue chunks of active runs whose worker went quiet; fail runs out of attempts.

    A running chunk is stale when its own heartbeat is older than `stale_after` (a killed
    worker); pending chunks are re-queued only when the whole run has been quiet that long (so a
    long queue is not flooded with copies). Returns the re-queued chunk ids.
    """
    if stale_after is None:
        stale_after = timedelta(seconds=settings.AUDIT_HEARTBEAT_STALE_SECONDS)
    now = timezone.now()
    cutoff = now - stale_after
    quiet_runs = (
        AuditRun.objects.filter(status__in=ACTIVE)
        .annotate(last=Max("chunks__heartbeat"))
        .filter(last__lt=cutoff)
        .values("pk")
    )
    requeued: list[int] = []
    failed: dict[int, str] = {}
    with transaction.atomic():
        chunks = list(
            AuditChunk.objects.filter(run__status__in=ACTIVE)
            .filter(
                Q(status=AuditChunk.Status.RUNNING, heartbeat__lt=cutoff)
                | Q(status=AuditChunk.Status.PENDING, run_id__in=quiet_runs)
            )
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", "run_id", "index", "attempts")
        )
        for pk, run_id, index, attempts in chunks:
            if run_id in failed:
                continue
            if attempts >= settings.AUDIT_CHUNK_MAX_ATTEMPTS:
                failed[run_id] = f"chunk {index} failed after {attempts} attempts"
                continue
            requeued.append(pk)
        for run_id, message in failed.items():
            AuditRun.objects.filter(pk=run_id, status__in=ACTIVE).update(
                status=AuditRun.Status.FAILED, finished=now, error=message, updated=now
            )
            AuditFinding.objects.filter(run_id=run_id).delete()
        requeued = [pk for pk, run_id, *_ in chunks if pk in set(requeued) and run_id not in failed]
        AuditChunk.objects.filter(pk__in=requeued).update(heartbeat=now)
        if enqueue and requeued:
            ids = list(requeued)
            transaction.on_commit(lambda: _enqueue_quietly(ids))
    for run_id, message in failed.items():
        logger.error("audit %s failed: %s", run_id, message)
    return requeued


def _enqueue_quietly(chunk_ids: list[int]) -> None:
    try:
        chunks_enqueue(chunk_ids=chunk_ids)
    except (BrokerError, OSError) as error:  # the next beat tries again
        logger.warning("re-queue of %d audit chunks failed: %s", len(chunk_ids), error)
