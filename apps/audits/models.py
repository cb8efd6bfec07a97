"""Whole-hall polarity audits: a run, its chunks (the unit of work on a worker), its findings.

    Hall ──< AuditRun ──< AuditChunk ──< AuditFinding
                  └──────────────────────┘ (run)

A run is planned as chunks of link ids plus one `hall` chunk (permanent links, mixed methods).
Workers execute chunks; the transaction that completes the last chunk finalises the run (counts,
diff against the previous complete run, pruning). A run is stale when the hall's
`plant_revision` has moved past the revision it recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from apps.core.models import TimeStampedModel
from apps.plant.models import Hall


class AuditRun(TimeStampedModel):
    """One audit of one hall: status, who asked, progress, counts and the versions it used."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="audit_runs")
    project = models.ForeignKey(
        "accounts.Project", on_delete=models.CASCADE, related_name="audit_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    links_total = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    permanent_links_total = models.PositiveIntegerField(default=0)
    plant_revision = models.BigIntegerField()
    catalog_version = models.BigIntegerField()
    engine_version = models.CharField(max_length=40)
    counts = models.JSONField(
        default=dict, blank=True, help_text='{"by_code": {...}, "by_severity": {...}}, when done.'
    )
    findings_total = models.PositiveIntegerField(default=0)
    previous_run = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    diff = models.JSONField(
        default=dict, blank=True, help_text='{"new": n, "fixed": n, "unchanged": n}, when done.'
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall"],
                condition=Q(status__in=["queued", "running"]),
                name="audits_run_one_active_per_hall",
            )
        ]
        indexes = [models.Index(fields=["hall", "status", "-created"], name="audits_run_hall")]

    def __str__(self) -> str:
        return f"audit {self.pk} of hall {self.hall_id} ({self.status})"


class AuditChunk(models.Model):
    """A slice of a run: link ids or trunk cable ids (permanent links), state, attempts, heartbeat.

    `hall`: the hall-wide checks (mixed polarity methods) and a slice of the permanent links;
    `trunk`: a further slice of the permanent links (`cable_ids`: the trunks whose legs to check).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    class Kind(models.TextChoices):
        LINKS = "links", "Links"
        HALL = "hall", "Permanent links and polarity methods"
        TRUNKS = "trunk", "Permanent links"

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.LINKS)
    link_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    cable_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    links_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    findings_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="audits_chunk_unique_index")
        ]
        indexes = [models.Index(fields=["status", "heartbeat"], name="audits_chunk_status")]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.index} ({self.status})"


class AuditFinding(models.Model):
    """One finding of a run on a link or a permanent link; the fingerprint survives re-runs."""

    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"
        INFO = "info", "Info"

    class Subject(models.TextChoices):
        LINK = "link", "Link"
        PERMANENT_LINK = "permanent_link", "Permanent link"
        HALL = "hall", "Hall"

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="findings")
    chunk = models.ForeignKey(AuditChunk, on_delete=models.CASCADE, related_name="findings")
    subject = models.CharField(max_length=14, choices=Subject.choices)
    # Plain ids, not foreign keys: findings outlive the plant rows they describe.
    link_id = models.BigIntegerField(null=True, blank=True)
    subject_key = models.CharField(
        max_length=200, help_text="The link's name, or '<trunk label> <A1>-<B1>', or the hall."
    )
    rack_id = models.BigIntegerField(null=True, blank=True)
    row_id = models.BigIntegerField(null=True, blank=True)
    code = models.CharField(max_length=40)
    severity = models.CharField(max_length=7, choices=Severity.choices)
    element_ref = models.CharField(max_length=100, blank=True)
    element_name = models.CharField(max_length=200, blank=True)
    face = models.CharField(max_length=20, blank=True)
    position = models.CharField(max_length=100, blank=True, help_text="Positions, e.g. '1,12'.")
    message = models.TextField()
    fix = models.JSONField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    consequence = models.BooleanField(
        default=False, help_text="A consequence of another finding (behind a blocking fault)."
    )

    class Meta:
        ordering = ["run_id", "pk"]
        indexes = [
            models.Index(fields=["run", "code"], name="audits_finding_code"),
            models.Index(fields=["run", "fingerprint"], name="audits_finding_fingerprint"),
            models.Index(fields=["run", "rack_id"], name="audits_finding_rack"),
            models.Index(fields=["run", "row_id"], name="audits_finding_row"),
        ]

    def __str__(self) -> str:
        return f"{self.code} on {self.subject_key}"
