"""Audit API: start a hall's audit, read runs, their findings and diff, cancel.

Scoped like the plant: another project's halls and runs are 404; viewers read; designers (and
owners) start and cancel (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.authentication import request_token
from apps.accounts.models import Project, Role
from apps.accounts.selectors import effective_role
from apps.audits import selectors, services
from apps.audits.api.serializers import (
    AuditDiffSerializer,
    AuditFindingFilterSerializer,
    AuditFindingSerializer,
    AuditRunSerializer,
)
from apps.audits.models import AuditChunk, AuditRun
from apps.plant.selectors import hall_list

RUN_EXAMPLE = {
    "id": 41,
    "hall": 3,
    "status": "running",
    "requested_by": 5,
    "created": "2025-05-04T09:12:03.114Z",
    "started": "2025-05-04T09:12:03.402Z",
    "finished": None,
    "links_total": 10000,
    "permanent_links_total": 0,
    "progress": {"links_done": 6000, "links_total": 10000, "chunks_done": 3, "chunks_total": 6},
    "counts": {},
    "findings_total": 0,
    "plant_revision": 1812,
    "catalog_version": 7,
    "engine_version": "engine-3f9c0a1b2d4e",
    "stale": False,
    "previous_run": None,
    "diff": {},
    "error": "",
}
DONE_EXAMPLE = RUN_EXAMPLE | {
    "status": "done",
    "finished": "2025-05-04T09:12:09.870Z",
    "progress": {"links_done": 10000, "links_total": 10000, "chunks_done": 6, "chunks_total": 6},
    "counts": {
        "by_code": {"POLARITY_REVERSED": 12, "PERMANENT_LINK_POLARITY": 1, "LOW_MARGIN": 40},
        "by_severity": {"error": 13, "warning": 40},
    },
    "findings_total": 53,
    "previous_run": 38,
    "diff": {"new": 13, "fixed": 2, "unchanged": 40},
}
FINDING_EXAMPLE = {
    "id": 9001,
    "subject": "link",
    "link_id": 812,
    "subject_key": "L-leaf12-spine3",
    "rack_id": 77,
    "row_id": 4,
    "code": "POLARITY_REVERSED",
    "severity": "error",
    "element_ref": "cable:4410",
    "element_name": "TRK-0412",
    "face": "B1",
    "position": "1,2",
    "message": "TRK-0412 [cable:4410]: Tx at position 1 lands on Tx at leaf12 Eth1/1",
    "fix": {"message": "use TRK-B12-MPO12-B-FF-OM4", "changes": []},
    "fingerprint": "3b1f0c8e2a9d4c6f8e7a1b2c3d4e5f60",
    "consequence": False,
}


def _with_progress(runs: QuerySet[AuditRun]) -> QuerySet[AuditRun]:
    """Progress counted from the chunks, in the same query as the runs."""
    done = Q(chunks__status=AuditChunk.Status.DONE)
    return runs.annotate(
        chunks_done=Count("chunks", filter=done),
        links_done=Coalesce(Sum("chunks__links_count", filter=done), 0),
    )


def _require_designer(request: Request, project: Project) -> None:
    role = effective_role(user=request.user, token=request_token(request), project=project)  # type: ignore[arg-type]
    if role is None or not Role(role).at_least(Role.DESIGNER):
        raise PermissionDenied("Starting or cancelling an audit needs the designer role.")


class HallAuditStartApi(APIView):
    """POST /halls/{hall_id}/audits/: start the hall's audit (or get the active one)."""

    @extend_schema(
        operation_id="hall_audit_start",
        summary="Start a whole-hall audit",
        description=(
            "Plans the hall's audit in chunks and queues them on the workers. Answers 202 with "
            "the run; while a run of the hall is queued or running, answers 202 with that run. "
            "503 `queue_unavailable` when the task broker is unreachable (nothing is started)."
        ),
        request=None,
        responses={202: AuditRunSerializer},
        examples=[
            OpenApiExample("Queued", value=RUN_EXAMPLE | {"status": "queued"}, status_codes=["202"])
        ],
    )
    def post(self, request: Request, hall_id: int) -> Response:
        token = request_token(request)
        hall = get_object_or_404(hall_list(user=request.user, token=token), pk=hall_id)  # type: ignore[arg-type]
        _require_designer(request, hall.project)
        run, _created = services.audit_start(hall=hall, by=request.user)  # type: ignore[arg-type]
        run = _with_progress(AuditRun.objects.select_related("hall")).get(pk=run.pk)
        return Response(AuditRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    parameters=[OpenApiParameter("hall", OpenApiTypes.INT, description="Runs of this hall only.")]
)
class AuditRunViewSet(viewsets.ReadOnlyModelViewSet[AuditRun]):
    """Audit runs of the halls the request may see, newest first."""

    serializer_class = AuditRunSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuditRun]:
        hall = self.request.query_params.get("hall")
        runs = selectors.audit_run_list(
            user=self.request.user,  # type: ignore[arg-type]
            token=request_token(self.request),
            hall_id=int(hall) if hall and hall.isdigit() else None,
        )
        return _with_progress(runs)

    @extend_schema(examples=[OpenApiExample("Done", value=DONE_EXAMPLE)])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Findings of a complete run",
        description="Empty until the run is done. Filter by code, severity, rack or row (ids).",
        parameters=[AuditFindingFilterSerializer],
        responses={200: AuditFindingSerializer(many=True)},
        examples=[OpenApiExample("A reversed trunk", value=FINDING_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["get"])
    def findings(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        params = AuditFindingFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        findings = selectors.audit_finding_list(
            run=run,
            code=data.get("code"),
            severity=data.get("severity"),
            rack_id=data.get("rack"),
            row_id=data.get("row"),
        )
        page: Any = self.paginate_queryset(findings)  # type: ignore[arg-type]
        serializer = AuditFindingSerializer(page if page is not None else findings, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    @extend_schema(
        summary="Difference from the previous complete run",
        description=(
            "By fingerprint: `new` (found now, not before), `fixed` (found before, not now), "
            "`unchanged` (a count). Lists hold the first `limit` (default 50) of each."
        ),
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT)],
        responses={200: AuditDiffSerializer},
        examples=[
            OpenApiExample(
                "One new fault, one fixed",
                value={
                    "run": 41,
                    "previous_run": 38,
                    "new_count": 1,
                    "fixed_count": 1,
                    "unchanged_count": 40,
                    "new": [FINDING_EXAMPLE],
                    "fixed": [FINDING_EXAMPLE | {"id": 8120, "code": "LANE_MISMATCH"}],
                },
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        limit_text = request.query_params.get("limit", "50")
        limit = min(int(limit_text), 1000) if limit_text.isdigit() else 50
        diff = selectors.audit_diff(run=run)
        body = {
            "run": run.pk,
            "previous_run": diff.previous.pk if diff.previous else None,
            "new_count": int(run.diff.get("new", 0)) if run.diff else 0,
            "fixed_count": int(run.diff.get("fixed", 0)) if run.diff else 0,
            "unchanged_count": diff.unchanged,
            "new": AuditFindingSerializer(diff.new[:limit], many=True).data,
            "fixed": AuditFindingSerializer(diff.fixed[:limit], many=True).data,
        }
        return Response(body)

    @extend_schema(
        summary="Cancel a queued or running audit",
        request=None,
        responses={200: AuditRunSerializer},
        examples=[OpenApiExample("Cancelled", value=RUN_EXAMPLE | {"status": "cancelled"})],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        _require_designer(request, run.project)
        services.audit_cancel(run=run, by=request.user)  # type: ignore[arg-type]
        run = self.get_queryset().get(pk=run.pk)
        return Response(AuditRunSerializer(run).data)
