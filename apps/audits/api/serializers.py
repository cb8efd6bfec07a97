"""Audit API shapes (output only: starting and cancelling take no body)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.audits.models import AuditFinding, AuditRun


class AuditRunSerializer(serializers.ModelSerializer[AuditRun]):
    """A run: status, progress (from its chunks), counts, versions, staleness, diff counts."""

    progress = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField()

    class Meta:
        model = AuditRun
        fields = [
            "id",
            "hall",
            "status",
            "requested_by",
            "created",
            "started",
            "finished",
            "links_total",
            "permanent_links_total",
            "progress",
            "counts",
            "findings_total",
            "plant_revision",
            "catalog_version",
            "engine_version",
            "stale",
            "previous_run",
            "diff",
            "error",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "links_done": {"type": "integer"},
                "links_total": {"type": "integer"},
                "chunks_done": {"type": "integer"},
                "chunks_total": {"type": "integer"},
            },
        }
    )
    def get_progress(self, run: AuditRun) -> dict[str, int]:
        # Annotated by the view's queryset (no query here): see views._with_progress.
        return {
            "links_done": int(getattr(run, "links_done", 0) or 0),
            "links_total": run.links_total,
            "chunks_done": int(getattr(run, "chunks_done", 0) or 0),
            "chunks_total": run.chunks_total,
        }

    @extend_schema_field(serializers.BooleanField())
    def get_stale(self, run: AuditRun) -> bool:
        return run.hall.plant_revision > run.plant_revision


class AuditFindingSerializer(serializers.ModelSerializer[AuditFinding]):
    """One stored finding; `fingerprint` is the same from run to run for the same fault."""

    class Meta:
        model = AuditFinding
        fields = [
            "id",
            "subject",
            "link_id",
            "subject_key",
            "rack_id",
            "row_id",
            "code",
            "severity",
            "element_ref",
            "element_name",
            "face",
            "position",
            "message",
            "fix",
            "fingerprint",
            "consequence",
        ]
        read_only_fields = fields


class AuditDiffSerializer(serializers.Serializer[Any]):
    """New and fixed findings against the previous complete run (first page of each)."""

    run = serializers.IntegerField()
    previous_run = serializers.IntegerField(allow_null=True)
    new_count = serializers.IntegerField()
    fixed_count = serializers.IntegerField()
    unchanged_count = serializers.IntegerField()
    new = AuditFindingSerializer(many=True)
    fixed = AuditFindingSerializer(many=True)


class AuditFindingFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the findings list."""

    code = serializers.CharField(required=False)
    severity = serializers.ChoiceField(choices=AuditFinding.Severity.choices, required=False)
    rack = serializers.IntegerField(required=False)
    row = serializers.IntegerField(required=False)
